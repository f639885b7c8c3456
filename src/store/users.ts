import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { StoreError, translate } from './errors.js'
import { newId } from './ids.js'
import { fromList, toList, toPage, type Page, type PageOptions } from './lists.js'
import { types } from './postgres-values.js'
import { recordCutoff } from './revoked-tokens.js'
import { tenantWhere, type TenantScope } from './tenant-scope.js'
import { DEFAULT_TENANT_ID } from './tenants.js'

export interface User {
  id: string
  tenantId: string
  username: string
  passwordHash: string
  scopes: string[]
  disabled: boolean
  /** OpenID Connect standard claims (Core §5.1), when known. */
  email: string | null
  emailVerified: boolean
  name: string | null
  createdAt: Date
  updatedAt: Date
}

type UserRow = Omit<User, 'scopes'> & { scopes: string }

/**
 * A revocation recorded with a change, in its transaction (revoked-tokens.ts recordCutoff): the entry `jti`
 * refuses the user's access tokens issued at or before the change, until `expiresAt`. The change and the
 * revocation happen together or not at all: a user cannot be deleted while their tokens stay valid.
 */
export interface AccessTokenCutoff {
  jti: string
  expiresAt: Date
}

const toUser = (row: UserRow): User => ({ ...row, scopes: toList(row.scopes) })

/** The OpenID Connect claims a user may have set (null clears email or name). */
export type Profile = Pick<User, 'email' | 'emailVerified' | 'name'>

const profileData = (input: Partial<Profile>) => ({
  ...(input.email === undefined ? {} : { email: input.email }),
  ...(input.emailVerified === undefined ? {} : { emailVerified: input.emailVerified }),
  ...(input.name === undefined ? {} : { name: input.name }),
})

// A password login reads its user by username: on PostgreSQL on the pool, without Prisma's per-query work (about a
// millisecond of the event loop), the row as Prisma reads it.
const BY_USERNAME = `SELECT "id", "tenantId", "username", "passwordHash", "scopes", "disabled", "email", "emailVerified",
  "name", "createdAt", "updatedAt" FROM "User" WHERE "tenantId" = $1 AND "username" = $2`

export function createUserStore(prisma: PrismaClient, pool?: pg.Pool) {
  return {
    async create(
      input: {
        username: string
        passwordHash: string
        scopes: readonly string[]
        tenantId?: string
      } & Partial<Profile>,
    ): Promise<User> {
      const row = await translate(`user ${JSON.stringify(input.username)}`, () =>
        prisma.user.create({
          data: {
            id: newId(),
            tenantId: input.tenantId ?? DEFAULT_TENANT_ID,
            username: input.username,
            passwordHash: input.passwordHash,
            scopes: fromList(input.scopes),
            ...profileData(input),
          },
        }),
      )
      return toUser(row)
    },

    /** By id, within the scope: another tenant's user is not found. */
    async findById(scope: TenantScope, id: string): Promise<User | undefined> {
      const row = await prisma.user.findUnique({ where: { id, ...tenantWhere(scope) } })
      return row ? toUser(row) : undefined
    },

    /**
     * Usernames are unique within a tenant, so the tenant is always named: a lookup that defaulted to the default
     * tenant would find another user of the same name for a caller who forgot it.
     */
    async findByUsername(tenantId: string, username: string): Promise<User | undefined> {
      const row = pool
        ? (
            await pool.query<UserRow>({
              name: 'portcullis-user-by-username',
              text: BY_USERNAME,
              values: [tenantId, username],
              types,
            })
          ).rows[0]
        : await prisma.user.findUnique({ where: { tenantId_username: { tenantId, username } } })
      return row ? toUser(row) : undefined
    },

    /** By id, or by username when no user has that id (the CLI accepts either), within the tenant. */
    async findByIdOrUsername(tenantId: string, idOrUsername: string): Promise<User | undefined> {
      const row = await prisma.user.findFirst({
        where: { tenantId, OR: [{ id: idOrUsername }, { username: idOrUsername }] },
      })
      return row ? toUser(row) : undefined
    },

    async list(scope: TenantScope, options: PageOptions): Promise<Page<User>> {
      const rows = await prisma.user.findMany({
        where: {
          ...tenantWhere(scope),
          ...(options.after ? { id: { gt: options.after } } : {}),
        },
        orderBy: { id: 'asc' },
        take: options.limit + 1,
      })
      return toPage(rows, options.limit, toUser, (row) => row.id)
    },

    /** Another tenant's user is not_found, and unchanged (their logins too). */
    async update(
      scope: TenantScope,
      id: string,
      changes: { scopes?: readonly string[]; passwordHash?: string; disabled?: boolean } & Partial<Profile>,
      now = new Date(),
      options: { cutoff?: AccessTokenCutoff } = {},
    ): Promise<User> {
      return translate('user', () =>
        prisma.$transaction(async (tx) => {
          const row = await tx.user.update({
            where: { id, ...tenantWhere(scope) },
            data: {
              ...(changes.scopes ? { scopes: fromList(changes.scopes) } : {}),
              ...(changes.passwordHash ? { passwordHash: changes.passwordHash } : {}),
              ...(changes.disabled === undefined ? {} : { disabled: changes.disabled }),
              ...profileData(changes),
            },
          })
          // A disabled user's logins end now, not when their refresh tokens expire; so do the logins made
          // with a password that has just been replaced (it may have been stolen).
          const reason =
            changes.disabled === true ? 'user_disabled' : changes.passwordHash ? 'password_changed' : undefined
          if (reason)
            await tx.refreshFamily.updateMany({
              where: { userId: id, revokedAt: null },
              data: { revokedAt: now, revokedReason: reason },
            })
          if (options.cutoff) await recordCutoff(tx, options.cutoff.jti, options.cutoff.expiresAt, now)
          return toUser(row)
        }),
      )
    },

    /** Re-hash after a login at another bcrypt cost; only if the hash is still the one that was checked. */
    async replacePasswordHash(scope: TenantScope, id: string, oldHash: string, newHash: string): Promise<boolean> {
      const { count } = await prisma.user.updateMany({
        where: { id, passwordHash: oldHash, ...tenantWhere(scope) },
        data: { passwordHash: newHash },
      })
      return count > 0
    },

    /** Deletes the user; their refresh-token families and access keys go with them (cascade). */
    async delete(
      scope: TenantScope,
      id: string,
      now = new Date(),
      options: { cutoff?: AccessTokenCutoff } = {},
    ): Promise<void> {
      const { cutoff } = options
      await translate('user', () =>
        prisma.$transaction(async (tx) => {
          await tx.user.delete({ where: { id, ...tenantWhere(scope) } })
          if (cutoff) await recordCutoff(tx, cutoff.jti, cutoff.expiresAt, now)
        }),
      )
    },

    async requireById(scope: TenantScope, id: string): Promise<User> {
      const user = await this.findById(scope, id)
      if (!user) throw new StoreError('not_found', 'user not found')
      return user
    },
  }
}

export type UserStore = ReturnType<typeof createUserStore>
