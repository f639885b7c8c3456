// Creating and revoking access keys, the same way from the admin API, /v1/me and the CLI: checked against
// the owner, stored as a hash, audited, and the full key returned exactly once.
//
// A key made through /v1/me with an access key (presented, or the `access_key_id` of a JWT exchanged from
// one) is that key's child: it can hold no scope the parent lacks (the route's ceiling), it expires no later
// than the parent (a longer or no expiry is shortened to the parent's, which the response shows), and
// revoking any key revokes its descendants in the same transaction. So a short-lived or revoked key cannot
// leave behind a key that outlives it. Keys made through the admin API or the CLI have no parent: creating
// them is provisioning by an administrator (who could as well create a user), not delegation.
import type { ErrorDetail } from '../errors.js'
import type { AccessKey } from '../store/access-keys.js'
import type { Store } from '../store/index.js'
import { StoreError } from '../store/index.js'
import type { User } from '../store/users.js'
import { generateAccessKey } from './access-keys.js'

export const MAX_ACCESS_KEY_LIFETIME = 10 * 365 * 86400

export interface AccessKeyRequest {
  name: string
  scopes: readonly string[]
  /** The owner; null for a service key. */
  owner: User | null
  /** Seconds from now; undefined for a key that does not expire. */
  expiresIn?: number | undefined
  /** The scopes the creator may hand on (e.g. the scopes of the token creating its user's own key). */
  ceiling?: readonly string[] | undefined
  /** The access key the creator holds the authority of: the new key is bounded by its expiry and revoked with it. */
  parent?: Pick<AccessKey, 'id' | 'expiresAt'> | undefined
}

/** The parent is revoked, expired or deleted between the caller's check and the insert. */
export class ParentKeyInactiveError extends Error {
  override name = 'ParentKeyInactiveError'
}

/** When a new key expires: as asked, but never after its parent. */
export function boundedExpiry(request: Pick<AccessKeyRequest, 'expiresIn' | 'parent'>, now: number): Date | null {
  const asked = request.expiresIn === undefined ? null : new Date(now + request.expiresIn * 1000)
  const ceiling = request.parent?.expiresAt ?? null
  if (ceiling === null) return asked
  return asked === null || asked > ceiling ? ceiling : asked
}

/** What is wrong with a request, one entry per field; empty when it may be issued. */
export function accessKeyProblems(request: AccessKeyRequest): ErrorDetail[] {
  const problems: ErrorDetail[] = []
  if (request.name.trim() === '') problems.push({ field: 'name', message: 'must not be blank' })
  if (request.owner?.disabled) problems.push({ field: 'user_id', message: 'the user is disabled' })
  const beyondOwner = request.owner ? request.scopes.filter((scope) => !request.owner!.scopes.includes(scope)) : []
  if (beyondOwner.length > 0)
    problems.push({
      field: 'scopes',
      message: `the user does not hold ${beyondOwner.map((s) => JSON.stringify(s)).join(', ')}`,
    })
  const beyondCeiling = request.ceiling
    ? request.scopes.filter((scope) => !request.ceiling!.includes(scope) && !beyondOwner.includes(scope))
    : []
  if (beyondCeiling.length > 0)
    problems.push({
      field: 'scopes',
      message: `the presented credential does not hold ${beyondCeiling.map((s) => JSON.stringify(s)).join(', ')}`,
    })
  if (
    request.expiresIn !== undefined &&
    (!Number.isInteger(request.expiresIn) || request.expiresIn < 1 || request.expiresIn > MAX_ACCESS_KEY_LIFETIME)
  ) {
    problems.push({
      field: 'expires_in',
      message: `must be a whole number of seconds from 1 to ${MAX_ACCESS_KEY_LIFETIME}`,
    })
  }
  return problems
}

/**
 * Stores a new key (only the hash of its secret) and records `access_key.created`. The caller has checked
 * accessKeyProblems(); the returned `key` is the only copy there will ever be.
 *
 * @example
 * const { accessKey, key } = await issueAccessKey(store, { name: 'ci', scopes: ['read'], owner: null }, { actor: 'cli' }, Date.now())
 */
export async function issueAccessKey(
  store: Pick<Store, 'accessKeys' | 'audit'>,
  request: AccessKeyRequest,
  by: { actor: string | null; ip?: string | null; details?: Record<string, unknown> },
  now: number,
): Promise<{ accessKey: AccessKey; key: string }> {
  const generated = generateAccessKey(now)
  const expiresAt = boundedExpiry(request, now)
  const parentId = request.parent?.id ?? null
  let accessKey: AccessKey
  try {
    accessKey = await store.accessKeys.create(
      {
        id: generated.id,
        prefix: generated.prefix,
        secretHash: generated.secretHash,
        name: request.name.trim(),
        userId: request.owner?.id ?? null,
        scopes: request.scopes,
        expiresAt,
        parentId,
      },
      new Date(now),
    )
  } catch (err) {
    if (parentId !== null && err instanceof StoreError && err.code === 'conflict')
      throw new ParentKeyInactiveError(err.message)
    throw err
  }
  await store.audit.record(
    {
      type: 'access_key.created',
      actor: by.actor,
      subject: accessKey.id,
      ip: by.ip ?? null,
      details: {
        ...by.details,
        name: accessKey.name,
        user_id: accessKey.userId,
        scopes: accessKey.scopes,
        expires_at: expiresAt?.toISOString() ?? null,
        ...(parentId === null ? {} : { parent_id: parentId }),
      },
    },
    new Date(now),
  )
  return { accessKey, key: generated.key }
}

/**
 * Revokes a key with its descendants (one transaction) and records `access_key.revoked` for each (the key's
 * only the first time). `userId` limits it to that owner's keys (anyone else's is not_found). The caller
 * drops every returned id from its access-key cache; other instances stop accepting them within
 * ACCESS_KEY_CACHE_TTL.
 */
export async function revokeKeyWithDescendants(
  store: Pick<Store, 'accessKeys' | 'audit'>,
  id: string,
  by: { actor: string | null; ip?: string | null; userId?: string; details?: Record<string, unknown> },
  now: number,
): Promise<{ accessKey: AccessKey; descendants: AccessKey[] }> {
  const { accessKey, changed, descendants } = await store.accessKeys.revoke(id, {
    now: new Date(now),
    ...(by.userId === undefined ? {} : { userId: by.userId }),
  })
  const at = new Date(now)
  if (changed) {
    await store.audit.record(
      {
        type: 'access_key.revoked',
        actor: by.actor,
        subject: id,
        ip: by.ip ?? null,
        details: { ...by.details, name: accessKey.name, user_id: accessKey.userId },
      },
      at,
    )
  }
  for (const descendant of descendants) {
    await store.audit.record(
      {
        type: 'access_key.revoked',
        actor: by.actor,
        subject: descendant.id,
        ip: by.ip ?? null,
        details: { ...by.details, name: descendant.name, user_id: descendant.userId, revoked_with: id },
      },
      at,
    )
  }
  return { accessKey, descendants }
}
