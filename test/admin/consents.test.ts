// Remembered consents at /admin/v1/users/{id}/consents and /v1/me/consents: listed, revoked, and asked again.
import t from 'tap'
import { build, providers, type TestContext } from '../support/helper.ts'
import { client, signedToken } from '../support/admin-fixtures.ts'
import { authorizeUrl, seedSignIn, signedInBrowser } from '../support/sign-in.ts'

const bearer = async (ctx: TestContext, scope: string, sub?: string) => ({
  authorization: `Bearer ${(await signedToken(ctx, { scope, ...(sub ? { sub } : {}) })).token}`,
})

for (const provider of providers) {
  t.test(`consents on ${provider}`, async (t) => {
    const ctx = await build(t, { provider })
    const { app, store } = ctx
    const { alice } = await seedSignIn(store)
    const admin = client(app, await bearer(ctx, 'admin'))

    t.test(
      'an administrator lists a user’s consents and revokes one: the next authorization request asks again',
      async (t) => {
        const browser = await signedInBrowser(app)
        const list = await admin.get(`/admin/v1/users/${alice.id}/consents`)
        t.equal(list.statusCode, 200)
        t.match(list.json(), { items: [{ client_id: 'web', user_id: alice.id, scopes: ['read'] }], next_cursor: null })
        const remembered = await browser.flow.get(authorizeUrl(browser.params))
        t.match(remembered.headers.location, /^https:\/\/app\.example\/callback\?code=/, 'remembered: no consent page')
        t.equal((await admin.delete(`/admin/v1/users/${alice.id}/consents/web`)).statusCode, 204)
        t.same((await admin.get(`/admin/v1/users/${alice.id}/consents`)).json(), { items: [], next_cursor: null })
        const asked = await browser.flow.get(authorizeUrl(browser.params))
        t.match(asked.headers.location, /^\/oauth\/consent\?request=/, 'revoked: asked again')
        t.equal((await admin.delete(`/admin/v1/users/${alice.id}/consents/web`)).statusCode, 404)
        t.match((await store.audit.list({ limit: 1, type: 'consent.revoked' })).items[0], {
          subject: 'client:web',
          details: { user_id: alice.id },
        })
      },
    )

    t.test('pages by client id', async (t) => {
      await store.consents.grant({ userId: alice.id, clientId: 'spa', scopes: ['read'] })
      await store.consents.grant({ userId: alice.id, clientId: 'other', scopes: ['read'] })
      const first = (await admin.get(`/admin/v1/users/${alice.id}/consents?limit=1`)).json()
      t.equal(first.items[0].client_id, 'other')
      const second = (await admin.get(`/admin/v1/users/${alice.id}/consents?limit=5&after=${first.next_cursor}`)).json()
      t.same(
        second.items.map((item: { client_id: string }) => item.client_id),
        ['spa'],
      )
    })

    t.test('a user lists and revokes their own consents with scope account', async (t) => {
      await store.consents.grant({ userId: alice.id, clientId: 'web', scopes: ['read'] })
      const me = client(app, await bearer(ctx, 'account', alice.id))
      t.match(
        (await me.get('/v1/me/consents')).json().items.map((item: { client_id: string }) => item.client_id),
        ['other', 'spa', 'web'],
      )
      t.equal((await me.delete('/v1/me/consents/web')).statusCode, 204)
      t.equal((await me.delete('/v1/me/consents/web')).statusCode, 404)
      t.equal((await client(app, await bearer(ctx, 'keys:write', alice.id)).get('/v1/me/consents')).statusCode, 403)
    })
  })
}
