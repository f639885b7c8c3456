// JWT ids already accepted (security/replay-cache.ts): a client assertion, a JWT bearer grant assertion or a
// DPoP proof is accepted once, by whichever instance sees it first. Kept until the JWT expires; expired rows
// are deleted by the janitor (janitor.ts), and one still there is taken over by the next use of its jti.
import type { PrismaClient } from './database.js'
import { translate } from './errors.js'

export function createReplayCacheStore(prisma: PrismaClient) {
  return {
    /**
     * Records `jti` in `namespace` until `expiresAt`; false when it is already recorded and unexpired at `now`.
     * One statement: PostgreSQL's ON CONFLICT locks the row and evaluates the WHERE on its newest version, and
     * SQLite writes one statement at a time, so of two instances recording the same jti at once only one
     * inserts (or takes over an expired row) and the other changes nothing.
     */
    async remember(namespace: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> {
      const changed = await translate(
        'jti',
        () =>
          prisma.$executeRaw`
          INSERT INTO "UsedJti" ("namespace", "jti", "expiresAt") VALUES (${namespace}, ${jti}, ${expiresAt})
          ON CONFLICT ("namespace", "jti") DO UPDATE SET "expiresAt" = excluded."expiresAt"
          WHERE "UsedJti"."expiresAt" <= ${now}`,
      )
      return changed === 1
    },
  }
}

export type ReplayCacheStore = ReturnType<typeof createReplayCacheStore>
