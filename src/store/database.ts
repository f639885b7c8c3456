// The only place a PrismaClient is created. The provider follows DATABASE_URL: SQLite through
// better-sqlite3 (the embedded default) or PostgreSQL through node-postgres. The two generated clients
// come from one set of models and have the same API; the store is typed against the SQLite one.
import { setTimeout as sleep } from 'node:timers/promises'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js'
import { isPostgresUrl, sqliteFilePath } from './database-url.js'
import { isSqliteBusy } from './errors.js'
import { applyMigrations } from './migrations/migrate.js'
import { loadPg } from './pg-driver.js'
import type { Provider } from './migrations/schema-engine.js'
import { secureSqliteFiles, type TightenedFile } from './sqlite-file-modes.js'

export type PrismaClient = InstanceType<typeof SqliteClient>

/**
 * SQLite: processes opening a new file at once (a server and CLI commands, or several commands) race to migrate
 * it. The loser's write lock times out after DATABASE_TIMEOUT while the winner's migrations run, which take longer
 * than that on a loaded machine; it tries again (the first step of each try sees what the winner applied), for
 * three DATABASE_TIMEOUTs and at least 15 s in all. A server holding the file while migrations are pending is still refused then.
 */
async function migrateSqlite(file: string, timeoutMs: number) {
  const deadline = Date.now() + Math.max(3 * timeoutMs, 15_000)
  for (;;) {
    try {
      return await applyMigrations('sqlite', {
        factory: new PrismaBetterSqlite3({ url: file, timeout: timeoutMs }),
        release: async () => undefined,
        sqlite: { file, timeoutMs },
      })
    } catch (err) {
      if (!isSqliteBusy(err) || Date.now() >= deadline) throw err
      await sleep(50 + Math.random() * 200)
    }
  }
}

export interface Database {
  readonly provider: Provider
  readonly prisma: PrismaClient
  /** The DATABASE_URL it was opened with (the janitor's PostgreSQL lock takes a connection of its own). */
  readonly url: string
  /** DATABASE_TIMEOUT in milliseconds, for connections opened beside Prisma's (the janitor's lock). */
  readonly timeoutMs: number
  /** Migrations applied when the database was opened with `migrate: true`. */
  readonly migrationsApplied: readonly string[]
  /**
   * SQLite only: a second connection to the same file, for the few hottest statements (refresh
   * rotation), prepared once. Prisma's per-query work costs 10–40 × the statement itself there. Its
   * transactions are synchronous (never open across an await) and it never waits for a lock: SQLITE_BUSY
   * means Prisma's connection is in a write transaction, and the caller falls back to Prisma.
   * Opened on first use, so that it never meets a migration still running in another instance.
   */
  readonly sqlite?: () => BetterSqlite3.Database
  /** PostgreSQL only: the connection pool Prisma's adapter uses, for the same few hottest statements. */
  readonly pool?: pg.Pool
  /** SQLite only: database files that were open to the group or others, tightened to 0600 at open (sqlite-file-modes.ts). */
  readonly tightenedFiles?: readonly TightenedFile[]
  /**
   * PostgreSQL only: true when the server process `pid` serves one of this pool's connections (a change
   * notification this instance sent itself: change-feed.ts).
   */
  readonly ownsConnection?: (pid: number) => boolean
  close(): Promise<void>
}

/**
 * Opens the database of DATABASE_URL; with `migrate`, first applies pending migrations.
 *
 * @example
 * const db = await openDatabase('file:./data/portcullis.db', { migrate: true })
 */
/**
 * SQLite's page cache per connection, in KiB when negative: 4 MiB. better-sqlite3 builds SQLite with 16 MiB,
 * which the server's two connections fill as the tables grow; the rows we read are few and hot, and the
 * operating system caches the file anyway.
 */
const SQLITE_CACHE_SIZE = -4096

export interface OpenDatabaseOptions {
  migrate?: boolean
  /**
   * DATABASE_TIMEOUT in milliseconds (default 5000): the longest a query, a connection or a wait for a free
   * pooled connection may take before it fails (as StoreError 'unavailable', see errors.ts), so that a
   * database that stops answering makes requests fail fast instead of hanging. SQLite: the busy timeout.
   */
  timeoutMs?: number
  /** PostgreSQL: the most connections the pool opens (DATABASE_POOL_SIZE, default 10). */
  poolSize?: number
}

/**
 * node-postgres pool settings for DATABASE_TIMEOUT. connectionTimeoutMillis bounds both a new connection and
 * the wait for a pooled one; query_timeout bounds a query on the client side (a connection that stops
 * answering), statement_timeout on the server side (a query that runs too long); TCP keep-alive finds
 * connections to a host that went away. A client that fails is dropped by the pool, never reused.
 * (statement_timeout is a startup parameter: PgBouncer must list it in ignore_startup_parameters.)
 */
export function postgresPoolConfig(url: string, timeoutMs: number, poolSize = 10): pg.PoolConfig {
  return {
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  }
}

export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const timeoutMs = options.timeoutMs ?? 5000
  if (isPostgresUrl(url)) {
    // The adapter listens for the pool's 'error' events (an idle client whose connection died), so they
    // never reach the process as unhandled; the pool drops such a client. Interactive transactions wait at
    // most the timeout for a connection.
    // One pool for Prisma and for the few statements the store sends without it (refresh-tokens/postgres.ts).
    // The driver, its adapter and the PostgreSQL client are loaded here only (pg-driver.ts).
    const [pg, { PrismaPg }, { PrismaClient: PostgresClient }] = await Promise.all([
      loadPg(),
      import('@prisma/adapter-pg'),
      import('./generated/postgres/client.js'),
    ])
    const pool = new pg.Pool(postgresPoolConfig(url, timeoutMs, options.poolSize))
    pool.on('error', () => undefined)
    const backends = new Set<number>()
    const backend = (client: pg.PoolClient) => (client as unknown as { processID: number | null }).processID
    pool.on('connect', (client) => void backends.add(backend(client)!))
    pool.on('remove', (client) => void backends.delete(backend(client)!))
    const prisma = new PostgresClient({
      adapter: new PrismaPg(pool, { onPoolError: () => undefined, onConnectionError: () => undefined }),
      transactionOptions: { maxWait: timeoutMs, timeout: Math.max(5000, 2 * timeoutMs) },
    }) as unknown as PrismaClient
    // The schema engine keeps a connection checked out (its migration lock) and never returns it, so the
    // pool's clients are tracked and closed by hand once the migration is done.
    const migrationAdapter = () => {
      const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 5000 })
      const clients: pg.PoolClient[] = []
      pool.on('connect', (client) => clients.push(client))
      return {
        factory: new PrismaPg(pool),
        pool,
        release: async () => {
          await Promise.all(clients.map((client) => client.end().catch(() => undefined)))
          await pool.end().catch(() => undefined)
        },
      }
    }
    const { applied } = options.migrate ? await applyMigrations('postgresql', migrationAdapter()) : { applied: [] }
    // Closing twice is allowed, as Prisma's $disconnect allows it; the pool's end() is not.
    let closed: Promise<void> | undefined
    const close = () =>
      (closed ??= (async () => {
        await prisma.$disconnect()
        await pool.end()
      })())
    return {
      provider: 'postgresql',
      prisma,
      url,
      timeoutMs,
      migrationsApplied: applied,
      pool,
      ownsConnection: (pid) => backends.has(pid),
      close,
    }
  }
  const file = sqliteFilePath(url)
  const tightenedFiles = secureSqliteFiles(file)
  const { applied } = options.migrate ? await migrateSqlite(file, timeoutMs) : { applied: [] }
  const prisma = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: file, timeout: timeoutMs }) })
  // WAL makes writes ~5× cheaper and lets readers run beside the writer; NORMAL sync is durable in WAL mode
  // except for the last transactions on power loss, the usual trade for an embedded server.
  await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL')
  await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL')
  await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON')
  await prisma.$executeRawUnsafe(`PRAGMA cache_size = ${SQLITE_CACHE_SIZE}`)
  let direct: BetterSqlite3.Database | undefined
  const sqlite = () => {
    if (direct) return direct
    const opened = new BetterSqlite3(file, { timeout: 0 })
    try {
      opened.pragma('synchronous = NORMAL')
      opened.pragma('foreign_keys = ON')
      opened.pragma(`cache_size = ${SQLITE_CACHE_SIZE}`)
    } catch (err) {
      opened.close()
      throw err
    }
    return (direct = opened)
  }
  const close = async () => {
    direct?.close()
    await prisma.$disconnect()
  }
  return { provider: 'sqlite', prisma, url, timeoutMs, migrationsApplied: applied, sqlite, tightenedFiles, close }
}
