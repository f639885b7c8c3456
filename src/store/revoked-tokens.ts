// Revoked JWT access tokens (RFC 7009 §2.1): a JWT cannot be unsaid, so its `jti` is remembered until the
// token would have expired anyway, and introspection answers inactive for it. Each app instance keeps the
// unexpired jtis in memory (security/revocation-list.ts): it reads them all at start, then the rows recorded
// since its last read, every REVOCATION_SYNC_INTERVAL. Expired rows are purged now and then by the writes,
// never on the read path.
import type { PrismaClient } from './database.js'
import { isUniqueViolation } from './errors.js'
import { createPurgeSchedule } from './purge-schedule.js'

export interface RevokedJti {
  jti: string
  expiresAt: Date
}

export function createRevokedTokenStore(prisma: PrismaClient) {
  const purges = createPurgeSchedule()

  async function purgeExpired(now = new Date()): Promise<number> {
    purges.done(now)
    const { count } = await prisma.revokedToken.deleteMany({ where: { expiresAt: { lt: now } } })
    return count
  }

  return {
    /**
     * Records `jti` as revoked until `expiresAt` (the token's exp plus the clock-skew allowance).
     * Idempotent: revoking twice, or from two instances at once, keeps one row.
     */
    async revoke(jti: string, expiresAt: Date, now = new Date()): Promise<void> {
      if (expiresAt.getTime() > now.getTime()) {
        try {
          // createdAt from the caller's clock: the other instances read the rows recorded since their last sync.
          await prisma.revokedToken.upsert({ where: { jti }, create: { jti, expiresAt, createdAt: now }, update: {} })
        } catch (err) {
          // Two instances inserting the same jti at once: the other one won, which is the same outcome.
          if (!isUniqueViolation(err)) throw err
        }
      }
      if (purges.due(now)) await purges.attempt(() => purgeExpired(now))
    },

    /** True when `jti` was revoked (one lookup by primary key). */
    async isRevoked(jti: string): Promise<boolean> {
      const row = await prisma.revokedToken.findUnique({ where: { jti }, select: { jti: true } })
      return row !== null
    },

    /** Every jti whose token has not expired at `now`, with when it expires. */
    async listActive(now: Date): Promise<RevokedJti[]> {
      return prisma.revokedToken.findMany({ where: { expiresAt: { gt: now } }, select: { jti: true, expiresAt: true } })
    },

    /** The jtis recorded at or after `since` whose tokens have not expired at `now`. */
    async listRecordedSince(since: Date, now: Date): Promise<RevokedJti[]> {
      return prisma.revokedToken.findMany({ where: { createdAt: { gte: since }, expiresAt: { gt: now } }, select: { jti: true, expiresAt: true } })
    },

    /** Deletes the rows of tokens that have expired; returns how many. */
    purgeExpired,
  }
}

export type RevokedTokenStore = ReturnType<typeof createRevokedTokenStore>
