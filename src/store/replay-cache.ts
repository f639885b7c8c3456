// JWT ids already accepted (security/replay-cache.ts): a client assertion, a JWT bearer grant assertion or a
// DPoP proof is accepted once, by whichever instance sees it first. Kept until the JWT expires; expired rows
// are deleted by the janitor (janitor.ts), and one still there is taken over by the next use of its jti.
//
// It is on the path of every DPoP request and every signed assertion, so on SQLite it is one prepared statement
// on the direct connection (as refresh tokens are, refresh-tokens/sqlite.ts: Prisma's per-query work costs
// ~300 µs of the event loop here, the statement ~20 µs), and on PostgreSQL one node-postgres query on the pool
// Prisma's adapter uses. Prisma's own path remains for a busy SQLite connection.
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { translate } from './errors.js'

const REMEMBER_SQLITE = `INSERT INTO "UsedJti" ("namespace", "jti", "expiresAt") VALUES (?, ?, ?)
  ON CONFLICT ("namespace", "jti") DO UPDATE SET "expiresAt" = excluded."expiresAt" WHERE "UsedJti"."expiresAt" <= ?`
// Prisma's columns are TIMESTAMP(3) without a time zone, holding UTC (refresh-tokens/postgres.ts).
// Committed without waiting for the WAL flush (synchronous_commit off for this transaction only): the insert is
// as atomic and as visible to the other instances at once, and a database crash could lose only the entries of
// its last moments, each of a JWT that lives a few minutes. Waiting for the flush made every DPoP request
// wait for a disk sync (measured here: 620 inserts/s on 10 connections, 3,500 without).
const REMEMBER_POSTGRES = `INSERT INTO "UsedJti" ("namespace", "jti", "expiresAt")
  SELECT $1::text, $2::text, $3::timestamp(3) FROM (SELECT set_config('synchronous_commit', 'off', true)) AS "asynchronous"
  ON CONFLICT ("namespace", "jti") DO UPDATE SET "expiresAt" = excluded."expiresAt" WHERE "UsedJti"."expiresAt" <= $4::timestamp(3)`

const isBusy = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && /^SQLITE_(BUSY|LOCKED)/.test(String(err.code))

/** Prisma's SQLite adapter stores DateTime as ISO 8601 text with a "+00:00" offset (refresh-tokens/sqlite.ts). */
const sqliteText = (date: Date): string => date.toISOString().replace('Z', '+00:00')

export function createReplayCacheStore(
  prisma: PrismaClient,
  sqlite?: () => BetterSqlite3.Database,
  postgres?: pg.Pool,
) {
  let statement: BetterSqlite3.Statement<[string, string, string, string]> | undefined
  /** true or false on the direct SQLite connection; undefined when it is busy (then Prisma's path). */
  function rememberDirect(namespace: string, jti: string, expiresAt: Date, now: Date): boolean | undefined {
    try {
      statement ??= sqlite!().prepare(REMEMBER_SQLITE)
      return statement.run(namespace, jti, sqliteText(expiresAt), sqliteText(now)).changes === 1
    } catch (err) {
      if (isBusy(err)) return undefined
      throw err
    }
  }
  return {
    /**
     * Records `jti` in `namespace` until `expiresAt`; false when it is already recorded and unexpired at `now`.
     * One statement: PostgreSQL's ON CONFLICT locks the row and evaluates the WHERE on its newest version, and
     * SQLite writes one statement at a time, so of two instances recording the same jti at once only one
     * inserts (or takes over an expired row) and the other changes nothing.
     */
    async remember(namespace: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> {
      if (postgres) {
        const values = [namespace, jti, expiresAt.toISOString(), now.toISOString()]
        return (await postgres.query({ text: REMEMBER_POSTGRES, values })).rowCount === 1
      }
      if (sqlite) {
        const direct = rememberDirect(namespace, jti, expiresAt, now)
        if (direct !== undefined) return direct
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
