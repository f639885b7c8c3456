// `portcullis users disable|enable|set-password` end the user's access tokens on a running server (which reads
// the cutoff at its next revocation sync), like the admin API does (test/oauth/user-token-revocation.test.ts).
import t from 'tap'
import { build, providers, tempDir } from '../support/helper.ts'
import { runCli } from '../support/run-cli.ts'
import { createAdminKey, fixtures, INVALID_TOKEN, NEW_PASSWORD, refusedWithin } from '../support/user-token-fixtures.ts'

// A running server's revocation syncs, awaited after each command: more than tap's default timeout on a loaded machine.
t.setTimeout(600_000)

for (const provider of providers) {
  t.test(
    `users disable and set-password through the CLI end the user's access tokens on a running server, on ${provider}`,
    async (t) => {
      const ctx = await build(t, { provider, env: { REVOCATION_SYNC_INTERVAL: '1' } })
      const { login, adminUser } = await fixtures(ctx)
      const cwd = tempDir(t)
      const cli = (args: string[], stdin?: string) =>
        runCli(args, { cwd, env: { DATABASE_URL: ctx.databaseUrl }, ...(stdin === undefined ? {} : { stdin }) })
      const { tokens } = await adminUser('ops', Date.now())

      t.equal((await cli(['users', 'disable', 'ops'])).code, 0)
      for (const token of [tokens.login, tokens.exchanged]) {
        t.ok(await refusedWithin(ctx.app, token), 'refused after the next sync')
        t.same(await createAdminKey(ctx.app, token), INVALID_TOKEN)
      }

      t.equal((await cli(['users', 'enable', 'ops'])).code, 0)
      const again = await login('ops')
      t.equal((await createAdminKey(ctx.app, again)).status, 201, 'a login after enable works')

      const replaced = await cli(['users', 'set-password', 'ops', '--password-stdin'], NEW_PASSWORD)
      t.equal(replaced.code, 0, replaced.stderr)
      t.ok(await refusedWithin(ctx.app, again), 'the login from before the new password is refused after the next sync')
      t.same(await createAdminKey(ctx.app, again), INVALID_TOKEN)
      t.equal(
        (await createAdminKey(ctx.app, await login('ops', NEW_PASSWORD))).status,
        201,
        'a login with the new password works',
      )
    },
  )
}
