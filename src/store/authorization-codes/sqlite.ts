// The code redemption on the embedded SQLite database's direct connection (database.ts): in one synchronous
// transaction, read the code with its user, let the grant decide, mark the code used and add the login's
// refresh family and first token. SQLite has one writer at a time, so of concurrent redemptions the first
// wins and the others read the code used. As the refresh rotations (../refresh-tokens/sqlite.ts), the
// redemptions asked for during one turn of the event loop go into one BEGIN IMMEDIATE transaction at its end
// (setImmediate), each in a savepoint of its own, so one that is refused or fails does so alone, and one
// commit covers them all. The transaction holds the write lock for microseconds and never across an await.
// 'busy' means Prisma's own connection is inside a write transaction; the caller then goes through Prisma,
// which queues behind it.
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
  let pending: PendingRedemption[] = []
  return {
    redeem<T extends Redemption>(
      codeHash: string,
      decide: DecideRedemption<T>,
      now: Date,
    ): Promise<RedeemResult<T> | 'busy'> {
      return new Promise((resolve, reject) => {
        pending.push({ codeHash, decide, now, resolve, reject } as PendingRedemption)
        if (pending.length === 1) setImmediate(writePending)
      })
    },
  }

  function writePending(): void {
    const batch = pending
    pending = []
    let results: Outcome[]
    try {
      results = ready().redeemAll.immediate(batch)
    } catch (err) {
      for (const item of batch) isBusy(err) ? item.resolve('busy') : item.reject(err)
      return
    }
    batch.forEach((item, i) => {
      const result = results[i]!
      if ('error' in result) isBusy(result.error) ? item.resolve('busy') : item.reject(result.error)
      else item.resolve(result.value)
    })
  }
}

interface PendingRedemption {
  codeHash: string
  decide: DecideRedemption<Redemption>
  now: Date
  resolve: (result: RedeemResult<Redemption> | 'busy') => void
  reject: (err: unknown) => void
}

type Outcome = { value: RedeemResult<Redemption> } | { error: unknown }

function prepare(db: BetterSqlite3.Database) {
  const find = db.prepare<[string], CodeRow>(`${CODE_SELECT} ?`)
  const mark = db.prepare<[string, string, string]>(
    `UPDATE "AuthorizationCode" SET "usedAt" = ?, "familyId" = ? WHERE "id" = ? AND "usedAt" IS NULL`,
  )
  const insertFamily = db.prepare<
    [string, string, string, string, string, string, string | null, string | null, string, string]
  >(
    // The login belongs to its user's tenant.
    `INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "sessionId", "dpopJkt", "createdAt", "tenantId")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT "tenantId" FROM "User" WHERE "id" = ?))`,
  )
  const insertToken = db.prepare<[string, string, string, string, string, string]>(
    `INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "scope", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`,
  )
  // Inside redeemAll's transaction, better-sqlite3 runs a nested transaction function as a savepoint: a throw
  // from `decide` (or from a statement) rolls back this redemption's writes alone, and the code stays unused.
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
          family.dpopJkt,
          at,
          write.userId,
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
  const redeemAll = db.transaction((batch: readonly PendingRedemption[]): Outcome[] =>
    batch.map((item) => {
      try {
        return { value: redeem(item.codeHash, item.decide, item.now) }
      } catch (error) {
        return { error }
      }
    }),
  )
  return { redeemAll }
}
