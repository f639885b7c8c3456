// JWT ids already accepted (security/replay-cache.ts): a client assertion, a JWT bearer grant assertion or a
// DPoP proof is accepted once, by whichever instance sees it first. Kept until the JWT expires; expired rows
// are deleted by the janitor (janitor.ts), and one still there is taken over by the next use of its jti.
//
// A write on every request that carries a signed JWT: like the refresh-token rotation (refresh-tokens/), it
// goes without Prisma where it can, on SQLite's direct connection (prepared statements) or PostgreSQL's pool,
// the records of one turn of the event loop in one transaction; through Prisma otherwise (SQLite busy with a
// Prisma transaction, or a store built without them). The same rows and stored values on every path.
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { translate } from './errors.js'
import { createSqliteTurnWriter } from './sqlite-turn-batch.js'
import { toText } from './sqlite-values.js'
import { toTimestamp } from './postgres-values.js'
import { createTurnBatch, firstOfEachKey } from './turn-batch.js'

const UPSERT_TAIL = `ON CONFLICT ("namespace", "jti") DO UPDATE SET "expiresAt" = excluded."expiresAt"
  WHERE "UsedJti"."expiresAt" <= `

export function createReplayCacheStore(
  prisma: PrismaClient,
  sqlite?: () => BetterSqlite3.Database,
  postgres?: pg.Pool,
) {
  // SQLite: the records asked for during one turn of the event loop are written together, in one
  // BEGIN IMMEDIATE transaction at its end (sqlite-turn-batch.ts), as the refresh-token rotations are: one
  // commit for several requests. In order, so a jti twice in one batch is recorded by the first and refused to
  // the second.
  /** SQLite's direct connection: the rows changed (1 recorded, 0 a replay), or 'busy'. */
  const direct =
    sqlite &&
    createSqliteTurnWriter(sqlite, (db) => {
      const insert = db.prepare<[string, string, string, string]>(
        `INSERT INTO "UsedJti" ("namespace", "jti", "expiresAt") VALUES (?, ?, ?) ${UPSERT_TAIL}?`,
      )
      return (row: [string, string, string, string]) => insert.run(...row).changes
    })

  // PostgreSQL: likewise one statement for the records of one turn (turn-batch.ts: one round trip and one
  // commit for several requests), prepared once, over unnest() of the batch. A jti twice in one batch goes to
  // the statement once (ON CONFLICT cannot touch a row twice in one command): its first use is recorded, the
  // others are replays.
  type PgRecord = { key: string; namespace: string; jti: string; expiresAt: Date; now: Date }
  const pgRecords =
    postgres &&
    createTurnBatch<PgRecord, boolean>(async (batch) => {
      const first = firstOfEachKey(batch, (item) => item.key)
      const rows = [...first.values()]
      // The earliest clock of the batch: an expired row is taken over only if it had expired for every request.
      const now = new Date(Math.min(...rows.map((item) => item.now.getTime())))
      const result = await postgres.query<{ namespace: string; jti: string }>({
        name: 'portcullis-remember-jtis',
        text: `INSERT INTO "UsedJti" ("namespace", "jti", "expiresAt")
          SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp(3)[])
          ${UPSERT_TAIL}$4::timestamp(3) RETURNING "namespace", "jti"`,
        values: [
          rows.map((item) => item.namespace),
          rows.map((item) => item.jti),
          rows.map((item) => toTimestamp(item.expiresAt)),
          toTimestamp(now),
        ],
      })
      const recorded = new Set(result.rows.map((row) => `${row.namespace}\u0000${row.jti}`))
      return batch.map((item) => first.get(item.key) === item && recorded.has(item.key))
    })

  return {
    /**
     * Records `jti` in `namespace` until `expiresAt`; false when it is already recorded and unexpired at `now`.
     * One statement: PostgreSQL's ON CONFLICT locks the row and evaluates the WHERE on its newest version, and
     * SQLite writes one statement at a time, so of two instances recording the same jti at once only one
     * inserts (or takes over an expired row) and the other changes nothing.
     */
    async remember(namespace: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> {
      if (direct) {
        const changed = await direct([namespace, jti, toText(expiresAt), toText(now)])
        if (changed !== 'busy') return changed === 1
      } else if (pgRecords) {
        return pgRecords.add({ key: `${namespace}\u0000${jti}`, namespace, jti, expiresAt, now })
      }
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
