// A user's sign-in sessions at /admin/v1/users/{id}/sessions and /v1/me/sessions: listed without secrets,
// ended one by one or all at once, each end taking the refresh tokens made in the session with it.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, providers, type TestContext } from '../support/helper.ts'
import { client, signedToken } from '../support/admin-fixtures.ts'
import { authorizeUrl, seedSignIn, signedInBrowser } from '../support/sign-in.ts'
import { basic, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const WEB = basic('web', SECRET)

const refresh = (app: FastifyInstance, refreshToken: string) =>
  tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: WEB })

const bearer = async (ctx: TestContext, scope: string, sub?: string) => ({
  authorization: `Bearer ${(await signedToken(ctx, { scope, ...(sub ? { sub } : {}) })).token}`,
})

for (const provider of providers) {
  t.test(`sessions on ${provider}`, async (t) => {
    const ctx = await build(t, { provider })
    const { app, store } = ctx
    const { alice } = await seedSignIn(store)
    const admin = client(app, await bearer(ctx, 'admin'))

    t.test(
      'an administrator lists a user’s sessions (no secret) and ends one: its refresh tokens are refused after',
      async (t) => {
        const first = await signedInBrowser(app)
        const second = await signedInBrowser(app)
        const list = await admin.get(`/admin/v1/users/${alice.id}/sessions?limit=1`)
        t.equal(list.statusCode, 200)
        const page = list.json()
        t.equal(page.items.length, 1)
        t.same(Object.keys(page.items[0]).sort(), [
          'amr',
          'auth_time',
          'created_at',
          'expires_at',
          'id',
          'idle_expires_at',
          'last_seen_at',
          'user_id',
        ])
        t.match(page.items[0], { user_id: alice.id, amr: ['pwd'] })
        t.type(page.next_cursor, 'string')
        const rest = (await admin.get(`/admin/v1/users/${alice.id}/sessions?after=${page.next_cursor}`)).json()
        const ids = [page.items[0].id, ...rest.items.map((item: { id: string }) => item.id)]
        t.ok(ids.length >= 2)
        const cookie = second.flow.jar.cookies.get('portcullis-session')!
        t.notOk(JSON.stringify([page, rest]).includes(cookie), 'the cookie is never shown')
        const newest = ids[0]
        const ended = await admin.delete(`/admin/v1/users/${alice.id}/sessions/${newest}`)
        t.equal(ended.statusCode, 204)
        const refused = await refresh(app, second.refreshToken)
        t.equal(refused.statusCode, 400)
        t.equal(refused.json().error, 'invalid_grant', 'the refresh token made in the ended session is refused')
        t.equal((await refresh(app, first.refreshToken)).statusCode, 200, 'the other session’s logins live on')
        const again = await second.flow.get(authorizeUrl(second.params))
        t.match(again.headers.location, /^\/oauth\/login\?/, 'the browser must sign in again')
        t.equal(
          (await admin.delete(`/admin/v1/users/${alice.id}/sessions/${newest}`)).statusCode,
          404,
          'an ended session is gone',
        )
        const events = (await store.audit.list(ANY_TENANT, { limit: 5, type: 'session.ended' })).items
        t.match(events[0], {
          actor: 'client:operator',
          subject: `session:${newest}`,
          details: { user_id: alice.id, families: 1 },
        })
      },
    )

    t.test('ending all of a user’s sessions', async (t) => {
      const browser = await signedInBrowser(app)
      const response = await admin.delete(`/admin/v1/users/${alice.id}/sessions`)
      t.equal(response.statusCode, 200)
      t.ok(response.json().ended >= 1)
      t.same((await admin.get(`/admin/v1/users/${alice.id}/sessions`)).json(), { items: [], next_cursor: null })
      t.equal((await refresh(app, browser.refreshToken)).json().error, 'invalid_grant')
    })

    t.test('unknown users and sessions are 404; scope login cannot reach them', async (t) => {
      t.same((await admin.get('/admin/v1/users/nobody/sessions')).json(), {
        error: 'not_found',
        error_description: 'no user has this id',
      })
      t.equal((await admin.delete(`/admin/v1/users/${alice.id}/sessions/nothing`)).statusCode, 404)
      const login = client(app, await bearer(ctx, 'login'))
      t.equal((await login.get(`/admin/v1/users/${alice.id}/sessions`)).statusCode, 403)
      t.equal((await admin.get(`/admin/v1/users/${alice.id}/sessions?limit=0`)).statusCode, 400)
    })

    t.test(
      'a user lists and ends their own sessions at /v1/me with scope account; another user’s is unknown',
      async (t) => {
        const browser = await signedInBrowser(app)
        const me = client(app, await bearer(ctx, 'account', alice.id))
        const list = (await me.get('/v1/me/sessions')).json()
        t.equal(list.items.length, 1)
        const bob = await store.users.create({ username: 'bob', passwordHash: 'x', scopes: ['read'] })
        const bobsApi = client(app, await bearer(ctx, 'account', bob.id))
        t.same((await bobsApi.get('/v1/me/sessions')).json(), { items: [], next_cursor: null })
        t.equal((await bobsApi.delete(`/v1/me/sessions/${list.items[0].id}`)).statusCode, 404, 'not bob’s')
        t.equal((await me.delete(`/v1/me/sessions/${list.items[0].id}`)).statusCode, 204)
        t.equal((await refresh(app, browser.refreshToken)).json().error, 'invalid_grant')
        t.equal((await me.delete('/v1/me/sessions')).json().ended, 0)
        const noScope = client(app, await bearer(ctx, 'read', alice.id))
        t.equal((await noScope.get('/v1/me/sessions')).statusCode, 403)
        const service = client(app, await bearer(ctx, 'account'))
        t.equal((await service.get('/v1/me/sessions')).statusCode, 403, 'a client has no sessions')
      },
    )
  })
}
