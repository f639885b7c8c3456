// What the three redemption paths share (SQLite's direct connection in sqlite.ts, node-postgres in
// postgres.ts, Prisma in index.ts): the read of a code with its user and its session's authentication
// methods, and the rows a redemption writes. Identifiers are quoted: PostgreSQL folds unquoted ones.
import { toList } from '../lists.js'
import { type Stored, toDate } from '../sqlite-values.js'
import type { AuthorizationCode, RedeemableCode, Redemption } from './types.js'

/** The columns of CodeRow, and where they come from up to the code hash's comparison. */
export const CODE_COLUMNS = `c."id", c."clientId", c."userId", c."sessionId", c."redirectUri", c."redirectUriSent", c."codeChallenge",
    c."scope", c."audience", c."nonce", c."authTime", c."expiresAt", c."usedAt", c."familyId", c."dpopJkt", c."createdAt",
    u."id" AS "userFound", u."disabled" AS "userDisabled", u."scopes" AS "userScopes", s."amr" AS "sessionAmr"`
export const CODE_FROM = `FROM "AuthorizationCode" AS c
  LEFT JOIN "User" AS u ON u."id" = c."userId"
  LEFT JOIN "Session" AS s ON s."id" = c."sessionId"
  WHERE c."codeHash" = `

/** Ends with the code hash's comparison: each path appends its own placeholder. */
export const CODE_SELECT = `SELECT ${CODE_COLUMNS} ${CODE_FROM}`

type Value = Stored | Date | boolean

/** A row of CODE_SELECT as a driver returns it: Dates or their stored text, booleans or 0/1. */
export type CodeRow = Record<
  keyof AuthorizationCode | 'userFound' | 'userDisabled' | 'userScopes' | 'sessionAmr',
  Value
>

const asDate = (value: Value): Date => (value instanceof Date ? value : toDate(value as Stored))
const asDateOrNull = (value: Value): Date | null => (value === null ? null : asDate(value))
const asText = (value: Value): string => value as string
const asTextOrNull = (value: Value): string | null => (value === null ? null : (value as string))

export function toRedeemable(row: CodeRow): RedeemableCode {
  return {
    code: {
      id: asText(row.id),
      clientId: asText(row.clientId),
      userId: asText(row.userId),
      sessionId: asTextOrNull(row.sessionId),
      redirectUri: asText(row.redirectUri),
      redirectUriSent: Boolean(row.redirectUriSent),
      codeChallenge: asText(row.codeChallenge),
      scope: toList(asText(row.scope)),
      audience: asText(row.audience),
      nonce: asTextOrNull(row.nonce),
      authTime: asDate(row.authTime),
      expiresAt: asDate(row.expiresAt),
      usedAt: asDateOrNull(row.usedAt),
      familyId: asTextOrNull(row.familyId),
      dpopJkt: asTextOrNull(row.dpopJkt),
      createdAt: asDate(row.createdAt),
    },
    user:
      row.userFound === null
        ? undefined
        : { id: asText(row.userFound), disabled: Boolean(row.userDisabled), scopes: toList(asText(row.userScopes)) },
    session: row.sessionAmr === null ? undefined : { amr: toList(asText(row.sessionAmr)) },
  }
}

/** What a redemption writes: the code's mark, and the login's refresh family and first token when one is issued. */
export interface RedemptionRow {
  codeId: string
  familyId: string
  userId: string
  now: Date
  family?: {
    clientId: string
    scope: string
    audience: string
    absoluteExpiresAt: Date
    sessionId: string | null
    dpopJkt: string | null
    tokenId: string
    tokenHash: string
    tokenExpiresAt: Date
  }
}

export function toRedemptionRow(
  code: AuthorizationCode,
  redemption: Redemption,
  ids: { tokenId: string; scope: string },
  now: Date,
): RedemptionRow {
  const refresh = redemption.refresh
  return {
    codeId: code.id,
    familyId: redemption.familyId,
    userId: code.userId,
    now,
    ...(refresh
      ? {
          family: {
            clientId: code.clientId,
            scope: ids.scope,
            audience: refresh.audience,
            absoluteExpiresAt: refresh.absoluteExpiresAt,
            sessionId: code.sessionId,
            dpopJkt: refresh.dpopJkt ?? null,
            tokenId: ids.tokenId,
            tokenHash: refresh.tokenHash,
            // The token's own expiry (its idle lifetime), never later than the family's.
            tokenExpiresAt: new Date(Math.min(refresh.tokenExpiresAt.getTime(), refresh.absoluteExpiresAt.getTime())),
          },
        }
      : {}),
  }
}
