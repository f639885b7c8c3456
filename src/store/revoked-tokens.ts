// Revoked JWT access tokens (RFC 7009 §2.1): a JWT cannot be unsaid, so its `jti` is remembered until the
// token would have expired anyway, and introspection answers inactive for it. One primary-key lookup per
// check; expired rows are purged now and then by the writes, never on the read path.
import type { PrismaClient } from './database.js'
import { isUniqueViolation } from './errors.js'

/** How often (at most) a revocation also deletes the rows whose tokens have expired. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000

export function createRevokedTokenStore(prisma: PrismaClient) {
  let lastPurge = 0

  async function purgeExpired(now = new Date()): Promise<number> {
    lastPurge = now.getTime()
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
          await prisma.revokedToken.upsert({ where: { jti }, create: { jti, expiresAt }, update: {} })
        } catch (err) {
          // Two instances inserting the same jti at once: the other one won, which is the same outcome.
          if (!isUniqueViolation(err)) throw err
        }
      }
      if (now.getTime() - lastPurge >= PURGE_INTERVAL_MS) await purgeExpired(now)
    },

    /** True when `jti` was revoked (one lookup by primary key). */
    async isRevoked(jti: string): Promise<boolean> {
      const row = await prisma.revokedToken.findUnique({ where: { jti }, select: { jti: true } })
      return row !== null
    },

    /** Deletes the rows of tokens that have expired; returns how many. */
    purgeExpired,
  }
}

export type RevokedTokenStore = ReturnType<typeof createRevokedTokenStore>
