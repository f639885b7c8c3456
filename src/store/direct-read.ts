// One row by one key, read without Prisma on a hot path: on PostgreSQL's pool, or through a statement prepared
// once on SQLite's direct connection (database.ts). On SQLite the answer is 'busy' while Prisma's connection holds
// the write lock, so that the caller reads through Prisma instead of waiting.
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import { types } from './postgres-values.js'
import { isBusy, type Stored } from './sqlite-values.js'

/**
 * A reader of the row `select` names (its text up to the parameter: `… WHERE "id" = `), `fromSqlite` turning a row
 * of the direct SQLite connection into what Prisma would read. Undefined when neither connection is given.
 */
export function directRowReader<Row extends object>(
  select: string,
  connections: { sqlite?: (() => BetterSqlite3.Database) | undefined; pool?: pg.Pool | undefined },
  fromSqlite: (row: Record<keyof Row, Stored>) => Row,
): ((key: string) => Promise<Row | undefined | 'busy'>) | undefined {
  const { sqlite, pool } = connections
  if (pool) {
    const text = `${select}$1`
    return async (key) => (await pool.query<Row>({ text, values: [key], types })).rows[0]
  }
  if (!sqlite) return undefined
  let statement: BetterSqlite3.Statement<[string], Record<keyof Row, Stored>> | undefined
  return async (key) => {
    let row: Record<keyof Row, Stored> | undefined
    try {
      statement ??= sqlite().prepare(`${select}?`)
      row = statement.get(key)
    } catch (err) {
      if (isBusy(err)) return 'busy'
      throw err
    }
    return row && fromSqlite(row)
  }
}
