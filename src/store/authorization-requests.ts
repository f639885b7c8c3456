// Authorization requests waiting for the user (login, consent, or a delegated login app): the request as
// /oauth/authorize validated it, reachable only by a 256-bit random id (stored as its SHA-256) that the
// browser carries between the pages, single use, for a few minutes.
import type { PrismaClient } from './database.js'
import { newId } from './ids.js'

export interface PendingAuthorization<T = unknown> {
  id: string
  clientId: string
  /** What the authorization endpoint validated (oauth/authorize/request.ts), as it stored it. */
  request: T
  /** The session that logged in for this request, once one has. */
  sessionId: string | null
  expiresAt: Date
  usedAt: Date | null
  createdAt: Date
}

type Row = {
  id: string
  clientId: string
  request: string
  sessionId: string | null
  expiresAt: Date
  usedAt: Date | null
  createdAt: Date
}

const toPending = <T>(row: Row): PendingAuthorization<T> => ({ ...row, request: JSON.parse(row.request) as T })

export function createAuthorizationRequestStore(prisma: PrismaClient) {
  return {
    async create<T>(
      input: { idHash: string; clientId: string; request: T; sessionId?: string | undefined; expiresAt: Date },
      now = new Date(),
    ): Promise<PendingAuthorization<T>> {
      const row = await prisma.authorizationRequest.create({
        data: {
          id: newId(now.getTime()),
          idHash: input.idHash,
          clientId: input.clientId,
          request: JSON.stringify(input.request),
          sessionId: input.sessionId ?? null,
          expiresAt: input.expiresAt,
          createdAt: now,
        },
      })
      return toPending<T>(row)
    },

    /** The request with this id hash, unused and unexpired at `now`; undefined otherwise. */
    async findPendingByHash<T>(idHash: string, now = new Date()): Promise<PendingAuthorization<T> | undefined> {
      const row = await prisma.authorizationRequest.findUnique({ where: { idHash } })
      if (!row || row.usedAt || row.expiresAt <= now) return undefined
      return toPending<T>(row)
    },

    /** The request with this id, unused and unexpired at `now` (a delegated login's challenge names it so). */
    async findPendingById<T>(id: string, now = new Date()): Promise<PendingAuthorization<T> | undefined> {
      const row = await prisma.authorizationRequest.findUnique({ where: { id } })
      if (!row || row.usedAt || row.expiresAt <= now) return undefined
      return toPending<T>(row)
    },

    /** Records the session that logged in for this request. */
    async attachSession(id: string, sessionId: string): Promise<void> {
      await prisma.authorizationRequest.updateMany({ where: { id, usedAt: null }, data: { sessionId } })
    },

    /** Marks it answered; false when another request answered it first (single use). */
    async complete(id: string, now = new Date()): Promise<boolean> {
      const { count } = await prisma.authorizationRequest.updateMany({
        where: { id, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      })
      return count === 1
    },
  }
}

export type AuthorizationRequestStore = ReturnType<typeof createAuthorizationRequestStore>
