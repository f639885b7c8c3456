// Context headers on Portcullis's own protected endpoints (admin API, /v1/me): `X-Tenant-Id` and `X-Workspace-Id`,
// an id or a slug each, are assertions about the credential, checked and never obeyed. A tenant header must name
// the credential's tenant; a workspace header must name the credential's workspace, or, for a tenant-wide
// credential, a workspace of its tenant. Anything else is 403 insufficient_scope naming the header: a credential
// used in the wrong tenant or workspace is refused, never silently switched to it. Resource servers apply the same
// rule to the `tenant_id` and `workspace_id` claims (README, "Tenants and workspaces").
import type { FastifyRequest } from 'fastify'
import { contextMismatch, invalidRequest } from '../errors.js'
import type { TenantStore } from '../store/tenants.js'
import type { Principal } from './bearer.js'

export const TENANT_HEADER = 'x-tenant-id'
export const WORKSPACE_HEADER = 'x-workspace-id'

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  if (Array.isArray(value))
    throw invalidRequest(`${name === TENANT_HEADER ? 'X-Tenant-Id' : 'X-Workspace-Id'} must be sent once`)
  return value === undefined ? undefined : value.trim()
}

/** Checks the request's context headers against its authenticated principal; throws 403 on a mismatch. */
export async function checkContextHeaders(
  request: FastifyRequest,
  principal: Pick<Principal, 'tenantId' | 'workspaceId'>,
  tenants: Pick<TenantStore, 'find' | 'workspaces'>,
): Promise<void> {
  const tenantHeader = header(request, TENANT_HEADER)
  const workspaceHeader = header(request, WORKSPACE_HEADER)
  if (tenantHeader === undefined && workspaceHeader === undefined) return
  if (tenantHeader !== undefined && tenantHeader !== principal.tenantId) {
    const tenant = await tenants.find(principal.tenantId)
    if (tenant?.slug !== tenantHeader) throw contextMismatch("X-Tenant-Id does not name this credential's tenant")
  }
  if (workspaceHeader !== undefined && workspaceHeader !== principal.workspaceId) {
    const workspace = await tenants.workspaces.find(principal.tenantId, workspaceHeader)
    const matches =
      workspace !== undefined && (principal.workspaceId === undefined || workspace.id === principal.workspaceId)
    if (!matches) throw contextMismatch("X-Workspace-Id does not name this credential's workspace")
  }
}
