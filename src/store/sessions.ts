// Browser sign-in sessions: the cookie carries a 256-bit secret, stored here only as its SHA-256 (like every
// secret we generate), so a database leak gives no usable session, and every instance sees and can end it.
import type { PrismaClient } from './database.js'
import { newId } from './ids.js'
import { fromList, toList, toPage, type Page, type PageOptions } from './lists.js'
import { type AnyTenant, tenantWhere, type TenantScope } from './tenant-scope.js'

export interface Session {
  id: string
  /** Its user's tenant. */
  tenantId: string
  userId: string
  /** When the user last entered their credentials (OpenID Connect `auth_time`). */
  authTime: Date
  /** Authentication methods (RFC 8176), e.g. ['pwd']. */
  amr: string[]
  lastSeenAt: Date
  idleExpiresAt: Date
  expiresAt: Date
  revokedAt: Date | null
  createdAt: Date
}

type SessionRow = Omit<Session, 'amr'> & { amr: string; idHash: string }

const toSession = ({ idHash: _, ...row }: SessionRow): Session => ({ ...row, amr: toList(row.amr) })

export function createSessionStore(prisma: PrismaClient) {
  return {
    async create(
      input: {
        idHash: string
        /** The user's tenant: a session is its user's tenant's, like every login row. */
        tenantId: string
        userId: string
        authTime: Date
        amr: readonly string[]
        idleExpiresAt: Date
        expiresAt: Date
      },
      now = new Date(),
    ): Promise<Session> {
      const row = await prisma.session.create({
        data: {
          id: newId(now.getTime()),
          ...input,
          amr: fromList(input.amr),
          idleExpiresAt: new Date(Math.min(input.idleExpiresAt.getTime(), input.expiresAt.getTime())),
          lastSeenAt: now,
          createdAt: now,
        },
      })
      return toSession(row)
    },

    /**
     * The session with this hash if it is still in force at `now` (not revoked, neither expiry passed), in any
     * tenant: the cookie is what names it (the caller passes ANY_TENANT to say so).
     */
    async findActiveByHash(_scope: AnyTenant, idHash: string, now = new Date()): Promise<Session | undefined> {
      const row = await prisma.session.findUnique({ where: { idHash } })
      if (!row || row.revokedAt || row.expiresAt <= now || row.idleExpiresAt <= now) return undefined
      return toSession(row)
    },

    async findById(scope: TenantScope, id: string): Promise<Session | undefined> {
      const row = await prisma.session.findUnique({ where: { id, ...tenantWhere(scope) } })
      return row ? toSession(row) : undefined
    },

    /**
     * Records a use: the idle expiry starts again, never beyond the absolute one. False when the session is
     * unknown (or another tenant's), or ended.
     */
    async touch(scope: TenantScope, id: string, idleExpiresAt: Date, now = new Date()): Promise<boolean> {
      const row = await prisma.session.findUnique({ where: { id, ...tenantWhere(scope) }, select: { expiresAt: true } })
      if (!row) return false
      const { count } = await prisma.session.updateMany({
        where: { id, revokedAt: null, ...tenantWhere(scope) },
        data: { lastSeenAt: now, idleExpiresAt: new Date(Math.min(idleExpiresAt.getTime(), row.expiresAt.getTime())) },
      })
      return count === 1
    },

    /** Ends the session; false when it was already ended or is unknown (or another tenant's). */
    async revoke(scope: TenantScope, id: string, now = new Date()): Promise<boolean> {
      const { count } = await prisma.session.updateMany({
        where: { id, revokedAt: null, ...tenantWhere(scope) },
        data: { revokedAt: now },
      })
      return count === 1
    },

    /** A page of the user's sessions in force at `now`, newest first; `after` is the previous page's cursor. */
    async listActivePage(
      scope: TenantScope,
      userId: string,
      options: PageOptions,
      now = new Date(),
    ): Promise<Page<Session>> {
      const rows = await prisma.session.findMany({
        where: {
          userId,
          ...tenantWhere(scope),
          revokedAt: null,
          expiresAt: { gt: now },
          idleExpiresAt: { gt: now },
          ...(options.after ? { id: { lt: options.after } } : {}),
        },
        orderBy: { id: 'desc' },
        take: options.limit + 1,
      })
      return toPage(rows, options.limit, toSession, (row) => row.id)
    },

    /** The user's sessions in force at `now`, newest first. */
    async listActiveByUser(scope: TenantScope, userId: string, now = new Date()): Promise<Session[]> {
      const rows = await prisma.session.findMany({
        where: { userId, ...tenantWhere(scope), revokedAt: null, expiresAt: { gt: now }, idleExpiresAt: { gt: now } },
        orderBy: { id: 'desc' },
      })
      return rows.map(toSession)
    },
  }
}

export type SessionStore = ReturnType<typeof createSessionStore>
