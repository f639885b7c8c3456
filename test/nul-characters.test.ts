// U+0000 in a path parameter, a query value or a JSON string is refused with 400 before it reaches the store
// (PostgreSQL fails any query that carries one; found by test/fuzz.test.ts).
import t from 'tap'
import { adminHeaders, client } from './admin-fixtures.ts'
import { build, providers } from './helper.ts'

const REFUSED = { error: 'invalid_request', error_description: 'the request contains a NUL character (U+0000), which no value may hold' }

for (const provider of providers) {
  t.test(`NUL characters on ${provider}`, async (t) => {
    const ctx = await build(t, { provider })
    const admin = client(ctx.app, await adminHeaders(ctx))
    const cases: [string, () => ReturnType<typeof admin.get>][] = [
      ['a path parameter', () => admin.delete('/admin/v1/users/%00')],
      ['a path parameter, within a value', () => admin.get('/admin/v1/clients/abc%00def')],
      ['a query value', () => admin.get('/admin/v1/access-keys?after=%00')],
      ['a JSON string', () => admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['read'], user_id: '\u0000' })],
      ['a JSON string in a list', () => admin.post('/admin/v1/clients', { name: 'c', grant_types: ['client_credentials'], scopes: ['read'], audiences: ['https://a.example/\u0000'] })],
      ['a JSON key', () => admin.patch('/admin/v1/users/x', { ['\u0000']: 1 })],
    ]
    for (const [name, send] of cases) {
      const response = await send()
      t.equal(response.statusCode, 400, name)
      t.same(response.json(), REFUSED, name)
    }
    t.equal((await admin.get('/admin/v1/clients')).json().items.length, 0, 'nothing was created')
  })
}
