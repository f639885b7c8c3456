// The code redemption on the embedded SQLite database's direct connection (database.ts): one synchronous
// BEGIN IMMEDIATE transaction reads the code with its user, lets the grant decide, marks the code used and
// adds the login's refresh family and first token. SQLite has one writer at a time, so of concurrent
// redemptions the first to take the lock wins and the others read the code used. The transaction holds the
// write lock for microseconds and never across an await. 'busy' means Prisma's own connection is inside a
// write transaction; the caller then goes through Prisma, which queues behind it.
import type BetterSqlite3 from 'better-sqlite3'
import { fromList } from '../lists.js'
import { newId } from '../ids.js'
import { isBusy, toText } from '../sqlite-values.js'
import { CODE_SELECT, type CodeRow, toRedeemable, toRedemptionRow } from './sql.js'
import type { DecideRedemption, RedeemResult, Redemption } from './types.js'

/** The statements, prepared on first use; 'busy' while the connection cannot be opened or locked. */
export function createSqliteCodeStatements(connect: () => BetterSqlite3.Database) {
  let statements: ReturnType<typeof prepare> | undefined
  const ready = () => (statements ??= prepare(connect()))
  return {
    redeem<T extends Redemption>(codeHash: string, decide: DecideRedemption<T>, now: Date): RedeemResult<T> | 'busy' {
      try {
        return ready().redeem.immediate(codeHash, decide, now) as RedeemResult<T>
      } catch (err) {
        if (isBusy(err)) return 'busy'
        throw err
      }
    },
  }
}

function prepare(db: BetterSqlite3.Database) {
  const find = db.prepare<[string], CodeRow>(`${CODE_SELECT} ?`)
  const mark = db.prepare<[string, string, string]>(
    `UPDATE "AuthorizationCode" SET "usedAt" = ?, "familyId" = ? WHERE "id" = ? AND "usedAt" IS NULL`,
  )
  const insertFamily = db.prepare<[string, string, string, string, string, string, string | null, string]>(
    `INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "sessionId", "createdAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertToken = db.prepare<[string, string, string, string, string, string]>(
    `INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "scope", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`,
  )
  // A throw from `decide` (or any statement) rolls the whole transaction back: the code stays unused.
  const redeem = db.transaction(
    (codeHash: string, decide: DecideRedemption<Redemption>, now: Date): RedeemResult<Redemption> => {
      const row = find.get(codeHash)
      if (!row) return { outcome: 'unknown' }
      const found = toRedeemable(row)
      if (found.code.usedAt !== null) return { outcome: 'used', code: found.code }
      const redemption = decide(found)
      const write = toRedemptionRow(
        found.code,
        redemption,
        { tokenId: newId(now.getTime()), scope: fromList(redemption.refresh?.scope ?? []) },
        now,
      )
      const at = toText(now)
      // Cannot miss: the code was read unused in this transaction, and no other writer runs beside it.
      mark.run(at, write.familyId, write.codeId)
      const family = write.family
      if (family) {
        insertFamily.run(
          write.familyId,
          family.clientId,
          write.userId,
          family.scope,
          family.audience,
          toText(family.absoluteExpiresAt),
          family.sessionId,
          at,
        )
        insertToken.run(
          family.tokenId,
          family.tokenHash,
          write.familyId,
          family.scope,
          toText(family.tokenExpiresAt),
          at,
        )
      }
      return { outcome: 'redeemed', found, redemption }
    },
  )
  return { redeem }
}
