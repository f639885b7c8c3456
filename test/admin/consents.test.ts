// Remembered consents at /admin/v1/users/{id}/consents and /v1/me/consents: listed, revoked, and asked again.
import t from 'tap'
import { build, providers, type TestContext } from '../support/helper.ts'
import { client, signedToken } from '../support/admin-fixtures.ts'
import { authorizeUrl, query, REDIRECT, seedSignIn, signedInBrowser } from '../support/sign-in.ts'
import { basic, FORM, form, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { DEFAULT_TENANT_ID, ANY_TENANT } from '../../src/store/index.ts'

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
        t.match((await store.audit.list(ANY_TENANT, { limit: 1, type: 'consent.revoked' })).items[0], {
          subject: 'client:web',
          details: { user_id: alice.id },
        })
      },
    )

    /** Whether web's access token is active (introspected by web) and its refresh token still refreshes. */
    async function alive(tokens: { accessToken: string; refreshToken: string }) {
      const introspection = await app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        headers: { ...FORM, authorization: basic('web', SECRET) },
        payload: form({ token: tokens.accessToken }),
      })
      const refresh = await tokenRequest(
        app,
        { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
        { authorization: basic('web', SECRET) },
      )
      return { access: introspection.json().active as boolean, refresh: refresh.json() as Record<string, unknown> }
    }

    for (const [via, path] of [
      ['the admin API', () => `/admin/v1/users/${alice.id}/consents/web`],
      ['/v1/me/consents', () => '/v1/me/consents/web'],
    ] as const) {
      t.test(
        `revoking a consent through ${via} ends the refresh tokens and access tokens the client holds for the user, and nothing else`,
        async (t) => {
          const bob = await store.users.create({ username: `bob-${via.length}`, passwordHash: 'x', scopes: ['read'] })
          await store.users.update(ANY_TENANT, bob.id, {
            passwordHash: (await store.users.findByUsername(DEFAULT_TENANT_ID, 'alice'))!.passwordHash,
          })
          const first = await signedInBrowser(app)
          const second = await signedInBrowser(app)
          const bobs = await signedInBrowser(app, bob.username)
          t.match(await alive(first), { access: true, refresh: { refresh_token: String } })
          // A code issued under the consent, not redeemed yet.
          const unredeemed = query((await first.flow.get(authorizeUrl(first.params))).headers.location).code!
          const caller = via === 'the admin API' ? admin : client(app, await bearer(ctx, 'account', alice.id))
          t.equal((await caller.delete(path())).statusCode, 204)
          for (const tokens of [first, second]) {
            t.same(await alive(tokens), {
              access: false,
              refresh: { error: 'invalid_grant', error_description: 'the refresh token has been revoked' },
            })
          }
          t.match(await alive(bobs), { access: true, refresh: { refresh_token: String } }, 'another user’s: untouched')
          const redeemed = await tokenRequest(
            app,
            {
              grant_type: 'authorization_code',
              code: unredeemed,
              redirect_uri: REDIRECT,
              code_verifier: first.verifier,
            },
            { authorization: basic('web', SECRET) },
          )
          t.same(
            redeemed.json(),
            { error: 'invalid_grant', error_description: 'the authorization code is invalid' },
            'a code issued under the consent cannot be redeemed any more',
          )
          t.match((await store.audit.list(ANY_TENANT, { limit: 1, type: 'consent.revoked' })).items[0], {
            details: { user_id: alice.id, families: 2 },
          })
          const again = await signedInBrowser(app)
          t.match(await alive(again), { access: true, refresh: { refresh_token: String } }, 'a new consent works')
          t.equal((await admin.delete(`/admin/v1/users/${alice.id}/consents/web`)).statusCode, 204, 'cleaned up')
        },
      )
    }

    t.test('pages by client id', async (t) => {
      await store.consents.grant(DEFAULT_TENANT_ID, { userId: alice.id, clientId: 'spa', scopes: ['read'] })
      await store.consents.grant(DEFAULT_TENANT_ID, { userId: alice.id, clientId: 'other', scopes: ['read'] })
      const first = (await admin.get(`/admin/v1/users/${alice.id}/consents?limit=1`)).json()
      t.equal(first.items[0].client_id, 'other')
      const second = (await admin.get(`/admin/v1/users/${alice.id}/consents?limit=5&after=${first.next_cursor}`)).json()
      t.same(
        second.items.map((item: { client_id: string }) => item.client_id),
        ['spa'],
      )
    })

    t.test('a user lists and revokes their own consents with scope account', async (t) => {
      await store.consents.grant(DEFAULT_TENANT_ID, { userId: alice.id, clientId: 'web', scopes: ['read'] })
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
