// Failure counters for brute-force protection of the password grant, kept in the database so that every
// instance sees the same counts. A key is e.g. `user:<hash of the username>` or `ip:<address>`.
// Within `window` seconds of its first failure, a key that reaches `maxFailures` is locked for `lockout`
// seconds; a failure after the window (or after the lock) starts a new window.
//
// An attempt is counted before its password is compared, not after: reserve() is one atomic upsert that
// counts it, restarts an expired window and locks at the limit, or refuses it when the key is locked,
// whoever else reserves at the same moment (the row is the lock: SQLite writes one statement at a time,
// PostgreSQL's ON CONFLICT DO UPDATE locks the row and evaluates its WHERE on the newest version). So
// concurrent guesses cannot all be compared while the first ones are still being checked: a key admits
// exactly `maxFailures` attempts per window, on every instance. The attempt that reaches the limit is
// admitted (and locks the key for the others). An attempt that turns out not to be a failure gives its
// reservation back with release(), which also lifts the lock that reservation set; a successful login
// forgets its username's failures with reset().
//
// Identical SQL on SQLite, where the adapter stores DateTime as fixed-width ISO text that compares in time
// order, and on PostgreSQL. Counters that no longer count are deleted by the janitor (janitor.ts).
import type { PrismaClient } from './database.js'
import { translate } from './errors.js'
import { Prisma } from './generated/sqlite/client.js'

export interface ThrottlePolicy {
  maxFailures: number
  /** Seconds. */
  window: number
  /** Seconds. */
  lockout: number
}

/** One admitted attempt, counted in its key's window. */
export interface Reservation {
  key: string
  /** The failures counted in the window, this attempt included. */
  failures: number
  /** Which window it was counted in (a window restarted since no longer holds it). */
  windowStart: Date
  /** Set when this attempt reached the limit and locked the key. */
  lockedUntil: Date | undefined
}

export type ReserveResult = { admitted: true; reservation: Reservation } | { admitted: false; lockedUntil: Date }

interface ThrottleRow {
  failures: number | bigint
  windowStart: Date
  lockedUntil: Date | null
}

export function createLoginThrottleStore(prisma: PrismaClient) {
  /** The end of the lock on `key` in force at `now`; undefined when there is none. */
  const lockOf = async (key: string, now: Date): Promise<Date | undefined> => {
    const [row] = await prisma.$queryRaw<{ lockedUntil: Date | null }[]>`SELECT "lockedUntil" FROM "LoginThrottle" WHERE "key" = ${key}`
    return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : undefined
  }

  return {
    /**
     * Counts one attempt against `key` before it is verified, unless the key is locked at `now`: then the
     * attempt is refused, and not counted. One statement when admitted; a refusal reads the lock's end too.
     */
    async reserve(key: string, policy: ThrottlePolicy, now = new Date()): Promise<ReserveResult> {
      const windowStartedBefore = new Date(now.getTime() - policy.window * 1000)
      const lockUntil = new Date(now.getTime() + policy.lockout * 1000)
      const firstLock = policy.maxFailures <= 1 ? lockUntil : null
      // On conflict the expressions read the row as it was, and only an unlocked row is updated: a window
      // that is over, or a lock that has ended, starts a new window at this attempt; reaching the limit locks.
      const restarts = Prisma.sql`"LoginThrottle"."windowStart" <= ${windowStartedBefore} OR "LoginThrottle"."lockedUntil" <= ${now}`
      const [row] = await translate('login throttle', () => prisma.$queryRaw<ThrottleRow[]>`
        INSERT INTO "LoginThrottle" ("key", "failures", "windowStart", "lockedUntil", "updatedAt")
        VALUES (${key}, 1, ${now}, ${firstLock}, ${now})
        ON CONFLICT ("key") DO UPDATE SET
          "failures" = CASE WHEN ${restarts} THEN 1 ELSE "LoginThrottle"."failures" + 1 END,
          "windowStart" = CASE WHEN ${restarts} THEN ${now} ELSE "LoginThrottle"."windowStart" END,
          "lockedUntil" = CASE
            WHEN ${restarts} THEN ${firstLock}
            WHEN "LoginThrottle"."failures" + 1 >= ${policy.maxFailures} THEN ${lockUntil}
            ELSE "LoginThrottle"."lockedUntil" END,
          "updatedAt" = ${now}
        WHERE "LoginThrottle"."lockedUntil" IS NULL OR "LoginThrottle"."lockedUntil" <= ${now}
        RETURNING "failures", "windowStart", "lockedUntil"`)
      if (row) {
        const reservation = { key, failures: Number(row.failures), windowStart: new Date(row.windowStart), lockedUntil: row.lockedUntil ? new Date(row.lockedUntil) : undefined }
        return { admitted: true, reservation }
      }
      // Locked. Should the lock have been lifted in between (release()), the attempt is refused all the same,
      // for the least Retry-After.
      const lockedUntil = await translate('login throttle', () => lockOf(key, now))
      return { admitted: false, lockedUntil: lockedUntil ?? new Date(now.getTime() + 1000) }
    },

    /**
     * Gives back an attempt that was not a failure (the password was right, or it was never compared): its
     * count, and the lock it set. Nothing when its window has restarted since, or the key was reset.
     */
    async release(reservation: Reservation, now = new Date()): Promise<void> {
      const { key, windowStart, lockedUntil } = reservation
      const lockedByIt = lockedUntil ? Prisma.sql`"lockedUntil" = ${lockedUntil}` : Prisma.sql`FALSE`
      await translate('login throttle', async () => {
        // The only attempt counted in its window (the usual case of a good login): no counter is left.
        const deleted = await prisma.$executeRaw`
          DELETE FROM "LoginThrottle"
          WHERE "key" = ${key} AND "windowStart" = ${windowStart} AND "failures" <= 1 AND ("lockedUntil" IS NULL OR ${lockedByIt})`
        if (deleted > 0) return
        // A lock set by another attempt stays: that one was a failure, or lifts its lock itself.
        await prisma.$executeRaw`
          UPDATE "LoginThrottle"
          SET "failures" = "failures" - 1, "lockedUntil" = CASE WHEN ${lockedByIt} THEN NULL ELSE "lockedUntil" END, "updatedAt" = ${now}
          WHERE "key" = ${key} AND "windowStart" = ${windowStart} AND "failures" > 0`
      })
    },

    /** Forgets the failures of `key` (after a successful login). */
    async reset(key: string): Promise<void> {
      await translate('login throttle', () => prisma.$executeRaw`DELETE FROM "LoginThrottle" WHERE "key" = ${key}`)
    },
  }
}

export type LoginThrottleStore = ReturnType<typeof createLoginThrottleStore>
