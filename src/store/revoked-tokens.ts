// Revoked JWT access tokens (RFC 7009 §2.1): a JWT cannot be unsaid, so its `jti` is remembered until the
// token would have expired anyway, and introspection answers inactive for it. Each app instance keeps the
// unexpired jtis in memory (security/revocation-list.ts): it reads them all at start, then the rows recorded
// since its last read, every REVOCATION_SYNC_INTERVAL. Expired rows are deleted by the janitor (janitor.ts).
import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { toTimestamp } from './postgres-values.js'
import { createTurnBatch, writeEachAloneOnRowError } from './turn-batch.js'

export interface RevokedJti {
  jti: string
  expiresAt: Date
  /** When it was recorded: for a cutoff (recordCutoff), the time before which the tokens it names were issued. */
  createdAt: Date
}

const ROW = { jti: true, expiresAt: true, createdAt: true } as const

/**
 * Records a cutoff: the entry `jti` refuses the tokens it names that were issued at or before `at`, until
 * `expiresAt`. A later cutoff for the same entry moves both forward (an earlier one, e.g. from an instance
 * whose clock is behind, changes nothing), and since createdAt moves too, the other instances' next sync
 * (listRecordedSince) reads it. One statement, usable inside a transaction.
 */
export async function recordCutoff(
  db: Pick<PrismaClient, '$executeRaw'>,
  jti: string,
  expiresAt: Date,
  at: Date,
): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt") VALUES (${jti}, ${expiresAt}, ${at})
    ON CONFLICT ("jti") DO UPDATE SET "expiresAt" = excluded."expiresAt", "createdAt" = excluded."createdAt"
    WHERE "RevokedToken"."createdAt" < excluded."createdAt"`
}

interface Revocation {
  jti: string
  expiresAt: Date
  now: Date
}

// PostgreSQL, every /oauth/revoke of a JWT: the revocations asked for during one turn of the event loop are
// recorded by one statement over unnest() of the batch, on the pool without Prisma (turn-batch.ts): one round
// trip and one commit for several requests, each acknowledged only once that commit is done. A jti twice in
// one batch is sent once (the outcome is the same row).
const RECORD_ALL = `
  INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt")
  SELECT * FROM unnest($1::text[], $2::timestamp(3)[], $3::timestamp(3)[])
  ON CONFLICT ("jti") DO NOTHING`

/** Revocation batches sent at once (each one round trip and one commit). */
const REVOCATIONS_IN_FLIGHT = 2

function createPostgresRevocations(pool: pg.Pool) {
  async function recordAll(revocations: Revocation[]): Promise<undefined[]> {
    const first = new Map<string, Revocation>()
    for (const row of revocations) if (!first.has(row.jti)) first.set(row.jti, row)
    const rows = [...first.values()]
    await pool.query(RECORD_ALL, [
      rows.map((row) => row.jti),
      rows.map((row) => toTimestamp(row.expiresAt)),
      rows.map((row) => toTimestamp(row.now)),
    ])
    return revocations.map(() => undefined)
  }
  // Two batches at most in flight: under load the revocations arriving meanwhile share the next commit.
  return createTurnBatch<Revocation, undefined>((rows) => writeEachAloneOnRowError(rows, recordAll), {
    maxInFlight: REVOCATIONS_IN_FLIGHT,
  })
}

/**
 * `announce`: tells the other instances after a revocation commits (PostgreSQL; change-feed.ts). `pool`:
 * PostgreSQL's pool (database.ts), for the revocations of the revocation endpoint without Prisma.
 */
export function createRevokedTokenStore(prisma: PrismaClient, options: { announce?: () => void; pool?: pg.Pool } = {}) {
  const batch = options.pool && createPostgresRevocations(options.pool)
  return {
    /**
     * Records `jti` as revoked until `expiresAt` (the token's exp plus the clock-skew allowance).
     * Idempotent: revoking twice, or from two instances at once, keeps one row.
     */
    async revoke(jti: string, expiresAt: Date, now = new Date()): Promise<void> {
      if (expiresAt.getTime() > now.getTime()) {
        // One statement (Prisma's upsert is a read, then a write, in a transaction of its own). createdAt from
        // the caller's clock: the other instances read the rows recorded since their last sync. A jti already
        // there (revoked twice, or by two instances at once) is the same outcome.
        if (batch) await batch.add({ jti, expiresAt, now })
        else
          await prisma.$executeRaw`
          INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt") VALUES (${jti}, ${expiresAt}, ${now})
          ON CONFLICT ("jti") DO NOTHING`
        options.announce?.()
      }
    },

    /** True when `jti` was revoked (one lookup by primary key). */
    async isRevoked(jti: string): Promise<boolean> {
      const row = await prisma.revokedToken.findUnique({ where: { jti }, select: { jti: true } })
      return row !== null
    },

    /** Records a cutoff (see recordCutoff). */
    async cutOff(jti: string, expiresAt: Date, at: Date): Promise<void> {
      await recordCutoff(prisma, jti, expiresAt, at)
    },

    /** Every jti whose token has not expired at `now`, with when it expires and was recorded. */
    async listActive(now: Date): Promise<RevokedJti[]> {
      return prisma.revokedToken.findMany({ where: { expiresAt: { gt: now } }, select: ROW })
    },

    /** The jtis recorded at or after `since` whose tokens have not expired at `now`. */
    async listRecordedSince(since: Date, now: Date): Promise<RevokedJti[]> {
      return prisma.revokedToken.findMany({ where: { createdAt: { gte: since }, expiresAt: { gt: now } }, select: ROW })
    },
  }
}

export type RevokedTokenStore = ReturnType<typeof createRevokedTokenStore>
