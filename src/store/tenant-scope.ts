// The tenant a store call acts in. Every method that reads, updates or deletes rows of a tenant-owned table
// (Client, User, AccessKey, Session, Consent, AuditEvent, RefreshFamily, AuthorizationCode; Workspace, Role and
// Membership take a tenant id only) takes one as its first, required parameter and filters by it, writes
// included: a row of another tenant is not found, exactly like a missing one, and a write to it changes nothing.
// So isolation does not depend on each route remembering to filter.
//
// ANY_TENANT is the one way to reach every tenant, and is meant to be grepped for: credential lookups made before
// the tenant is known (a client by its client_id, an access key by its id, a session by its cookie, a refresh
// token or code by its hash) and operator-wide work (listings across tenants, tenant deletion). The janitor's
// sweep (janitor.ts) and the change feed are cross-tenant by nature and take no scope.

/** Every tenant: see above for who may use it. A symbol, so that neither a string nor `undefined` can stand for it. */
export const ANY_TENANT: unique symbol = Symbol('ANY_TENANT')
export type AnyTenant = typeof ANY_TENANT

/** A tenant's id, or ANY_TENANT. */
export type TenantScope = string | AnyTenant

/**
 * The scope as a Prisma `where` fragment of a tenant-owned model, to spread into every query's filter.
 *
 * @example
 * prisma.client.update({ where: { clientId, ...tenantWhere(scope) }, data })
 */
export function tenantWhere(scope: TenantScope): { tenantId?: string } {
  return scope === ANY_TENANT ? {} : { tenantId: scope }
}

/** Whether a row of `tenantId` is within the scope (for rows read without a filter, e.g. by a unique hash). */
export function inScope(scope: TenantScope, tenantId: string): boolean {
  return scope === ANY_TENANT || scope === tenantId
}
