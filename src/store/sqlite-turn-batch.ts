// SQLite's counterpart of turn-batch.ts, on the direct connection (database.ts): the rows asked for during one
// turn of the event loop are written in one synchronous BEGIN IMMEDIATE transaction at the turn's end
// (setImmediate), so several requests share one commit, and the transaction holds the write lock for
// microseconds and never across an await. Each row's statement is its own: one that fails fails its row alone.
// 'busy' while Prisma's own connection holds the write lock (the direct connection never waits for it): the
// caller then writes through Prisma, which queues behind it.
import type BetterSqlite3 from 'better-sqlite3'
import { isBusy } from './sqlite-values.js'

interface Pending<Row, Result> {
  row: Row
  resolve: (result: Result | 'busy') => void
  reject: (err: unknown) => void
}

/**
 * `prepare` makes, once, on the connection, the writer of one row (prepared statements; its answer is the row's).
 *
 * @example
 * const record = createSqliteTurnWriter(db.sqlite, (db) => {
 *   const insert = db.prepare('INSERT …')
 *   return (row: [string, string]) => insert.run(...row).changes
 * })
 * const changed = await record(['a', 'b']) // a number, or 'busy'
 */
export function createSqliteTurnWriter<Row, Result>(
  connect: () => BetterSqlite3.Database,
  prepare: (db: BetterSqlite3.Database) => (row: Row) => Result,
): (row: Row) => Promise<Result | 'busy'> {
  let pending: Pending<Row, Result>[] = []
  let writeAll: ((rows: Row[]) => { ok: boolean; value: unknown }[]) | undefined

  function build(db: BetterSqlite3.Database) {
    const write = prepare(db)
    const all = db.transaction((rows: Row[]) =>
      rows.map((row) => {
        try {
          return { ok: true, value: write(row) as unknown }
        } catch (err) {
          return { ok: false, value: err }
        }
      }),
    )
    return (rows: Row[]) => all.immediate(rows)
  }

  function writePending(): void {
    const batch = pending
    pending = []
    let results: { ok: boolean; value: unknown }[]
    try {
      writeAll ??= build(connect())
      results = writeAll(batch.map((item) => item.row))
    } catch (err) {
      for (const item of batch) isBusy(err) ? item.resolve('busy') : item.reject(err)
      return
    }
    batch.forEach((item, i) => {
      const { ok, value } = results[i]!
      if (ok) item.resolve(value as Result)
      else if (isBusy(value)) item.resolve('busy')
      else item.reject(value)
    })
  }

  return (row) =>
    new Promise((resolve, reject) => {
      pending.push({ row, resolve, reject })
      if (pending.length === 1) setImmediate(writePending)
    })
}
