// Consents: which scopes a user has allowed a client, remembered until revoked. A request for a scope not in
// the consent asks again; allowing it adds it to the consent. Revoking it ends what the client holds for the user.
import type { PrismaClient } from './database.js'
import { StoreError } from './errors.js'
import { newId } from './ids.js'
import { fromList, toList, toPage, type Page, type PageOptions } from './lists.js'
import { recordCutoff } from './revoked-tokens.js'
import { tenantWhere, type TenantScope } from './tenant-scope.js'

export interface Consent {
  id: string
  /** Its user's tenant. */
  tenantId: string
  userId: string
  clientId: string
  scopes: string[]
  createdAt: Date
  updatedAt: Date
  revokedAt: Date | null
}

type Row = Omit<Consent, 'scopes'> & { scopes: string }

const toConsent = (row: Row): Consent => ({ ...row, scopes: toList(row.scopes) })

/** `announce`: tells the other instances after a revocation's cutoff commits (PostgreSQL; change-feed.ts). */
export function createConsentStore(prisma: PrismaClient, feed: { announce?: () => void } = {}) {
  return {
    /** The user's consent to the client in force (not revoked); undefined when there is none. */
    async findActive(scope: TenantScope, userId: string, clientId: string): Promise<Consent | undefined> {
      const row = await prisma.consent.findUnique({
        where: { userId_clientId: { userId, clientId }, ...tenantWhere(scope) },
      })
      return row && !row.revokedAt ? toConsent(row) : undefined
    },

    /**
     * Adds `scopes` to the consent in force (a revoked one starts again from these), in the tenant: a user of
     * another tenant is not_found, and nothing is written.
     */
    async grant(
      tenantId: string,
      input: { userId: string; clientId: string; scopes: readonly string[] },
      now = new Date(),
    ): Promise<Consent> {
      const { userId, clientId } = input
      return prisma.$transaction(async (tx) => {
        if (!(await tx.user.findUnique({ where: { id: userId, tenantId }, select: { id: true } })))
          throw new StoreError('not_found', 'user not found')
        const existing = await tx.consent.findUnique({ where: { userId_clientId: { userId, clientId } } })
        const kept = existing && !existing.revokedAt ? toList(existing.scopes) : []
        const scopes = fromList([...kept, ...input.scopes])
        const row = existing
          ? await tx.consent.update({
              where: { id: existing.id },
              data: { tenantId, scopes, revokedAt: null, updatedAt: now },
            })
          : await tx.consent.create({
              data: { id: newId(now.getTime()), tenantId, userId, clientId, scopes, createdAt: now, updatedAt: now },
            })
        return toConsent(row)
      })
    },

    /**
     * Revokes the consent and, in the same transaction, ends the refresh-token families the client holds for
     * the user, deletes its codes not yet redeemed, and records `cutoff` (the access tokens issued under them:
     * security/revocation-list.ts).
     * Undefined when there was no consent in force (nothing is changed then); else how many families ended.
     */
    async revoke(
      scope: TenantScope,
      userId: string,
      clientId: string,
      now = new Date(),
      options: { cutoff?: { jti: string; expiresAt: Date } } = {},
    ): Promise<{ families: number } | undefined> {
      const result = await prisma.$transaction(async (tx) => {
        const { count } = await tx.consent.updateMany({
          where: { userId, clientId, revokedAt: null, ...tenantWhere(scope) },
          data: { revokedAt: now },
        })
        if (count !== 1) return undefined
        const families = await tx.refreshFamily.updateMany({
          where: { userId, clientId, revokedAt: null },
          data: { revokedAt: now, revokedReason: 'consent_revoked' },
        })
        // A code issued under the consent and not redeemed yet would start a login after the cutoff.
        await tx.authorizationCode.deleteMany({ where: { userId, clientId, usedAt: null } })
        if (options.cutoff) await recordCutoff(tx, options.cutoff.jti, options.cutoff.expiresAt, now)
        return { families: families.count }
      })
      if (result && options.cutoff) feed.announce?.()
      return result
    },

    /** A page of the user's consents in force, by client id; `after` is the previous page's cursor (a client id). */
    async listActivePage(scope: TenantScope, userId: string, options: PageOptions): Promise<Page<Consent>> {
      const rows = await prisma.consent.findMany({
        where: {
          userId,
          ...tenantWhere(scope),
          revokedAt: null,
          ...(options.after ? { clientId: { gt: options.after } } : {}),
        },
        orderBy: { clientId: 'asc' },
        take: options.limit + 1,
      })
      return toPage(rows, options.limit, toConsent, (row) => row.clientId)
    },

    /** The user's consents in force. */
    async listActiveByUser(scope: TenantScope, userId: string): Promise<Consent[]> {
      const rows = await prisma.consent.findMany({
        where: { userId, ...tenantWhere(scope), revokedAt: null },
        orderBy: { id: 'asc' },
      })
      return rows.map(toConsent)
    },
  }
}

export type ConsentStore = ReturnType<typeof createConsentStore>
