// Refresh tokens (RFC 9700 §4.14): opaque, stored only as a SHA-256 hash, grouped in families (one per
// login). Each use marks the token used and adds its successor; a second use of a used token is a replay.
// The mark is a conditional update (`usedAt IS NULL`): of any number of concurrent uses exactly one
// changes the row, identically on SQLite and PostgreSQL (a row lock there, one writer here). The successor
// is a deterministic function of the parent, so its insert is idempotent (ON CONFLICT DO NOTHING) and goes
// in the same batch transaction as the mark: whoever wins, the one successor exists once the mark commits.
//
// This is the token endpoint's hottest write path, so it is hand-written SQL: one read (token, family and
// user joined) and one batch transaction, instead of model queries and an interactive transaction, which
// cost ~10 × more on SQLite. Identifiers are quoted (PostgreSQL folds unquoted ones to lower case); Date
// parameters are written by the adapter exactly as Prisma's own writes store them. The same statements run
// without Prisma where it matters: on SQLite's direct connection (sqlite.ts, falling back to
// Prisma when busy), and on PostgreSQL through node-postgres (postgres.ts), where the Prisma
// path below is not used; a new family too (the password grant's login) is one statement there.
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import type { PrismaClient } from '../database.js'
import { Prisma } from '../generated/sqlite/client.js'
import { StoreError } from '../errors.js'
import { newId } from '../ids.js'
import { type AnyTenant, tenantWhere, type TenantScope } from '../tenant-scope.js'
import { DEFAULT_TENANT_ID } from '../tenants.js'
import { fromList, toList } from '../lists.js'
import { createPostgresRefreshStatements } from './postgres.js'
import { RECORD_SELECT, type RecordRow } from './sql.js'
import { createSqliteRefreshStatements } from './sqlite.js'

export interface RefreshFamily {
  id: string
  /** Its user's tenant (read with the record; not set on the value createFamily returns). */
  tenantId?: string
  clientId: string
  userId: string
  scope: string[]
  audience: string
  /** Set at login; rotation never extends it. */
  absoluteExpiresAt: Date
  revokedAt: Date | null
  revokedReason: string | null
  /** The browser session the login was made in (authorization code grant); null for other grants. */
  sessionId: string | null
  /** RFC 9449 §5: a public client's family is bound to the key of its login's DPoP proof (JWK thumbprint). */
  dpopJkt: string | null
  createdAt: Date
}

export interface RefreshToken {
  id: string
  tokenHash: string
  familyId: string
  parentId: string | null
  scope: string[]
  expiresAt: Date
  usedAt: Date | null
  revokedAt: Date | null
  createdAt: Date
}

/** A token with its family and the family's user, whatever their state (active, used, revoked, expired). */
export interface RefreshTokenRecord {
  token: RefreshToken
  family: RefreshFamily & { tenantId: string }
  user: { id: string; username: string; disabled: boolean; scopes: string[] }
}

const toRecord = (row: RecordRow): RefreshTokenRecord => ({
  token: {
    id: row.id,
    tokenHash: row.tokenHash,
    familyId: row.familyId,
    parentId: row.parentId,
    scope: toList(row.scope),
    expiresAt: row.expiresAt,
    usedAt: row.usedAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
  },
  family: {
    id: row.familyId,
    clientId: row.familyClientId,
    userId: row.familyUserId,
    scope: toList(row.familyScope),
    audience: row.familyAudience,
    absoluteExpiresAt: row.familyAbsoluteExpiresAt,
    revokedAt: row.familyRevokedAt,
    revokedReason: row.familyRevokedReason,
    sessionId: row.familySessionId,
    dpopJkt: row.familyDpopJkt,
    createdAt: row.familyCreatedAt,
    tenantId: row.familyTenantId,
  },
  // SQLite stores booleans as integers; the adapter maps the declared type, this keeps it a boolean anyway.
  user: {
    id: row.familyUserId,
    username: row.userUsername,
    disabled: Boolean(row.userDisabled),
    scopes: toList(row.userScopes),
  },
})

export type RevokeReason = 'replay_detected' | 'revoked' | 'user_disabled' | 'client_deleted' | (string & {})

export function createRefreshTokenStore(
  prisma: PrismaClient,
  sqlite?: () => BetterSqlite3.Database,
  postgres?: pg.Pool,
) {
  const direct = sqlite && createSqliteRefreshStatements(sqlite)
  const pool = postgres && createPostgresRefreshStatements(postgres)
  return {
    /**
     * A new family (a login) with its first token, in one write. With `whileUser`, only while the user is
     * enabled and their password hash is still the one the login verified: a password change or a disable
     * that commits while the login is in bcrypt ends the logins it finds, and this one would not be among
     * them. The user row is read under a share lock on PostgreSQL (a change in flight is waited for, then
     * seen), and SQLite has one writer at a time. Throws StoreError('conflict') when the user has changed.
     */
    async createFamily(
      input: {
        clientId: string
        userId: string
        scope: readonly string[]
        audience: string
        absoluteExpiresAt: Date
        tokenHash: string
        tokenExpiresAt?: Date
        whileUser?: { passwordHash: string }
        /** The family's id when the caller has already named the login (an authorization code's `sid`). */
        id?: string
        /** The browser session the login was made in: a logout ends the family. */
        sessionId?: string
        /** RFC 9449 §5: every refresh must prove the key of this thumbprint. */
        dpopJkt?: string
      },
      now = new Date(),
    ): Promise<{ family: RefreshFamily; token: RefreshToken }> {
      const scope = fromList(input.scope)
      const family: RefreshFamily = {
        id: input.id ?? newId(now.getTime()),
        clientId: input.clientId,
        userId: input.userId,
        scope: toList(scope),
        audience: input.audience,
        absoluteExpiresAt: input.absoluteExpiresAt,
        revokedAt: null,
        revokedReason: null,
        sessionId: input.sessionId ?? null,
        dpopJkt: input.dpopJkt ?? null,
        createdAt: now,
      }
      const token: RefreshToken = {
        id: newId(now.getTime()),
        tokenHash: input.tokenHash,
        familyId: family.id,
        parentId: null,
        scope: toList(scope),
        // The token's own expiry (its idle lifetime), never later than the family's.
        expiresAt: new Date(
          Math.min((input.tokenExpiresAt ?? input.absoluteExpiresAt).getTime(), input.absoluteExpiresAt.getTime()),
        ),
        usedAt: null,
        revokedAt: null,
        createdAt: now,
      }
      const guard = input.whileUser
      if (pool) {
        const created = await pool.createFamily({
          ...family,
          scope,
          now,
          tokenId: token.id,
          tokenHash: token.tokenHash,
          tokenExpiresAt: token.expiresAt,
          whilePasswordHash: guard?.passwordHash ?? null,
        })
        if (!created) throw new StoreError('conflict', 'the user was disabled or given a new password during the login')
        return { family, token }
      }
      const insertFamily = guard
        ? prisma.$executeRaw`
          INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "sessionId", "dpopJkt", "createdAt", "tenantId")
          SELECT ${family.id}, ${family.clientId}, "id", ${scope}, ${family.audience}, ${family.absoluteExpiresAt}, ${family.sessionId}, ${family.dpopJkt}, ${now}, "tenantId"
          FROM "User" WHERE "id" = ${family.userId} AND NOT "disabled" AND "passwordHash" = ${guard.passwordHash}${postgres ? Prisma.sql` FOR SHARE` : Prisma.empty}`
        : prisma.$executeRaw`
          INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "sessionId", "dpopJkt", "createdAt", "tenantId")
          VALUES (${family.id}, ${family.clientId}, ${family.userId}, ${scope}, ${family.audience}, ${family.absoluteExpiresAt}, ${family.sessionId}, ${family.dpopJkt}, ${now},
            COALESCE((SELECT "tenantId" FROM "User" WHERE "id" = ${family.userId}), ${DEFAULT_TENANT_ID}))`
      // The token only with its family (a guarded family may not have been written).
      const [families] = await prisma.$transaction([
        insertFamily,
        prisma.$executeRaw`
          INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "scope", "expiresAt", "createdAt")
          SELECT ${token.id}, ${token.tokenHash}, "id", ${scope}, ${token.expiresAt}, ${now} FROM "RefreshFamily" WHERE "id" = ${family.id}`,
      ])
      if (families === 0)
        throw new StoreError('conflict', 'the user was disabled or given a new password during the login')
      return { family, token }
    },

    /**
     * The token with this hash, with its family and user, in any state; undefined when there is none. In any
     * tenant: the token is what names it (the caller passes ANY_TENANT to say so).
     */
    async findByHash(_scope: AnyTenant, tokenHash: string): Promise<RefreshTokenRecord | undefined> {
      if (pool) {
        const row = await pool.find(tokenHash)
        return row && toRecord(row)
      }
      const fast = direct?.find(tokenHash)
      if (direct && fast !== 'busy') return fast && toRecord(fast)
      const [row] = await prisma.$queryRaw<RecordRow[]>(
        Prisma.sql`${Prisma.raw(RECORD_SELECT)} WHERE t."tokenHash" = ${tokenHash}`,
      )
      return row && toRecord(row)
    },

    /**
     * Marks `parentId` used and adds its successor, in one transaction, only if the parent is still unused
     * and unrevoked. 'already_used' means another request used it first (or it was revoked meanwhile); that
     * request added the same successor, so the idempotent insert adds nothing.
     */
    async rotate(
      input: { parentId: string; familyId: string; successorHash: string; scope: readonly string[]; expiresAt: Date },
      now = new Date(),
    ): Promise<'rotated' | 'already_used'> {
      const row = { ...input, successorId: newId(now.getTime()), scope: fromList(input.scope), now }
      if (pool) return pool.rotate(row)
      const fast = await direct?.rotate(row)
      if (fast && fast !== 'busy') return fast
      const [marked] = await prisma.$transaction([
        prisma.$executeRaw`UPDATE "RefreshToken" SET "usedAt" = ${now} WHERE "id" = ${row.parentId} AND "usedAt" IS NULL AND "revokedAt" IS NULL`,
        prisma.$executeRaw`
          INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "parentId", "scope", "expiresAt", "createdAt")
          VALUES (${row.successorId}, ${row.successorHash}, ${row.familyId}, ${row.parentId}, ${row.scope}, ${row.expiresAt}, ${now})
          ON CONFLICT ("tokenHash") DO NOTHING`,
      ])
      return marked === 1 ? 'rotated' : 'already_used'
    },

    /**
     * Ends a family: none of its tokens is accepted any more. False when it was already revoked or is unknown (or
     * another tenant's).
     */
    async revokeFamily(scope: TenantScope, familyId: string, reason: RevokeReason, now = new Date()): Promise<boolean> {
      const { count } = await prisma.refreshFamily.updateMany({
        where: { id: familyId, revokedAt: null, ...tenantWhere(scope) },
        data: { revokedAt: now, revokedReason: reason },
      })
      return count === 1
    },

    /**
     * Moves the session's families still in force to another session (the same user signed in again in the
     * same browser): a logout of the new session ends them too. How many moved.
     */
    async moveSessionFamilies(scope: TenantScope, fromSessionId: string, toSessionId: string): Promise<number> {
      const { count } = await prisma.refreshFamily.updateMany({
        where: { sessionId: fromSessionId, revokedAt: null, ...tenantWhere(scope) },
        data: { sessionId: toSessionId },
      })
      return count
    },

    /** The ids of the session's families still in force (a logout ends each, oauth/end-login.ts). */
    async listSessionFamilies(scope: TenantScope, sessionId: string): Promise<string[]> {
      const families = await prisma.refreshFamily.findMany({
        where: { sessionId, revokedAt: null, ...tenantWhere(scope) },
        select: { id: true },
      })
      return families.map((family) => family.id)
    },
  }
}

export type RefreshTokenStore = ReturnType<typeof createRefreshTokenStore>
