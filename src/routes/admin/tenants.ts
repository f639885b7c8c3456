// /admin/v1/tenants (operators: create, list, delete, and a first key in a tenant for its own admins), and a
// tenant's /admin/v1/workspaces, /admin/v1/roles and workspace members (manage/tenants.ts, as the CLI). Every
// route but the operators' acts in the caller's tenant: another tenant's workspace, role or user is 404.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Services } from '../../services.js'
import { insufficientScope } from '../../errors.js'
import { createAccessKey } from '../../manage/access-keys.js'
import {
  createRole,
  createTenant,
  createWorkspace,
  deleteTenant,
  deleteWorkspace,
  getTenant,
  isOperator,
  listMembers,
  listRoles,
  listTenants,
  listWorkspaces,
  OPERATOR_SCOPE,
  putMember,
  removeMember,
  updateRole,
} from '../../manage/tenants.js'
import type { Membership, Role, Tenant, Workspace } from '../../store/index.js'
import { credentialOf, newAccessKeyBody, type NewKeyBody } from './access-keys.js'
import { dateTime, errors, errorsWithNotFound, name, scopeArray, SECURITY, stringArray } from './schemas.js'
import { auditContext, createdAccessKeySchema, tenantOfRequest } from './views.js'
import { issuedAccessKeyView } from '../../manage/views.js'

const slug = {
  type: 'string',
  minLength: 1,
  maxLength: 63,
  description: 'Lower-case letters, digits, hyphens',
} as const
const ref = { type: 'string', minLength: 1, maxLength: 200 } as const
const params = (...keys: string[]) =>
  ({
    type: 'object',
    properties: Object.fromEntries(keys.map((key) => [key, ref])),
    required: keys,
    additionalProperties: false,
  }) as const

const tenantSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' }, created_at: dateTime },
  required: ['id', 'slug', 'name', 'created_at'],
} as const
const workspaceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    tenant_id: { type: 'string' },
    slug: { type: 'string' },
    name: { type: 'string' },
    created_at: dateTime,
  },
  required: ['id', 'tenant_id', 'slug', 'name', 'created_at'],
} as const
const roleSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, scopes: stringArray, created_at: dateTime },
  required: ['id', 'name', 'scopes', 'created_at'],
} as const
const memberSchema = {
  type: 'object',
  properties: {
    user_id: { type: 'string' },
    workspace_id: { type: 'string' },
    role: { type: 'string' },
    scopes: stringArray,
  },
  required: ['user_id', 'workspace_id', 'role', 'scopes'],
} as const
const listOf = (item: object) =>
  ({ type: 'object', properties: { items: { type: 'array', items: item } }, required: ['items'] }) as const

const tenantView = (tenant: Tenant) => ({
  id: tenant.id,
  slug: tenant.slug,
  name: tenant.name,
  created_at: tenant.createdAt.toISOString(),
})
const workspaceView = (workspace: Workspace) => ({
  id: workspace.id,
  tenant_id: workspace.tenantId,
  slug: workspace.slug,
  name: workspace.name,
  created_at: workspace.createdAt.toISOString(),
})
const roleView = (role: Role) => ({
  id: role.id,
  name: role.name,
  scopes: role.scopes,
  created_at: role.createdAt.toISOString(),
})
const memberView = (membership: Membership) => ({
  user_id: membership.userId,
  workspace_id: membership.workspaceId,
  role: membership.role.name,
  scopes: membership.role.scopes,
})

/** Operators only: `admin` in the default tenant, or `tenants:admin`. */
async function requireOperator(request: FastifyRequest): Promise<void> {
  if (!isOperator(request.principal!)) throw insufficientScope(OPERATOR_SCOPE)
}

/** The operators' routes: tenants themselves. Registered where `admin` or `tenants:admin` is required. */
export function registerAdminTenantRoutes(app: FastifyInstance, deps: Services): void {
  const tags = ['admin: tenants']
  const base = { tags, security: SECURITY }
  // Membership and role changes reach this instance's cached keys at once (others: the change feed).
  const manage = { ...deps, invalidate: () => deps.accessKeys.invalidateAll() }

  app.post<{ Body: { slug: string; name: string } }>(
    '/tenants',
    {
      onRequest: requireOperator,
      schema: {
        ...base,
        summary: 'Create a tenant (operators)',
        body: {
          type: 'object',
          properties: { slug, name },
          required: ['slug', 'name'],
          additionalProperties: false,
        },
        response: { 201: tenantSchema, ...errors, 409: errors[400] },
      },
    },
    async (request, reply) =>
      reply.code(201).send(tenantView(await createTenant(deps, request.body, auditContext(request)))),
  )

  app.get(
    '/tenants',
    {
      onRequest: requireOperator,
      schema: { ...base, summary: 'List the tenants (operators)', response: { 200: listOf(tenantSchema), ...errors } },
    },
    async () => ({ items: (await listTenants(deps)).map(tenantView) }),
  )

  app.delete<{ Params: { tenant: string } }>(
    '/tenants/:tenant',
    {
      onRequest: requireOperator,
      schema: {
        ...base,
        summary: 'Delete a tenant with everything it owns (operators)',
        params: params('tenant'),
        response: { 204: { type: 'null' }, ...errorsWithNotFound, 409: errors[400] },
      },
    },
    async (request, reply) => {
      await deleteTenant(
        {
          ...manage,
          invalidate: () => {
            deps.accessKeys.invalidateAll()
            deps.clients.invalidateAll()
          },
        },
        request.params.tenant,
        auditContext(request),
      )
      return reply.code(204).send()
    },
  )

  app.post<{ Params: { tenant: string }; Body: NewKeyBody & { user_id?: string | null } }>(
    '/tenants/:tenant/access-keys',
    {
      onRequest: requireOperator,
      schema: {
        ...base,
        summary:
          "Create an access key in a tenant (operators): e.g. a service key with scope admin for the tenant's own admins",
        params: params('tenant'),
        body: {
          ...newAccessKeyBody,
          properties: {
            ...newAccessKeyBody.properties,
            user_id: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
          },
        },
        response: { 201: createdAccessKeySchema, ...errorsWithNotFound },
      },
    },
    async (request, reply) => {
      const tenant = await getTenant(deps, request.params.tenant)
      const { body } = request
      const issued = await createAccessKey(
        deps,
        {
          name: body.name,
          scopes: body.scopes,
          userId: body.user_id ?? null,
          expiresIn: body.expires_in,
          credential: credentialOf(body),
          workspace: body.workspace,
        },
        { ...auditContext(request), tenantId: tenant.id },
      )
      return reply.code(201).header('cache-control', 'no-store').send(issuedAccessKeyView(issued, deps.now()))
    },
  )
}

/** A tenant's own routes: its workspaces, roles and members, in the caller's tenant. */
export function registerAdminWorkspaceRoutes(app: FastifyInstance, deps: Services): void {
  const base = { tags: ['admin: workspaces'], security: SECURITY }
  const manage = { ...deps, invalidate: () => deps.accessKeys.invalidateAll() }

  app.post<{ Body: { slug: string; name: string } }>(
    '/workspaces',
    {
      schema: {
        ...base,
        summary: "Create a workspace in the caller's tenant",
        body: { type: 'object', properties: { slug, name }, required: ['slug', 'name'], additionalProperties: false },
        response: { 201: workspaceSchema, ...errors, 409: errors[400] },
      },
    },
    async (request, reply) =>
      reply.code(201).send(workspaceView(await createWorkspace(deps, request.body, auditContext(request)))),
  )

  app.get(
    '/workspaces',
    {
      schema: {
        ...base,
        summary: "List the caller's tenant's workspaces",
        response: { 200: listOf(workspaceSchema), ...errors },
      },
    },
    async (request) => ({ items: (await listWorkspaces(deps, tenantOfRequest(request))).map(workspaceView) }),
  )

  app.delete<{ Params: { workspace: string } }>(
    '/workspaces/:workspace',
    {
      schema: {
        ...base,
        summary: 'Delete a workspace: its memberships go, its access keys are revoked',
        params: params('workspace'),
        response: { 204: { type: 'null' }, ...errorsWithNotFound },
      },
    },
    async (request, reply) => {
      await deleteWorkspace(manage, request.params.workspace, auditContext(request))
      return reply.code(204).send()
    },
  )

  app.post<{ Body: { name: string; scopes: string[] } }>(
    '/roles',
    {
      schema: {
        ...base,
        summary: "Create a role (a name and its scopes) in the caller's tenant",
        body: {
          type: 'object',
          properties: { name, scopes: scopeArray },
          required: ['name', 'scopes'],
          additionalProperties: false,
        },
        response: { 201: roleSchema, ...errors, 409: errors[400] },
      },
    },
    async (request, reply) =>
      reply.code(201).send(roleView(await createRole(deps, request.body, auditContext(request)))),
  )

  app.get(
    '/roles',
    {
      schema: {
        ...base,
        summary: "List the caller's tenant's roles",
        response: { 200: listOf(roleSchema), ...errors },
      },
    },
    async (request) => ({ items: (await listRoles(deps, tenantOfRequest(request))).map(roleView) }),
  )

  app.patch<{ Params: { role: string }; Body: { scopes: string[] } }>(
    '/roles/:role',
    {
      schema: {
        ...base,
        summary: "Replace a role's scopes: its members' keys follow within ACCESS_KEY_CACHE_TTL",
        params: params('role'),
        body: { type: 'object', properties: { scopes: scopeArray }, required: ['scopes'], additionalProperties: false },
        response: { 200: roleSchema, ...errorsWithNotFound },
      },
    },
    async (request) =>
      roleView(await updateRole(manage, request.params.role, request.body.scopes, auditContext(request))),
  )

  app.get<{ Params: { workspace: string } }>(
    '/workspaces/:workspace/members',
    {
      schema: {
        ...base,
        summary: "List a workspace's members and their roles",
        params: params('workspace'),
        response: { 200: listOf(memberSchema), ...errorsWithNotFound },
      },
    },
    async (request) => ({
      items: (await listMembers(deps, tenantOfRequest(request), request.params.workspace)).map(memberView),
    }),
  )

  app.put<{ Params: { workspace: string; userId: string }; Body: { role: string } }>(
    '/workspaces/:workspace/members/:userId',
    {
      schema: {
        ...base,
        summary: 'Make a user a member of the workspace with a role, or change their role there',
        params: params('workspace', 'userId'),
        body: { type: 'object', properties: { role: ref }, required: ['role'], additionalProperties: false },
        response: { 200: memberSchema, ...errorsWithNotFound },
      },
    },
    async (request) =>
      memberView(
        await putMember(
          manage,
          { workspace: request.params.workspace, userId: request.params.userId, role: request.body.role },
          auditContext(request),
        ),
      ),
  )

  app.delete<{ Params: { workspace: string; userId: string } }>(
    '/workspaces/:workspace/members/:userId',
    {
      schema: {
        ...base,
        summary: 'Remove a user from the workspace: their keys there stop working',
        params: params('workspace', 'userId'),
        response: { 204: { type: 'null' }, ...errorsWithNotFound },
      },
    },
    async (request, reply) => {
      await removeMember(manage, request.params, auditContext(request))
      return reply.code(204).send()
    },
  )
}
