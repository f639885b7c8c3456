// Test helper: every test file gets its own fresh database (tap runs files in parallel processes).
// SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (a new database per call, dropped after: a copy of a
// migrated template for a test store, an empty one from createDatabaseUrl).
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppDeps } from '../../src/app.ts'
import { loadConfig, type Config } from '../../src/config.ts'
import { createKeyring, type Keyring } from '../../src/keys/keyring.ts'
import { createChangeFeed, type ChangeFeed } from '../../src/store/change-feed.ts'
import { createStore, openDatabase, type Database, type Store } from '../../src/store/index.ts'
import { readMigrations, type Provider } from '../../src/store/migrations/schema-engine.ts'

export type Test = { teardown(fn: () => unknown): void }

/** The providers store tests run on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const providers: Provider[] = ['sqlite', ...(process.env.TEST_DATABASE_URL ? (['postgresql'] as const) : [])]

export function tempDir(t: Test, prefix = 'portcullis-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * A URL of a new database of the provider, removed when the test ends: empty, or on PostgreSQL a copy of
 * `template` (CREATE DATABASE … TEMPLATE).
 */
export async function createDatabaseUrl(
  t: Test,
  provider: Provider = 'sqlite',
  options: { template?: string } = {},
): Promise<string> {
  if (provider === 'sqlite') return `file:${join(tempDir(t), 'test.db')}`
  const server = process.env.TEST_DATABASE_URL
  if (!server) throw new Error('TEST_DATABASE_URL is not set')
  const name = `portcullis_test_${randomBytes(6).toString('hex')}`
  await withAdmin(server, (admin) =>
    admin.query(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ''}`),
  )
  t.teardown(() => withAdmin(server, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)))
  return withDatabase(server, name)
}

/** `use` with a client of the server's own database, closed after. */
async function withAdmin<T>(server: string, use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: server })
  await admin.connect()
  try {
    return await use(admin)
  } finally {
    await admin.end()
  }
}

function withDatabase(server: string, name: string): string {
  const url = new URL(server)
  url.pathname = `/${name}`
  return url.toString()
}

const TEMPLATE_PREFIX = 'portcullis_template_'
/** Serialises the making of the template among the test processes (pg_advisory_lock's key). */
const TEMPLATE_LOCK = 2_026_120_724

/** A hash of the migrations as the store applies them (readMigrations): a changed one makes another template. */
async function migrationsHash(): Promise<string> {
  const { migrationDirectories } = await readMigrations('postgresql')
  return createHash('sha256').update(JSON.stringify(migrationDirectories)).digest('hex').slice(0, 16)
}

let template: Promise<string> | undefined

/**
 * PostgreSQL: the migrated database every test store is copied from, made once per set of migrations by the
 * first test process that needs it, and kept between runs: migrating a new database through the schema engine
 * costs 0.35–1.4 s with the machine's load, a copy of a migrated one about what an empty database does. It
 * takes no connections, since CREATE DATABASE … TEMPLATE refuses a source anyone is connected to. The templates
 * of other migrations are dropped when a new one is made, as far as nobody is copying them.
 */
function migratedTemplate(server: string): Promise<string> {
  template ??= (async () => {
    const name = `${TEMPLATE_PREFIX}${await migrationsHash()}`
    return withAdmin(server, async (admin) => {
      await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK])
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE '${TEMPLATE_PREFIX}%'`,
      )
      if (rows.some((row) => row.datname === name)) return name
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => undefined)
      const building = `${name}_building`
      await admin.query(`CREATE DATABASE ${building}`)
      try {
        const db = await openDatabase(withDatabase(server, building), { migrate: true })
        await db.close()
        await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`)
        await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`)
      } catch (err) {
        await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`)
        throw err
      }
      return name
    })
  })()
  return template
}

// No janitor unless a test asks for one: a sweep at a random moment would delete the expired rows a test made.
export function testConfig(env: Record<string, string> = {}): Readonly<Config> {
  // The token-endpoint rate limits are off unless a test turns them on (test/oauth/rate-limit.test.ts).
  return loadConfig(
    {
      LOG_LEVEL: 'silent',
      BCRYPT_COST: '4',
      PASSWORD_WORKERS: '1',
      ISSUER: 'http://portcullis.test',
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_PER_CLIENT: '0',
      JANITOR_INTERVAL: '0',
      ...env,
    },
    { envFile: false },
  )
}

export interface TestContext {
  app: FastifyInstance
  store: Store
  db: Database
  config: Readonly<Config>
  keyring: Keyring
  /** The master key the keyring seals signing keys under. */
  masterKey: Buffer
  databaseUrl: string
  /** The change feed the keyring and the app watch, as the server wires it. */
  changes: ChangeFeed
}

/** A migrated store on a fresh database, closed when the test ends. */
export async function createTestStore(
  t: Test,
  provider: Provider = 'sqlite',
): Promise<{ db: Database; store: Store; databaseUrl: string }> {
  const server = provider === 'postgresql' ? process.env.TEST_DATABASE_URL : undefined
  const databaseUrl = await createDatabaseUrl(t, provider, server ? { template: await migratedTemplate(server) } : {})
  // A copy of the template is up to date: applying the migrations only checks that (one SELECT).
  const db = await openDatabase(databaseUrl, { migrate: true })
  const store = createStore(db)
  t.teardown(() => store.close())
  return { db, store, databaseUrl }
}

/** The whole service on a fresh database, through buildApp like the server. */
export async function build(
  t: Test,
  options: {
    provider?: Provider
    env?: Record<string, string>
    now?: () => number
    keyring?: Keyring
    deps?: Partial<AppDeps>
  } = {},
): Promise<TestContext> {
  const { db, store, databaseUrl } = await createTestStore(t, options.provider)
  const config = testConfig({ DATABASE_URL: databaseUrl, KEYS_DIR: tempDir(t), ...options.env })
  const masterKey = randomBytes(32)
  const changes = createChangeFeed(db)
  const keyring =
    options.keyring ??
    (await createKeyring({ config, store, masterKey, changes, ...(options.now ? { now: options.now } : {}) }))
  const app = await buildApp({
    config,
    store,
    keyring,
    masterKey,
    logger: false,
    changes,
    ...(options.now ? { now: options.now } : {}),
    ...options.deps,
  })
  t.teardown(async () => {
    await app.close()
    keyring.close()
    await changes.close()
  })
  return { app, store, db, config, keyring, masterKey, databaseUrl, changes }
}

/** The statements sent on `pool` from now until the test ends whose text matches `pattern` (a live list). */
export function countStatements(t: Test, pool: pg.Pool, pattern: RegExp) {
  const seen: string[] = []
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown
  ;(pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const config = args[0] as string | { text: string }
    const text = typeof config === 'string' ? config : config.text
    if (pattern.test(text)) seen.push(text)
    return query(...args)
  }
  t.teardown(() => void ((pool as unknown as { query: unknown }).query = query))
  return seen
}
