// Changes made outside this instance (the CLI, another instance, SQL by hand) to what it caches or holds in
// memory: access keys, users (an access key's owner), clients, signing keys and revoked JWTs. Each instance
// still re-reads these on its polls (ACCESS_KEY_CACHE_TTL, CLIENT_CACHE_TTL, REVOCATION_SYNC_INTERVAL,
// KEYRING_REFRESH_INTERVAL); the feed only makes it sooner, so when the feed cannot run, the polls bound it.
//
// - PostgreSQL pushes: triggers on those tables send NOTIFY portcullis_change with the table's name in the
//   same transaction as the change (the migration change_notifications), delivered on commit; new revoked
//   JWTs are announced by the store just after they commit (createChangeAnnouncer). The feed LISTENs
//   on one connection of its own, checked every 15 s; when it drops, it reconnects with backoff and
//   then treats every table as changed (notifications sent while it was away are lost). Changes sent by this
//   instance's own pooled connections are skipped: it applied them at once when it made them
//   (change-feed-postgres.ts).
// - SQLite cannot notify another process. Triggers count the changes per table (_ChangeCount); every
//   SQLITE_CHECK_MS the feed reads PRAGMA data_version on Prisma's connection (it moves when another
//   connection commits, so it costs one pragma while nothing happens) and, when it moved, the five counts
//   (change-feed-sqlite.ts).
//
// A subscription's refresh runs at most once at a time: changes that arrive meanwhile cause one more run
// after it (MIN_GAP_MS later), however many they were.
import { reason, type ChangeFeedLogger, type ChangeKind, type Notify, type Watch } from './change-kinds.js'
import { watchPostgres } from './change-feed-postgres.js'
import { watchSqlite } from './change-feed-sqlite.js'
import type { Database } from './database.js'

export type { ChangeFeedLogger, ChangeKind } from './change-kinds.js'
export { CHANGE_CHANNEL, LISTENER_APPLICATION_NAME, createChangeAnnouncer } from './change-feed-postgres.js'

const SQLITE_CHECK_MS = 200
const MIN_GAP_MS = 50

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

const silent: ChangeFeedLogger = { info: () => undefined, error: () => undefined }

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
    for (const subscription of subscriptions)
      if (kinds.some((kind) => subscription.kinds.has(kind))) subscription.trigger()
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

function createSubscription(
  kinds: ReadonlySet<ChangeKind>,
  refresh: () => unknown,
  log: ChangeFeedLogger,
): Subscription {
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
        if (!closed)
          log.error({ reason: reason(err) }, 'refresh after a database change failed; the poll will try again')
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
