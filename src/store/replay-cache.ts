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

const UPSERT_TAIL = `ON CONFLICT ("namespace", "jti") DO UPDATE SET "expiresAt" = excluded."expiresAt"
  WHERE "UsedJti"."expiresAt" <= `

// Prisma's SQLite adapter stores DateTime as ISO 8601 text with a "+00:00" offset (refresh-tokens/sqlite.ts),
// which compares in time order as text.
const sqliteText = (date: Date): string => date.toISOString().replace('Z', '+00:00')

const isBusy = (err: unknown): boolean =>
  typeof err === 'object' &&
  err !== null &&
  'code' in err &&
  typeof err.code === 'string' &&
  /^SQLITE_(BUSY|LOCKED)/.test(err.code)

export function createReplayCacheStore(
  prisma: PrismaClient,
  sqlite?: () => BetterSqlite3.Database,
  postgres?: pg.Pool,
) {
  // SQLite: the records asked for during one turn of the event loop are written together, in one
  // BEGIN IMMEDIATE transaction at its end (setImmediate), as the refresh-token rotations are: one commit for
  // several requests. Each row's statement is its own (a failure fails that row alone); in order, so a jti
  // twice in one batch is recorded by the first and refused to the second.
  type Pending = {
    row: [string, string, string, string]
    resolve: (result: number | 'busy') => void
    reject: (err: unknown) => void
  }
  let pending: Pending[] = []
  let writeAll: ((rows: Pending['row'][]) => (number | unknown)[]) | undefined
  const prepare = (db: BetterSqlite3.Database) => {
    const insert = db.prepare<[string, string, string, string]>(
      `INSERT INTO "UsedJti" ("namespace", "jti", "expiresAt") VALUES (?, ?, ?) ${UPSERT_TAIL}?`,
    )
    const all = db.transaction((rows: Pending['row'][]) =>
      rows.map((row) => {
        try {
          return insert.run(...row).changes
        } catch (err) {
          return err
        }
      }),
    )
    return (rows: Pending['row'][]) => all.immediate(rows) as (number | unknown)[]
  }
  function writePending(): void {
    const batch = pending
    pending = []
    let results: (number | unknown)[]
    try {
      writeAll ??= prepare(sqlite!())
      results = writeAll(batch.map((item) => item.row))
    } catch (err) {
      for (const item of batch) isBusy(err) ? item.resolve('busy') : item.reject(err)
      return
    }
    batch.forEach((item, i) => {
      const result = results[i]
      if (typeof result === 'number') item.resolve(result)
      else if (isBusy(result)) item.resolve('busy')
      else item.reject(result)
    })
  }
  /** SQLite's direct connection: the rows changed (1 recorded, 0 a replay), or 'busy'. */
  const direct = (namespace: string, jti: string, expiresAt: Date, now: Date): Promise<number | 'busy'> =>
    new Promise((resolve, reject) => {
      pending.push({ row: [namespace, jti, sqliteText(expiresAt), sqliteText(now)], resolve, reject })
      if (pending.length === 1) setImmediate(writePending)
    })

  // PostgreSQL: likewise one statement for the records of one turn (one round trip and one commit for
  // several requests), over unnest() of the batch. A jti twice in one batch goes to the statement once (ON
  // CONFLICT cannot touch a row twice in one command): its first use is recorded, the others are replays.
  type PgPending = {
    key: string
    namespace: string
    jti: string
    expiresAt: Date
    now: Date
    resolve: (recorded: boolean) => void
    reject: (err: unknown) => void
  }
  let pgPending: PgPending[] = []
  async function writePgPending(): Promise<void> {
    const batch = pgPending
    pgPending = []
    const first = new Map<string, PgPending>()
    for (const item of batch) if (!first.has(item.key)) first.set(item.key, item)
    const rows = [...first.values()]
    // The earliest clock of the batch: an expired row is taken over only if it had expired for every request.
    const now = new Date(Math.min(...rows.map((item) => item.now.getTime())))
    try {
      const result = await postgres!.query<{ namespace: string; jti: string }>(
        `INSERT INTO "UsedJti" ("namespace", "jti", "expiresAt")
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp(3)[])
         ${UPSERT_TAIL}$4::timestamp(3) RETURNING "namespace", "jti"`,
        [
          rows.map((item) => item.namespace),
          rows.map((item) => item.jti),
          rows.map((item) => item.expiresAt.toISOString()),
          now.toISOString(),
        ],
      )
      const recorded = new Set(result.rows.map((row) => `${row.namespace}\u0000${row.jti}`))
      for (const item of batch) item.resolve(first.get(item.key) === item && recorded.has(item.key))
    } catch (err) {
      for (const item of batch) item.reject(err)
    }
  }
  const pgRemember = (namespace: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> =>
    new Promise((resolve, reject) => {
      pgPending.push({ key: `${namespace}\u0000${jti}`, namespace, jti, expiresAt, now, resolve, reject })
      if (pgPending.length === 1) setImmediate(() => void writePgPending())
    })

  return {
    /**
     * Records `jti` in `namespace` until `expiresAt`; false when it is already recorded and unexpired at `now`.
     * One statement: PostgreSQL's ON CONFLICT locks the row and evaluates the WHERE on its newest version, and
     * SQLite writes one statement at a time, so of two instances recording the same jti at once only one
     * inserts (or takes over an expired row) and the other changes nothing.
     */
    async remember(namespace: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> {
      if (sqlite) {
        const changed = await direct(namespace, jti, expiresAt, now)
        if (changed !== 'busy') return changed === 1
      } else if (postgres) {
        return pgRemember(namespace, jti, expiresAt, now)
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
