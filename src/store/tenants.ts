// Tenants, their workspaces and roles, and users' memberships of workspaces (one role in each). Every query of
// a workspace, role or membership is scoped by the tenant passed in: an id of another tenant is not found.
import type { PrismaClient } from './database.js'
import { StoreError, translate } from './errors.js'
import { newId } from './ids.js'
import { fromList, toList } from './lists.js'

/** The tenant every row made before tenants belongs to, and the one a deployment without tenants uses. */
export const DEFAULT_TENANT_ID = '00000000-0000-7000-8000-000000000000'
export const DEFAULT_TENANT_SLUG = 'default'

export interface Tenant {
  id: string
  slug: string
  name: string
  createdAt: Date
}

export interface Workspace {
  id: string
  tenantId: string
  slug: string
  name: string
  createdAt: Date
}

export interface Role {
  id: string
  tenantId: string
  name: string
  scopes: string[]
  createdAt: Date
}

export interface Membership {
  id: string
  userId: string
  workspaceId: string
  role: Role
  createdAt: Date
}

const toRole = (row: { id: string; tenantId: string; name: string; scopes: string; createdAt: Date }): Role => ({
  id: row.id,
  tenantId: row.tenantId,
  name: row.name,
  scopes: toList(row.scopes),
  createdAt: row.createdAt,
})

const toWorkspace = (row: Workspace): Workspace => ({
  id: row.id,
  tenantId: row.tenantId,
  slug: row.slug,
  name: row.name,
  createdAt: row.createdAt,
})

// An id or a slug (the wire accepts either): ids are UUIDs, slugs never look like one.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const byIdOrSlug = (value: string) => (UUID.test(value) ? { id: value } : { slug: value })

type MembershipRow = {
  id: string
  userId: string
  workspaceId: string
  createdAt: Date
  role: { id: string; tenantId: string; name: string; scopes: string; createdAt: Date }
}
const toMembership = (row: MembershipRow): Membership => ({
  id: row.id,
  userId: row.userId,
  workspaceId: row.workspaceId,
  role: toRole(row.role),
  createdAt: row.createdAt,
})

export function createTenantStore(prisma: PrismaClient) {
  return {
    async create(input: { slug: string; name: string }, now = new Date()): Promise<Tenant> {
      return translate(`tenant ${JSON.stringify(input.slug)}`, () =>
        prisma.tenant.create({
          data: { id: newId(now.getTime()), slug: input.slug, name: input.name, createdAt: now },
        }),
      )
    },

    /** By id or slug. */
    async find(idOrSlug: string): Promise<Tenant | undefined> {
      return (await prisma.tenant.findFirst({ where: byIdOrSlug(idOrSlug) })) ?? undefined
    },

    async require(idOrSlug: string): Promise<Tenant> {
      const tenant = await this.find(idOrSlug)
      if (!tenant) throw new StoreError('not_found', 'tenant not found')
      return tenant
    },

    async list(): Promise<Tenant[]> {
      return prisma.tenant.findMany({ orderBy: { id: 'asc' } })
    },

    /**
     * Deletes the tenant and every row it owns, in one transaction. Tenant-owned tables carry `tenantId` without a
     * foreign key (SQLite cannot add one to an existing table without rebuilding it), so they are emptied here.
     */
    async delete(id: string): Promise<void> {
      if (id === DEFAULT_TENANT_ID) throw new StoreError('conflict', 'the default tenant cannot be deleted')
      await translate('tenant', () =>
        prisma.$transaction(async (tx) => {
          const where = { tenantId: id }
          await tx.membership.deleteMany({ where: { workspace: { tenantId: id } } })
          await tx.accessKey.deleteMany({ where })
          await tx.consent.deleteMany({ where })
          await tx.refreshFamily.deleteMany({ where })
          await tx.session.deleteMany({ where })
          await tx.authorizationCode.deleteMany({ where })
          await tx.auditEvent.deleteMany({ where })
          await tx.user.deleteMany({ where })
          await tx.client.deleteMany({ where })
          await tx.tenant.delete({ where: { id } })
        }),
      )
    },

    workspaces: {
      async create(tenantId: string, input: { slug: string; name: string }, now = new Date()): Promise<Workspace> {
        const row = await translate(`workspace ${JSON.stringify(input.slug)}`, () =>
          prisma.workspace.create({
            data: { id: newId(now.getTime()), tenantId, slug: input.slug, name: input.name, createdAt: now },
          }),
        )
        return toWorkspace(row)
      },
      /** By id or slug, within the tenant. */
      async find(tenantId: string, idOrSlug: string): Promise<Workspace | undefined> {
        const row = await prisma.workspace.findFirst({ where: { tenantId, ...byIdOrSlug(idOrSlug) } })
        return row ? toWorkspace(row) : undefined
      },
      async require(tenantId: string, idOrSlug: string): Promise<Workspace> {
        const workspace = await this.find(tenantId, idOrSlug)
        if (!workspace) throw new StoreError('not_found', 'workspace not found')
        return workspace
      },
      async list(tenantId: string): Promise<Workspace[]> {
        return (await prisma.workspace.findMany({ where: { tenantId }, orderBy: { id: 'asc' } })).map(toWorkspace)
      },
      async delete(tenantId: string, id: string): Promise<void> {
        const { count } = await prisma.$transaction(async (tx) => {
          await tx.accessKey.updateMany({
            where: { tenantId, workspaceId: id, revokedAt: null },
            data: { revokedAt: new Date() },
          })
          return tx.workspace.deleteMany({ where: { tenantId, id } })
        })
        if (count === 0) throw new StoreError('not_found', 'workspace not found')
      },
    },

    roles: {
      async create(
        tenantId: string,
        input: { name: string; scopes: readonly string[] },
        now = new Date(),
      ): Promise<Role> {
        const row = await translate(`role ${JSON.stringify(input.name)}`, () =>
          prisma.role.create({
            data: {
              id: newId(now.getTime()),
              tenantId,
              name: input.name,
              scopes: fromList(input.scopes),
              createdAt: now,
            },
          }),
        )
        return toRole(row)
      },
      /** By id or name, within the tenant. */
      async find(tenantId: string, idOrName: string): Promise<Role | undefined> {
        const row = await prisma.role.findFirst({
          where: { tenantId, ...(UUID.test(idOrName) ? { id: idOrName } : { name: idOrName }) },
        })
        return row ? toRole(row) : undefined
      },
      async require(tenantId: string, idOrName: string): Promise<Role> {
        const role = await this.find(tenantId, idOrName)
        if (!role) throw new StoreError('not_found', 'role not found')
        return role
      },
      async list(tenantId: string): Promise<Role[]> {
        return (await prisma.role.findMany({ where: { tenantId }, orderBy: { id: 'asc' } })).map(toRole)
      },
      async update(tenantId: string, id: string, changes: { scopes: readonly string[] }): Promise<Role> {
        const { count } = await prisma.role.updateMany({
          where: { tenantId, id },
          data: { scopes: fromList(changes.scopes) },
        })
        if (count === 0) throw new StoreError('not_found', 'role not found')
        return this.require(tenantId, id)
      },
    },

    memberships: {
      /** Adds the user to the workspace with the role, or changes their role there. All three must be the tenant's. */
      async put(tenantId: string, input: { userId: string; workspaceId: string; roleId: string }, now = new Date()) {
        return translate('membership', async () => {
          const [user, workspace, role] = await Promise.all([
            prisma.user.findFirst({ where: { tenantId, id: input.userId }, select: { id: true } }),
            prisma.workspace.findFirst({ where: { tenantId, id: input.workspaceId }, select: { id: true } }),
            prisma.role.findFirst({ where: { tenantId, id: input.roleId }, select: { id: true } }),
          ])
          if (!user) throw new StoreError('not_found', 'user not found')
          if (!workspace) throw new StoreError('not_found', 'workspace not found')
          if (!role) throw new StoreError('not_found', 'role not found')
          const row = await prisma.membership.upsert({
            where: { userId_workspaceId: { userId: input.userId, workspaceId: input.workspaceId } },
            create: { id: newId(now.getTime()), ...input, createdAt: now },
            update: { roleId: input.roleId },
            include: { role: true },
          })
          return toMembership(row)
        })
      },
      async remove(tenantId: string, userId: string, workspaceId: string): Promise<void> {
        const { count } = await prisma.membership.deleteMany({
          where: { userId, workspaceId, workspace: { tenantId } },
        })
        if (count === 0) throw new StoreError('not_found', 'membership not found')
      },
      async find(tenantId: string, userId: string, workspaceId: string): Promise<Membership | undefined> {
        const row = await prisma.membership.findFirst({
          where: { userId, workspaceId, workspace: { tenantId } },
          include: { role: true },
        })
        return row ? toMembership(row) : undefined
      },
      async listByWorkspace(tenantId: string, workspaceId: string): Promise<Membership[]> {
        const rows = await prisma.membership.findMany({
          where: { workspaceId, workspace: { tenantId } },
          include: { role: true },
          orderBy: { id: 'asc' },
        })
        return rows.map(toMembership)
      },
    },
  }
}

export type TenantStore = ReturnType<typeof createTenantStore>
