// What the three refresh-token paths share (Prisma's in refresh-tokens.ts, SQLite's prepared statements in
// sqlite.ts, node-postgres in postgres.ts): the joined read, whose quoted
// identifiers both providers accept, and the row a rotation writes.
export const RECORD_SELECT = `
  SELECT t."id", t."tokenHash", t."familyId", t."parentId", t."scope", t."expiresAt", t."usedAt", t."revokedAt", t."createdAt",
    f."clientId" AS "familyClientId", f."userId" AS "familyUserId", f."scope" AS "familyScope", f."audience" AS "familyAudience",
    f."absoluteExpiresAt" AS "familyAbsoluteExpiresAt", f."revokedAt" AS "familyRevokedAt", f."revokedReason" AS "familyRevokedReason",
    f."createdAt" AS "familyCreatedAt", f."sessionId" AS "familySessionId", f."dpopJkt" AS "familyDpopJkt", f."tenantId" AS "familyTenantId", u."username" AS "userUsername", u."disabled" AS "userDisabled", u."scopes" AS "userScopes"
  FROM "RefreshToken" AS t
  JOIN "RefreshFamily" AS f ON f."id" = t."familyId"
  JOIN "User" AS u ON u."id" = f."userId"`

/** One row of findByHash's join: the token's columns, then the family's and the user's, prefixed. */
export interface RecordRow {
  id: string
  tokenHash: string
  familyId: string
  parentId: string | null
  scope: string
  expiresAt: Date
  usedAt: Date | null
  revokedAt: Date | null
  createdAt: Date
  familyClientId: string
  familyUserId: string
  familyScope: string
  familyAudience: string
  familyAbsoluteExpiresAt: Date
  familyRevokedAt: Date | null
  familyRevokedReason: string | null
  familyCreatedAt: Date
  familySessionId: string | null
  familyDpopJkt: string | null
  familyTenantId: string
  userUsername: string
  userDisabled: boolean
  userScopes: string
}

export interface RotationRow {
  parentId: string
  successorId: string
  successorHash: string
  familyId: string
  scope: string
  expiresAt: Date
  now: Date
}
