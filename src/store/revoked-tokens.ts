// Revoked JWT access tokens (RFC 7009 §2.1): a JWT cannot be unsaid, so its `jti` is remembered until the
// token would have expired anyway, and introspection answers inactive for it. Each app instance keeps the
// unexpired jtis in memory (security/revocation-list.ts): it reads them all at start, then the rows recorded
// since its last read, every REVOCATION_SYNC_INTERVAL. Expired rows are deleted by the janitor (janitor.ts).
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { toTimestamp, types } from './postgres-values.js'
import { toText } from './sqlite-values.js'
import { createSqliteTurnWriter } from './sqlite-turn-batch.js'
import { createTurnBatch, firstOfEachKey, writeEachAloneOnRowError } from './turn-batch.js'

export interface RevokedJti {
  jti: string
  expiresAt: Date
  /** When it was recorded: for a cutoff (recordCutoff), the time before which the tokens it names were issued. */
  createdAt: Date
}

const ROW = { jti: true, expiresAt: true, createdAt: true } as const

/**
 * Records a cutoff: the entry `jti` refuses the tokens it names that were issued at or before `at`, until
 * `expiresAt`. A later cutoff for the same entry moves both forward (an earlier one, e.g. from an instance
 * whose clock is behind, changes nothing), and since createdAt moves too, the other instances' next sync
 * (listRecordedSince) reads it. One statement, usable inside a transaction.
 */
export async function recordCutoff(
  db: Pick<PrismaClient, '$executeRaw'>,
  jti: string,
  expiresAt: Date,
  at: Date,
): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt") VALUES (${jti}, ${expiresAt}, ${at})
    ON CONFLICT ("jti") DO UPDATE SET "expiresAt" = excluded."expiresAt", "createdAt" = excluded."createdAt"
    WHERE "RevokedToken"."createdAt" < excluded."createdAt"`
}

interface Revocation {
  jti: string
  expiresAt: Date
  now: Date
  /** The revocation list that holds it already (listRecordedSince skips its rows for it), or null. */
  writer: string | null
}

// PostgreSQL, every /oauth/revoke of a JWT: the revocations asked for during one turn of the event loop are
// recorded by one statement over unnest() of the batch, on the pool without Prisma (turn-batch.ts): one round
// trip and one commit for several requests, each acknowledged only once that commit is done. A jti twice in
// one batch is sent once (the outcome is the same row).
const RECORD_ALL = `
  INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt", "writer")
  SELECT * FROM unnest($1::text[], $2::timestamp(3)[], $3::timestamp(3)[], $4::text[])
  ON CONFLICT ("jti") DO NOTHING`

/**
 * Revocation batches sent at once (each one round trip and one commit): one. Under load the revocations that
 * arrive while a batch commits all leave together in the next, so a commit (and its WAL flush) is shared by
 * as many requests as possible; on two cores a second batch in flight measured slower (docs/scaling.md).
 */
const REVOCATIONS_IN_FLIGHT = 1

function createPostgresRevocations(pool: pg.Pool) {
  async function recordAll(revocations: Revocation[]): Promise<undefined[]> {
    const rows = [...firstOfEachKey(revocations, (row) => row.jti).values()]
    // Prepared once per connection: PostgreSQL neither parses nor plans it again.
    await pool.query({
      name: 'portcullis-record-revocations',
      text: RECORD_ALL,
      values: [
        rows.map((row) => row.jti),
        rows.map((row) => toTimestamp(row.expiresAt)),
        rows.map((row) => toTimestamp(row.now)),
        rows.map((row) => row.writer),
      ],
    })
    return revocations.map(() => undefined)
  }
  return createTurnBatch<Revocation, undefined>((rows) => writeEachAloneOnRowError(rows, recordAll), {
    maxInFlight: REVOCATIONS_IN_FLIGHT,
  })
}

// SQLite, every /oauth/revoke of a JWT: the revocations of one turn in one transaction on the direct connection
// (sqlite-turn-batch.ts), as the refresh-token rotations are: one commit for several requests.
function createSqliteRevocations(connect: () => BetterSqlite3.Database) {
  const record = createSqliteTurnWriter(connect, (db) => {
    const insert = db.prepare<[string, string, string, string | null]>(
      `INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt", "writer") VALUES (?, ?, ?, ?) ON CONFLICT ("jti") DO NOTHING`,
    )
    return (row: [string, string, string, string | null]) => {
      insert.run(...row)
      return 'recorded' as const
    }
  })
  return (revocation: Revocation): Promise<'recorded' | 'busy'> =>
    record([revocation.jti, toText(revocation.expiresAt), toText(revocation.now), revocation.writer])
}

/**
 * `announce`: tells the other instances after a revocation commits (PostgreSQL; change-feed.ts). `pool`:
 * PostgreSQL's pool, `sqlite`: SQLite's direct connection (database.ts), for the revocations of the revocation
 * endpoint without Prisma.
 */
export function createRevokedTokenStore(
  prisma: PrismaClient,
  options: {
    announce?: () => void
    pool?: pg.Pool | undefined
    sqlite?: (() => BetterSqlite3.Database) | undefined
  } = {},
) {
  const batch = options.pool && createPostgresRevocations(options.pool)
  const direct = !options.pool && options.sqlite ? createSqliteRevocations(options.sqlite) : undefined
  return {
    /**
     * Records `jti` as revoked until `expiresAt` (the token's exp plus the clock-skew allowance).
     * Idempotent: revoking twice, or from two instances at once, keeps one row.
     */
    async revoke(jti: string, expiresAt: Date, now = new Date(), writer: string | null = null): Promise<void> {
      if (expiresAt.getTime() > now.getTime()) {
        // One statement (Prisma's upsert is a read, then a write, in a transaction of its own). createdAt from
        // the caller's clock: the other instances read the rows recorded since their last sync. A jti already
        // there (revoked twice, or by two instances at once) is the same outcome.
        if (batch) await batch.add({ jti, expiresAt, now, writer })
        else if (!direct || (await direct({ jti, expiresAt, now, writer })) === 'busy')
          await prisma.$executeRaw`
          INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt", "writer") VALUES (${jti}, ${expiresAt}, ${now}, ${writer})
          ON CONFLICT ("jti") DO NOTHING`
        options.announce?.()
      }
    },

    /** True when `jti` was revoked (one lookup by primary key). */
    async isRevoked(jti: string): Promise<boolean> {
      const row = await prisma.revokedToken.findUnique({ where: { jti }, select: { jti: true } })
      return row !== null
    },

    /** Records a cutoff (see recordCutoff). */
    async cutOff(jti: string, expiresAt: Date, at: Date): Promise<void> {
      await recordCutoff(prisma, jti, expiresAt, at)
    },

    /** Every jti whose token has not expired at `now`, with when it expires and was recorded. */
    async listActive(now: Date): Promise<RevokedJti[]> {
      return prisma.revokedToken.findMany({ where: { expiresAt: { gt: now } }, select: ROW })
    },

    /**
     * The jtis recorded at or after `since` whose tokens have not expired at `now`. Read every
     * REVOCATION_SYNC_INTERVAL by every instance, and as many rows as revocations in that interval plus its
     * overlap (security/revocation-list.ts): on PostgreSQL on the pool, as arrays, which costs 2.5 × less CPU
     * per row than Prisma (60,000 rows: ≈ 200 ms against ≈ 500 ms on the event loop). Without the rows `writer`
     * recorded (revoke's last argument): the list that reads them holds them already.
     */
    async listRecordedSince(since: Date, now: Date, writer: string | null = null): Promise<RevokedJti[]> {
      if (!options.pool)
        return prisma.revokedToken.findMany({
          where: {
            createdAt: { gte: since },
            expiresAt: { gt: now },
            ...(writer === null ? {} : { OR: [{ writer: null }, { writer: { not: writer } }] }),
          },
          select: ROW,
        })
      const { rows } = await options.pool.query<[string, Date, Date]>({
        name: 'portcullis-revocations-since',
        text: `SELECT "jti", "expiresAt", "createdAt" FROM "RevokedToken"
          WHERE "createdAt" >= $1 AND "expiresAt" > $2 AND ("writer" IS NULL OR "writer" IS DISTINCT FROM $3::text)`,
        values: [toTimestamp(since), toTimestamp(now), writer],
        types,
        rowMode: 'array',
      })
      return rows.map(([jti, expiresAt, createdAt]) => ({ jti, expiresAt, createdAt }))
    },
  }
}

export type RevokedTokenStore = ReturnType<typeof createRevokedTokenStore>
