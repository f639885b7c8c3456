// The refresh-token read and rotation on PostgreSQL through node-postgres, on the pool Prisma's adapter
// uses too (database.ts): the same SQL as the Prisma path in index.ts, without Prisma's per-query work (its
// query compiler and adapter cost ~1.8 ms of the event loop per refresh, measured).
//
// Like the SQLite path (sqlite.ts), the reads and the rotations asked for during one turn of the event loop
// go together (turn-batch.ts): one statement over unnest() of the batch, so one round trip for the reads
// and one round trip and one commit for the rotations of several requests. The rotation statement marks
// each parent used only if it is still unused and unrevoked, and adds the successor of each parent it
// marked, in one implicit transaction: a successor exists once its mark commits. A concurrent use of the
// same parent (another batch, another instance) waits for the row lock, then finds it used and changes
// nothing; that use's successor is the same one (refresh-token.ts), so nothing is lost by not inserting it
// again. Two uses of one parent in the same batch go to the statement once: the first is decided by it, the
// others are 'already_used'. Should the batch's statement fail on one row's data (e.g. a family deleted
// meanwhile), it was rolled back whole, and each rotation is sent again alone, so it fails alone.
import type pg from 'pg'
import { toTimestamp, types } from '../postgres-values.js'
import { createTurnBatch, firstOfEachKey, writeEachAloneOnRowError } from '../turn-batch.js'
import { DEFAULT_TENANT_ID } from '../tenants.js'
import { RECORD_SELECT, type RecordRow, type RotationRow } from './sql.js'

const FIND = `${RECORD_SELECT} WHERE t."tokenHash" = ANY($1::text[])`
const ROTATE = `
  WITH batch AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamp(3)[], $7::timestamp(3)[])
      AS b ("parentId", "successorId", "successorHash", "familyId", "scope", "expiresAt", "now")
  ), marked AS (
    UPDATE "RefreshToken" AS t SET "usedAt" = b."now"
    FROM batch AS b
    WHERE t."id" = b."parentId" AND t."usedAt" IS NULL AND t."revokedAt" IS NULL
    RETURNING t."id"
  ), successor AS (
    INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "parentId", "scope", "expiresAt", "createdAt")
    SELECT b."successorId", b."successorHash", b."familyId", b."parentId", b."scope", b."expiresAt", b."now"
    FROM batch AS b JOIN marked AS m ON m."id" = b."parentId"
    ON CONFLICT ("tokenHash") DO NOTHING
  )
  SELECT "id" FROM marked`

// A new family and its first token in one statement (its own transaction): the token only with its family.
// Guarded, the family is written only while the user is enabled and has the password hash the login
// verified, read under a share lock (a change in flight is waited for, then seen).
const familyInsert = (source: string) => `
  WITH family AS (
    INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "sessionId", "dpopJkt", "createdAt", "tenantId")
    ${source}
    RETURNING "id"
  ), token AS (
    INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "scope", "expiresAt", "createdAt")
    SELECT $9::text, $10::text, "id", $4::text, $11::timestamp(3), $8::timestamp(3) FROM family
  )
  SELECT count(*)::int AS "created" FROM family`
const CREATE_FAMILY =
  familyInsert(`VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::timestamp(3), $7::text, $12::text, $8::timestamp(3),
      COALESCE((SELECT "tenantId" FROM "User" WHERE "id" = $3::text), $13::text))`)
const CREATE_FAMILY_WHILE_USER =
  familyInsert(`SELECT $1::text, $2::text, "id", $4::text, $5::text, $6::timestamp(3), $7::text, $12::text, $8::timestamp(3), "tenantId"
    FROM "User" WHERE "id" = $3::text AND NOT "disabled" AND "passwordHash" = $13::text FOR SHARE`)

/** What createFamily writes: the family's row, its first token, and the guard when there is one. */
export interface NewFamilyRow {
  id: string
  clientId: string
  userId: string
  scope: string
  audience: string
  absoluteExpiresAt: Date
  sessionId: string | null
  dpopJkt: string | null
  now: Date
  tokenId: string
  tokenHash: string
  tokenExpiresAt: Date
  /** Only while the user is enabled and has this password hash (a login that verified it); null: unguarded. */
  whilePasswordHash: string | null
}

type Rotation = 'rotated' | 'already_used'

export function createPostgresRefreshStatements(pool: pg.Pool) {
  const finds = createTurnBatch<string, RecordRow | undefined>(async (hashes) => {
    const unique = [...new Set(hashes)]
    const { rows } = await pool.query<RecordRow>({ text: FIND, values: [unique], types })
    const byHash = new Map(rows.map((row) => [row.tokenHash, row]))
    return hashes.map((hash) => byHash.get(hash))
  })

  async function rotateAll(rotations: readonly RotationRow[]): Promise<Rotation[]> {
    const first = firstOfEachKey(rotations, (row) => row.parentId)
    const rows = [...first.values()]
    const { rows: marked } = await pool.query<{ id: string }>({
      text: ROTATE,
      values: [
        rows.map((row) => row.parentId),
        rows.map((row) => row.successorId),
        rows.map((row) => row.successorHash),
        rows.map((row) => row.familyId),
        rows.map((row) => row.scope),
        rows.map((row) => toTimestamp(row.expiresAt)),
        rows.map((row) => toTimestamp(row.now)),
      ],
      types,
    })
    const won = new Set(marked.map((row) => row.id))
    return rotations.map((row) =>
      first.get(row.parentId) === row && won.has(row.parentId) ? 'rotated' : 'already_used',
    )
  }

  const rotations = createTurnBatch<RotationRow, Rotation>((rows) => writeEachAloneOnRowError(rows, rotateAll))

  return {
    /** True when the family and its token were written; false when the guard found the user changed. */
    async createFamily(row: NewFamilyRow): Promise<boolean> {
      const guarded = row.whilePasswordHash !== null
      const { rows } = await pool.query<{ created: number }>({
        name: guarded ? 'portcullis-create-family-while-user' : 'portcullis-create-family',
        text: guarded ? CREATE_FAMILY_WHILE_USER : CREATE_FAMILY,
        values: [
          row.id,
          row.clientId,
          row.userId,
          row.scope,
          row.audience,
          toTimestamp(row.absoluteExpiresAt),
          row.sessionId,
          toTimestamp(row.now),
          row.tokenId,
          row.tokenHash,
          toTimestamp(row.tokenExpiresAt),
          row.dpopJkt,
          // The guard's hash, or the tenant of a family whose user is not found (the Prisma path's COALESCE).
          row.whilePasswordHash ?? DEFAULT_TENANT_ID,
        ],
        types,
      })
      return rows[0]?.created === 1
    },
    find: (tokenHash: string): Promise<RecordRow | undefined> => finds.add(tokenHash),
    rotate: (row: RotationRow): Promise<Rotation> => rotations.add(row),
  }
}
