// The janitor's store side: deletes the rows that can no longer matter, so that the token tables do not grow
// without bound. Every batch is one statement (`DELETE … WHERE id IN (SELECT id … LIMIT n)`), its own short
// transaction, and the sweep pauses between batches: token requests on the same tables wait for at most one
// batch, never for a whole sweep (on SQLite, better-sqlite3 also runs each statement on the main thread).
//
// What goes, and why it is safe:
// - RefreshToken, RefreshFamily: families past their absolute expiry, or revoked, more than the retention ago,
//   their tokens first (in batches of their own, rather than one cascade of unbounded size). Only whole
//   families go at first: a used token of a live family is what detects its replay. But a token past its own
//   expiry (its idle expiry, or the family's end) is refused as expired before any replay check, so it goes
//   too, the retention after it expired, even while its family lives on: a login refreshed every few minutes
//   for a month would otherwise keep thousands of used tokens. A deleted token presented again is unknown,
//   which is refused as invalid_grant exactly like an expired or revoked one.
// - RevokedToken: jtis whose token has expired (its expiry already includes the clock-skew allowance): an
//   expired JWT is refused anyway, and no instance reads such rows.
// - UsedJti: JWT ids of assertions and proofs that have expired: an expired JWT is refused before its jti is
//   looked at, so forgetting its jti lets nothing through twice.
// - AccessKey: keys expired or revoked more than the retention ago (a deleted key is refused as unknown).
// - LoginThrottle: counters whose window is over and that hold no lock in force: the next attempt on such a
//   key would start a new window (its attempts in flight forgotten too), exactly as with no row.
// - Session: sessions past their absolute or idle expiry, or revoked, more than the retention ago (a deleted
//   session's cookie is unknown, refused like an expired one).
// - AuthorizationRequest: pending requests past their expiry (10 minutes): answered or abandoned, never usable.
// - Challenge: delegated login and consent challenges past their expiry (that of their pending request).
// - AuthorizationCode: codes past their expiry more than the retention ago: until then a replay still finds
//   the code, and revokes the tokens issued from it.
// - AuditEvent: events older than AUDIT_RETENTION (a year by default; 0 keeps them for ever): the record of who
//   did what is kept far longer than the tokens, but a flood of throttled logins must not grow it for ever.
// - UsageCount: hours that ended more than USAGE_RETENTION ago (90 days by default; 0 keeps them for ever).
//
// Each selection goes through an index (SQLite, which has no statistics to plan by, scans the tokens for a join
// but searches them by family for `familyId IN (…)`). The outer WHERE repeats each condition: on PostgreSQL a row changed by a concurrent write (a login failure
// restarting its window) is checked again as it now is before it is deleted.
import { loadedPg } from './pg-driver.js'
import { postgresPoolConfig, type Database } from './database.js'
import { Prisma } from './generated/sqlite/client.js'

/** The swept tables, in sweeping order (a family's tokens before the family). */
export const JANITOR_TABLES = [
  'RefreshToken',
  'RefreshFamily',
  'RevokedToken',
  'UsedJti',
  'AccessKey',
  'LoginThrottle',
  'Session',
  'AuthorizationRequest',
  'Challenge',
  'AuthorizationCode',
  'AuditEvent',
  'UsageCount',
] as const
export type JanitorTable = (typeof JANITOR_TABLES)[number]

export interface JanitorPolicy {
  /** Milliseconds an expired or revoked refresh family or access key is kept (forensics, replay answers). */
  retentionMs: number
  /** Seconds: LOGIN_FAILURE_WINDOW, after which a counter holding no lock no longer counts. */
  loginFailureWindowSeconds: number
  /** Rows deleted per statement at most. */
  batchSize: number
  /** Milliseconds audit events are kept (AUDIT_RETENTION); 0 keeps them for ever. */
  auditRetentionMs: number
  /** Milliseconds usage counts are kept (USAGE_RETENTION), counted from the end of their hour; 0 keeps them for ever. */
  usageRetentionMs: number
}

export interface SweepResult {
  deleted: Record<JanitorTable, number>
  batches: Record<JanitorTable, number>
  durationMs: number
  /** False when the sweep stopped early (the app is closing). */
  complete: boolean
}

export interface SweepOptions {
  now: Date
  /** Pause between batches, in milliseconds; default 5. */
  pauseMs?: number
  /** Checked between batches: the sweep ends early when it returns true. */
  shouldStop?: () => boolean
  /** Called after every batch with the rows it deleted. */
  onBatch?: (table: JanitorTable, deleted: number) => void
}

// A fixed key for pg_try_advisory_lock ("pcjanitr" as a 64-bit integer): one sweep at a time per database.
const SWEEP_LOCK_KEY = '8098433521639060594'

const perTable = (value: number) =>
  Object.fromEntries(JANITOR_TABLES.map((table) => [table, value])) as Record<JanitorTable, number>

export function createJanitorStore(db: Pick<Database, 'prisma' | 'provider' | 'url' | 'timeoutMs'>) {
  const { prisma } = db

  /** A dead family's tokens, then tokens past their own expiry in families still alive; `limit` in all. */
  async function deleteRefreshTokens(cutoff: Date, limit: number): Promise<number> {
    const ofDeadFamilies = await prisma.$executeRaw`
      DELETE FROM "RefreshToken" WHERE "id" IN (
        SELECT "id" FROM "RefreshToken" WHERE "familyId" IN (
          SELECT "id" FROM "RefreshFamily" WHERE "absoluteExpiresAt" < ${cutoff} OR "revokedAt" < ${cutoff})
        LIMIT ${limit})`
    if (ofDeadFamilies >= limit) return ofDeadFamilies
    const expired = await prisma.$executeRaw`
      DELETE FROM "RefreshToken" WHERE "id" IN (
        SELECT "id" FROM "RefreshToken" WHERE "expiresAt" < ${cutoff} LIMIT ${limit - ofDeadFamilies})
      AND "expiresAt" < ${cutoff}`
    return ofDeadFamilies + expired
  }

  function deleteBatch(table: JanitorTable, policy: JanitorPolicy, now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - policy.retentionMs)
    const limit = policy.batchSize
    switch (table) {
      case 'RefreshToken':
        return deleteRefreshTokens(cutoff, limit)
      case 'RefreshFamily':
        return prisma.$executeRaw`
          DELETE FROM "RefreshFamily" WHERE "id" IN (
            SELECT "id" FROM "RefreshFamily" WHERE "absoluteExpiresAt" < ${cutoff} OR "revokedAt" < ${cutoff} LIMIT ${limit})
          AND ("absoluteExpiresAt" < ${cutoff} OR "revokedAt" < ${cutoff})`
      case 'RevokedToken':
        return prisma.$executeRaw`
          DELETE FROM "RevokedToken" WHERE "jti" IN (SELECT "jti" FROM "RevokedToken" WHERE "expiresAt" < ${now} LIMIT ${limit})`
      case 'UsedJti':
        return prisma.$executeRaw`
          DELETE FROM "UsedJti" WHERE ("namespace", "jti") IN (
            SELECT "namespace", "jti" FROM "UsedJti" WHERE "expiresAt" < ${now} LIMIT ${limit})
          AND "expiresAt" < ${now}`
      case 'AccessKey':
        return prisma.$executeRaw`
          DELETE FROM "AccessKey" WHERE "id" IN (
            SELECT "id" FROM "AccessKey" WHERE "expiresAt" < ${cutoff} OR "revokedAt" < ${cutoff} LIMIT ${limit})
          AND ("expiresAt" < ${cutoff} OR "revokedAt" < ${cutoff})`
      case 'Session': {
        const dead = Prisma.sql`("expiresAt" < ${cutoff} OR "idleExpiresAt" < ${cutoff} OR "revokedAt" < ${cutoff})`
        return prisma.$executeRaw`
          DELETE FROM "Session" WHERE "id" IN (SELECT "id" FROM "Session" WHERE ${dead} LIMIT ${limit}) AND ${dead}`
      }
      case 'AuthorizationRequest':
        return prisma.$executeRaw`
          DELETE FROM "AuthorizationRequest" WHERE "id" IN (SELECT "id" FROM "AuthorizationRequest" WHERE "expiresAt" < ${now} LIMIT ${limit})`
      case 'Challenge':
        return prisma.$executeRaw`
          DELETE FROM "Challenge" WHERE "id" IN (SELECT "id" FROM "Challenge" WHERE "expiresAt" < ${now} LIMIT ${limit})`
      case 'AuthorizationCode':
        return prisma.$executeRaw`
          DELETE FROM "AuthorizationCode" WHERE "id" IN (SELECT "id" FROM "AuthorizationCode" WHERE "expiresAt" < ${cutoff} LIMIT ${limit})`
      case 'AuditEvent': {
        if (policy.auditRetentionMs === 0) return Promise.resolve(0)
        const before = new Date(now.getTime() - policy.auditRetentionMs)
        return prisma.$executeRaw`
          DELETE FROM "AuditEvent" WHERE "id" IN (SELECT "id" FROM "AuditEvent" WHERE "createdAt" < ${before} LIMIT ${limit})`
      }
      case 'UsageCount': {
        if (policy.usageRetentionMs === 0) return Promise.resolve(0)
        // An hour's row goes once the whole hour is older than the retention.
        const before = new Date(now.getTime() - policy.usageRetentionMs - 3_600_000)
        return prisma.$executeRaw`
          DELETE FROM "UsageCount" WHERE ("subjectType", "subjectId", "hour", "kind") IN (
            SELECT "subjectType", "subjectId", "hour", "kind" FROM "UsageCount" WHERE "hour" < ${before} LIMIT ${limit})`
      }
      case 'LoginThrottle': {
        const windowStartedBefore = new Date(now.getTime() - policy.loginFailureWindowSeconds * 1000)
        const stale = Prisma.sql`"windowStart" <= ${windowStartedBefore} AND ("lockedUntil" IS NULL OR "lockedUntil" <= ${now})`
        return prisma.$executeRaw`
          DELETE FROM "LoginThrottle" WHERE "key" IN (SELECT "key" FROM "LoginThrottle" WHERE ${stale} LIMIT ${limit}) AND ${stale}`
      }
    }
  }

  /**
   * Runs `sweep` unless another process is sweeping the same database: on PostgreSQL a session advisory lock,
   * held by a connection of its own for the sweep's duration (released if that connection drops). SQLite is
   * one file usually served by one process; concurrent sweeps there are only wasted work, never wrong.
   */
  async function exclusively<T>(sweep: () => Promise<T>): Promise<T | 'busy'> {
    if (db.provider !== 'postgresql') return sweep()
    // Bounded like the pool's connections (DATABASE_TIMEOUT): a lock query that never returns would hold the
    // sweep, and every later one, for ever.
    const client = new (loadedPg().Client)(postgresPoolConfig(db.url, db.timeoutMs))
    // An idle client whose connection drops emits 'error'; unhandled, it would end the process.
    client.on('error', () => undefined)
    await client.connect()
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
        SWEEP_LOCK_KEY,
      ])
      if (!rows[0]?.locked) return 'busy'
      try {
        return await sweep()
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [SWEEP_LOCK_KEY]).catch(() => undefined)
      }
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  return {
    deleteBatch,

    /**
     * Deletes every dead row as of `options.now`, table by table, `policy.batchSize` rows per statement;
     * 'busy' when another process holds the sweep (PostgreSQL). Rows that die during the sweep wait for the next.
     *
     * @example
     * const result = await store.janitor.sweep({ retentionMs: 7 * 86_400_000, loginFailureWindowSeconds: 900, batchSize: 1000 }, { now: new Date() })
     */
    sweep(policy: JanitorPolicy, options: SweepOptions): Promise<SweepResult | 'busy'> {
      return exclusively(async () => {
        const started = performance.now()
        const result: SweepResult = { deleted: perTable(0), batches: perTable(0), durationMs: 0, complete: true }
        const pause = () => new Promise<void>((resolve) => setTimeout(resolve, options.pauseMs ?? 5))
        sweeping: for (const table of JANITOR_TABLES) {
          for (;;) {
            if (options.shouldStop?.()) {
              result.complete = false
              break sweeping
            }
            const deleted = await deleteBatch(table, policy, options.now)
            result.deleted[table] += deleted
            result.batches[table] += 1
            options.onBatch?.(table, deleted)
            if (deleted < policy.batchSize) break
            await pause()
          }
        }
        result.durationMs = Math.round(performance.now() - started)
        return result
      })
    },
  }
}

export type JanitorStore = ReturnType<typeof createJanitorStore>
