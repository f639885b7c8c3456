// Access keys: long-lived, scoped credentials for scripts and services. A secret key: only the SHA-256 of the
// secret part is stored; the key itself exists only in the one response that created it. A key-pair key: only
// the holder's public key is stored (its private key never reaches us, or leaves us once when we generate it).
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { StoreError, translate } from './errors.js'
import { fromList, toList, toPage, type Page, type PageOptions } from './lists.js'
import { directRowReader } from './direct-read.js'
import { directBatchWriter } from './direct-write.js'
import { toTimestamp } from './postgres-values.js'
import { toDate, toDateOrNull, toText } from './sqlite-values.js'
import { type AnyTenant, tenantWhere, type TenantScope } from './tenant-scope.js'
import { DEFAULT_TENANT_ID } from './tenants.js'

/** `secret`: presented as `pcl_<id>_<secret>`; `key_pair`: proven by signing (RFC 7523 §2.1), no secret. */
export type AccessKeyKind = 'secret' | 'key_pair'

export interface AccessKey {
  /** Public id, the middle part of `pcl_<id>_<secret>`; a key-pair key's assertions name it as iss and sub. */
  id: string
  prefix: string
  kind: AccessKeyKind
  /** A key-pair key's RFC 7638 SHA-256 thumbprint of its public key; null for a secret key. */
  publicKeyThumbprint: string | null
  /** The one algorithm a key-pair key's assertions may use (its JWK's `alg`); null for a secret key. */
  publicKeyAlg: string | null
  name: string
  /** The tenant it belongs to (its owner's). */
  tenantId: string
  /** The workspace it acts in; null for a tenant-wide key. */
  workspaceId: string | null
  /** The owner; null for a service key. */
  userId: string | null
  scopes: string[]
  expiresAt: Date | null
  lastUsedAt: Date | null
  revokedAt: Date | null
  /** The key this one was created with (through /v1/me): it expires no later and is revoked with it. */
  parentId: string | null
  createdAt: Date
}

/** What verification needs: the key, its secret hash or public key and its owner's state, in one query. */
export interface AccessKeyForVerification {
  key: AccessKey
  /** Null for a key-pair key: it has no secret, and no secret can match it. */
  secretHash: string | null
  /** A key-pair key's public JWK (public members and `alg`); null for a secret key. */
  publicKey: Record<string, unknown> | null
  owner: { id: string; username: string; scopes: string[]; disabled: boolean } | null
  /**
   * A user's key in a workspace: the owner's role there, read with the key (so within ACCESS_KEY_CACHE_TTL of a
   * change); null when the owner is no longer a member. Undefined for a tenant-wide or service key.
   */
  role?: { name: string; scopes: string[] } | null
}

export type NewAccessKey = {
  id: string
  prefix: string
  name: string
  /** Default: the default tenant. */
  tenantId?: string
  workspaceId?: string | null
  userId?: string | null
  scopes: readonly string[]
  expiresAt?: Date | null
  /** Must be active at `now`, or create() fails with conflict; the caller has bounded expiresAt by it. */
  parentId?: string | null
} & (
  | { secretHash: string; publicKey?: undefined }
  | { secretHash?: undefined; publicKey: { jwk: Record<string, unknown>; thumbprint: string } }
)

interface AccessKeyRow {
  id: string
  prefix: string
  secretHash: string | null
  publicKey: string | null
  publicKeyThumbprint: string | null
  name: string
  tenantId: string
  workspaceId: string | null
  userId: string | null
  scopes: string
  expiresAt: Date | null
  lastUsedAt: Date | null
  revokedAt: Date | null
  parentId: string | null
  createdAt: Date
}

function algOf(publicKey: string): string | null {
  const alg = (JSON.parse(publicKey) as { alg?: unknown }).alg
  return typeof alg === 'string' ? alg : null
}

// The hash never leaves the store except through findForVerification. A row with a public key is a key-pair key
// whatever else it holds: the kind is never read from a secret hash.
const toAccessKey = (row: AccessKeyRow): AccessKey => ({
  id: row.id,
  prefix: row.prefix,
  kind: row.publicKey === null ? 'secret' : 'key_pair',
  publicKeyThumbprint: row.publicKey === null ? null : row.publicKeyThumbprint,
  publicKeyAlg: row.publicKey === null ? null : algOf(row.publicKey),
  name: row.name,
  tenantId: row.tenantId,
  workspaceId: row.workspaceId,
  userId: row.userId,
  scopes: toList(row.scopes),
  expiresAt: row.expiresAt,
  lastUsedAt: row.lastUsedAt,
  revokedAt: row.revokedAt,
  parentId: row.parentId,
  createdAt: row.createdAt,
})

// A key with its owner and, for a user's key in a workspace, the owner's membership there and its role: one
// statement, so a key presented for the first time (or after ACCESS_KEY_CACHE_TTL) costs one read. Through Prisma
// the same lookup was two or three queries of ~200 µs of the event loop each, and with keys spread across many
// tenants and workspaces almost every use is such a first one (bench --tenants). A service key or a tenant-wide key
// joins no membership (`m."id"` is null and ignored: role stays undefined for them).
const VERIFICATION_SELECT = `SELECT k."id", k."prefix", k."secretHash", k."publicKey", k."publicKeyThumbprint", k."name",
  k."tenantId", k."workspaceId", k."userId", k."scopes", k."expiresAt", k."lastUsedAt", k."revokedAt", k."parentId",
  k."createdAt", u."id" AS "ownerId", u."username" AS "ownerUsername", u."scopes" AS "ownerScopes",
  u."disabled" AS "ownerDisabled", m."id" AS "membershipId", r."name" AS "roleName", r."scopes" AS "roleScopes"
FROM "AccessKey" k
LEFT JOIN "User" u ON u."id" = k."userId"
LEFT JOIN "Membership" m ON m."userId" = k."userId" AND m."workspaceId" = k."workspaceId"
LEFT JOIN "Role" r ON r."id" = m."roleId"
WHERE k."id" = `

type VerificationRow = Omit<AccessKeyRow, 'expiresAt' | 'lastUsedAt' | 'revokedAt' | 'createdAt'> & {
  expiresAt: Date | null
  lastUsedAt: Date | null
  revokedAt: Date | null
  createdAt: Date
  ownerId: string | null
  ownerUsername: string | null
  ownerScopes: string | null
  ownerDisabled: boolean | null
  membershipId: string | null
  roleName: string | null
  roleScopes: string | null
}

function toVerification(row: VerificationRow): AccessKeyForVerification {
  const inWorkspace = row.workspaceId !== null && row.userId !== null
  return {
    // The role is read at every lookup, never stored on the key: demoting the owner narrows the key.
    ...(inWorkspace
      ? { role: row.membershipId === null ? null : { name: row.roleName!, scopes: toList(row.roleScopes!) } }
      : {}),
    key: toAccessKey(row),
    // A key-pair key has no secret: its row's secretHash is null by construction, and is ignored here anyway.
    secretHash: row.publicKey === null ? row.secretHash : null,
    publicKey: row.publicKey === null ? null : (JSON.parse(row.publicKey) as Record<string, unknown>),
    owner:
      row.ownerId === null
        ? null
        : {
            id: row.ownerId,
            username: row.ownerUsername!,
            scopes: toList(row.ownerScopes!),
            disabled: Boolean(row.ownerDisabled),
          },
  }
}

/**
 * `sqlite`: the direct connection of an SQLite database (database.ts), `pool`: PostgreSQL's pool; the verification
 * read goes through them without Prisma (Prisma when neither is given, or while SQLite's is busy).
 */
export function createAccessKeyStore(prisma: PrismaClient, sqlite?: () => BetterSqlite3.Database, pool?: pg.Pool) {
  const findDirect = directRowReader<VerificationRow>(VERIFICATION_SELECT, { sqlite, pool }, (row) => ({
    ...(row as unknown as VerificationRow),
    expiresAt: toDateOrNull(row.expiresAt),
    lastUsedAt: toDateOrNull(row.lastUsedAt),
    revokedAt: toDateOrNull(row.revokedAt),
    createdAt: toDate(row.createdAt),
  }))
  // A batch of last uses at one time (the verifier's flush), written without Prisma (direct-write.ts): with keys
  // spread across many tenants, most uses of a busy server are first ones, each a row to update.
  const touchDirect = directBatchWriter<{ id: string; at: Date }>(
    {
      sqlite: `UPDATE "AccessKey" SET "lastUsedAt" = ? WHERE "id" = ? AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ?)`,
      sqliteValues: (use) => [toText(use.at), use.id, toText(use.at)],
      postgres: `UPDATE "AccessKey" SET "lastUsedAt" = u."at" FROM unnest($1::text[], $2::timestamp(3)[]) AS u("id", "at")
        WHERE "AccessKey"."id" = u."id" AND ("AccessKey"."lastUsedAt" IS NULL OR "AccessKey"."lastUsedAt" < u."at")`,
      postgresValues: (uses) => [uses.map((use) => use.id), uses.map((use) => toTimestamp(use.at))],
    },
    { sqlite, pool },
  )
  return {
    /** A key; with `parentId`, only while that key is active (conflict otherwise), in one transaction. */
    async create(input: NewAccessKey, now = new Date()): Promise<AccessKey> {
      const data = {
        id: input.id,
        prefix: input.prefix,
        secretHash: input.publicKey ? null : input.secretHash,
        publicKey: input.publicKey ? JSON.stringify(input.publicKey.jwk) : null,
        publicKeyThumbprint: input.publicKey?.thumbprint ?? null,
        name: input.name,
        tenantId: input.tenantId ?? DEFAULT_TENANT_ID,
        workspaceId: input.workspaceId ?? null,
        userId: input.userId ?? null,
        scopes: fromList(input.scopes),
        expiresAt: input.expiresAt ?? null,
        parentId: input.parentId ?? null,
        createdAt: now,
      }
      const parentId = input.parentId
      const row = await translate(`access key ${input.id}`, async () => {
        try {
          if (!parentId) return await prisma.accessKey.create({ data })
          return await prisma.$transaction(async (tx) => {
            // Writing the parent's row locks it until this insert commits, so a revocation of the parent either
            // commits first (and this finds it revoked) or waits and then finds this child to revoke with it.
            const parent = await tx.accessKey.updateMany({
              where: { id: parentId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
              data: { updatedAt: now },
            })
            if (parent.count === 0)
              throw new StoreError('conflict', 'the parent access key is revoked, expired or gone')
            return await tx.accessKey.create({ data })
          })
        } catch (err) {
          // A foreign-key failure means the owner vanished between the caller's check and this insert.
          if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2003')
            throw new StoreError('not_found', 'user not found')
          throw err
        }
      })
      return toAccessKey(row)
    },

    /** By id, within the scope: another tenant's key is not found. */
    async findById(scope: TenantScope, id: string): Promise<AccessKey | undefined> {
      const row = await prisma.accessKey.findUnique({ where: { id, ...tenantWhere(scope) } })
      return row ? toAccessKey(row) : undefined
    },

    /**
     * The key with its secret hash and owner, for verifying a presented key: in any tenant, since the key is what
     * names its tenant (the caller passes ANY_TENANT to say so).
     */
    async findForVerification(_scope: AnyTenant, id: string): Promise<AccessKeyForVerification | undefined> {
      if (findDirect) {
        const direct = await findDirect(id)
        if (direct !== 'busy') return direct && toVerification(direct)
      }
      const row = await prisma.accessKey.findUnique({
        where: { id },
        include: { user: { select: { id: true, username: true, scopes: true, disabled: true } } },
      })
      if (!row) return undefined
      // The role is read at every lookup, never stored on the key: demoting the owner narrows the key.
      const membership =
        row.workspaceId !== null && row.userId !== null
          ? await prisma.membership.findUnique({
              where: { userId_workspaceId: { userId: row.userId, workspaceId: row.workspaceId } },
              select: { role: { select: { name: true, scopes: true } } },
            })
          : undefined
      return {
        ...(membership === undefined
          ? {}
          : { role: membership ? { name: membership.role.name, scopes: toList(membership.role.scopes) } : null }),
        key: toAccessKey(row),
        // A key-pair key has no secret: its row's secretHash is null by construction, and is ignored here anyway.
        secretHash: row.publicKey === null ? row.secretHash : null,
        publicKey: row.publicKey === null ? null : (JSON.parse(row.publicKey) as Record<string, unknown>),
        owner: row.user
          ? {
              id: row.user.id,
              username: row.user.username,
              scopes: toList(row.user.scopes),
              disabled: row.user.disabled,
            }
          : null,
      }
    },

    /**
     * In creation order (ids sort by creation time). `userId` filters by owner; null lists service keys.
     * Revoked keys are included unless `active` is set.
     */
    async list(
      scope: TenantScope,
      options: PageOptions & { userId?: string | null | undefined; active?: boolean | undefined; now?: Date },
    ): Promise<Page<AccessKey>> {
      const now = options.now ?? new Date()
      const rows = await prisma.accessKey.findMany({
        where: {
          ...tenantWhere(scope),
          ...(options.userId === undefined ? {} : { userId: options.userId }),
          ...(options.after ? { id: { gt: options.after } } : {}),
          ...(options.active ? { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } : {}),
        },
        orderBy: { id: 'asc' },
        take: options.limit + 1,
      })
      return toPage(rows, options.limit, toAccessKey, (row) => row.id)
    },

    /**
     * Revokes the key (idempotent: an already revoked key keeps its first revocation time) and, in the same
     * transaction, every active key descended from it (`descendants`, the ones revoked now).
     * `userId` restricts the revocation to that owner's keys; another owner's key, or another tenant's, is not_found.
     */
    async revoke(
      scope: TenantScope,
      id: string,
      options: { userId?: string; now?: Date } = {},
    ): Promise<{ accessKey: AccessKey; changed: boolean; descendants: AccessKey[] }> {
      const now = options.now ?? new Date()
      const tenant = tenantWhere(scope)
      return translate('access key', () =>
        prisma.$transaction(async (tx) => {
          const current = await tx.accessKey.findUnique({ where: { id, ...tenant } })
          if (!current || (options.userId !== undefined && current.userId !== options.userId))
            throw new StoreError('not_found', 'access key not found')
          const accessKey = current.revokedAt
            ? current
            : await tx.accessKey.update({ where: { id, ...tenant }, data: { revokedAt: now } })
          const descendants: AccessKeyRow[] = []
          // A generation at a time; an already revoked key's descendants were revoked with it.
          for (let generation = [id]; generation.length > 0; ) {
            const children = await tx.accessKey.findMany({
              where: { parentId: { in: generation }, revokedAt: null, ...tenant },
            })
            if (children.length === 0) break
            generation = children.map((child) => child.id)
            await tx.accessKey.updateMany({ where: { id: { in: generation }, ...tenant }, data: { revokedAt: now } })
            descendants.push(...children.map((child) => ({ ...child, revokedAt: now })))
          }
          return {
            accessKey: toAccessKey(accessKey),
            changed: !current.revokedAt,
            descendants: descendants.map(toAccessKey),
          }
        }),
      )
    },

    /**
     * Records use, in one write per distinct time: keys used within the same flush share its timestamp.
     * Never moves last_used_at backwards (several instances flush independently).
     */
    async touchLastUsed(uses: ReadonlyMap<string, Date>): Promise<number> {
      let updated = 0
      let rest: ReadonlyMap<string, Date> = uses
      if (touchDirect) {
        // In id order: two instances' batches lock PostgreSQL's rows in the same order.
        const rows = [...uses].map(([id, at]) => ({ id, at })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        const written = await touchDirect(rows)
        updated += written.changed
        rest = new Map(written.busy.map((use) => [use.id, use.at]))
      }
      const byTime = new Map<number, string[]>()
      for (const [id, at] of rest) byTime.set(at.getTime(), [...(byTime.get(at.getTime()) ?? []), id])
      for (const [time, ids] of byTime) {
        const at = new Date(time)
        const result = await prisma.accessKey.updateMany({
          where: { id: { in: ids }, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
          data: { lastUsedAt: at },
        })
        updated += result.count
      }
      return updated
    },
  }
}

export type AccessKeyStore = ReturnType<typeof createAccessKeyStore>
