// Access keys created and revoked by an administrator (admin API, CLI): service keys or keys of a user, within
// that user's scopes, with no parent (security/access-key-lifecycle.ts has the rules and the audit events it
// shares with /v1/me). The key is returned once; only the hash of its secret is stored.
import { notFound, validationFailed } from '../errors.js'
import {
  accessKeyProblems,
  issueAccessKey,
  revokeKeyWithDescendants,
  type AccessKeyCredential,
  type IssuedAccessKey,
} from '../security/access-key-lifecycle.js'
import type { AccessKeyVerifier } from '../security/access-keys.js'
import type { AccessKey } from '../store/access-keys.js'
import { DEFAULT_TENANT_ID, StoreError, type Page } from '../store/index.js'
import type { ChangedBy, ManageDeps } from './changes.js'
import { nameProblems, scopeProblems } from './rules.js'

export interface AccessKeyDeps extends ManageDeps {
  /** This instance's access-key cache: a revoked key stops at once here (elsewhere within ACCESS_KEY_CACHE_TTL). */
  accessKeys?: Pick<AccessKeyVerifier, 'invalidate'>
}

/**
 * Creates a key and records `access_key.created`. Throws validationFailed() with every problem (an unknown or
 * disabled owner, scopes the owner lacks, a bad expiry, an unusable public key). `credential` makes a key-pair
 * key (a registered public key, or a generated pair whose private key is returned once) instead of a secret one.
 *
 * @example
 * const { accessKey, key } = await createAccessKey(deps, { name: 'ci', scopes: ['deploy'], userId: null }, by)
 */
export async function createAccessKey(
  deps: AccessKeyDeps,
  request: {
    name: string
    scopes: readonly string[]
    userId: string | null
    expiresIn?: number | undefined
    credential?: AccessKeyCredential | undefined
    /** A workspace of the tenant (id or slug); undefined: a tenant-wide key. */
    workspace?: string | undefined
  },
  by: ChangedBy,
): Promise<IssuedAccessKey> {
  const tenantId = by.tenantId ?? DEFAULT_TENANT_ID
  const owner = request.userId ? await deps.store.users.findById(tenantId, request.userId) : null
  if (owner === undefined) throw validationFailed([{ field: 'user_id', message: 'no user has this id' }])
  const workspace = await keyWorkspace(deps, tenantId, owner, request.workspace)
  const keyRequest = {
    tenantId,
    workspace,
    name: request.name,
    scopes: request.scopes,
    owner,
    expiresIn: request.expiresIn,
    credential: request.credential,
  }
  const problems = [
    ...nameProblems('name', request.name),
    ...scopeProblems(request.scopes),
    ...accessKeyProblems(keyRequest).filter((problem) => problem.field !== 'name'),
  ]
  if (problems.length > 0) throw validationFailed(problems)
  return issueAccessKey(deps.store, keyRequest, by, deps.now())
}

/**
 * The workspace a new key acts in, with its owner's role's scopes there (a service key: no role, its own scopes).
 * An unknown workspace, or one its owner is not a member of, is a validation failure of `workspace`.
 */
export async function keyWorkspace(
  deps: Pick<ManageDeps, 'store'>,
  tenantId: string,
  owner: { id: string } | null,
  workspace: string | undefined,
): Promise<{ id: string; roleScopes: readonly string[] } | undefined> {
  if (workspace === undefined) return undefined
  const found = await deps.store.tenants.workspaces.find(tenantId, workspace)
  if (!found) throw validationFailed([{ field: 'workspace', message: 'no workspace has this id or slug' }])
  if (!owner) return { id: found.id, roleScopes: [] }
  const membership = await deps.store.tenants.memberships.find(tenantId, owner.id, found.id)
  if (!membership)
    throw validationFailed([{ field: 'workspace', message: 'the user is not a member of this workspace' }])
  return { id: found.id, roleScopes: membership.role.scopes }
}

/** Revokes a key with the keys created from it, recording `access_key.revoked` for each. */
export async function revokeAccessKey(
  deps: AccessKeyDeps,
  id: string,
  by: ChangedBy,
): Promise<{ accessKey: AccessKey; descendants: AccessKey[] }> {
  try {
    const revoked = await revokeKeyWithDescendants(deps.store, by.tenantId ?? DEFAULT_TENANT_ID, id, by, deps.now())
    for (const key of [revoked.accessKey, ...revoked.descendants]) deps.accessKeys?.invalidate(key.id)
    return revoked
  } catch (err) {
    if (err instanceof StoreError && err.code === 'not_found') throw notFound('no access key has this id')
    throw err
  }
}

/** The key, within `tenantId` (default: the default tenant): another tenant's key is not found. */
export async function getAccessKey(deps: Pick<ManageDeps, 'store'>, id: string, tenantId?: string): Promise<AccessKey> {
  const key = await deps.store.accessKeys.findById(tenantId ?? DEFAULT_TENANT_ID, id)
  if (!key) throw notFound('no access key has this id')
  return key
}

/** Oldest first; `userId` null: only service keys. */
export function listAccessKeys(
  deps: Pick<ManageDeps, 'store' | 'now'>,
  options: {
    after?: string | undefined
    limit: number
    userId?: string | null | undefined
    active?: boolean | undefined
    tenantId?: string | undefined
  },
): Promise<Page<AccessKey>> {
  const { tenantId, ...page } = options
  return deps.store.accessKeys.list(tenantId ?? DEFAULT_TENANT_ID, { ...page, now: new Date(deps.now()) })
}
