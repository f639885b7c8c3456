// `npx tsx bench/propagation.ts`: how long a change made outside a running server takes to reach it (run by
// hand, not by npm test). A server runs in its own process on each database with every poll at its longest
// (REVOCATION_SYNC_INTERVAL, ACCESS_KEY_CACHE_TTL, CLIENT_CACHE_TTL 300 s, KEYRING_REFRESH_INTERVAL 3600 s),
// so whatever arrives sooner came through the change feed (src/store/change-feed.ts). This process is the
// "CLI": its own connection, revoking through the same function the CLI's `access-keys revoke` calls.
//
// Each trial creates an access key, lets the server cache it as valid (one 200), revokes it, and times from
// the revocation's start to the server's first 401, asking every PROBE_MS. p50, p99 and the worst trial per
// database; the target is p99 < 1 s. With --change jwt, each trial revokes a JWT of the server's signing key
// instead (recorded as another instance records one: the revoked-token row, announced after its commit).
//
//   npx tsx bench/propagation.ts                       100 trials on SQLite, and on PostgreSQL
//   npx tsx bench/propagation.ts --trials 20 --db sqlite --change jwt
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { loadConfig } from '../src/config.ts'
import { signAccessToken } from '../src/keys/access-token.ts'
import { createKeyring } from '../src/keys/keyring.ts'
import { revokeKeyWithDescendants } from '../src/security/access-key-lifecycle.ts'
import { generateAccessKey } from '../src/security/access-keys.ts'
import { createStore, openDatabase, DEFAULT_TENANT_ID } from '../src/store/index.ts'
import { freePort, startServer } from './lib/processes.ts'

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '100' },
    db: { type: 'string', multiple: true },
    change: { type: 'string', default: 'access-key' },
    'pg-server': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/postgres' },
  },
})
if (values.change !== 'access-key' && values.change !== 'jwt') throw new Error('--change must be access-key or jwt')
const TRIALS = Number(values.trials)
const DATABASES = (values.db ?? ['sqlite', 'postgres']).flatMap((db) => db.split(','))
const PROBE_MS = 2
/** The server's own change of a key (the insert's notification, SQLite's 200 ms check) settles before the trial. */
const SETTLE_MS = 300
const GIVE_UP_MS = 10_000
const root = new URL('..', import.meta.url).pathname

const agent = new Agent({ keepAlive: true, maxSockets: 1 })
function status(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode!))
    })
    req.once('error', reject)
    req.end()
  })
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function freshDatabase(kind: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-propagation-'))
    return {
      url: `file:${join(dir, 'portcullis.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const server = values['pg-server']!
  const name = `portcullis_propagation_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: server })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(server)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: server })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

async function measure(kind: string): Promise<void> {
  const database = await freshDatabase(kind)
  const port = await freePort()
  const masterKey = randomBytes(32)
  const env = {
    DATABASE_URL: database.url,
    KEYS_MASTER_KEY: masterKey.toString('base64'),
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: 'http://portcullis.propagation',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_CLIENT: '0',
    REVOCATION_SYNC_INTERVAL: '300',
    ACCESS_KEY_CACHE_TTL: '300',
    CLIENT_CACHE_TTL: '300',
    KEYRING_REFRESH_INTERVAL: '3600',
  }
  const server = await startServer({
    name: `portcullis (${kind})`,
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'src/main.cts')],
    cwd: root,
    port,
    readyPath: '/readyz',
    env,
  })
  const store = createStore(await openDatabase(database.url))
  const config = loadConfig(env, { envFile: false })
  const keyring =
    values.change === 'jwt' ? await createKeyring({ config, store, masterKey, autoRefresh: false }) : undefined

  /** A credential the server accepts, and how to revoke it from here. */
  async function credential(trial: number): Promise<{ headers: Record<string, string>; revoke(): Promise<unknown> }> {
    if (keyring) {
      const issued = await signAccessToken(
        keyring,
        { issuer: config.issuer, ttl: 600 },
        { sub: 'client:operator', aud: config.defaultAudience, clientId: 'operator', scope: 'admin' },
      )
      return {
        headers: { authorization: `Bearer ${issued.token}` },
        revoke: () => store.revokedTokens.revoke(issued.jti, new Date((issued.expiresAt + config.clockSkew) * 1000)),
      }
    }
    const generated = generateAccessKey()
    await store.accessKeys.create({
      id: generated.id,
      prefix: generated.prefix,
      secretHash: generated.secretHash,
      name: `trial ${trial}`,
      scopes: ['admin'],
    })
    return {
      headers: { 'x-api-key': generated.key },
      revoke: () => revokeKeyWithDescendants(store, DEFAULT_TENANT_ID, generated.id, { actor: 'cli' }, Date.now()),
    }
  }

  const url = `${server.url}/admin/v1/audit?limit=1`
  const times: number[] = []
  let gaveUp = 0
  try {
    for (let trial = 0; trial < TRIALS; trial++) {
      const { headers, revoke } = await credential(trial)
      await sleep(SETTLE_MS)
      if ((await status(url, headers)) !== 200)
        throw new Error(`trial ${trial}: the new ${values.change} was not accepted`)
      const started = performance.now()
      await revoke()
      for (;;) {
        if ((await status(url, headers)) === 401) break
        if (performance.now() - started > GIVE_UP_MS) {
          gaveUp++
          break
        }
        await sleep(PROBE_MS)
      }
      times.push(performance.now() - started)
    }
  } finally {
    keyring?.close()
    await store.close()
    await server.stop()
    await database.drop()
  }
  const sorted = [...times].sort((a, b) => a - b)
  const ms = (value: number) => `${value.toFixed(1)} ms`
  console.log(
    `${kind.padEnd(9)} ${values.change!.padEnd(10)} trials ${times.length}  p50 ${ms(percentile(sorted, 50))}  p90 ${ms(percentile(sorted, 90))}  p99 ${ms(percentile(sorted, 99))}  max ${ms(sorted.at(-1)!)}${gaveUp ? `  (${gaveUp} not refused within ${GIVE_UP_MS} ms)` : ''}`,
  )
}

for (const kind of DATABASES) await measure(kind)
agent.destroy()
