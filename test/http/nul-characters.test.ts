// U+0000 in a path parameter, a query value or a JSON string is refused with 400 before it reaches the store
// (PostgreSQL fails any query that carries one; found by test/fuzz/fuzz.test.ts).
import t from 'tap'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'

const REFUSED = {
  error: 'invalid_request',
  error_description: 'the request contains a NUL character (U+0000), which no value may hold',
}

for (const provider of providers) {
  t.test(`NUL characters on ${provider}`, async (t) => {
    const ctx = await build(t, { provider })
    const admin = client(ctx.app, await adminHeaders(ctx))
    const cases: [string, () => ReturnType<typeof admin.get>][] = [
      ['a path parameter', () => admin.delete('/admin/v1/users/%00')],
      ['a path parameter, within a value', () => admin.get('/admin/v1/clients/abc%00def')],
      ['a query value', () => admin.get('/admin/v1/access-keys?after=%00')],
      ['a JSON string', () => admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['read'], user_id: '\u0000' })],
      [
        'a JSON string in a list',
        () =>
          admin.post('/admin/v1/clients', {
            name: 'c',
            grant_types: ['client_credentials'],
            scopes: ['read'],
            audiences: ['https://a.example/\u0000'],
          }),
      ],
      ['a JSON key', () => admin.patch('/admin/v1/users/x', { '\u0000': 1 })],
    ]
    for (const [name, send] of cases) {
      const response = await send()
      t.equal(response.statusCode, 400, name)
      t.same(response.json(), REFUSED, name)
    }
    t.equal((await admin.get('/admin/v1/clients')).json().items.length, 0, 'nothing was created')
  })
}

t.test('the check is attached to the routes that take input other than an OAuth form body', async (t) => {
  const { checkNulCharacters, rejectNulCharacters } = await import('../../src/http/nul-characters.ts')
  const handler = () => undefined
  const hooked = (route: Record<string, unknown>) => {
    const options = { handler, ...route } as unknown as Parameters<typeof checkNulCharacters>[0]
    checkNulCharacters(options)
    const hooks = options.preValidation
    return Array.isArray(hooks) && hooks[0] === rejectNulCharacters
  }
  t.notOk(hooked({ method: 'GET', url: '/.well-known/jwks.json' }), 'no input: the JWKS pays nothing')
  t.notOk(
    hooked({
      method: 'POST',
      url: '/oauth/token',
      schema: { consumes: ['application/x-www-form-urlencoded'], body: {} },
    }),
    'a form endpoint: its parser refuses NUL',
  )
  t.ok(hooked({ method: 'GET', url: '/admin/v1/users/:userId' }), 'a path parameter')
  t.ok(hooked({ method: 'GET', url: '/docs/*' }), 'a wildcard')
  t.ok(hooked({ method: 'GET', url: '/admin/v1/audit', schema: { querystring: {} } }), 'a query string')
  t.ok(hooked({ method: 'POST', url: '/admin/v1/clients', schema: { body: {} } }), 'a JSON body')
  t.ok(hooked({ method: ['GET', 'DELETE'], url: '/x' }), 'a method that takes a body')
  const own = () => undefined
  const route = { method: 'PATCH', url: '/x/:id', handler, preValidation: own } as unknown as Parameters<
    typeof checkNulCharacters
  >[0]
  checkNulCharacters(route)
  t.same(route.preValidation, [rejectNulCharacters, own], "the route's own hook runs after the check")
})
