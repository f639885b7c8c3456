// The refresh-token read and rotation on PostgreSQL through node-postgres, on the pool Prisma's adapter
// uses too (database.ts): the same SQL as the Prisma path in refresh-tokens.ts, without Prisma's per-query
// work (its query compiler and adapter cost ~1.8 ms of the event loop per refresh, measured). The rotation
// is one statement, so one round trip and its own transaction: the mark and, only when the mark changed the
// row, the successor. A concurrent use of the same parent waits for the row lock, then finds it used and
// changes nothing; that use's successor is the same one (refresh-token.ts), so nothing is lost by not
// inserting it again.
import type pg from 'pg'
import { toTimestamp, types } from '../postgres-values.js'
import { RECORD_SELECT, type RecordRow, type RotationRow } from './sql.js'

const FIND = `${RECORD_SELECT} WHERE t."tokenHash" = $1`
const ROTATE = `
  WITH marked AS (
    UPDATE "RefreshToken" SET "usedAt" = $1::timestamp(3) WHERE "id" = $2::text AND "usedAt" IS NULL AND "revokedAt" IS NULL RETURNING "id"
  ), successor AS (
    INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "parentId", "scope", "expiresAt", "createdAt")
    SELECT $3::text, $4::text, $5::text, "id", $6::text, $7::timestamp(3), $1::timestamp(3) FROM marked
    ON CONFLICT ("tokenHash") DO NOTHING
  )
  SELECT count(*)::int AS "marked" FROM marked`

export function createPostgresRefreshStatements(pool: pg.Pool) {
  return {
    async find(tokenHash: string): Promise<RecordRow | undefined> {
      const { rows } = await pool.query<RecordRow>({ text: FIND, values: [tokenHash], types })
      return rows[0]
    },

    async rotate(row: RotationRow): Promise<'rotated' | 'already_used'> {
      const now = toTimestamp(row.now)
      const { rows } = await pool.query<{ marked: number }>({
        text: ROTATE,
        values: [
          now,
          row.parentId,
          row.successorId,
          row.successorHash,
          row.familyId,
          row.scope,
          toTimestamp(row.expiresAt),
        ],
        types,
      })
      return rows[0]?.marked === 1 ? 'rotated' : 'already_used'
    },
  }
}
