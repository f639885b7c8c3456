// The audit log: who did what, when, from where. Details are small JSON objects and never hold a secret.
import type { PrismaClient } from './database.js'
import { newId } from './ids.js'
import { toPage, type Page } from './lists.js'
import { tenantWhere, type TenantScope } from './tenant-scope.js'

export type AuditType =
  | 'client.created'
  | 'client.updated'
  | 'client.secret_rotated'
  | 'client.deleted'
  | 'user.created'
  | 'user.updated'
  | 'user.password_set'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.deleted'
  | 'access_key.created'
  | 'access_key.revoked'
  | 'signing_key.created'
  | 'signing_key.activated'
  | 'signing_key.rotated'
  | 'signing_key.revoked'
  | 'refresh_token.replay_detected'
  | 'authorization_code.replay_detected'
  | 'login.throttled'
  | 'login.succeeded'
  | 'login.failed'
  | 'consent.granted'
  | 'consent.denied'
  | 'logout'
  | 'login_request.accepted'
  | 'login_request.rejected'
  | 'consent_request.accepted'
  | 'consent_request.rejected'
  | 'session.ended'
  | 'consent.revoked'
  | 'tenant.created'
  | 'tenant.deleted'
  | 'workspace.created'
  | 'workspace.deleted'
  | 'role.created'
  | 'role.updated'
  | 'membership.put'
  | 'membership.removed'

export interface AuditEvent {
  id: string
  tenantId: string
  type: AuditType
  /** Who: `user:<id>`, `client:<id>`, `access_key:<id>`, `cli:<OS user name>`, `system`. */
  actor: string | null
  /** What it was done to, e.g. a client id or a kid. */
  subject: string | null
  ip: string | null
  details: Record<string, unknown>
  createdAt: Date
}

export interface NewAuditEvent {
  /**
   * The tenant it happened in, always named: an event recorded in the default tenant by a caller who forgot it
   * would be missing from its tenant's log (and shown to the default tenant's admins).
   */
  tenantId: string
  type: AuditType
  actor?: string | null
  subject?: string | null
  ip?: string | null
  details?: Record<string, unknown>
}

export function createAuditStore(prisma: PrismaClient) {
  return {
    async record(event: NewAuditEvent, now = new Date()): Promise<void> {
      await prisma.auditEvent.create({
        data: {
          id: newId(now.getTime()),
          tenantId: event.tenantId,
          type: event.type,
          actor: event.actor ?? null,
          subject: event.subject ?? null,
          ip: event.ip ?? null,
          details: JSON.stringify(event.details ?? {}),
          createdAt: now,
        },
      })
    },

    /** Newest first, within the scope. `after` is the cursor of the previous page. */
    async list(
      scope: TenantScope,
      options: {
        after?: string | undefined
        limit: number
        type?: string | undefined
        actor?: string | undefined
        since?: Date | undefined
        until?: Date | undefined
      },
    ): Promise<Page<AuditEvent>> {
      const rows = await prisma.auditEvent.findMany({
        where: {
          ...tenantWhere(scope),
          ...(options.type ? { type: options.type } : {}),
          ...(options.actor ? { actor: options.actor } : {}),
          ...(options.since || options.until
            ? {
                createdAt: {
                  ...(options.since ? { gte: options.since } : {}),
                  ...(options.until ? { lt: options.until } : {}),
                },
              }
            : {}),
          ...(options.after ? { id: { lt: options.after } } : {}),
        },
        orderBy: { id: 'desc' },
        take: options.limit + 1,
      })
      return toPage(
        rows,
        options.limit,
        (row) => ({ ...row, type: row.type as AuditType, details: JSON.parse(row.details) as Record<string, unknown> }),
        (row) => row.id,
      )
    },
  }
}

export type AuditStore = ReturnType<typeof createAuditStore>
