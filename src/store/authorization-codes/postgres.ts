// The code redemption on PostgreSQL through node-postgres, on the pool Prisma's adapter uses too
// (database.ts), without Prisma's per-query work. Two round trips: the read of the code with its user, then
// one statement (its own transaction) that marks the code used only if it is still unused and its user still
// enabled, and adds the login's refresh family and first token only when the mark changed the row. A
// concurrent redemption of the same code waits for the row lock, then finds it used and changes nothing.
//
// Like the refresh rotation (../refresh-tokens/postgres.ts), the reads and the writes asked for during one
// turn of the event loop go together (turn-batch.ts): one named prepared statement over unnest() of the
// batch, so several redemptions share one round trip for their reads and one round trip and one commit for
// their writes. Two redemptions of one code in the same batch go to the statement once: the first is decided
// by it, the others are told they lost (and read the code again, finding it used). Should the batch's
// statement fail on one row's data (a client deleted meanwhile, say), it was rolled back whole, and each
// write is sent again alone, so it fails alone.
import type pg from 'pg'
import { toTimestamp, types } from '../postgres-values.js'
import { createTurnBatch, firstOfEachKey, writeEachAloneOnRowError } from '../turn-batch.js'
import { CODE_COLUMNS, CODE_FROM, type CodeRow, type RedemptionRow } from './sql.js'

const FIND = `SELECT c."codeHash" AS "lookupHash", ${CODE_COLUMNS} ${CODE_FROM} ANY($1::text[])`
const REDEEM = `
  WITH batch AS (
    SELECT * FROM unnest(
      $1::text[], $2::text[], $3::text[], $4::timestamp(3)[], $5::boolean[], $6::text[], $7::text[], $8::text[],
      $9::timestamp(3)[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamp(3)[]
    ) AS b ("codeId", "familyId", "userId", "now", "withFamily", "clientId", "scope", "audience",
      "absoluteExpiresAt", "sessionId", "dpopJkt", "tokenId", "tokenHash", "tokenExpiresAt")
  ), marked AS (
    UPDATE "AuthorizationCode" AS c SET "usedAt" = b."now", "familyId" = b."familyId"
    FROM batch AS b, "User" AS u
    WHERE c."id" = b."codeId" AND c."usedAt" IS NULL AND u."id" = b."userId" AND NOT u."disabled"
    RETURNING c."id", u."tenantId"
  ), family AS (
    INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "sessionId", "dpopJkt", "createdAt", "tenantId")
    SELECT b."familyId", b."clientId", b."userId", b."scope", b."audience", b."absoluteExpiresAt", b."sessionId", b."dpopJkt", b."now", m."tenantId"
    FROM batch AS b JOIN marked AS m ON m."id" = b."codeId"
    WHERE b."withFamily"
    RETURNING "id"
  ), token AS (
    INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "scope", "expiresAt", "createdAt")
    SELECT b."tokenId", b."tokenHash", f."id", b."scope", b."tokenExpiresAt", b."now"
    FROM batch AS b JOIN family AS f ON f."id" = b."familyId"
  )
  SELECT "id" FROM marked`

type FoundRow = CodeRow & { lookupHash: string }

/** The columns of REDEEM's batch, one array each, from its rows (a row without a family has nulls there). */
function toColumns(rows: readonly RedemptionRow[]): unknown[] {
  const family = (pick: (f: NonNullable<RedemptionRow['family']>) => unknown) =>
    rows.map((row) => (row.family ? pick(row.family) : null))
  return [
    rows.map((row) => row.codeId),
    rows.map((row) => row.familyId),
    rows.map((row) => row.userId),
    rows.map((row) => toTimestamp(row.now)),
    rows.map((row) => row.family !== undefined),
    family((f) => f.clientId),
    family((f) => f.scope),
    family((f) => f.audience),
    family((f) => toTimestamp(f.absoluteExpiresAt)),
    family((f) => f.sessionId),
    family((f) => f.dpopJkt),
    family((f) => f.tokenId),
    family((f) => f.tokenHash),
    family((f) => toTimestamp(f.tokenExpiresAt)),
  ]
}

export function createPostgresCodeStatements(pool: pg.Pool) {
  const finds = createTurnBatch<string, CodeRow | undefined>(async (hashes) => {
    const { rows } = await pool.query<FoundRow>({
      name: 'portcullis-find-codes',
      text: FIND,
      values: [[...new Set(hashes)]],
      types,
    })
    const byHash = new Map(rows.map(({ lookupHash, ...row }) => [lookupHash, row as CodeRow]))
    return hashes.map((hash) => byHash.get(hash))
  })

  async function writeAll(writes: readonly RedemptionRow[]): Promise<boolean[]> {
    const first = firstOfEachKey(writes, (row) => row.codeId)
    const { rows: marked } = await pool.query<{ id: string }>({
      name: 'portcullis-redeem-codes',
      text: REDEEM,
      values: toColumns([...first.values()]),
      types,
    })
    const won = new Set(marked.map((row) => row.id))
    return writes.map((row) => first.get(row.codeId) === row && won.has(row.codeId))
  }

  const writes = createTurnBatch<RedemptionRow, boolean>((rows) => writeEachAloneOnRowError(rows, writeAll))

  return {
    find: (codeHash: string): Promise<CodeRow | undefined> => finds.add(codeHash),
    /** True when this call marked the code (and wrote the family); false when it was used or its user disabled. */
    write: (row: RedemptionRow): Promise<boolean> => writes.add(row),
  }
}
