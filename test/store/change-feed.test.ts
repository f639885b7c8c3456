// Changes made outside a running instance (another instance's connection, the CLI) reach it at once through
// the change feed (src/store/change-feed.ts): PostgreSQL NOTIFY, SQLite's PRAGMA data_version and change
// counts. Every poll is set to its longest here, so only the feed can make these pass; each condition is
// polled for with a bound of a few seconds, never timed.
import t from 'tap'
import pg from 'pg'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { createKeyring } from '../../src/keys/keyring.ts'
import { LISTENER_APPLICATION_NAME } from '../../src/store/change-feed.ts'
import { createStore, openDatabase, type Store, ANY_TENANT } from '../../src/store/index.ts'
import { adminHeaders, signedToken } from '../support/admin-fixtures.ts'
import { build, providers, tempDir, type TestContext, type Test } from '../support/helper.ts'
import { spawnCli } from '../support/run-cli.ts'
import { fetchJwks, kids } from '../support/signing-keys-fixtures.ts'
import { basic, tokenRequest } from '../support/token-fixtures.ts'

const CC = { grant_type: 'client_credentials', scope: 'read' }

/** Every poll at its maximum: a change seen within seconds came through the feed. */
const LONG_POLLS = {
  REVOCATION_SYNC_INTERVAL: '300',
  ACCESS_KEY_CACHE_TTL: '300',
  CLIENT_CACHE_TTL: '300',
  KEYRING_REFRESH_INTERVAL: '3600',
}
const BOUND_MS = 5000

/** True once `condition` holds, checked every 25 ms for at most BOUND_MS. */
async function eventually(condition: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + BOUND_MS
  while (Date.now() < until) {
    if (await condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return condition()
}

/** Another instance's view of the same database: its own connection (pool), as a second server would have. */
async function elsewhere(t: Test, ctx: TestContext): Promise<Store> {
  const store = createStore(await openDatabase(ctx.databaseUrl))
  t.teardown(() => store.close())
  return store
}

async function accessKey(ctx: TestContext, store: Store, userId?: string) {
  const generated = generateAccessKey()
  await store.accessKeys.create({
    id: generated.id,
    prefix: generated.prefix,
    secretHash: generated.secretHash,
    name: 'probe',
    scopes: ['admin'],
    ...(userId ? { userId } : {}),
  })
  const use = () =>
    ctx.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers: { 'x-api-key': generated.key } })
  return { id: generated.id, key: generated.key, use }
}

const unauthorized = {
  error: 'invalid_token',
  error_description: 'the access token or access key is invalid, expired or revoked',
}

for (const provider of providers) {
  t.test(`changes made elsewhere reach a running app at once, on ${provider}`, async (t) => {
    const ctx = await build(t, { provider, env: LONG_POLLS })
    const other = await elsewhere(t, ctx)

    t.test(
      'an access key revoked through another connection is refused without waiting for ACCESS_KEY_CACHE_TTL',
      async (t) => {
        const probe = await accessKey(ctx, other)
        t.equal((await probe.use()).statusCode, 200, 'cached as valid')
        await other.accessKeys.revoke(ANY_TENANT, probe.id)
        t.ok(await eventually(async () => (await probe.use()).statusCode === 401), 'refused')
        t.same((await probe.use()).json(), unauthorized)
      },
    )

    t.test('an access key whose owner is disabled through another connection is refused', async (t) => {
      const owner = await other.users.create({ username: 'owner', passwordHash: 'x', scopes: ['admin'] })
      const probe = await accessKey(ctx, other, owner.id)
      t.equal((await probe.use()).statusCode, 200, 'cached as valid')
      await other.users.update(ANY_TENANT, owner.id, { disabled: true })
      t.ok(await eventually(async () => (await probe.use()).statusCode === 401), 'refused')
    })

    t.test(
      'a JWT revoked through another connection is refused without waiting for REVOCATION_SYNC_INTERVAL',
      async (t) => {
        const issued = await signedToken(ctx, { scope: 'admin' })
        const use = () =>
          ctx.app.inject({
            method: 'GET',
            url: '/admin/v1/audit?limit=1',
            headers: { authorization: `Bearer ${issued.token}` },
          })
        t.equal((await use()).statusCode, 200)
        await other.revokedTokens.revoke(issued.jti, new Date(issued.expiresAt * 1000 + 60_000))
        t.ok(await eventually(async () => (await use()).statusCode === 401), 'refused')
        t.same((await use()).json(), unauthorized)
      },
    )

    t.test(
      'a client deleted through another connection can no longer get tokens without waiting for CLIENT_CACHE_TTL',
      async (t) => {
        await other.clients.create({
          clientId: 'doomed',
          name: 'Doomed',
          secretHash: sha256('doomed-secret-with-enough-entropy'),
          grantTypes: ['client_credentials'],
          scopes: ['read'],
        })
        const request = () =>
          tokenRequest(ctx.app, CC, { authorization: basic('doomed', 'doomed-secret-with-enough-entropy') })
        t.equal((await request()).statusCode, 200, 'cached')
        await other.clients.delete(ANY_TENANT, 'doomed')
        t.ok(await eventually(async () => (await request()).statusCode === 401), 'refused')
        t.same((await request()).json(), { error: 'invalid_client', error_description: 'client authentication failed' })
      },
    )

    t.test(
      'a signing key rotated, then revoked, through another instance is served and withdrawn without waiting for KEYRING_REFRESH_INTERVAL',
      async (t) => {
        const elsewhereKeys = await createKeyring({
          config: ctx.config,
          store: other,
          masterKey: ctx.masterKey,
          autoRefresh: false,
        })
        t.teardown(() => elsewhereKeys.close())
        const [before] = kids(await fetchJwks(ctx.app))
        const headers = await adminHeaders(ctx)
        const rotated = await elsewhereKeys.manager.rotate({ immediate: true })
        t.ok(
          await eventually(async () => kids(await fetchJwks(ctx.app)).includes(rotated.key.kid)),
          'the new key is published here',
        )
        t.ok(await eventually(async () => ctx.keyring.signingKey().kid === rotated.key.kid), 'and signs here')
        await elsewhereKeys.manager.revoke(before!)
        t.ok(
          await eventually(async () => !kids(await fetchJwks(ctx.app)).includes(before!)),
          'the revoked key leaves the JWKS',
        )
        const refused = await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers })
        t.equal(refused.statusCode, 401, 'and its tokens are refused')
        t.same(refused.json(), unauthorized)
      },
    )

    t.test('an access key revoked with the CLI is refused', async (t) => {
      const probe = await accessKey(ctx, other)
      t.equal((await probe.use()).statusCode, 200, 'cached as valid')
      const revoked = await spawnCli(['access-keys', 'revoke', probe.id], {
        cwd: tempDir(t),
        env: { DATABASE_URL: ctx.databaseUrl },
      })
      t.equal(revoked.code, 0, revoked.stderr)
      t.ok(await eventually(async () => (await probe.use()).statusCode === 401), 'refused')
    })
  })
}

t.test(
  'the PostgreSQL listener reconnects when its connection is killed',
  { skip: providers.includes('postgresql') ? false : 'PostgreSQL only: set TEST_DATABASE_URL' },
  async (t) => {
    const ctx = await build(t, { provider: 'postgresql', env: LONG_POLLS })
    const other = await elsewhere(t, ctx)
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
    await admin.connect()
    t.teardown(() => admin.end())
    const database = new URL(ctx.databaseUrl).pathname.slice(1)
    const listeners = async () =>
      (
        await admin.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = $2',
          [LISTENER_APPLICATION_NAME, database],
        )
      ).rows.map((row) => row.pid)

    const [first] = await listeners()
    t.ok(first, 'one listener connection')
    const whileDown = await accessKey(ctx, other)
    t.equal((await whileDown.use()).statusCode, 200)
    await admin.query('SELECT pg_terminate_backend($1)', [first])
    await other.accessKeys.revoke(ANY_TENANT, whileDown.id)
    t.ok(
      await eventually(async () => (await whileDown.use()).statusCode === 401),
      'a change made while it was down is applied once it is back',
    )
    t.ok(
      await eventually(async () => (await listeners()).some((pid) => pid !== first)),
      'listening again on a new connection',
    )

    const after = await accessKey(ctx, other)
    t.equal((await after.use()).statusCode, 200)
    await other.accessKeys.revoke(ANY_TENANT, after.id)
    t.ok(await eventually(async () => (await after.use()).statusCode === 401), 'and changes made afterwards arrive too')
  },
)
