// Refresh tokens (RFC 9700 §4.14): opaque, stored only as a SHA-256 hash, grouped in families (one per
// login). Each use marks the token used and adds its successor; a second use of a used token is a replay.
// The mark is a conditional update (`usedAt IS NULL`) inside the transaction that adds the successor, so
// of any number of concurrent uses exactly one rotates, identically on SQLite and PostgreSQL.
import type { PrismaClient } from './database.js'
import { newId } from './ids.js'
import { fromList, toList } from './lists.js'

export interface RefreshFamily {
  id: string
  clientId: string
  userId: string
  scope: string[]
  audience: string
  /** Set at login; rotation never extends it. */
  absoluteExpiresAt: Date
  revokedAt: Date | null
  revokedReason: string | null
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
  family: RefreshFamily
  user: { id: string; username: string; disabled: boolean; scopes: string[] }
}

type FamilyRow = Omit<RefreshFamily, 'scope'> & { scope: string }
type TokenRow = Omit<RefreshToken, 'scope'> & { scope: string }

const toFamily = (row: FamilyRow): RefreshFamily => ({
  id: row.id,
  clientId: row.clientId,
  userId: row.userId,
  scope: toList(row.scope),
  audience: row.audience,
  absoluteExpiresAt: row.absoluteExpiresAt,
  revokedAt: row.revokedAt,
  revokedReason: row.revokedReason,
  createdAt: row.createdAt,
})

const toToken = (row: TokenRow): RefreshToken => ({
  id: row.id,
  tokenHash: row.tokenHash,
  familyId: row.familyId,
  parentId: row.parentId,
  scope: toList(row.scope),
  expiresAt: row.expiresAt,
  usedAt: row.usedAt,
  revokedAt: row.revokedAt,
  createdAt: row.createdAt,
})

export type RevokeReason = 'replay_detected' | 'revoked' | 'user_disabled' | 'client_deleted' | (string & {})

export function createRefreshTokenStore(prisma: PrismaClient) {
  return {
    /** A new family (a login) with its first token, in one write. */
    async createFamily(
      input: { clientId: string; userId: string; scope: readonly string[]; audience: string; absoluteExpiresAt: Date; tokenHash: string },
      now = new Date(),
    ): Promise<{ family: RefreshFamily; token: RefreshToken }> {
      const scope = fromList(input.scope)
      const row = await prisma.refreshFamily.create({
        data: {
          id: newId(now.getTime()),
          clientId: input.clientId,
          userId: input.userId,
          scope,
          audience: input.audience,
          absoluteExpiresAt: input.absoluteExpiresAt,
          createdAt: now,
          tokens: { create: { id: newId(now.getTime()), tokenHash: input.tokenHash, scope, expiresAt: input.absoluteExpiresAt, createdAt: now } },
        },
        include: { tokens: true },
      })
      return { family: toFamily(row), token: toToken(row.tokens[0]!) }
    },

    /** The token with this hash, with its family and user, in any state; undefined when there is none. */
    async findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
      const row = await prisma.refreshToken.findUnique({
        where: { tokenHash },
        include: { family: { include: { user: { select: { id: true, username: true, disabled: true, scopes: true } } } } },
      })
      if (!row) return undefined
      const { family, ...token } = row
      const { user, ...familyRow } = family
      return { token: toToken(token), family: toFamily(familyRow), user: { ...user, scopes: toList(user.scopes) } }
    },

    /**
     * Marks `parentId` used and adds its successor, in one transaction, only if the parent is still unused
     * and unrevoked. 'already_used' means another request used it first (or it was revoked meanwhile).
     */
    async rotate(input: { parentId: string; familyId: string; successorHash: string; scope: readonly string[]; expiresAt: Date }, now = new Date()): Promise<'rotated' | 'already_used'> {
      return prisma.$transaction(
        async (tx) => {
          const marked = await tx.refreshToken.updateMany({ where: { id: input.parentId, usedAt: null, revokedAt: null }, data: { usedAt: now } })
          if (marked.count !== 1) return 'already_used'
          await tx.refreshToken.create({
            data: { id: newId(now.getTime()), tokenHash: input.successorHash, familyId: input.familyId, parentId: input.parentId, scope: fromList(input.scope), expiresAt: input.expiresAt, createdAt: now },
          })
          return 'rotated'
        },
        // A burst of parallel uses of one token queues here (SQLite runs one transaction at a time): waiting
        // is right, failing after Prisma's default 2 s would turn a busy moment into server errors.
        { maxWait: 15_000, timeout: 15_000 },
      )
    },

    /** Ends a family: none of its tokens is accepted any more. False when it was already revoked or is unknown. */
    async revokeFamily(familyId: string, reason: RevokeReason, now = new Date()): Promise<boolean> {
      const { count } = await prisma.refreshFamily.updateMany({ where: { id: familyId, revokedAt: null }, data: { revokedAt: now, revokedReason: reason } })
      return count === 1
    },
  }
}

export type RefreshTokenStore = ReturnType<typeof createRefreshTokenStore>
