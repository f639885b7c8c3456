// Failure counters for brute-force protection of the password grant, kept in the database so that every
// instance sees the same counts. A key is e.g. `user:<hash of the username>` or `ip:<address>`.
// Within `window` seconds of its first failure, a key that reaches `maxFailures` is locked for `lockout`
// seconds; a failure after the window (or after the lock) starts a new window.
//
// Every login reads the counters, so this is one small SQL query; a failure is one atomic upsert that
// counts, restarts an expired window and locks, whoever else counts at the same moment (identical SQL on
// SQLite, where the adapter stores DateTime as fixed-width ISO text that compares in time order, and on
// PostgreSQL). A success writes only when its username had a counter.
import type { PrismaClient } from './database.js'
import { Prisma } from './generated/sqlite/client.js'
import { createPurgeSchedule } from './purge-schedule.js'

export interface ThrottlePolicy {
  maxFailures: number
  /** Seconds. */
  window: number
  /** Seconds. */
  lockout: number
}

export interface ThrottleState {
  /** The latest lock among the keys, when one is in force. */
  lockedUntil: Date | undefined
  /** The keys that have a counter (only those need a reset). */
  counted: string[]
}

export interface FailureResult {
  failures: number
  /** Set when this failure locked the key (it was not locked before). */
  lockedUntil: Date | undefined
}

export function createLoginThrottleStore(prisma: PrismaClient) {
  const purges = createPurgeSchedule()

  /**
   * Deletes the counters whose window is over and that hold no lock in force: the next failure of such a key
   * would start again at 1, exactly as with no row. Without it, every address that ever failed keeps a row.
   */
  async function purgeStale(windowSeconds: number, now = new Date()): Promise<number> {
    purges.done(now)
    const windowStartedBefore = new Date(now.getTime() - windowSeconds * 1000)
    return prisma.$executeRaw`
      DELETE FROM "LoginThrottle" WHERE "windowStart" <= ${windowStartedBefore} AND ("lockedUntil" IS NULL OR "lockedUntil" <= ${now})`
  }

  return {
    purgeStale,

    /** One query: is any of the keys locked at `now`, and which keys have counters. */
    async check(keys: readonly string[], now = new Date()): Promise<ThrottleState> {
      if (keys.length === 0) return { lockedUntil: undefined, counted: [] }
      const rows = await prisma.$queryRaw<{ key: string; lockedUntil: Date | null }[]>`
        SELECT "key", "lockedUntil" FROM "LoginThrottle" WHERE "key" IN (${Prisma.join([...keys])})`
      const locks = rows.map((row) => row.lockedUntil).filter((until): until is Date => until !== null && until > now)
      return {
        lockedUntil: locks.length ? new Date(Math.max(...locks.map((until) => until.getTime()))) : undefined,
        counted: rows.map((row) => row.key),
      }
    },

    /** Counts one failure for `key` (atomically: concurrent failures are all counted); may lock it. */
    async recordFailure(key: string, policy: ThrottlePolicy, now = new Date()): Promise<FailureResult> {
      const windowStartedBefore = new Date(now.getTime() - policy.window * 1000)
      const lockUntil = new Date(now.getTime() + policy.lockout * 1000)
      // On conflict the expressions read the row as it was: a window that is over, or a lock that has
      // ended, starts a new window at this failure; reaching the limit locks a key not already locked.
      const [row] = await prisma.$queryRaw<{ failures: number | bigint; lockedUntil: Date | null }[]>`
        INSERT INTO "LoginThrottle" ("key", "failures", "windowStart", "lockedUntil", "updatedAt")
        VALUES (${key}, 1, ${now}, ${policy.maxFailures <= 1 ? lockUntil : null}, ${now})
        ON CONFLICT ("key") DO UPDATE SET
          "failures" = CASE WHEN "LoginThrottle"."windowStart" <= ${windowStartedBefore} OR "LoginThrottle"."lockedUntil" <= ${now}
            THEN 1 ELSE "LoginThrottle"."failures" + 1 END,
          "windowStart" = CASE WHEN "LoginThrottle"."windowStart" <= ${windowStartedBefore} OR "LoginThrottle"."lockedUntil" <= ${now}
            THEN ${now} ELSE "LoginThrottle"."windowStart" END,
          "lockedUntil" = CASE
            WHEN "LoginThrottle"."windowStart" <= ${windowStartedBefore} OR "LoginThrottle"."lockedUntil" <= ${now}
              THEN ${policy.maxFailures <= 1 ? lockUntil : null}
            WHEN "LoginThrottle"."lockedUntil" IS NULL AND "LoginThrottle"."failures" + 1 >= ${policy.maxFailures} THEN ${lockUntil}
            ELSE "LoginThrottle"."lockedUntil" END,
          "updatedAt" = ${now}
        RETURNING "failures", "lockedUntil"`
      if (purges.due(now)) await purges.attempt(() => purgeStale(policy.window, now))
      const failures = Number(row!.failures)
      // This failure locked the key when the lock is the one it computed (an existing lock ends earlier).
      return { failures, lockedUntil: row!.lockedUntil?.getTime() === lockUntil.getTime() ? lockUntil : undefined }
    },

    /** Forgets the failures of `key` (after a successful login). */
    async reset(key: string): Promise<void> {
      await prisma.$executeRaw`DELETE FROM "LoginThrottle" WHERE "key" = ${key}`
    },
  }
}

export type LoginThrottleStore = ReturnType<typeof createLoginThrottleStore>
