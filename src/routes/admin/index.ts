// The admin API under /admin/v1: every route needs a Bearer JWT or an access key holding scope `admin`
// (401 without a valid credential, 403 insufficient_scope without the scope), validates every field at once,
// and records what it changes in the audit log. The delegated login routes also accept scope `login`.
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { registerAdminAccessKeyRoutes } from './access-keys.js'
import { registerAdminAuditRoutes } from './audit.js'
import { registerAdminClientRoutes } from './clients.js'
import { LOGIN_SCOPE, registerAdminLoginRequestRoutes } from './login-requests.js'
import { registerScopedRoutes } from './schemas.js'
import { registerAdminSessionRoutes } from './sessions.js'
import { registerAdminSigningKeyRoutes } from './signing-keys.js'
import { registerAdminUsageRoutes } from './usage.js'
import { registerAdminUserRoutes } from './users.js'
import { registerAdminTenantRoutes, registerAdminWorkspaceRoutes } from './tenants.js'
import { insufficientScope } from '../../errors.js'
import { DEFAULT_TENANT_ID } from '../../store/index.js'
import { isOperator, OPERATOR_SCOPE } from '../../manage/tenants.js'

export const ADMIN_SCOPE = 'admin'
export { LOGIN_SCOPE }

export function registerAdminRoutes(app: FastifyInstance, deps: Services): void {
  registerScopedRoutes(app, deps, { prefix: '/admin/v1', scope: ADMIN_SCOPE }, (admin) => {
    registerAdminClientRoutes(admin, deps)
    registerAdminUserRoutes(admin, deps)
    registerAdminSessionRoutes(admin, deps)
    registerAdminAccessKeyRoutes(admin, deps)
    registerAdminWorkspaceRoutes(admin, deps)
    // One JWKS for every tenant: signing keys are the operators' alone.
    void admin.register(async (operators) => {
      operators.addHook('onRequest', async (request) => {
        if (!isOperator(request.principal!)) throw insufficientScope(OPERATOR_SCOPE)
      })
      registerAdminSigningKeyRoutes(operators, deps)
    })
    registerAdminAuditRoutes(admin, deps)
    registerAdminUsageRoutes(admin, deps)
  })
  // Tenants themselves: operators (admin in the default tenant, or tenants:admin).
  registerScopedRoutes(app, deps, { prefix: '/admin/v1', scope: [ADMIN_SCOPE, OPERATOR_SCOPE] }, (operators) => {
    registerAdminTenantRoutes(operators, deps)
  })
  // The team's login app needs these and nothing else: a key or token with scope `login` reaches only them.
  registerScopedRoutes(app, deps, { prefix: '/admin/v1', scope: [ADMIN_SCOPE, LOGIN_SCOPE] }, (login) => {
    // The browser sign-in's delegated login app is the deployment's: credentials of the default tenant only.
    login.addHook('onRequest', async (request) => {
      if (request.principal!.tenantId !== DEFAULT_TENANT_ID) throw insufficientScope(LOGIN_SCOPE)
    })
    registerAdminLoginRequestRoutes(login, deps)
  })
}
