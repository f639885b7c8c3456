// A new login in a browser that still holds a session ends the older session on the server, not only its
// cookie: another user's with its refresh tokens and access tokens (as a logout would), the same user's
// (prompt=login) with its refresh tokens moved to the new session, where a logout still ends them.
import t from 'tap'
import { sha256 } from '../../src/security/secrets.ts'
import { build, providers } from '../support/helper.ts'
import { formFields, seedSignIn, signedInBrowser, type CookieJar } from '../support/sign-in.ts'
import { basic, FORM, form, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const WEB = basic('web', SECRET)

for (const provider of providers) {
  t.test(`a new login replaces the browser's session on ${provider}`, async (t) => {
    let clock = Date.now()
    const { app, store } = await build(t, { provider, now: () => clock })
    const { alice } = await seedSignIn(store)
    const bob = await store.users.create({ username: 'bob', passwordHash: alice.passwordHash, scopes: ['read'] })

    const sessionOf = (jar: CookieJar) =>
      store.sessions.findActiveByHash(ANY_TENANT, sha256(jar.cookies.get('portcullis-session')!))
    const refresh = async (refreshToken: string) =>
      (
        await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: WEB })
      ).json()
    const active = async (accessToken: string) =>
      (
        await app.inject({
          method: 'POST',
          url: '/oauth/introspect',
          headers: { ...FORM, authorization: WEB },
          payload: form({ token: accessToken }),
        })
      ).json().active as boolean

    t.test('another user signing in ends the older session with its refresh tokens and access tokens', async (t) => {
      const alices = await signedInBrowser(app)
      const before = (await sessionOf(alices.flow.jar))!
      clock += 1000
      const bobs = await signedInBrowser(app, 'bob', { flow: alices.flow, extra: { prompt: 'login' } })
      const after = (await sessionOf(bobs.flow.jar))!
      t.equal(after.userId, bob.id)
      t.not(after.id, before.id)
      t.ok(
        (await store.sessions.findById(ANY_TENANT, before.id))!.revokedAt,
        'the older session is ended on the server',
      )
      t.same(await refresh(alices.refreshToken), {
        error: 'invalid_grant',
        error_description: 'the refresh token has been revoked',
      })
      t.equal(await active(alices.accessToken), false, 'its access token too')
      t.match(await refresh(bobs.refreshToken), { refresh_token: String }, 'the new login works')
      t.match((await store.audit.list(ANY_TENANT, { limit: 1, type: 'session.ended' })).items[0], {
        actor: `user:${bob.id}`,
        subject: `session:${before.id}`,
        details: { reason: 'replaced', user_id: alice.id, session_id: after.id, families: 1 },
      })
    })

    t.test(
      'the same user signing in again (prompt=login) ends the older session; its refresh tokens move to the new one, which a logout ends',
      async (t) => {
        const first = await signedInBrowser(app)
        const before = (await sessionOf(first.flow.jar))!
        clock += 1000
        const second = await signedInBrowser(app, 'alice', { flow: first.flow, extra: { prompt: 'login' } })
        const after = (await sessionOf(second.flow.jar))!
        t.not(after.id, before.id)
        t.ok(
          (await store.sessions.findById(ANY_TENANT, before.id))!.revokedAt,
          'the older session is ended on the server',
        )
        t.notOk(
          (await store.sessions.listActiveByUser(ANY_TENANT, alice.id)).some((session) => session.id === before.id),
          'and no longer listed',
        )
        const rotated = await refresh(first.refreshToken)
        t.match(rotated, { refresh_token: String }, 'the earlier login of the same user lives on')
        t.equal(await active(first.accessToken), true)
        t.match((await store.audit.list(ANY_TENANT, { limit: 1, type: 'session.ended' })).items[0], {
          details: { reason: 'renewed', user_id: alice.id, session_id: after.id, families_moved: 1 },
        })
        const ask = await second.flow.get('/oauth/logout')
        const done = await second.flow.post('/oauth/logout', formFields(ask.body))
        t.equal(done.statusCode, 200)
        t.same(
          await refresh(rotated.refresh_token as string),
          { error: 'invalid_grant', error_description: 'the refresh token has been revoked' },
          'the logout of the new session ends the earlier login too',
        )
        t.equal(await active(first.accessToken), false)
      },
    )
  })
}
