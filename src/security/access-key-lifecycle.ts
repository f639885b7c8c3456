// Creating and revoking access keys, the same way from the admin API, /v1/me and the CLI: checked against
// the owner, stored as a hash, audited, and the full key returned exactly once.
import type { ErrorDetail } from '../oauth/errors.js'
import type { AccessKey } from '../store/access-keys.js'
import type { Store } from '../store/index.js'
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
}

/** What is wrong with a request, one entry per field; empty when it may be issued. */
export function accessKeyProblems(request: AccessKeyRequest): ErrorDetail[] {
  const problems: ErrorDetail[] = []
  if (request.name.trim() === '') problems.push({ field: 'name', message: 'must not be blank' })
  if (request.owner?.disabled) problems.push({ field: 'user_id', message: 'the user is disabled' })
  const beyondOwner = request.owner ? request.scopes.filter((scope) => !request.owner!.scopes.includes(scope)) : []
  if (beyondOwner.length > 0) problems.push({ field: 'scopes', message: `the user does not hold ${beyondOwner.map((s) => JSON.stringify(s)).join(', ')}` })
  const beyondCeiling = request.ceiling ? request.scopes.filter((scope) => !request.ceiling!.includes(scope) && !beyondOwner.includes(scope)) : []
  if (beyondCeiling.length > 0) problems.push({ field: 'scopes', message: `the presented credential does not hold ${beyondCeiling.map((s) => JSON.stringify(s)).join(', ')}` })
  if (request.expiresIn !== undefined && (!Number.isInteger(request.expiresIn) || request.expiresIn < 1 || request.expiresIn > MAX_ACCESS_KEY_LIFETIME)) {
    problems.push({ field: 'expires_in', message: `must be a whole number of seconds from 1 to ${MAX_ACCESS_KEY_LIFETIME}` })
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
  const expiresAt = request.expiresIn === undefined ? null : new Date(now + request.expiresIn * 1000)
  const accessKey = await store.accessKeys.create(
    { id: generated.id, prefix: generated.prefix, secretHash: generated.secretHash, name: request.name.trim(), userId: request.owner?.id ?? null, scopes: request.scopes, expiresAt },
    new Date(now),
  )
  await store.audit.record(
    {
      type: 'access_key.created',
      actor: by.actor,
      subject: accessKey.id,
      ip: by.ip ?? null,
      details: { ...by.details, name: accessKey.name, user_id: accessKey.userId, scopes: accessKey.scopes, expires_at: expiresAt?.toISOString() ?? null },
    },
    new Date(now),
  )
  return { accessKey, key: generated.key }
}

/**
 * Revokes a key and records `access_key.revoked` (only the first time). `userId` limits it to that owner's
 * keys (anyone else's is not_found). Other instances stop accepting it within ACCESS_KEY_CACHE_TTL.
 */
export async function revokeAccessKey(
  store: Pick<Store, 'accessKeys' | 'audit'>,
  id: string,
  by: { actor: string | null; ip?: string | null; userId?: string; details?: Record<string, unknown> },
  now: number,
): Promise<AccessKey> {
  const { accessKey, changed } = await store.accessKeys.revoke(id, { now: new Date(now), ...(by.userId === undefined ? {} : { userId: by.userId }) })
  if (changed) {
    await store.audit.record({ type: 'access_key.revoked', actor: by.actor, subject: id, ip: by.ip ?? null, details: { ...by.details, name: accessKey.name, user_id: accessKey.userId } }, new Date(now))
  }
  return accessKey
}
