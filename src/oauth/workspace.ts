// `workspace=<id or slug>` on a token request (password, refresh_token, authorization_code, token exchange): the
// token is for one workspace of the client's tenant, whose member the user must be; its scopes are the requested
// ones within the user's role there (the role stands for the user's tenant-wide scopes inside a workspace).
//
// Errors: an unknown workspace, or one the user is not a member of, is `invalid_target` (RFC 8707 §2: the
// requested target is invalid, unknown or not permitted), and names no other tenant's workspaces; a scope beyond
// the role is `invalid_scope` (RFC 6749 §5.2), as for every other limit on scope.
import { invalidTarget } from '../errors.js'
import type { Services } from '../services.js'
import { DEFAULT_TENANT_ID } from '../store/index.js'
import type { Client } from '../store/clients.js'

export { tenantOf } from '../store/clients.js'

export interface WorkspaceGrant {
  workspaceId: string
  /** The user's role's scopes there, now. */
  roleScopes: string[]
}

/** The workspace a token request names, for this user; undefined when it names none. */
export async function workspaceOf(
  deps: Pick<Services, 'store'>,
  tenantId: string,
  userId: string,
  workspace: string | undefined,
): Promise<WorkspaceGrant | undefined> {
  if (workspace === undefined) return undefined
  const found = await deps.store.tenants.workspaces.find(tenantId, workspace)
  if (!found) throw invalidTarget(`no workspace ${JSON.stringify(workspace.slice(0, 64))} in this client's tenant`)
  const membership = await deps.store.tenants.memberships.find(tenantId, userId, found.id)
  if (!membership) throw invalidTarget('the user is not a member of this workspace')
  return { workspaceId: found.id, roleScopes: membership.role.scopes }
}

/**
 * True when a login's refresh family records the scope the client asked for rather than the one granted then: a
 * login of a tenant's own (non-default) client, or one naming a workspace. Each refresh intersects it with the
 * user's authority of that moment (their scopes, or their role in the workspace the refresh names), so one login
 * serves every workspace the user belongs to.
 */
export const familyKeepsRequestedScope = (client: Pick<Client, 'tenantId'>, workspace: string | undefined) =>
  workspace !== undefined || (client.tenantId ?? DEFAULT_TENANT_ID) !== DEFAULT_TENANT_ID
