// The refresh-token read and rotation on the embedded SQLite database's direct connection (database.ts):
// the same SQL as the Prisma path in refresh-tokens.ts, prepared once. Rotations are written together: those
// asked for during one turn of the event loop go into one synchronous BEGIN IMMEDIATE transaction at its end
// (setImmediate), each in a savepoint of its own, so one that fails fails alone. One commit then covers
// several rotations, and the pages they share (the table's and the time-ordered indexes' last pages) are
// written once: measured, 4 rotations per transaction cost 30 % less than 4 transactions. The transaction
// holds the write lock for microseconds and never across an await. 'busy' means Prisma's own connection is
// inside a write transaction; the caller then goes through Prisma, which queues behind it.
import type BetterSqlite3 from 'better-sqlite3'
import { isBusy, type Stored, toDate, toDateOrNull, toText } from '../sqlite-values.js'
import { RECORD_SELECT, type RecordRow, type RotationRow } from './sql.js'

/** The statements, prepared on first use; 'busy' while the connection cannot be opened or locked. */
export function createSqliteRefreshStatements(connect: () => BetterSqlite3.Database) {
  let statements: ReturnType<typeof prepare> | undefined
  const ready = () => (statements ??= prepare(connect()))
  let pending: PendingRotation[] = []
  return {
    find(tokenHash: string): RecordRow | undefined | 'busy' {
      let row: Record<keyof RecordRow, Stored> | undefined
      try {
        row = ready().find.get(tokenHash)
      } catch (err) {
        if (isBusy(err)) return 'busy'
        throw err
      }
      if (!row) return undefined
      return {
        ...(row as unknown as RecordRow),
        expiresAt: toDate(row.expiresAt),
        usedAt: toDateOrNull(row.usedAt),
        revokedAt: toDateOrNull(row.revokedAt),
        createdAt: toDate(row.createdAt),
        familyAbsoluteExpiresAt: toDate(row.familyAbsoluteExpiresAt),
        familyRevokedAt: toDateOrNull(row.familyRevokedAt),
        familyCreatedAt: toDate(row.familyCreatedAt),
        userDisabled: Boolean(row.userDisabled),
      }
    },

    rotate(row: RotationRow): Promise<'rotated' | 'already_used' | 'busy'> {
      return new Promise((resolve, reject) => {
        pending.push({ row, resolve, reject })
        if (pending.length === 1) setImmediate(writePending)
      })
    },
  }

  function writePending(): void {
    const batch = pending
    pending = []
    let results: (number | unknown)[]
    try {
      results = ready().rotateAll.immediate(batch.map((item) => item.row))
    } catch (err) {
      for (const item of batch) isBusy(err) ? item.resolve('busy') : item.reject(err)
      return
    }
    batch.forEach((item, i) => {
      const result = results[i]
      if (typeof result === 'number') item.resolve(result === 1 ? 'rotated' : 'already_used')
      else if (isBusy(result)) item.resolve('busy')
      else item.reject(result)
    })
  }
}

interface PendingRotation {
  row: RotationRow
  resolve: (result: 'rotated' | 'already_used' | 'busy') => void
  reject: (err: unknown) => void
}

function prepare(db: BetterSqlite3.Database) {
  const find = db.prepare<[string], Record<keyof RecordRow, Stored>>(`${RECORD_SELECT} WHERE t."tokenHash" = ?`)
  const mark = db.prepare<[string, string]>(
    `UPDATE "RefreshToken" SET "usedAt" = ? WHERE "id" = ? AND "usedAt" IS NULL AND "revokedAt" IS NULL`,
  )
  const insertSuccessor = db.prepare<[string, string, string, string, string, string, string]>(
    `INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "parentId", "scope", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT ("tokenHash") DO NOTHING`,
  )
  // Inside rotateAll's transaction, better-sqlite3 runs a nested transaction function as a savepoint.
  const rotate = db.transaction((row: RotationRow): number => {
    const now = toText(row.now)
    const { changes } = mark.run(now, row.parentId)
    insertSuccessor.run(
      row.successorId,
      row.successorHash,
      row.familyId,
      row.parentId,
      row.scope,
      toText(row.expiresAt),
      now,
    )
    return changes
  })
  const rotateAll = db.transaction((rows: RotationRow[]): (number | unknown)[] =>
    rows.map((row) => {
      try {
        return rotate(row)
      } catch (err) {
        return err
      }
    }),
  )

  return { find, rotateAll }
}
