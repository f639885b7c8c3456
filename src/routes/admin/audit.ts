// GET /admin/v1/audit: the audit log, newest first, filtered by type, actor and time range.
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { validationFailed, type ErrorDetail } from '../../errors.js'
import { dateTime, errors, nullableString, pageOf, pageQuery, SECURITY, type PageQuery } from './schemas.js'
import { isOperator } from '../../manage/tenants.js'
import { ANY_TENANT, type TenantScope } from '../../store/index.js'

// ISO 8601 date-time with an explicit offset, e.g. 2026-01-31T12:00:00Z.
const ISO_DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$'

const auditEventSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    actor: { ...nullableString, description: 'user:<id>, client:<id>, access_key:<id>, cli:<OS user name> or system' },
    subject: nullableString,
    ip: nullableString,
    details: { type: 'object', additionalProperties: true },
    created_at: dateTime,
  },
  required: ['id', 'type', 'actor', 'subject', 'ip', 'details', 'created_at'],
} as const

function parseTime(value: string | undefined, field: string, problems: ErrorDetail[]): Date | undefined {
  if (value === undefined) return undefined
  const time = Date.parse(value)
  if (Number.isNaN(time)) problems.push({ field, message: 'is not a valid date-time' })
  return new Date(time)
}

export function registerAdminAuditRoutes(app: FastifyInstance, { store }: Services): void {
  app.get<{
    Querystring: PageQuery & { type?: string; actor?: string; since?: string; until?: string; tenant?: string }
  }>(
    '/audit',
    {
      schema: {
        tags: ['admin: audit'],
        summary: 'List audit events, newest first',
        security: SECURITY,
        querystring: {
          type: 'object',
          properties: {
            ...pageQuery,
            type: { type: 'string', minLength: 1, maxLength: 100, description: 'e.g. access_key.created' },
            actor: {
              type: 'string',
              minLength: 1,
              maxLength: 300,
              description: 'Who acted, exactly as listed (e.g. user:<id>, client:<id>, cli:<name>)',
            },
            since: { type: 'string', pattern: ISO_DATE_TIME, description: 'Events at or after this time (ISO 8601)' },
            until: { type: 'string', pattern: ISO_DATE_TIME, description: 'Events before this time (ISO 8601)' },
            tenant: {
              type: 'string',
              minLength: 1,
              maxLength: 200,
              description: "Operators: one tenant's events (id or slug); a tenant's admins always read their own",
            },
          },
          additionalProperties: false,
        },
        response: { 200: pageOf(auditEventSchema), ...errors },
      },
    },
    async (request) => {
      const { after, limit, type, actor } = request.query
      const problems: ErrorDetail[] = []
      const since = parseTime(request.query.since, 'since', problems)
      const until = parseTime(request.query.until, 'until', problems)
      if (since && until && problems.length === 0 && since >= until)
        problems.push({ field: 'until', message: 'must be later than since' })
      if (problems.length > 0) throw validationFailed(problems)
      // A tenant's admins read their tenant's events; operators read every tenant's, or one's with `tenant`.
      const principal = request.principal!
      let scope: TenantScope = principal.tenantId
      if (isOperator(principal)) {
        // Every tenant's: an operator's listing, unless it names one.
        scope = ANY_TENANT
        if (request.query.tenant !== undefined) {
          const tenant = await store.tenants.find(request.query.tenant)
          if (!tenant) throw validationFailed([{ field: 'tenant', message: 'no tenant has this id or slug' }])
          scope = tenant.id
        }
      }
      const page = await store.audit.list(scope, { after, limit, type, actor, since, until })
      return {
        items: page.items.map((event) => ({
          id: event.id,
          type: event.type,
          actor: event.actor,
          subject: event.subject,
          ip: event.ip,
          details: event.details,
          created_at: event.createdAt.toISOString(),
        })),
        next_cursor: page.nextCursor,
      }
    },
  )
}
