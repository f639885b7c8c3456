// `portcullis tenants|workspaces|roles|members …`: tenancy through manage/tenants.ts, as the admin API. Tenants are
// the operator's (the CLI runs with the database's own authority); workspaces, roles and members act in --tenant.
import {
  createRole,
  createTenant,
  createWorkspace,
  deleteTenant,
  listRoles,
  listTenants,
  listWorkspaces,
  putMember,
  removeMember,
  updateRole,
} from '../../manage/tenants.js'
import { expectPositionals, requireString, scopeList } from '../args.js'
import { CliError, type CliContext, type Command } from '../command.js'
import { dateText, listText, table } from '../format.js'

async function userIdOf(ctx: CliContext, idOrUsername: string): Promise<string> {
  const user = await (await ctx.store()).users.findByIdOrUsername(ctx.tenantId, idOrUsername)
  if (!user) throw new CliError(`no user with id or username "${idOrUsername}" in this tenant`)
  return user.id
}

const tenantsCreate: Command = {
  name: 'tenants create',
  summary: 'Create a tenant',
  usage: '--slug SLUG --name NAME',
  options: { slug: { type: 'string' }, name: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const tenant = await createTenant(
      await ctx.deps(),
      { slug: requireString(values, 'slug'), name: requireString(values, 'name') },
      { ...ctx.by, tenantId: undefined },
    )
    ctx.io.print(`tenant "${tenant.slug}" created with id ${tenant.id}`)
    return { id: tenant.id, slug: tenant.slug, name: tenant.name, created_at: tenant.createdAt.toISOString() }
  },
}

const tenantsList: Command = {
  name: 'tenants list',
  summary: 'List the tenants',
  usage: '',
  options: {},
  async run(ctx, { positionals }) {
    expectPositionals(positionals, [])
    const tenants = (await listTenants(await ctx.deps())).map((tenant) => ({
      id: tenant.id,
      slug: tenant.slug,
      name: tenant.name,
      created_at: tenant.createdAt.toISOString(),
    }))
    ctx.io.print(
      table(
        ['ID', 'SLUG', 'NAME', 'CREATED'],
        tenants.map((tenant) => [tenant.id, tenant.slug, tenant.name, dateText(new Date(tenant.created_at))]),
      ),
    )
    return tenants
  },
}

const tenantsDelete: Command = {
  name: 'tenants delete',
  summary: 'Delete a tenant with everything it owns (users, clients, keys, logins, audit events)',
  usage: 'SLUG',
  options: {},
  async run(ctx, { positionals }) {
    const [slug] = expectPositionals(positionals, ['SLUG'])
    await deleteTenant(await ctx.deps(), slug!, { ...ctx.by, tenantId: undefined })
    ctx.io.print(`tenant "${slug}" deleted`)
    return { deleted: slug }
  },
}

const workspacesCreate: Command = {
  name: 'workspaces create',
  summary: 'Create a workspace in --tenant',
  usage: '--tenant S --slug W --name N',
  options: { slug: { type: 'string' }, name: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const workspace = await createWorkspace(
      await ctx.deps(),
      { slug: requireString(values, 'slug'), name: requireString(values, 'name') },
      ctx.by,
    )
    ctx.io.print(`workspace "${workspace.slug}" created with id ${workspace.id}`)
    return { id: workspace.id, tenant_id: workspace.tenantId, slug: workspace.slug, name: workspace.name }
  },
}

const workspacesList: Command = {
  name: 'workspaces list',
  summary: "List --tenant's workspaces",
  usage: '--tenant S',
  options: {},
  async run(ctx, { positionals }) {
    expectPositionals(positionals, [])
    const workspaces = (await listWorkspaces(await ctx.deps(), ctx.tenantId)).map((workspace) => ({
      id: workspace.id,
      slug: workspace.slug,
      name: workspace.name,
    }))
    ctx.io.print(
      table(
        ['ID', 'SLUG', 'NAME'],
        workspaces.map((w) => [w.id, w.slug, w.name]),
      ),
    )
    return workspaces
  },
}

const rolesCreate: Command = {
  name: 'roles create',
  summary: 'Create a role (a name and its scopes) in --tenant',
  usage: '--tenant S --name R --scopes "a b"',
  options: { name: { type: 'string' }, scopes: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const role = await createRole(
      await ctx.deps(),
      { name: requireString(values, 'name'), scopes: scopeList(values.scopes) },
      ctx.by,
    )
    ctx.io.print(`role "${role.name}" created with id ${role.id}`)
    return { id: role.id, name: role.name, scopes: role.scopes }
  },
}

const rolesList: Command = {
  name: 'roles list',
  summary: "List --tenant's roles",
  usage: '--tenant S',
  options: {},
  async run(ctx, { positionals }) {
    expectPositionals(positionals, [])
    const roles = (await listRoles(await ctx.deps(), ctx.tenantId)).map((role) => ({
      id: role.id,
      name: role.name,
      scopes: role.scopes,
    }))
    ctx.io.print(
      table(
        ['ID', 'NAME', 'SCOPES'],
        roles.map((role) => [role.id, role.name, listText(role.scopes)]),
      ),
    )
    return roles
  },
}

const rolesUpdate: Command = {
  name: 'roles update',
  summary: "Replace a role's scopes (its members' keys follow within ACCESS_KEY_CACHE_TTL)",
  usage: '--tenant S ROLE --scopes "a b"',
  options: { scopes: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    const [name] = expectPositionals(positionals, ['ROLE'])
    if (values.scopes === undefined) throw new CliError('--scopes is required')
    const role = await updateRole(await ctx.deps(), name!, scopeList(values.scopes), ctx.by)
    ctx.io.print(`role "${role.name}" now has: ${listText(role.scopes)}`)
    return { id: role.id, name: role.name, scopes: role.scopes }
  },
}

const membersAdd: Command = {
  name: 'members add',
  summary: 'Make a user a member of a workspace with a role, or change their role there',
  usage: '--tenant S --workspace W --user U --role R',
  options: { workspace: { type: 'string' }, user: { type: 'string' }, role: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const userId = await userIdOf(ctx, requireString(values, 'user'))
    const membership = await putMember(
      await ctx.deps(),
      { workspace: requireString(values, 'workspace'), userId, role: requireString(values, 'role') },
      ctx.by,
    )
    ctx.io.print(`user ${userId} is a member of workspace ${membership.workspaceId} as ${membership.role.name}`)
    return { user_id: userId, workspace_id: membership.workspaceId, role: membership.role.name }
  },
}

const membersRemove: Command = {
  name: 'members remove',
  summary: 'Remove a user from a workspace (their keys there stop working)',
  usage: '--tenant S --workspace W --user U',
  options: { workspace: { type: 'string' }, user: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const userId = await userIdOf(ctx, requireString(values, 'user'))
    const workspace = requireString(values, 'workspace')
    await removeMember(await ctx.deps(), { workspace, userId }, ctx.by)
    ctx.io.print(`user ${userId} removed from workspace ${workspace}`)
    return { user_id: userId, workspace, removed: true }
  },
}

export const tenancyCommands: readonly Command[] = [
  tenantsCreate,
  tenantsList,
  tenantsDelete,
  workspacesCreate,
  workspacesList,
  rolesCreate,
  rolesList,
  rolesUpdate,
  membersAdd,
  membersRemove,
]
