// `portcullis sessions list|end` and `portcullis consents list|revoke` against the database of a running
// server: what they end (refresh tokens at once, access tokens from the server's next revocation sync), and
// their mistakes as one line. The commands run through the CLI's entry function in this process, the first
// `sessions list` and `consents list` in a child process (the real entry point; test/support/run-cli.ts says what each way shows).
import t from 'tap'
import { build, providers, tempDir } from '../support/helper.ts'
import { failure, runCli, spawnCli } from '../support/run-cli.ts'
import { seedSignIn, signedInBrowser } from '../support/sign-in.ts'
import { basic, FORM, form, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

t.setTimeout(600_000)

const WEB = basic('web', SECRET)

for (const provider of providers) {
  t.test(`sessions and consents through the CLI on ${provider}`, async (t) => {
    const ctx = await build(t, { provider, env: { REVOCATION_SYNC_INTERVAL: '1' } })
    const { app, store } = ctx
    const { alice } = await seedSignIn(store)
    const cwd = tempDir(t)
    const cli = (...args: string[]) => runCli(args, { cwd, env: { DATABASE_URL: ctx.databaseUrl } })
    const spawned = (...args: string[]) => spawnCli(args, { cwd, env: { DATABASE_URL: ctx.databaseUrl } })
    const refreshes = async (refreshToken: string) =>
      (await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: WEB }))
        .statusCode === 200
    /** Whether the running server refuses the access token within a few revocation syncs. */
    async function inactiveWithin(accessToken: string, ms = 5_000): Promise<boolean> {
      const deadline = Date.now() + ms
      for (;;) {
        const response = await app.inject({
          method: 'POST',
          url: '/oauth/introspect',
          headers: { ...FORM, authorization: WEB },
          payload: form({ token: accessToken }),
        })
        if (response.json().active === false) return true
        if (Date.now() > deadline) return false
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }

    const first = await signedInBrowser(app)
    const second = await signedInBrowser(app)
    const sessions = await store.sessions.listActiveByUser(ANY_TENANT, alice.id)
    t.equal(sessions.length, 2)

    t.test('sessions list, then sessions end one: its tokens end, the other session’s live on', async (t) => {
      const [byUsername, byId] = await Promise.all([
        spawned('sessions', 'list', '--user', 'alice', '--json'),
        cli('sessions', 'list', '--user', alice.id),
      ])
      t.equal(byUsername.code, 0, byUsername.stderr)
      const listed = JSON.parse(byUsername.stdout) as { id: string; user_id: string; amr: string[] }[]
      t.same(
        listed.map((session) => session.id),
        sessions.map((session) => session.id),
        'newest first',
      )
      t.match(listed[0], { user_id: alice.id, amr: ['pwd'] })
      t.match(byId.stdout, new RegExp(`^ID +SIGNED IN +METHODS +LAST SEEN +EXPIRES\\n${sessions[0]!.id} `))
      t.notMatch(byUsername.stdout + byId.stdout, /cookie|hash/i, 'never a cookie or its hash')

      // The first browser's session is the older one: listed second.
      const ended = await cli('sessions', 'end', sessions[1]!.id)
      t.equal(ended.code, 0, ended.stderr)
      t.match(ended.stdout, `session ${sessions[1]!.id} of user ${alice.id} is ended`)
      t.notOk(await refreshes(first.refreshToken), 'its refresh token is revoked')
      t.ok(await inactiveWithin(first.accessToken), 'the running server refuses its access token after a sync')
      t.ok(await refreshes(second.refreshToken), 'the other session’s login lives on')
      t.match((await store.audit.list(ANY_TENANT, { limit: 1, type: 'session.ended' })).items[0], {
        actor: /^cli:/,
        subject: `session:${sessions[1]!.id}`,
      })
    })

    t.test('consents list, then consents revoke: the client’s tokens for the user end', async (t) => {
      const listed = await spawned('consents', 'list', '--user', 'alice', '--json')
      t.equal(listed.code, 0, listed.stderr)
      t.match(JSON.parse(listed.stdout), [{ client_id: 'web', user_id: alice.id, scopes: ['read'] }])
      const revoked = await cli('consents', 'revoke', '--user', 'alice', 'web', '--json')
      t.equal(revoked.code, 0, revoked.stderr)
      t.same(JSON.parse(revoked.stdout), {
        revoked: { user_id: alice.id, client_id: 'web' },
        refresh_families_ended: 1,
      })
      t.ok(await inactiveWithin(second.accessToken), 'the running server refuses its access token after a sync')
      t.equal(await store.consents.findActive(ANY_TENANT, alice.id, 'web'), undefined)
    })

    t.test('mistakes exit 1 with one clear line', async (t) => {
      const cases: [string[], string][] = [
        [['sessions', 'end', sessions[1]!.id], `no session in force with id "${sessions[1]!.id}"`],
        [['sessions', 'end', 'nope'], 'no session in force with id "nope"'],
        [['sessions', 'list', '--user', 'nobody'], 'no user with id or username "nobody"'],
        [['sessions', 'list'], '--user is required'],
        [['consents', 'revoke', '--user', 'alice', 'web'], 'user "alice" has no consent in force for client "web"'],
        [['consents', 'revoke', '--user', 'alice'], 'missing CLIENT_ID'],
      ]
      const results = await Promise.all(cases.map(([args]) => cli(...args)))
      for (const [i, [args, line]] of cases.entries()) t.same(results[i], failure(line), `portcullis ${args.join(' ')}`)
    })
  })
}
