// The store: every database access of the service goes through these functions, built over the one
// PrismaClient of a Database. Nothing outside src/store imports Prisma.
import { createAccessKeyStore } from './access-keys.js'
import { createAuditStore } from './audit.js'
import { createAuthorizationCodeStore } from './authorization-codes/index.js'
import { createAuthorizationRequestStore } from './authorization-requests.js'
import { createChallengeStore } from './challenges.js'
import { createChangeAnnouncer } from './change-feed.js'
import { createClientStore } from './clients.js'
import { createConsentStore } from './consents.js'
import { createJanitorStore } from './janitor.js'
import type { Database } from './database.js'
import { createLoginThrottleStore } from './login-throttle.js'
import { createReplayCacheStore } from './replay-cache.js'
import { createRefreshTokenStore } from './refresh-tokens/index.js'
import { createRevokedTokenStore } from './revoked-tokens.js'
import { createSessionStore } from './sessions.js'
import { createSigningKeyStore } from './signing-keys.js'
import { createUsageStore } from './usage.js'
import { createTenantStore } from './tenants.js'
import { createUserStore } from './users.js'

export function createStore(db: Database) {
  const { prisma } = db
  // On the pool itself: the announcement is off every request's path, and Prisma would only add its own work.
  const revocations = db.pool
    ? createChangeAnnouncer((statement) => db.pool!.query(statement), 'RevokedToken')
    : undefined
  return {
    provider: db.provider,
    tenants: createTenantStore(prisma),
    users: createUserStore(prisma, db.pool),
    clients: createClientStore(prisma, db.sqlite, db.pool),
    audit: createAuditStore(prisma),
    refreshTokens: createRefreshTokenStore(prisma, db.sqlite, db.pool),
    loginThrottle: createLoginThrottleStore(prisma, db.pool),
    signingKeys: createSigningKeyStore(prisma),
    revokedTokens: createRevokedTokenStore(prisma, {
      ...(revocations ? { announce: revocations.announce } : {}),
      pool: db.pool,
      sqlite: db.sqlite,
    }),
    accessKeys: createAccessKeyStore(prisma, db.sqlite, db.pool),
    sessions: createSessionStore(prisma),
    authorizationRequests: createAuthorizationRequestStore(prisma),
    authorizationCodes: createAuthorizationCodeStore(prisma, db.sqlite, db.pool),
    consents: createConsentStore(prisma, revocations ? { announce: revocations.announce } : {}),
    challenges: createChallengeStore(prisma),
    replayCache: createReplayCacheStore(prisma, db.sqlite, db.pool),
    usage: createUsageStore(prisma, db.sqlite, db.pool),
    janitor: createJanitorStore(db),
    /** True when the database answers a trivial query (readiness). */
    async ping(): Promise<boolean> {
      try {
        await prisma.$queryRawUnsafe('SELECT 1')
        return true
      } catch {
        return false
      }
    },
    async close() {
      await revocations?.settled()
      await db.close()
    },
  }
}

export type Store = ReturnType<typeof createStore>
export { createChangeFeed, type ChangeFeed, type ChangeKind } from './change-feed.js'
export type { Database } from './database.js'
export { openDatabase } from './database.js'
export { StoreError, isSqliteBusy, isUnavailable, unavailableReason } from './errors.js'
export type { Page } from './lists.js'
export { DEFAULT_TENANT_ID, DEFAULT_TENANT_SLUG } from './tenants.js'
export type { Membership, Role, Tenant, Workspace } from './tenants.js'
export { ANY_TENANT, type AnyTenant, type TenantScope } from './tenant-scope.js'
