// The code redemption on PostgreSQL through node-postgres, on the pool Prisma's adapter uses too
// (database.ts), without Prisma's per-query work. Two round trips: the read of the code with its user, then
// one statement (its own transaction) that marks the code used only if it is still unused and its user still
// enabled, and adds the login's refresh family and first token only when the mark changed the row. A
// concurrent redemption of the same code waits for the row lock, then finds it used and changes nothing.
import type pg from 'pg'
import { toTimestamp, types } from '../postgres-values.js'
import { CODE_SELECT, type CodeRow, type RedemptionRow } from './sql.js'

const FIND = `${CODE_SELECT} $1`
const MARK = `
  UPDATE "AuthorizationCode" SET "usedAt" = $1::timestamp(3), "familyId" = $2::text
  WHERE "id" = $3::text AND "usedAt" IS NULL AND EXISTS (SELECT 1 FROM "User" WHERE "id" = $4::text AND NOT "disabled")
  RETURNING "id"`
const MARK_ONLY = `WITH marked AS (${MARK}) SELECT count(*)::int AS "marked" FROM marked`
const MARK_AND_CREATE_FAMILY = `
  WITH marked AS (${MARK}
  ), family AS (
    INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "sessionId", "dpopJkt", "createdAt", "tenantId")
    SELECT $2::text, $5::text, $4::text, $6::text, $7::text, $8::timestamp(3), $9::text, $13::text, $1::timestamp(3),
      (SELECT "tenantId" FROM "User" WHERE "id" = $4::text) FROM marked
    RETURNING "id"
  ), token AS (
    INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "scope", "expiresAt", "createdAt")
    SELECT $10::text, $11::text, "id", $6::text, $12::timestamp(3), $1::timestamp(3) FROM family
  )
  SELECT count(*)::int AS "marked" FROM marked`

export function createPostgresCodeStatements(pool: pg.Pool) {
  return {
    async find(codeHash: string): Promise<CodeRow | undefined> {
      const { rows } = await pool.query<CodeRow>({ text: FIND, values: [codeHash], types })
      return rows[0]
    },

    /** True when this call marked the code (and wrote the family); false when it was used or its user disabled. */
    async write(row: RedemptionRow): Promise<boolean> {
      const mark = [toTimestamp(row.now), row.familyId, row.codeId, row.userId]
      const family = row.family
      const { rows } = await pool.query<{ marked: number }>(
        family
          ? {
              text: MARK_AND_CREATE_FAMILY,
              values: [
                ...mark,
                family.clientId,
                family.scope,
                family.audience,
                toTimestamp(family.absoluteExpiresAt),
                family.sessionId,
                family.tokenId,
                family.tokenHash,
                toTimestamp(family.tokenExpiresAt),
                family.dpopJkt,
              ],
            }
          : { text: MARK_ONLY, values: mark },
      )
      return rows[0]?.marked === 1
    },
  }
}
