// Batched background writes without Prisma (usage counts, keys' last use): many rows, off the request path, where
// Prisma's per-statement work (a few hundred µs, and more per parameter) would cost more than the writes.
// On PostgreSQL: one statement per chunk, its rows sent as arrays (unnest / ANY). On SQLite: one BEGIN IMMEDIATE
// transaction per chunk on the direct connection (database.ts), prepared once, the event loop yielded between
// chunks so that a large batch never holds it for long. A chunk is written whole or not at all.
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import { isBusy, type Stored } from './sqlite-values.js'

/** A failed batch: the rows of the failed chunk and of those after it were not written (the earlier ones were). */
export class BatchWriteError<Row> extends Error {
  constructor(
    readonly unwritten: readonly Row[],
    cause: unknown,
  ) {
    super(`${unwritten.length} row(s) not written: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    })
    this.name = 'BatchWriteError'
  }
}

/**
 * What a writer did: `changed`, rows the statements reported changed; `busy`, the rows not written because Prisma's
 * own SQLite connection holds the write lock (the caller writes them through Prisma, which waits for it).
 */
export interface BatchWriteResult<Row> {
  changed: number
  busy: readonly Row[]
}

export interface BatchWriteStatements<Row> {
  /** One row's statement, `?` parameters. */
  sqlite: string
  sqliteValues: (row: Row) => Stored[]
  /** One chunk's statement, `$n` parameters holding arrays. */
  postgres: string
  postgresValues: (rows: readonly Row[]) => unknown[]
}

const SQLITE_ROWS_PER_TRANSACTION = 1000
const POSTGRES_ROWS_PER_STATEMENT = 5000

/**
 * A writer of batches of rows, or undefined when neither connection is given (the caller uses Prisma). Throws a
 * BatchWriteError naming the rows it did not write.
 */
export function directBatchWriter<Row>(
  statements: BatchWriteStatements<Row>,
  connections: { sqlite?: (() => BetterSqlite3.Database) | undefined; pool?: pg.Pool | undefined },
): ((rows: readonly Row[]) => Promise<BatchWriteResult<Row>>) | undefined {
  const { sqlite, pool } = connections
  if (pool) {
    return async (rows) => {
      let changed = 0
      for (let start = 0; start < rows.length; start += POSTGRES_ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + POSTGRES_ROWS_PER_STATEMENT)
        try {
          changed += (await pool.query(statements.postgres, statements.postgresValues(chunk))).rowCount ?? 0
        } catch (err) {
          throw new BatchWriteError(rows.slice(start), err)
        }
      }
      return { changed, busy: [] }
    }
  }
  if (!sqlite) return undefined
  let writeChunk: BetterSqlite3.Transaction<(chunk: readonly Row[]) => number> | undefined
  const prepare = () => {
    const db = sqlite()
    const statement = db.prepare(statements.sqlite)
    return db.transaction((chunk: readonly Row[]) => {
      let changed = 0
      for (const row of chunk) changed += statement.run(...statements.sqliteValues(row)).changes
      return changed
    })
  }
  return async (rows) => {
    let changed = 0
    for (let start = 0; start < rows.length; start += SQLITE_ROWS_PER_TRANSACTION) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve))
      try {
        writeChunk ??= prepare()
        changed += writeChunk.immediate(rows.slice(start, start + SQLITE_ROWS_PER_TRANSACTION))
      } catch (err) {
        if (isBusy(err)) return { changed, busy: rows.slice(start) }
        throw new BatchWriteError(rows.slice(start), err)
      }
    }
    return { changed, busy: [] }
  }
}
