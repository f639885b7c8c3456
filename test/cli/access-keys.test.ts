// `portcullis access-keys create|list|revoke` end to end: the real entry point in a child process.
import t from 'tap'
import { createAccessKeyVerifier } from '../../src/security/access-keys.ts'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { createDatabaseUrl, providers, tempDir, testConfig } from '../support/helper.ts'
import { failure, runCli } from '../support/run-cli.ts'

for (const provider of providers) {
  t.test(`access-keys commands on ${provider}`, async (t) => {
    const url = await createDatabaseUrl(t, provider)
    const cwd = tempDir(t)
    const cli = (args: string[]) => runCli(args, { cwd, env: { DATABASE_URL: url } })

    const store = createStore(await openDatabase(url, { migrate: true }))
    t.teardown(() => store.close())
    const ivy = await store.users.create({ username: 'ivy', passwordHash: 'x', scopes: ['read', 'write'] })
    const verifier = createAccessKeyVerifier({
      store,
      config: testConfig({ ACCESS_KEY_CACHE_TTL: '0' }),
      now: Date.now,
    })
    t.teardown(() => verifier.close())

    t.test('create --json prints the id and the key once; the key verifies', async (t) => {
      const result = await cli([
        'access-keys',
        'create',
        '--name',
        'backup',
        '--scopes',
        'read write',
        '--user',
        'ivy',
        '--expires-in',
        '3600',
        '--json',
      ])
      t.equal(result.code, 0, result.stderr)
      const created = JSON.parse(result.stdout)
      t.match(created, {
        id: /^[0-9a-z]{9}[0-9A-Za-z]{7}$/,
        key: /^pcl_/,
        name: 'backup',
        user_id: ivy.id,
        scopes: ['read', 'write'],
        status: 'active',
      })
      t.equal(Date.parse(created.expires_at) - Date.parse(created.created_at), 3600_000)
      t.match(await verifier.verify(created.key), { ok: true, sub: ivy.id, scopes: ['read', 'write'] })
      const audit = await store.audit.list({ limit: 10, type: 'access_key.created' })
      t.match(audit.items[0], { actor: 'cli', subject: created.id })

      const listed = await cli(['access-keys', 'list', '--json'])
      t.equal(listed.code, 0)
      t.notOk(listed.stdout.includes(created.key.split('_')[2]), 'the list never shows the secret')
      t.match(JSON.parse(listed.stdout), [{ id: created.id, name: 'backup', status: 'active' }])
      const text = await cli(['access-keys', 'list', '--user', 'ivy'])
      t.match(text.stdout, /^ID\s+NAME\s+OWNER\s+SCOPES\s+STATUS/)
      t.notOk(text.stdout.includes(created.key.split('_')[2]))

      const revoked = await cli(['access-keys', 'revoke', created.id])
      t.equal(revoked.code, 0, revoked.stderr)
      t.match(revoked.stdout, `access key ${created.id} ("backup") is revoked`)
      t.match(await verifier.verify(created.key), { ok: false, reason: 'revoked' })
    })

    if (provider === 'sqlite')
      t.test('a service key has no owner and prints human-readable output', async (t) => {
        const result = await cli(['access-keys', 'create', '--name', 'ci', '--scopes', 'deploy'])
        t.equal(result.code, 0, result.stderr)
        t.match(
          result.stdout,
          /access key "ci" created \(service key\)\n {2}id: {2}\S+\n {2}key: pcl_\S+\nThe key is shown only this once/,
        )
      })

    // Output and argument mistakes do not depend on the database: checked once, on SQLite (each run spawns a process).
    if (provider === 'sqlite')
      t.test('mistakes are one line and exit 1', async (t) => {
        t.same(await cli(['access-keys', 'create', '--scopes', 'read']), failure('--name is required'))
        t.same(
          await cli(['access-keys', 'create', '--name', 'x', '--scopes', 'read admin', '--user', 'ivy']),
          failure('--scopes: the user does not hold "admin"'),
        )
        t.same(
          await cli(['access-keys', 'create', '--name', 'x', '--scopes', 'read', '--user', 'nobody']),
          failure('no user with id or username "nobody"'),
        )
        t.same(
          await cli(['access-keys', 'create', '--name', 'x', '--scopes', 'read', '--expires-in', '0']),
          failure('--expires-in: must be a whole number of seconds from 1 to 315360000'),
        )
        t.same(await cli(['access-keys', 'revoke', 'nope']), failure('no access key with id "nope"'))
      })
  })
}
