// Authorization codes (RFC 6749 §4.1.2, RFC 9700 §4.5): stored as the SHA-256 of the 256-bit code, single
// use, bound to the client, the redirect URI, the PKCE challenge, the scope, the audience, the nonce and the
// session.
//
// The redemption is the token endpoint's second hottest write, so it is hand-written SQL, like the refresh
// rotation (../refresh-tokens/): on SQLite one transaction on the direct connection (sqlite.ts, falling back
// to Prisma when busy), on PostgreSQL two round trips through node-postgres (postgres.ts), each shared by the
// redemptions of one event-loop turn. Either way the
// code is marked used only while unused (`usedAt IS NULL`), so of concurrent redemptions exactly one wins,
// and the login's refresh family and first token are written with the mark or not at all.
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import type { PrismaClient } from '../database.js'
import { StoreError } from '../errors.js'
import { Prisma } from '../generated/sqlite/client.js'
import { newId } from '../ids.js'
import { fromList, toList } from '../lists.js'
import type { AnyTenant } from '../tenant-scope.js'
import { createPostgresCodeStatements } from './postgres.js'
import { CODE_SELECT, type CodeRow, type RedemptionRow, toRedeemable, toRedemptionRow } from './sql.js'
import { createSqliteCodeStatements } from './sqlite.js'
import type { AuthorizationCode, DecideRedemption, RedeemResult, Redemption } from './types.js'

export type { AuthorizationCode, DecideRedemption, RedeemableCode, RedeemResult, Redemption } from './types.js'

export type NewAuthorizationCode = Omit<AuthorizationCode, 'id' | 'usedAt' | 'familyId' | 'createdAt' | 'dpopJkt'> & {
  /** Its user's tenant. */
  tenantId: string
  codeHash: string
  dpopJkt?: string | null
}

type Row = Omit<AuthorizationCode, 'scope'> & { scope: string; codeHash: string }

const toCode = ({ codeHash: _, ...row }: Row): AuthorizationCode => ({ ...row, scope: toList(row.scope) })

/** A redemption's read, then its write; the write says whether it marked the code. */
interface RedemptionSteps {
  find(codeHash: string): Promise<CodeRow | undefined>
  write(row: RedemptionRow): Promise<boolean>
}

/** How often a redemption whose write lost (to a concurrent one, or to a user change) reads and decides again. */
const ATTEMPTS = 3

async function redeemInSteps<T extends Redemption>(
  steps: RedemptionSteps,
  codeHash: string,
  decide: DecideRedemption<T>,
  now: Date,
): Promise<RedeemResult<T>> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const row = await steps.find(codeHash)
    if (!row) return { outcome: 'unknown' }
    const found = toRedeemable(row)
    if (found.code.usedAt !== null) return { outcome: 'used', code: found.code }
    const redemption = decide(found)
    const ids = { tokenId: newId(now.getTime()), scope: fromList(redemption.refresh?.scope ?? []) }
    if (await steps.write(toRedemptionRow(found.code, redemption, ids, now)))
      return { outcome: 'redeemed', found, redemption }
    // Another redemption marked it first, or the user was disabled since the read: the next read tells which.
  }
  throw new StoreError('conflict', 'the authorization code changed during each attempt to redeem it')
}

/** The same read and write through Prisma (SQLite while the direct connection is busy). */
function prismaSteps(prisma: PrismaClient): RedemptionSteps {
  return {
    async find(codeHash) {
      const [row] = await prisma.$queryRaw<CodeRow[]>(Prisma.sql`${Prisma.raw(CODE_SELECT)}${codeHash}`)
      return row
    },
    async write(row) {
      const family = row.family
      const mark = prisma.$executeRaw`
        UPDATE "AuthorizationCode" SET "usedAt" = ${row.now}, "familyId" = ${row.familyId}
        WHERE "id" = ${row.codeId} AND "usedAt" IS NULL AND EXISTS (SELECT 1 FROM "User" WHERE "id" = ${row.userId} AND NOT "disabled")`
      if (!family) return (await mark) === 1
      // The family and its token only with this mark (the code then holds this login's id).
      const [marked] = await prisma.$transaction([
        mark,
        prisma.$executeRaw`
          INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "sessionId", "dpopJkt", "createdAt", "tenantId")
          SELECT ${row.familyId}, ${family.clientId}, ${row.userId}, ${family.scope}, ${family.audience}, ${family.absoluteExpiresAt}, ${family.sessionId}, ${family.dpopJkt}, ${row.now},
            (SELECT "tenantId" FROM "User" WHERE "id" = ${row.userId})
          FROM "AuthorizationCode" WHERE "id" = ${row.codeId} AND "familyId" = ${row.familyId}`,
        prisma.$executeRaw`
          INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "scope", "expiresAt", "createdAt")
          SELECT ${family.tokenId}, ${family.tokenHash}, "id", ${family.scope}, ${family.tokenExpiresAt}, ${row.now}
          FROM "RefreshFamily" WHERE "id" = ${row.familyId}`,
      ])
      return marked === 1
    },
  }
}

export function createAuthorizationCodeStore(
  prisma: PrismaClient,
  sqlite?: () => BetterSqlite3.Database,
  postgres?: pg.Pool,
) {
  const direct = sqlite && createSqliteCodeStatements(sqlite)
  const steps = postgres ? createPostgresCodeStatements(postgres) : prismaSteps(prisma)
  return {
    async create(input: NewAuthorizationCode, now = new Date()): Promise<AuthorizationCode> {
      const row = await prisma.authorizationCode.create({
        data: { id: newId(now.getTime()), ...input, scope: fromList(input.scope), createdAt: now },
      })
      return toCode(row)
    },

    /**
     * The code with this hash in any state (used, expired), so that a replay can be told apart; undefined when
     * unknown. In any tenant: the code is what names it (the caller passes ANY_TENANT to say so).
     */
    async findByHash(_scope: AnyTenant, codeHash: string): Promise<AuthorizationCode | undefined> {
      const row = await prisma.authorizationCode.findUnique({ where: { codeHash } })
      return row ? toCode(row) : undefined
    },

    /**
     * Redeems the code with this hash, in any tenant (like findByHash): reads it with its user, lets `decide`
     * check it and say what to write (it throws to refuse, and the code stays unused), then marks it used by the
     * login `familyId` and writes the login's refresh family and first token, all or nothing. 'used' when it was
     * used before or a concurrent redemption won.
     *
     * @example
     * const result = await store.authorizationCodes.redeem(ANY_TENANT, sha256(code), ({ code }) => ({ familyId }))
     */
    async redeem<T extends Redemption>(
      _scope: AnyTenant,
      codeHash: string,
      decide: DecideRedemption<T>,
      now = new Date(),
    ): Promise<RedeemResult<T>> {
      const fast = await direct?.redeem(codeHash, decide, now)
      if (fast !== undefined && fast !== 'busy') return fast
      return redeemInSteps(steps, codeHash, decide, now)
    },
  }
}

export type AuthorizationCodeStore = ReturnType<typeof createAuthorizationCodeStore>
