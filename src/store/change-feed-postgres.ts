// The change feed on PostgreSQL (change-feed.ts): one LISTEN connection per process, and the announcement
// of new revocations after they commit.
import type pg from 'pg'
import { loadedPg } from './pg-driver.js'
import { CHANGE_TABLES, reason, type ChangeFeedLogger, type Notify, type Watch } from './change-kinds.js'
import type { Database } from './database.js'

export const CHANGE_CHANNEL = 'portcullis_change'
/** The listener's application_name in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'portcullis-change-feed'
const HEARTBEAT_MS = 15_000
const RECONNECT_MIN_MS = 250
const RECONNECT_MAX_MS = 10_000
/** The shortest time between two announcements of one table by one process. */
const ANNOUNCE_GAP_MS = 50
const ALL_KINDS = [...CHANGE_TABLES.values()]

/**
 * PostgreSQL: a NOTIFY for changes of `table` sent after they commit, at most one every ANNOUNCE_GAP_MS
 * (changes made meanwhile share the next), so that a flood of revocations costs at most 20 small statements
 * a second and no lock on their commits. For RevokedToken, written by every /oauth/revoke, instead of a
 * trigger: NOTIFY inside a transaction holds a database-wide lock from just before its commit until after,
 * so concurrent revocations would commit one at a time; a NOTIFY of its own writes no WAL and holds it for
 * microseconds. A process that dies between the commit and the NOTIFY leaves it to the polls.
 */
export function createChangeAnnouncer(
  send: (statement: string) => Promise<unknown>,
  table: 'RevokedToken',
): { announce(): void; settled(): Promise<void> } {
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

export function watchPostgres(
  db: Pick<Database, 'url' | 'timeoutMs' | 'ownsConnection'>,
  notify: Notify,
  log: ChangeFeedLogger,
): Watch {
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
    const kind = CHANGE_TABLES.get(message.payload ?? '')
    if (kind) notify([kind])
  }

  function drop(dropped: pg.Client, err?: unknown): void {
    if (dropped !== client) return
    client = undefined
    clearInterval(heartbeat)
    dropped.end().catch(() => undefined)
    if (stopped) return
    if (!lost)
      log.error(
        { reason: err === undefined ? 'connection ended' : reason(err) },
        'change notifications: lost the database connection; reconnecting (the polls bound propagation meanwhile)',
      )
    lost = true
    retry = setTimeout(() => void connect(), delay)
    retry.unref()
    delay = Math.min(delay * 2, RECONNECT_MAX_MS)
  }

  async function connect(): Promise<void> {
    retry = undefined
    const next = new (loadedPg().Client)({
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
