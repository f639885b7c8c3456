// GET /v1/me/access-keys/{id}/usage: a user reads the usage of one of their own access keys, with a token (or
// key) of theirs holding scope `keys:write`, like the rest of /v1/me/access-keys. Another user's key is as
// unknown as a key that does not exist (404).
import type { FastifyInstance } from 'fastify'
import type { Services } from '../services.js'
import { insufficientScope } from '../errors.js'
import { readAccessKeyUsage, usagePeriod } from '../manage/usage.js'
import { errorsWithNotFound, idParams, registerScopedRoutes, SECURITY } from './admin/schemas.js'
import { usageQuerySchema, usageSchema, type UsageQuery } from './admin/usage.js'
import { KEYS_WRITE_SCOPE } from './me.js'

export function registerMeUsageRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'store' | 'now' | 'bearer' | 'schemas'>,
): void {
  registerScopedRoutes(app, deps, { prefix: '/v1/me', scope: KEYS_WRITE_SCOPE }, (me) => {
    me.get<{ Params: { id: string }; Querystring: UsageQuery }>(
      '/access-keys/:id/usage',
      {
        schema: {
          tags: ['me'],
          summary: 'Usage of one of my access keys, per hour or day',
          security: SECURITY,
          params: idParams('id'),
          querystring: usageQuerySchema,
          response: { 200: usageSchema, ...errorsWithNotFound },
        },
      },
      async (request) => {
        const principal = request.principal!
        // A client or service key has no "me" (as for the rest of /v1/me/access-keys).
        const user = await deps.store.users.findById(principal.tenantId, principal.userId ?? principal.sub)
        if (!user || user.disabled) throw insufficientScope(KEYS_WRITE_SCOPE)
        const period = usagePeriod(request.query, deps.now())
        return readAccessKeyUsage(deps, request.params.id, period, { ownerId: user.id, tenantId: user.tenantId })
      },
    )
  })
}
