// Consents: which scopes a user has allowed a client, remembered until revoked. A request for a scope not in
// the consent asks again; allowing it adds it to the consent.
import type { PrismaClient } from './database.js'
import { newId } from './ids.js'
import { fromList, toList, toPage, type Page, type PageOptions } from './lists.js'

export interface Consent {
  id: string
  userId: string
  clientId: string
  scopes: string[]
  createdAt: Date
  updatedAt: Date
  revokedAt: Date | null
}

type Row = Omit<Consent, 'scopes'> & { scopes: string }

const toConsent = (row: Row): Consent => ({ ...row, scopes: toList(row.scopes) })

export function createConsentStore(prisma: PrismaClient) {
  return {
    /** The user's consent to the client in force (not revoked); undefined when there is none. */
    async findActive(userId: string, clientId: string): Promise<Consent | undefined> {
      const row = await prisma.consent.findUnique({ where: { userId_clientId: { userId, clientId } } })
      return row && !row.revokedAt ? toConsent(row) : undefined
    },

    /** Adds `scopes` to the consent in force (a revoked one starts again from these). */
    async grant(
      input: { userId: string; clientId: string; scopes: readonly string[] },
      now = new Date(),
    ): Promise<Consent> {
      const { userId, clientId } = input
      return prisma.$transaction(async (tx) => {
        const existing = await tx.consent.findUnique({ where: { userId_clientId: { userId, clientId } } })
        const kept = existing && !existing.revokedAt ? toList(existing.scopes) : []
        const scopes = fromList([...kept, ...input.scopes])
        const row = existing
          ? await tx.consent.update({ where: { id: existing.id }, data: { scopes, revokedAt: null, updatedAt: now } })
          : await tx.consent.create({
              data: { id: newId(now.getTime()), userId, clientId, scopes, createdAt: now, updatedAt: now },
            })
        return toConsent(row)
      })
    },

    /** Revokes the consent; false when there was none in force. */
    async revoke(userId: string, clientId: string, now = new Date()): Promise<boolean> {
      const { count } = await prisma.consent.updateMany({
        where: { userId, clientId, revokedAt: null },
        data: { revokedAt: now },
      })
      return count === 1
    },

    /** A page of the user's consents in force, by client id; `after` is the previous page's cursor (a client id). */
    async listActivePage(userId: string, options: PageOptions): Promise<Page<Consent>> {
      const rows = await prisma.consent.findMany({
        where: { userId, revokedAt: null, ...(options.after ? { clientId: { gt: options.after } } : {}) },
        orderBy: { clientId: 'asc' },
        take: options.limit + 1,
      })
      return toPage(rows, options.limit, toConsent, (row) => row.clientId)
    },

    /** The user's consents in force. */
    async listActiveByUser(userId: string): Promise<Consent[]> {
      const rows = await prisma.consent.findMany({ where: { userId, revokedAt: null }, orderBy: { id: 'asc' } })
      return rows.map(toConsent)
    },
  }
}

export type ConsentStore = ReturnType<typeof createConsentStore>
