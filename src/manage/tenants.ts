// Tenants (operators only), and a tenant's workspaces, roles and members (its own admins, or operators acting as
// it through the CLI's --tenant), the same way from the admin API and the CLI, each change audited.
//
// Operators: scope `admin` on a credential of the default tenant, or scope `tenants:admin`. A tenant's admins
// (scope `admin` on a credential of their tenant) reach only their tenant: every operation below takes the tenant
// from ChangedBy and the store filters by it, so another tenant's workspace, role or user is not found.
import { conflict, notFound, validationFailed, type ErrorDetail } from '../errors.js'
import { DEFAULT_TENANT_ID, StoreError } from '../store/index.js'
import type { Membership, Role, Tenant, Workspace } from '../store/tenants.js'
import { recordChange, type ChangedBy, type ManageDeps } from './changes.js'
import { nameProblems, scopeProblems } from './rules.js'

export const OPERATOR_SCOPE = 'tenants:admin'

/** True for an operator's credential: `admin` in the default tenant, or `tenants:admin`. */
export const isOperator = (principal: { tenantId: string; scopes: readonly string[] }): boolean =>
  principal.scopes.includes(OPERATOR_SCOPE) ||
  (principal.tenantId === DEFAULT_TENANT_ID && principal.scopes.includes('admin'))

// Lower-case letters, digits and hyphens, starting with a letter: never mistaken for an id (a UUID).
const SLUG = /^[a-z][a-z0-9-]{0,62}$/

function slugProblems(field: string, slug: string): ErrorDetail[] {
  return SLUG.test(slug)
    ? []
    : [{ field, message: 'must be 1 to 63 lower-case letters, digits or hyphens, starting with a letter' }]
}

const tenantOf = (by: ChangedBy) => by.tenantId ?? DEFAULT_TENANT_ID

function translateConflict(what: string) {
  return (err: unknown): never => {
    if (err instanceof StoreError && err.code === 'conflict') throw conflict(what)
    if (err instanceof StoreError && err.code === 'not_found') throw notFound(err.message)
    throw err
  }
}

export async function createTenant(
  deps: ManageDeps,
  request: { slug: string; name: string },
  by: ChangedBy,
): Promise<Tenant> {
  const problems = [...slugProblems('slug', request.slug), ...nameProblems('name', request.name)]
  if (problems.length > 0) throw validationFailed(problems)
  const tenant = await deps.store.tenants
    .create({ slug: request.slug, name: request.name.trim() }, new Date(deps.now()))
    .catch(translateConflict('a tenant with this slug exists'))
  await recordChange(deps, by, {
    type: 'tenant.created',
    subject: `tenant:${tenant.id}`,
    details: { slug: tenant.slug },
    at: deps.now(),
  })
  return tenant
}

export const listTenants = (deps: Pick<ManageDeps, 'store'>): Promise<Tenant[]> => deps.store.tenants.list()

export async function getTenant(deps: Pick<ManageDeps, 'store'>, idOrSlug: string): Promise<Tenant> {
  const tenant = await deps.store.tenants.find(idOrSlug)
  if (!tenant) throw notFound('no tenant has this id or slug')
  return tenant
}

/** Deletes a tenant with every row it owns (its users, clients, keys, logins, audit events). */
export async function deleteTenant(
  deps: ManageDeps & { invalidate?: () => void },
  idOrSlug: string,
  by: ChangedBy,
): Promise<void> {
  const tenant = await getTenant(deps, idOrSlug)
  if (tenant.id === DEFAULT_TENANT_ID) throw conflict('the default tenant cannot be deleted')
  await deps.store.tenants.delete(tenant.id).catch(translateConflict('the tenant cannot be deleted'))
  deps.invalidate?.()
  await recordChange(deps, by, {
    type: 'tenant.deleted',
    subject: `tenant:${tenant.id}`,
    details: { slug: tenant.slug },
    at: deps.now(),
  })
}

export async function createWorkspace(
  deps: ManageDeps,
  request: { slug: string; name: string },
  by: ChangedBy,
): Promise<Workspace> {
  const problems = [...slugProblems('slug', request.slug), ...nameProblems('name', request.name)]
  if (problems.length > 0) throw validationFailed(problems)
  const workspace = await deps.store.tenants.workspaces
    .create(tenantOf(by), { slug: request.slug, name: request.name.trim() }, new Date(deps.now()))
    .catch(translateConflict('a workspace with this slug exists in this tenant'))
  await recordChange(deps, by, {
    type: 'workspace.created',
    subject: `workspace:${workspace.id}`,
    details: { slug: workspace.slug },
    at: deps.now(),
  })
  return workspace
}

export const listWorkspaces = (deps: Pick<ManageDeps, 'store'>, tenantId: string): Promise<Workspace[]> =>
  deps.store.tenants.workspaces.list(tenantId)

export async function getWorkspace(
  deps: Pick<ManageDeps, 'store'>,
  tenantId: string,
  idOrSlug: string,
): Promise<Workspace> {
  const workspace = await deps.store.tenants.workspaces.find(tenantId, idOrSlug)
  if (!workspace) throw notFound('no workspace has this id or slug')
  return workspace
}

/** Deletes a workspace: its memberships go, its keys are revoked. */
export async function deleteWorkspace(
  deps: ManageDeps & { invalidate?: () => void },
  idOrSlug: string,
  by: ChangedBy,
): Promise<void> {
  const workspace = await getWorkspace(deps, tenantOf(by), idOrSlug)
  await deps.store.tenants.workspaces.delete(tenantOf(by), workspace.id).catch(translateConflict('conflict'))
  deps.invalidate?.()
  await recordChange(deps, by, {
    type: 'workspace.deleted',
    subject: `workspace:${workspace.id}`,
    details: { slug: workspace.slug },
    at: deps.now(),
  })
}

export async function createRole(
  deps: ManageDeps,
  request: { name: string; scopes: readonly string[] },
  by: ChangedBy,
): Promise<Role> {
  const problems = [...nameProblems('name', request.name), ...scopeProblems(request.scopes)]
  if (problems.length > 0) throw validationFailed(problems)
  const role = await deps.store.tenants.roles
    .create(tenantOf(by), { name: request.name.trim(), scopes: request.scopes }, new Date(deps.now()))
    .catch(translateConflict('a role with this name exists in this tenant'))
  await recordChange(deps, by, {
    type: 'role.created',
    subject: `role:${role.id}`,
    details: { name: role.name, scopes: role.scopes },
    at: deps.now(),
  })
  return role
}

export const listRoles = (deps: Pick<ManageDeps, 'store'>, tenantId: string): Promise<Role[]> =>
  deps.store.tenants.roles.list(tenantId)

/** Replaces a role's scopes: every member's keys in every workspace follow within ACCESS_KEY_CACHE_TTL. */
export async function updateRole(
  deps: ManageDeps & { invalidate?: () => void },
  idOrName: string,
  scopes: readonly string[],
  by: ChangedBy,
): Promise<Role> {
  const problems = scopeProblems(scopes)
  if (problems.length > 0) throw validationFailed(problems)
  const current = await deps.store.tenants.roles.find(tenantOf(by), idOrName)
  if (!current) throw notFound('no role has this id or name')
  const role = await deps.store.tenants.roles.update(tenantOf(by), current.id, { scopes })
  deps.invalidate?.()
  await recordChange(deps, by, {
    type: 'role.updated',
    subject: `role:${role.id}`,
    details: { name: role.name, scopes: role.scopes, previous_scopes: current.scopes },
    at: deps.now(),
  })
  return role
}

/** Makes the user a member of the workspace with the role, or changes their role there (a demotion included). */
export async function putMember(
  deps: ManageDeps & { invalidate?: () => void },
  request: { workspace: string; userId: string; role: string },
  by: ChangedBy,
): Promise<Membership> {
  const tenantId = tenantOf(by)
  const workspace = await getWorkspace(deps, tenantId, request.workspace)
  const role = await deps.store.tenants.roles.find(tenantId, request.role)
  if (!role) throw validationFailed([{ field: 'role', message: 'no role has this id or name in this tenant' }])
  const membership = await deps.store.tenants.memberships
    .put(tenantId, { userId: request.userId, workspaceId: workspace.id, roleId: role.id }, new Date(deps.now()))
    .catch(translateConflict('conflict'))
  deps.invalidate?.()
  await recordChange(deps, by, {
    type: 'membership.put',
    subject: `user:${request.userId}`,
    details: { workspace_id: workspace.id, role: role.name },
    at: deps.now(),
  })
  return membership
}

/** Removes the user from the workspace: their keys there stop working (within ACCESS_KEY_CACHE_TTL). */
export async function removeMember(
  deps: ManageDeps & { invalidate?: () => void },
  request: { workspace: string; userId: string },
  by: ChangedBy,
): Promise<void> {
  const tenantId = tenantOf(by)
  const workspace = await getWorkspace(deps, tenantId, request.workspace)
  await deps.store.tenants.memberships
    .remove(tenantId, request.userId, workspace.id)
    .catch(translateConflict('conflict'))
  deps.invalidate?.()
  await recordChange(deps, by, {
    type: 'membership.removed',
    subject: `user:${request.userId}`,
    details: { workspace_id: workspace.id },
    at: deps.now(),
  })
}

export async function listMembers(
  deps: Pick<ManageDeps, 'store'>,
  tenantId: string,
  workspace: string,
): Promise<Membership[]> {
  const found = await getWorkspace(deps, tenantId, workspace)
  return deps.store.tenants.memberships.listByWorkspace(tenantId, found.id)
}
