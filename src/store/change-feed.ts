// Changes made outside this instance (the CLI, another instance, SQL by hand) to what it caches or holds in
// memory: access keys, users (an access key's owner), clients, signing keys and revoked JWTs. Each instance
// still re-reads these on its polls (ACCESS_KEY_CACHE_TTL, CLIENT_CACHE_TTL, REVOCATION_SYNC_INTERVAL,
// KEYRING_REFRESH_INTERVAL); the feed only makes it sooner, so when the feed cannot run, the polls bound it.
//
// - PostgreSQL pushes: triggers on those tables send NOTIFY portcullis_change with the table's name in the
//   same transaction as the change (the migration change_notifications), delivered on commit; new revoked
//   JWTs are announced by the store just after they commit (createChangeAnnouncer). The feed LISTENs
//   on one connection of its own, checked every HEARTBEAT_MS; when it drops, it reconnects with backoff and
//   then treats every table as changed (notifications sent while it was away are lost). Changes sent by this
//   instance's own pooled connections are skipped: it applied them at once when it made them.
// - SQLite cannot notify another process. Triggers count the changes per table (_ChangeCount); every
//   SQLITE_CHECK_MS the feed reads PRAGMA data_version on Prisma's connection (it moves when another
//   connection commits, so it costs one pragma while nothing happens) and, when it moved, the five counts.
//
// A subscription's refresh runs at most once at a time: changes that arrive meanwhile cause one more run
// after it (MIN_GAP_MS later), however many they were.
import pg from 'pg'
import type { Database } from './database.js'

export type ChangeKind = 'accessKeys' | 'users' | 'clients' | 'signingKeys' | 'revokedTokens'

/** The kind of each table, by the name the triggers send. */
const TABLES: ReadonlyMap<string, ChangeKind> = new Map([
  ['AccessKey', 'accessKeys'],
  ['User', 'users'],
  ['Client', 'clients'],
  ['SigningKey', 'signingKeys'],
  ['RevokedToken', 'revokedTokens'],
])
const ALL_KINDS = [...TABLES.values()]

export const CHANGE_CHANNEL = 'portcullis_change'
/** The listener's application_name in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'portcullis-change-feed'
const SQLITE_CHECK_MS = 200
const HEARTBEAT_MS = 15_000
const RECONNECT_MIN_MS = 250
const RECONNECT_MAX_MS = 10_000
const MIN_GAP_MS = 50
/** The shortest time between two announcements of one table by one process. */
const ANNOUNCE_GAP_MS = 50

/** pino's signature (a Fastify logger fits). */
export interface ChangeFeedLogger {
  info(details: object, message: string): void
  error(details: object, message: string): void
}

export interface ChangeFeed {
  /**
   * Runs `refresh` after a change to any of `kinds` made outside this instance. Resolves, with the function
   * that ends the subscription, once the feed watches the database (or has failed to start: the polls remain).
   *
   * @example
   * const stop = await changes.onChange(['clients'], () => clients.invalidateAll())
   * await stop()
   */
  onChange(kinds: readonly ChangeKind[], refresh: () => unknown): Promise<() => Promise<void>>
  /** Stops watching and waits for the listener's connection to close and refreshes in progress to end. */
  close(): Promise<void>
}

/**
 * PostgreSQL: a NOTIFY for changes of `table` sent after they commit, at most one every ANNOUNCE_GAP_MS
 * (changes made meanwhile share the next), so that a flood of revocations costs at most 20 small statements
 * a second and no lock on their commits. For RevokedToken, written by every /oauth/revoke, instead of a
 * trigger: NOTIFY inside a transaction holds a database-wide lock from just before its commit until after,
 * so concurrent revocations would commit one at a time; a NOTIFY of its own writes no WAL and holds it for
 * microseconds. A process that dies between the commit and the NOTIFY leaves it to the polls.
 */
export function createChangeAnnouncer(send: (statement: string) => Promise<unknown>, table: 'RevokedToken'): { announce(): void; settled(): Promise<void> } {
  let sending: Promise<void> | undefined
  let again = false
  function announce(): void {
    if (sending) {
      again = true
      return
    }
    sending = send(`NOTIFY ${CHANGE_CHANNEL}, '${table}'`)
      .then(
        () => undefined,
        () => undefined, // the database is down: the polls bound propagation
      )
      .then(() => (again ? new Promise<void>((resolve) => setTimeout(resolve, ANNOUNCE_GAP_MS)) : undefined))
      .finally(() => {
        sending = undefined
        if (again) {
          again = false
          announce()
        }
      })
  }
  return {
    announce,
    async settled() {
      while (sending) await sending
    },
  }
}

interface Watch {
  ready: Promise<void>
  close(): Promise<void>
}

type Notify = (kinds: readonly ChangeKind[]) => void

const silent: ChangeFeedLogger = { info: () => undefined, error: () => undefined }
const reason = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] : String(err))

/**
 * One feed per process and database (created beside the store), shared by the keyring and the app; nothing
 * connects until the first subscription.
 *
 * @example
 * const changes = createChangeFeed(db, { log })
 * const keyring = await createKeyring({ config, store, masterKey, changes })
 * const app = await buildApp({ config, store, keyring, masterKey, changes })
 */
export function createChangeFeed(
  db: Pick<Database, 'provider' | 'prisma' | 'url' | 'timeoutMs' | 'ownsConnection'>,
  options: { log?: ChangeFeedLogger } = {},
): ChangeFeed {
  const log = options.log ?? silent
  const subscriptions = new Set<Subscription>()
  let watch: Watch | undefined
  let closed = false

  const notify: Notify = (kinds) => {
    for (const subscription of subscriptions) if (kinds.some((kind) => subscription.kinds.has(kind))) subscription.trigger()
  }

  function start(): Watch {
    return db.provider === 'postgresql' ? watchPostgres(db, notify, log) : watchSqlite(db, notify, log, SQLITE_CHECK_MS)
  }

  return {
    async onChange(kinds, refresh) {
      const subscription = createSubscription(new Set(kinds), refresh, log)
      if (closed) return () => subscription.close()
      subscriptions.add(subscription)
      watch ??= start()
      await watch.ready
      return async () => {
        subscriptions.delete(subscription)
        await subscription.close()
      }
    },

    async close() {
      closed = true
      const subscribed = [...subscriptions]
      subscriptions.clear()
      await Promise.all([watch?.close(), ...subscribed.map((subscription) => subscription.close())])
    },
  }
}

interface Subscription {
  kinds: ReadonlySet<ChangeKind>
  trigger(): void
  close(): Promise<void>
}

function createSubscription(kinds: ReadonlySet<ChangeKind>, refresh: () => unknown, log: ChangeFeedLogger): Subscription {
  let running: Promise<void> | undefined
  let again = false
  let gap: NodeJS.Timeout | undefined
  let closed = false

  function run(): void {
    gap = undefined
    running = (async () => {
      try {
        await refresh()
      } catch (err) {
        if (!closed) log.error({ reason: reason(err) }, 'refresh after a database change failed; the poll will try again')
      }
    })().finally(() => {
      running = undefined
      if (again && !closed) {
        again = false
        gap = setTimeout(run, MIN_GAP_MS)
        gap.unref()
      }
    })
  }

  return {
    kinds,
    trigger() {
      // A run already scheduled starts after this change; a run in progress may have read before it.
      if (closed || gap) return
      if (running) again = true
      else run()
    },
    async close() {
      closed = true
      if (gap) clearTimeout(gap)
      await running
    },
  }
}

function watchPostgres(db: Pick<Database, 'url' | 'timeoutMs' | 'ownsConnection'>, notify: Notify, log: ChangeFeedLogger): Watch {
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  let heartbeat: NodeJS.Timeout | undefined
  let delay = RECONNECT_MIN_MS
  let lost = false
  let stopped = false
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (markReady = resolve))

  function received(message: pg.Notification): void {
    if (message.channel !== CHANGE_CHANNEL || db.ownsConnection?.(message.processId)) return
    const kind = TABLES.get(message.payload ?? '')
    if (kind) notify([kind])
  }

  function drop(dropped: pg.Client, err?: unknown): void {
    if (dropped !== client) return
    client = undefined
    clearInterval(heartbeat)
    dropped.end().catch(() => undefined)
    if (stopped) return
    if (!lost) log.error({ reason: err === undefined ? 'connection ended' : reason(err) }, 'change notifications: lost the database connection; reconnecting (the polls bound propagation meanwhile)')
    lost = true
    retry = setTimeout(() => void connect(), delay)
    retry.unref()
    delay = Math.min(delay * 2, RECONNECT_MAX_MS)
  }

  async function connect(): Promise<void> {
    retry = undefined
    const next = new pg.Client({
      connectionString: db.url,
      application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: db.timeoutMs,
      query_timeout: db.timeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    })
    client = next
    // Errors after connecting (the server went away) arrive as events; they must never reach the process.
    next.on('error', (err) => drop(next, err))
    next.on('end', () => drop(next))
    next.on('notification', received)
    try {
      await next.connect()
      await next.query(`LISTEN ${CHANGE_CHANNEL}`)
    } catch (err) {
      drop(next, err)
      markReady()
      return
    }
    if (stopped || next !== client) return markReady()
    heartbeat = setInterval(() => next.query('SELECT 1').catch((err: unknown) => drop(next, err)), HEARTBEAT_MS)
    heartbeat.unref()
    delay = RECONNECT_MIN_MS
    if (lost) {
      lost = false
      log.info({}, 'change notifications: listening again')
      // What changed while the connection was down was not notified to anyone.
      notify(ALL_KINDS)
    }
    markReady()
  }

  void connect()
  return {
    ready,
    async close() {
      stopped = true
      markReady()
      clearTimeout(retry)
      clearInterval(heartbeat)
      const open = client
      client = undefined
      await open?.end().catch(() => undefined)
    },
  }
}

function watchSqlite(db: Pick<Database, 'prisma'>, notify: Notify, log: ChangeFeedLogger, intervalMs: number): Watch {
  let version: number | undefined
  let counts = new Map<string, number>()
  let failing = false
  let checking: Promise<void> | undefined

  // On Prisma's connection, which makes this instance's own changes: they do not move its data_version, so
  // they are not taken for changes made elsewhere (this instance applied them when it made them).
  async function dataVersion(): Promise<number> {
    const [row] = await db.prisma.$queryRawUnsafe<{ data_version: number | bigint }[]>('PRAGMA data_version')
    return Number(row!.data_version)
  }

  async function readCounts(): Promise<Map<string, number>> {
    const rows = await db.prisma.$queryRawUnsafe<{ table: string; count: number | bigint }[]>('SELECT "table", "count" FROM "_ChangeCount"')
    return new Map(rows.map((row) => [row.table, Number(row.count)]))
  }

  async function check(): Promise<void> {
    try {
      const seen = await dataVersion()
      if (seen === version) return
      const now = await readCounts()
      const changed = [...now].filter(([table, count]) => counts.get(table) !== count).flatMap(([table]) => TABLES.get(table) ?? [])
      const first = version === undefined && !failing
      version = seen
      counts = now
      failing = false
      // The first read only sets the baseline, unless an earlier one failed (then anything may have changed).
      if (!first && changed.length > 0) notify(changed)
    } catch (err) {
      if (!failing) log.error({ reason: reason(err) }, 'change notifications: cannot read the change counts; trying again (the polls bound propagation meanwhile)')
      failing = true
    }
  }

  const ready = check()
  const timer = setInterval(() => {
    checking ??= check().finally(() => {
      checking = undefined
    })
  }, intervalMs)
  timer.unref()
  return {
    ready,
    async close() {
      clearInterval(timer)
      await checking
    },
  }
}
