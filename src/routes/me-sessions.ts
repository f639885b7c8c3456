// /v1/me/sessions and /v1/me/consents: a user sees and ends their own sign-in sessions and revokes what they
// allowed, with a token (or access key) of theirs holding scope `account`. The routes are the admin API's
// (routes/admin/sessions.ts) with the user taken from the credential: another user's session or consent is
// as unknown as none.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { insufficientScope } from '../errors.js'
import { registerScopedRoutes } from './admin/schemas.js'
import { registerSessionRoutes } from './admin/sessions.js'

export const ACCOUNT_SCOPE = 'account'

export function registerMeSessionRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'store' | 'config' | 'now' | 'revocations' | 'bearer' | 'schemas'>,
): void {
  /** The user behind the credential; a client or a service key has no sessions. */
  async function userOf(request: FastifyRequest): Promise<string> {
    const principal = request.principal!
    const user = await deps.store.users.findById(principal.tenantId, principal.userId ?? principal.sub)
    if (!user || user.disabled) throw insufficientScope(ACCOUNT_SCOPE)
    return user.id
  }
  registerScopedRoutes(app, deps, { prefix: '/v1/me', scope: ACCOUNT_SCOPE }, (me) => {
    registerSessionRoutes(me, deps, { prefix: '', tags: ['me'], who: 'my', userParams: [], userOf })
  })
}
