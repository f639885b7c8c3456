// Failure counters for brute-force protection of the password grant, kept in the database so that every
// instance sees the same counts. A key is e.g. `user:<hash of the username>` or `ip:<address>`.
// A row counts, within `window` seconds of its first attempt, the confirmed failures (`failures`) and the
// attempts whose password is still being compared (`pending`). A key is locked for `lockout` seconds once its
// confirmed failures reach `maxFailures`: only a failure locks, never an attempt still in flight. An attempt
// after the window (or after the lock) starts a new window, pending included, so reservations lost with a
// crashed instance hold a key for one window at most.
//
// An attempt is admitted before its password is compared only while failures + pending < maxFailures:
// reserve() is one atomic upsert that restarts an expired window and counts the attempt as pending, or
// refuses it, whoever else reserves at the same moment (the row is the lock: SQLite writes one statement at
// a time, PostgreSQL's ON CONFLICT DO UPDATE locks the row and evaluates its WHERE on the newest version). So
// concurrent guesses cannot all be compared while the first ones are still being checked: a key compares at
// most `maxFailures` wrong passwords per window, on every instance. A refusal says whether the key is locked
// or only busy (saturated by attempts in flight, one of which may yet succeed): the caller waits for a busy
// key rather than refusing the login. Then each attempt ends once: fail() turns it into a failure (and locks
// at the limit), release() gives it back, forget() (a successful login) also forgets the key's failures.
//
// Identical SQL on SQLite, where the adapter stores DateTime as fixed-width ISO text that compares in time
// order, and on PostgreSQL, where it goes on the pool without Prisma (raw-sql.ts). Counters that no longer
// count are deleted by the janitor (janitor.ts).
import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { translate } from './errors.js'
import { Prisma } from './generated/sqlite/client.js'
import { createRawSql } from './raw-sql.js'

export interface ThrottlePolicy {
  maxFailures: number
  /** Seconds. */
  window: number
  /** Seconds. */
  lockout: number
}

/** One admitted attempt, pending in its key's window. */
export interface Reservation {
  key: string
  /** Which window it was counted in (a window restarted since no longer holds it). */
  windowStart: Date
}

export type ReserveResult =
  | { outcome: 'admitted'; reservation: Reservation }
  /** Confirmed failures reached the limit: refused until `lockedUntil`. */
  | { outcome: 'locked'; lockedUntil: Date }
  /** Not locked, but failures + attempts in flight fill the limit: admitted once one of them ends. */
  | { outcome: 'busy' }

/** A failure confirmed: the key's failures in the window, and the lock this failure set, if it set one. */
export interface Failure {
  failures: number
  lockedUntil: Date | undefined
}

interface ThrottleRow {
  failures: number | bigint
  lockedUntil: Date | string | null
}

interface Counts {
  failures: number | bigint
  pending: number | bigint
}

const dateOf = (value: Date | string) => new Date(value)

export function createLoginThrottleStore(prisma: PrismaClient, pool?: pg.Pool) {
  const raw = createRawSql(prisma, pool)
  /**
   * The end of the refusal of `key` at `now`, undefined when it is only busy: its lock, or, when its confirmed
   * failures already reach the limit without a lock (the limit was lowered since they were counted), the end
   * of their window.
   */
  const lockOf = async (key: string, policy: ThrottlePolicy, now: Date): Promise<Date | undefined> => {
    const [row] = await raw.query<
      { lockedUntil: Date | string | null; failures: number | bigint; windowStart: Date | string }[]
    >`
      SELECT "lockedUntil", "failures", "windowStart" FROM "LoginThrottle" WHERE "key" = ${key}`
    if (!row) return undefined
    const lockedUntil = row.lockedUntil ? dateOf(row.lockedUntil) : undefined
    if (lockedUntil && lockedUntil > now) return lockedUntil
    const windowEnds = new Date(dateOf(row.windowStart).getTime() + policy.window * 1000)
    return Number(row.failures) >= policy.maxFailures && windowEnds > now ? windowEnds : undefined
  }

  /** Attempts that ended at the same moment may each have seen the other in flight: the last deletes the row. */
  const deleteIfEmpty = async (key: string, row: Counts | undefined) => {
    if (!row || Number(row.failures) !== 0 || Number(row.pending) !== 0) return
    await raw.execute`DELETE FROM "LoginThrottle" WHERE "key" = ${key} AND "failures" = 0 AND "pending" = 0`
  }

  return {
    /**
     * Counts one attempt in flight against `key` before it is verified, when the key is neither locked nor
     * busy at `now`. One statement when admitted; a refusal reads the lock's end too.
     */
    async reserve(key: string, policy: ThrottlePolicy, now = new Date()): Promise<ReserveResult> {
      const windowStartedBefore = new Date(now.getTime() - policy.window * 1000)
      // On conflict the expressions read the row as it was, and only a row that is not locked and has room
      // is updated: a window that is over, or a lock that has ended, starts a new window at this attempt.
      const restarts = Prisma.sql`("LoginThrottle"."windowStart" <= ${windowStartedBefore} OR "LoginThrottle"."lockedUntil" <= ${now})`
      const [row] = await translate(
        'login throttle',
        () => raw.query<{ windowStart: Date | string }[]>`
        INSERT INTO "LoginThrottle" ("key", "failures", "pending", "windowStart", "lockedUntil", "updatedAt")
        VALUES (${key}, 0, 1, ${now}, NULL, ${now})
        ON CONFLICT ("key") DO UPDATE SET
          "failures" = CASE WHEN ${restarts} THEN 0 ELSE "LoginThrottle"."failures" END,
          "pending" = CASE WHEN ${restarts} THEN 1 ELSE "LoginThrottle"."pending" + 1 END,
          "windowStart" = CASE WHEN ${restarts} THEN ${now} ELSE "LoginThrottle"."windowStart" END,
          "lockedUntil" = CASE WHEN ${restarts} THEN NULL ELSE "LoginThrottle"."lockedUntil" END,
          "updatedAt" = ${now}
        WHERE ("LoginThrottle"."lockedUntil" IS NULL OR "LoginThrottle"."lockedUntil" <= ${now})
          AND (${restarts} OR "LoginThrottle"."failures" + "LoginThrottle"."pending" < ${policy.maxFailures})
        RETURNING "windowStart"`,
      )
      if (row) return { outcome: 'admitted', reservation: { key, windowStart: dateOf(row.windowStart) } }
      const lockedUntil = await translate('login throttle', () => lockOf(key, policy, now))
      return lockedUntil ? { outcome: 'locked', lockedUntil } : { outcome: 'busy' }
    },

    /**
     * The attempt's password was wrong: it leaves the attempts in flight and counts as a failure, and the
     * failure that reaches the limit locks the key until `now` + lockout. Nothing when its window has
     * restarted since (it was counted in a window that is over).
     */
    async fail(reservation: Reservation, policy: ThrottlePolicy, now = new Date()): Promise<Failure | undefined> {
      const { key, windowStart } = reservation
      const lockUntil = new Date(now.getTime() + policy.lockout * 1000)
      const [row] = await translate(
        'login throttle',
        () => raw.query<ThrottleRow[]>`
        UPDATE "LoginThrottle" SET
          "pending" = CASE WHEN "pending" > 0 THEN "pending" - 1 ELSE 0 END,
          "failures" = "failures" + 1,
          "lockedUntil" = CASE
            WHEN "failures" + 1 >= ${policy.maxFailures} AND ("lockedUntil" IS NULL OR "lockedUntil" <= ${now}) THEN ${lockUntil}
            ELSE "lockedUntil" END,
          "updatedAt" = ${now}
        WHERE "key" = ${key} AND "windowStart" = ${windowStart}
        RETURNING "failures", "lockedUntil"`,
      )
      if (!row) return undefined
      const failures = Number(row.failures)
      // Admission keeps failures + pending within the limit, so one failure per window reaches it.
      const lockedByIt =
        failures >= policy.maxFailures &&
        row.lockedUntil !== null &&
        dateOf(row.lockedUntil).getTime() === lockUntil.getTime()
      return { failures, lockedUntil: lockedByIt ? lockUntil : undefined }
    },

    /**
     * Gives back an attempt that was not a failure (the password was right but the login refused, or it was
     * never compared). A row left counting nothing is deleted. Nothing when its window has restarted since.
     */
    async release(reservation: Reservation, now = new Date()): Promise<void> {
      const { key, windowStart } = reservation
      await translate('login throttle', async () => {
        // The only attempt in its window and no failure (the usual case of a good login): no counter is left.
        const deleted = await raw.execute`
          DELETE FROM "LoginThrottle" WHERE "key" = ${key} AND "windowStart" = ${windowStart} AND "failures" = 0 AND "pending" <= 1`
        if (deleted > 0) return
        const [row] = await raw.query<Counts[]>`
          UPDATE "LoginThrottle" SET "pending" = "pending" - 1, "updatedAt" = ${now}
          WHERE "key" = ${key} AND "windowStart" = ${windowStart} AND "pending" > 0
          RETURNING "failures", "pending"`
        await deleteIfEmpty(key, row)
      })
    },

    /**
     * A successful login: gives the attempt back and forgets the key's failures (and a lock), while the other
     * attempts still in flight stay counted. One statement when it was the only one.
     */
    async forget(reservation: Reservation, now = new Date()): Promise<void> {
      const { key, windowStart } = reservation
      const counted = Prisma.sql`"windowStart" = ${windowStart}`
      await translate('login throttle', async () => {
        const deleted = await raw.execute`
          DELETE FROM "LoginThrottle" WHERE "key" = ${key} AND ("pending" = 0 OR ("pending" <= 1 AND ${counted}))`
        if (deleted > 0) return
        const [row] = await raw.query<Counts[]>`
          UPDATE "LoginThrottle"
          SET "failures" = 0, "lockedUntil" = NULL, "pending" = CASE WHEN ${counted} AND "pending" > 0 THEN "pending" - 1 ELSE "pending" END, "updatedAt" = ${now}
          WHERE "key" = ${key}
          RETURNING "failures", "pending"`
        await deleteIfEmpty(key, row)
      })
    },
  }
}

export type LoginThrottleStore = ReturnType<typeof createLoginThrottleStore>
