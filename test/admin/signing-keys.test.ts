// /admin/v1/signing-keys: list, rotate (scheduled and immediate), revoke; only public facts; audited.
import t from 'tap'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { build } from '../support/helper.ts'

t.test('admin signing keys', async (t) => {
  const ctx = await build(t)
  let admin = client(ctx.app, await adminHeaders(ctx))
  const PRIVATE = /"(d|p|q|dp|dq|qi|privateKey\w*)"/

  t.test('list shows the active key and no private member', async (t) => {
    const response = await admin.get('/admin/v1/signing-keys')
    t.equal(response.statusCode, 200)
    const { items, next_cursor } = response.json()
    t.match(items, [{ kid: ctx.keyring.signingKey().kid, state: 'active', alg: 'RS256', modulus_length: 2048 }])
    t.equal(next_cursor, null)
    t.notMatch(response.body, PRIVATE)
  })

  t.test('rotate publishes a next key; again is a no-op; immediate switches', async (t) => {
    const scheduled = await admin.post('/admin/v1/signing-keys/rotate')
    t.equal(scheduled.statusCode, 200)
    const body = scheduled.json()
    t.match(body, {
      changed: true,
      immediate: false,
      key: { state: 'next' },
      previous: { state: 'active' },
      warning: null,
    })
    t.notMatch(scheduled.body, PRIVATE)
    t.match((await admin.post('/admin/v1/signing-keys/rotate', {})).json(), {
      changed: false,
      key: { kid: body.key.kid },
    })
    const immediate = (await admin.post('/admin/v1/signing-keys/rotate', { immediate: true })).json()
    t.match(immediate, {
      changed: true,
      immediate: true,
      key: { kid: body.key.kid, state: 'active' },
      previous: { state: 'retired' },
    })
    t.match(immediate.warning, /do not know it yet/)
    t.equal((await admin.post('/admin/v1/signing-keys/rotate', { immediate: 'yes' })).statusCode, 400)
    const audit = (await admin.get('/admin/v1/audit?type=signing_key.rotated')).json().items
    t.match(audit, [{ subject: body.key.kid, actor: 'client:operator' }])
  })

  t.test('list pages newest first', async (t) => {
    const all = (await admin.get('/admin/v1/signing-keys')).json().items
    t.equal(all.length, 2)
    const first = (await admin.get('/admin/v1/signing-keys?limit=1')).json()
    t.same(first.items, [all[0]])
    const second = (await admin.get(`/admin/v1/signing-keys?limit=1&after=${first.next_cursor}`)).json()
    t.same(second, { items: [all[1]], next_cursor: null })
  })

  t.test('revoke removes a key; twice is 409; unknown is 404', async (t) => {
    const retired = (await admin.get('/admin/v1/signing-keys'))
      .json()
      .items.find((key: { state: string }) => key.state === 'retired')
    const revoked = await admin.post(`/admin/v1/signing-keys/${retired.kid}/revoke`)
    t.equal(revoked.statusCode, 200)
    t.match(revoked.json(), { key: { kid: retired.kid, state: 'revoked' }, successor: null })
    t.notMatch(revoked.body, PRIVATE)
    t.equal(
      (await admin.get('/admin/v1/signing-keys')).statusCode,
      401,
      'tokens signed by a revoked key no longer authenticate',
    )
    admin = client(ctx.app, await adminHeaders(ctx))
    const again = await admin.post(`/admin/v1/signing-keys/${retired.kid}/revoke`)
    t.equal(again.statusCode, 409)
    t.same(again.json(), { error: 'conflict', error_description: `signing key ${retired.kid} is already revoked` })
    const unknown = await admin.post('/admin/v1/signing-keys/nope/revoke')
    t.equal(unknown.statusCode, 404)
    t.same(unknown.json(), { error: 'not_found', error_description: 'no signing key has this kid' })
    t.match((await admin.get('/admin/v1/audit?type=signing_key.revoked')).json().items, [
      { subject: retired.kid, actor: 'client:operator' },
    ])
  })
})
