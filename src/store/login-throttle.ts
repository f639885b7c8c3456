// Failure counters for brute-force protection of the password grant, kept in the database so that every
// instance sees the same counts. A key is e.g. `user:<hash of the username>` or `ip:<address>`.
// Within `window` seconds of its first failure, a key that reaches `maxFailures` is locked for `lockout`
// seconds; a failure after the window (or after the lock) starts a new window.
import type { PrismaClient } from './database.js'
import { isUniqueViolation } from './errors.js'

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
  const increment = async (key: string, now: Date) => {
    try {
      return await prisma.loginThrottle.upsert({ where: { key }, create: { key, failures: 1, windowStart: now }, update: { failures: { increment: 1 } } })
    } catch (err) {
      // Two instances counting the first failure of a key at once: the loser increments the winner's row.
      if (!isUniqueViolation(err)) throw err
      return prisma.loginThrottle.update({ where: { key }, data: { failures: { increment: 1 } } })
    }
  }

  return {
    /** One query: is any of the keys locked at `now`, and which keys have counters. */
    async check(keys: readonly string[], now = new Date()): Promise<ThrottleState> {
      const rows = await prisma.loginThrottle.findMany({ where: { key: { in: [...keys] } } })
      const locks = rows.map((row) => row.lockedUntil).filter((until): until is Date => until !== null && until > now)
      return {
        lockedUntil: locks.length ? new Date(Math.max(...locks.map((until) => until.getTime()))) : undefined,
        counted: rows.map((row) => row.key),
      }
    },

    /** Counts one failure for `key` (atomically: concurrent failures are all counted); may lock it. */
    async recordFailure(key: string, policy: ThrottlePolicy, now = new Date()): Promise<FailureResult> {
      let row = await increment(key, now)
      const windowOver = row.windowStart.getTime() + policy.window * 1000 <= now.getTime()
      const lockOver = row.lockedUntil !== null && row.lockedUntil <= now
      if (row.failures > 1 && (windowOver || lockOver)) {
        row = await prisma.loginThrottle.update({ where: { key }, data: { failures: 1, windowStart: now, lockedUntil: null } })
      }
      const locked = row.lockedUntil !== null && row.lockedUntil > now
      if (row.failures >= policy.maxFailures && !locked) {
        const lockedUntil = new Date(now.getTime() + policy.lockout * 1000)
        await prisma.loginThrottle.update({ where: { key }, data: { lockedUntil } })
        return { failures: row.failures, lockedUntil }
      }
      return { failures: row.failures, lockedUntil: undefined }
    },

    /** Forgets the failures of `key` (after a successful login). */
    async reset(key: string): Promise<void> {
      await prisma.loginThrottle.deleteMany({ where: { key } })
    },
  }
}

export type LoginThrottleStore = ReturnType<typeof createLoginThrottleStore>
