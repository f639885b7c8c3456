// `portcullis signing-keys list|rotate|revoke` end to end: the CLI's entry function in this process, the first
// list and rotate in a child process (the real entry point: with LOG_LEVEL=info nothing but the answer reaches its
// stdout and stderr; test/support/run-cli.ts says what each way shows).
// On SQLite only: the key manager under it is tested on both providers
// (signing-keys.test.ts, signing-keys-instances.test.ts).
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { createStore, openDatabase, ANY_TENANT } from '../../src/store/index.ts'
import { createDatabaseUrl, tempDir } from '../support/helper.ts'
import { runCli, spawnCli } from '../support/run-cli.ts'

const KEY_FIELDS = [
  'activates_at',
  'alg',
  'created_at',
  'generation',
  'kid',
  'modulus_length',
  'removes_at',
  'retires_at',
  'revoked_at',
  'state',
]

t.test('signing-keys commands', async (t) => {
  const url = await createDatabaseUrl(t, 'sqlite')
  const cwd = tempDir(t)
  const env = { DATABASE_URL: url, KEYS_MASTER_KEY: randomBytes(32).toString('base64') }
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, { cwd, env: { LOG_LEVEL: 'info', ...env, ...extra } })
  const spawned = (args: string[]) => spawnCli(args, { cwd, env: { LOG_LEVEL: 'info', ...env } })
  const store = createStore(await openDatabase(url, { migrate: true }))
  t.teardown(() => store.close())

  t.test('list on an empty store shows none; the first rotate makes a key that signs at once', async (t) => {
    t.same(await spawned(['signing-keys', 'list']), { code: 0, stdout: '(none)\n', stderr: '' })
    const first = await spawned(['signing-keys', 'rotate'])
    const [key] = await store.signingKeys.list()
    t.same(first, { code: 0, stdout: `${key!.kid} created: there was no key, so it signs from now on\n`, stderr: '' })
  })

  t.test('rotate publishes a next key; again while it is pending changes nothing', async (t) => {
    const result = await cli(['signing-keys', 'rotate', '--json'])
    t.equal(result.code, 0, result.stderr)
    const body = JSON.parse(result.stdout)
    t.match(body, {
      changed: true,
      immediate: false,
      key: { state: 'next', generation: 2 },
      previous: { state: 'active', generation: 1 },
      warning: null,
    })
    t.same(Object.keys(body.key).sort(), KEY_FIELDS, 'public facts only')
    t.equal(Date.parse(body.key.activates_at) - Date.parse(body.key.created_at), (300 + 30 + 60) * 1000)
    const again = await cli(['signing-keys', 'rotate'])
    t.same(again, {
      code: 0,
      stdout: `a rotation is already under way: ${body.key.kid} signs from ${body.key.activates_at.replace(/\.\d{3}Z$/, 'Z')} (use --now to switch at once)\n`,
      stderr: '',
    })
  })

  t.test('rotate --now switches to the pending key and warns about caches on stderr', async (t) => {
    const before = await store.signingKeys.list()
    const result = await cli(['signing-keys', 'rotate', '--now'])
    t.equal(result.code, 0)
    t.match(
      result.stdout,
      new RegExp(
        `^${before[1]!.kid} signs from now on\n${before[0]!.kid} is retired: it stays in the JWKS until \\S+ so its tokens still verify\nrunning servers pick this up within a second \\(30s at most\\)\n$`,
      ),
    )
    t.match(
      result.stderr,
      new RegExp(
        `^portcullis: warning: ${before[1]!.kid} signs from now on: resource servers that fetched the JWKS in the last 300s do not know it yet`,
      ),
    )
  })

  t.test('list shows every key with its state, as a table or as JSON, never a private member', async (t) => {
    const table = await cli(['signing-keys', 'list'])
    t.equal(table.code, 0)
    const lines = table.stdout.trim().split('\n')
    t.match(lines[0], /^KID\s+STATE\s+BITS\s+CREATED\s+ACTIVATES\s+RETIRES\s+REMOVES$/)
    t.same(
      lines.slice(1).map((line) => line.split(/\s+/)[1]),
      ['active', 'retired'],
    )
    const json = JSON.parse((await cli(['signing-keys', 'list', '--json'])).stdout) as Array<Record<string, unknown>>
    t.same(
      json.map((key) => [key.generation, key.state]),
      [
        [2, 'active'],
        [1, 'retired'],
      ],
    )
    for (const key of json) t.same(Object.keys(key).sort(), KEY_FIELDS)
    t.notMatch(table.stdout + JSON.stringify(json), /"d"|PRIVATE|privateKey/)
  })

  t.test('revoke removes a key at once and names the key that takes over', async (t) => {
    const [, active] = await store.signingKeys.list()
    const result = await cli(['signing-keys', 'revoke', active!.kid, '--json'])
    t.equal(result.code, 0, result.stderr)
    const body = JSON.parse(result.stdout)
    t.match(body, { key: { kid: active!.kid, state: 'revoked' }, successor: { state: 'active', generation: 3 } })
    t.equal(
      result.stderr,
      `portcullis: warning: tokens signed by ${active!.kid} no longer verify here; resource servers may still accept them until their cached JWKS expires (max-age 300s)\n`,
    )
    const audit = await store.audit.list(ANY_TENANT, { limit: 10, type: 'signing_key.revoked' })
    t.match(audit.items[0], { actor: 'cli', subject: active!.kid })
  })

  t.test('mistakes and refusals exit 1 with one line', async (t) => {
    const [, revoked] = await store.signingKeys.list()
    const fails = (line: string) => ({ code: 1, stdout: '', stderr: `portcullis: ${line}\n` })
    t.same(await cli(['signing-keys', 'revoke', revoked!.kid]), fails(`signing key ${revoked!.kid} is already revoked`))
    t.same(await cli(['signing-keys', 'revoke', 'nope']), fails('no signing key nope'))
    // A kid is base64url and may start with a dash: it is the KID, not an option.
    t.same(
      await cli(['signing-keys', 'revoke', '-cwIgWpC0shPKRK7zbh', '--json']),
      fails('no signing key -cwIgWpC0shPKRK7zbh'),
    )
    t.same(await cli(['signing-keys', 'revoke', '--', '-cwIg']), fails('no signing key -cwIg'))
    t.same(await cli(['signing-keys', 'revoke']), fails('missing KID'))
    t.same(await cli(['signing-keys', 'rotate', 'extra']), fails('unexpected argument "extra"'))
    const count = await store.signingKeys.count()
    const wrong = await cli(['signing-keys', 'rotate', '--now'], {
      KEYS_MASTER_KEY: randomBytes(32).toString('base64'),
    })
    t.equal(wrong.code, 1)
    t.match(
      wrong.stderr,
      /^portcullis: the master key \(KEYS_MASTER_KEY\) does not decrypt signing key \S+: it is not the key these signing keys were sealed with; restore the right one \(no new keys were made\)\n$/,
    )
    t.equal(await store.signingKeys.count(), count, 'no key was made under the wrong master key')
  })
})

t.test('with several SIGNING_ALGORITHMS: rotate and list per algorithm, clients registered for one', async (t) => {
  const url = await createDatabaseUrl(t, 'sqlite')
  const cwd = tempDir(t)
  const env = {
    DATABASE_URL: url,
    KEYS_MASTER_KEY: randomBytes(32).toString('base64'),
    SIGNING_ALGORITHMS: 'RS256,ES256',
  }
  const cli = (args: string[]) => runCli(args, { cwd, env: { LOG_LEVEL: 'info', ...env } })
  const store = createStore(await openDatabase(url, { migrate: true }))
  t.teardown(() => store.close())

  const rsa = JSON.parse((await cli(['signing-keys', 'rotate', '--json'])).stdout)
  t.match(rsa, { key: { alg: 'RS256', state: 'active' } }, 'without --alg: the first algorithm')
  const ec = JSON.parse((await cli(['signing-keys', 'rotate', '--alg', 'ES256', '--json'])).stdout)
  t.match(ec, { key: { alg: 'ES256', state: 'active', modulus_length: 256 }, previous: null })
  const listed = JSON.parse((await cli(['signing-keys', 'list', '--alg', 'ES256', '--json'])).stdout)
  t.same(
    listed.map((key: { kid: string }) => key.kid),
    [ec.key.kid],
  )
  const table = (await cli(['signing-keys', 'list'])).stdout.trim().split('\n')
  t.match(table[0], /^KID\s+ALG\s+STATE\s+BITS\s+CREATED\s+ACTIVATES\s+RETIRES\s+REMOVES$/)
  t.same(await cli(['signing-keys', 'rotate', '--alg', 'EdDSA']), {
    code: 1,
    stdout: '',
    stderr: 'portcullis: --alg: EdDSA is not in SIGNING_ALGORITHMS (RS256, ES256)\n',
  })
  t.same(await cli(['signing-keys', 'rotate', '--alg', 'HS256']), {
    code: 1,
    stdout: '',
    stderr: 'portcullis: --alg: unknown algorithm "HS256" (use one of RS256, PS256, ES256, EdDSA)\n',
  })

  const created = await cli([
    'clients',
    'create',
    '--name',
    'Edge',
    '--grant-types',
    'client_credentials',
    '--access-token-signing-alg',
    'ES256',
    '--json',
  ])
  t.equal(created.code, 0, created.stderr)
  const { client_id } = JSON.parse(created.stdout)
  t.equal((await store.clients.findById(ANY_TENANT, client_id))?.accessTokenSigningAlg, 'ES256')
  const refused = await cli([
    'clients',
    'create',
    '--name',
    'Edge',
    '--grant-types',
    'client_credentials',
    '--access-token-signing-alg',
    'EdDSA',
  ])
  t.equal(refused.code, 1)
  t.match(
    refused.stderr,
    /--access-token-signing-alg: EdDSA is not one of the server's signing algorithms \(SIGNING_ALGORITHMS\): RS256, ES256/,
  )

  const relyingParty = await cli([
    'clients',
    'create',
    '--name',
    'RP',
    '--grant-types',
    'authorization_code',
    '--scopes',
    'openid',
    '--redirect-uris',
    'https://rp.example/callback',
    '--id-token-signed-response-alg',
    'ES256',
    '--json',
  ])
  t.equal(relyingParty.code, 0, relyingParty.stderr)
  t.match(await store.clients.findById(ANY_TENANT, JSON.parse(relyingParty.stdout).client_id), {
    idTokenSignedResponseAlg: 'ES256',
    accessTokenSigningAlg: null,
  })
  const refusedIdToken = await cli([
    'clients',
    'create',
    '--name',
    'RP',
    '--grant-types',
    'authorization_code',
    '--redirect-uris',
    'https://rp.example/callback',
    '--id-token-signed-response-alg',
    'PS256',
  ])
  t.equal(refusedIdToken.code, 1)
  t.match(
    refusedIdToken.stderr,
    /--id-token-signed-response-alg: PS256 is not one of the server's signing algorithms \(SIGNING_ALGORITHMS\): RS256, ES256/,
  )
})
