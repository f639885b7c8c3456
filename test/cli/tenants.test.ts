// `portcullis tenants|workspaces|roles|members` and `--tenant` on the existing commands, end to end on SQLite:
// the CLI's entry function in this process, the tenant's creation in a child process (the real entry point;
// test/support/run-cli.ts says what each way shows).
import t from 'tap'
import { createAccessKeyVerifier } from '../../src/security/access-keys.ts'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { createDatabaseUrl, tempDir, testConfig } from '../support/helper.ts'
import { failure, runCli, spawnCli } from '../support/run-cli.ts'

t.test('an operator builds a tenant from the CLI; its key holds the member’s role', async (t) => {
  const url = await createDatabaseUrl(t, 'sqlite')
  const cwd = tempDir(t)
  const cli = async (args: string[], stdin?: string, run = runCli) => {
    const result = await run([...args, '--json'], { cwd, env: { DATABASE_URL: url }, ...(stdin ? { stdin } : {}) })
    t.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
    return JSON.parse(result.stdout)
  }
  const tenant = await cli(['tenants', 'create', '--slug', 'acme', '--name', 'Acme'], undefined, spawnCli)
  await cli(['workspaces', 'create', '--tenant', 'acme', '--slug', 'prod', '--name', 'Production'])
  await cli(['roles', 'create', '--tenant', 'acme', '--name', 'reader', '--scopes', 'read:objects read:buckets'])
  await cli(['roles', 'create', '--tenant', 'acme', '--name', 'lister', '--scopes', 'read:buckets'])
  const user = await cli(
    ['users', 'create', '--tenant', 'acme', '--username', 'alice', '--password-stdin'],
    'correct horse battery\n',
  )
  t.same(
    await cli(['members', 'add', '--tenant', 'acme', '--workspace', 'prod', '--user', 'alice', '--role', 'reader']),
    {
      user_id: user.id,
      workspace_id: (await cli(['workspaces', 'list', '--tenant', 'acme'])).find(
        (w: { slug: string }) => w.slug === 'prod',
      ).id,
      role: 'reader',
    },
  )
  const key = await cli([
    'access-keys',
    'create',
    '--tenant',
    'acme',
    '--workspace',
    'prod',
    '--user',
    'alice',
    '--name',
    'laptop',
    '--scopes',
    'read:objects read:buckets',
  ])

  const store = createStore(await openDatabase(url))
  t.teardown(() => store.close())
  const verifier = createAccessKeyVerifier({ store, config: testConfig({ ACCESS_KEY_CACHE_TTL: '0' }), now: Date.now })
  t.teardown(() => verifier.close())
  const verified = await verifier.verify(key.key)
  t.ok(verified.ok)
  if (verified.ok) {
    t.equal(verified.key.tenantId, tenant.id)
    t.same(verified.scopes, ['read:objects', 'read:buckets'])
  }

  // Demoted: the key narrows. Removed: it stops.
  await cli(['members', 'add', '--tenant', 'acme', '--workspace', 'prod', '--user', 'alice', '--role', 'lister'])
  const demoted = await verifier.verify(key.key)
  t.same(demoted.ok && demoted.scopes, ['read:buckets'])
  await cli(['members', 'remove', '--tenant', 'acme', '--workspace', 'prod', '--user', 'alice'])
  t.same(await verifier.verify(key.key), { ok: false, reason: 'not_member', keyId: key.id })

  // The default tenant knows no alice; an unknown tenant is one clear line.
  t.same((await cli(['users', 'list'])).length, 0)
  t.same(
    (await cli(['users', 'list', '--tenant', 'acme'])).map((u: { username: string }) => u.username),
    ['alice'],
  )
  t.same(
    await runCli(['users', 'list', '--tenant', 'nowhere'], { cwd, env: { DATABASE_URL: url } }),
    failure('no tenant with id or slug "nowhere"'),
  )
  t.same(
    (await cli(['tenants', 'list'])).map((x: { slug: string }) => x.slug),
    ['default', 'acme'],
  )
  await cli(['tenants', 'delete', 'acme'])
  t.same(
    (await cli(['tenants', 'list'])).map((x: { slug: string }) => x.slug),
    ['default'],
  )
})
