// Creating and revoking access keys, the same way from the admin API, /v1/me and the CLI: checked against
// the owner, stored as a hash, audited, and the full key returned exactly once.
//
// A key made through /v1/me with an access key (presented, or the `access_key_id` of a JWT exchanged from
// one) is that key's child: it can hold no scope the parent lacks (the route's ceiling), it expires no later
// than the parent (a longer or no expiry is shortened to the parent's, which the response shows), and
// revoking any key revokes its descendants in the same transaction. So a short-lived or revoked key cannot
// leave behind a key that outlives it. Keys made through the admin API or the CLI have no parent: creating
// them is provisioning by an administrator (who could as well create a user), not delegation.
//
// A key is a secret key (`pcl_<id>_<secret>`, only its hash stored) or a key-pair key: a public key registered
// or generated here, no secret at all. Both kinds follow every rule above alike.
import type { ErrorDetail } from '../errors.js'
import type { AccessKey } from '../store/access-keys.js'
import type { Store } from '../store/index.js'
import { DEFAULT_TENANT_ID, StoreError } from '../store/index.js'
import type { User } from '../store/users.js'
import {
  checkPublicJwk,
  DEFAULT_KEY_PAIR_ALGORITHM,
  generateKeyPair,
  publicKeyPair,
  PublicKeyError,
  type KeyPairAlgorithm,
  type PublicKeyPair,
} from './access-key-pairs.js'
import { generateAccessKey } from './access-keys.js'

export const MAX_ACCESS_KEY_LIFETIME = 10 * 365 * 86400

/**
 * How the holder proves the key: a generated secret (the default), a public key they registered (a JWK object),
 * or a key pair generated here (`alg` default ES256) whose private key is returned once.
 */
export type AccessKeyCredential =
  | { kind: 'secret' }
  | { kind: 'public_key'; jwk: unknown; alg?: KeyPairAlgorithm | undefined }
  | { kind: 'generate_key_pair'; alg?: KeyPairAlgorithm | undefined }

/** What creating a key returns once: the secret key, or the generated private key; nothing for a registered public key. */
export interface IssuedAccessKey {
  accessKey: AccessKey
  /** `pcl_<id>_<secret>` of a secret key: the only copy there will ever be. */
  key?: string
  /** A key-pair key's public JWK (as stored). */
  publicKey?: PublicKeyPair['jwk']
  /** The generated private key (generate_key_pair): the only copy there will ever be. */
  privateKey?: { jwk: Record<string, unknown>; pem: string }
}

export interface AccessKeyRequest {
  name: string
  scopes: readonly string[]
  /** The owner; null for a service key. */
  owner: User | null
  /** The tenant of the key: its owner's; default: the default tenant. */
  tenantId?: string | undefined
  /**
   * The workspace it acts in (undefined: tenant-wide), with the owner's role's scopes there: a user's key in a
   * workspace is bounded by that role, not by the owner's tenant-wide scopes.
   */
  workspace?: { id: string; roleScopes: readonly string[] } | undefined
  /** Seconds from now; undefined for a key that does not expire. */
  expiresIn?: number | undefined
  /** The scopes the creator may hand on (e.g. the scopes of the token creating its user's own key). */
  ceiling?: readonly string[] | undefined
  /** The access key the creator holds the authority of: the new key is bounded by its expiry and revoked with it. */
  parent?: Pick<AccessKey, 'id' | 'expiresAt'> | undefined
  /** Default: a secret key. */
  credential?: AccessKeyCredential | undefined
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
  const authority = request.owner ? (request.workspace?.roleScopes ?? request.owner.scopes) : undefined
  const beyondOwner = authority ? request.scopes.filter((scope) => !authority.includes(scope)) : []
  if (beyondOwner.length > 0)
    problems.push({
      field: 'scopes',
      message: `the user${request.workspace ? "'s role in the workspace" : ''} does not hold ${beyondOwner.map((s) => JSON.stringify(s)).join(', ')}`,
    })
  const beyondCeiling = request.ceiling
    ? request.scopes.filter((scope) => !request.ceiling!.includes(scope) && !beyondOwner.includes(scope))
    : []
  if (beyondCeiling.length > 0)
    problems.push({
      field: 'scopes',
      message: `the presented credential does not hold ${beyondCeiling.map((s) => JSON.stringify(s)).join(', ')}`,
    })
  if (request.credential?.kind === 'public_key') {
    try {
      checkPublicJwk(request.credential.jwk, request.credential.alg)
    } catch (err) {
      if (!(err instanceof PublicKeyError)) throw err
      problems.push({ field: 'public_key', message: err.message })
    }
  }
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
  by: { actor: string | null; ip?: string | null; details?: Record<string, unknown>; tenantId?: string },
  now: number,
): Promise<IssuedAccessKey> {
  const generated = generateAccessKey(now)
  const credential = request.credential ?? { kind: 'secret' }
  const keyPair =
    credential.kind === 'generate_key_pair'
      ? await generateKeyPair(credential.alg ?? DEFAULT_KEY_PAIR_ALGORITHM, generated.id)
      : undefined
  const publicKey =
    credential.kind === 'public_key' ? await publicKeyPair(credential.jwk, credential.alg) : keyPair?.publicKey
  // A key-pair key gets no secret: the generated one is dropped here, never stored, never shown.
  const proof = publicKey
    ? { publicKey: { jwk: publicKey.jwk, thumbprint: publicKey.thumbprint } }
    : { secretHash: generated.secretHash }
  const expiresAt = boundedExpiry(request, now)
  const parentId = request.parent?.id ?? null
  let accessKey: AccessKey
  try {
    accessKey = await store.accessKeys.create(
      {
        id: generated.id,
        prefix: generated.prefix,
        ...proof,
        name: request.name.trim(),
        tenantId: request.owner?.tenantId ?? request.tenantId ?? DEFAULT_TENANT_ID,
        workspaceId: request.workspace?.id ?? null,
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
      tenantId: accessKey.tenantId,
      type: 'access_key.created',
      actor: by.actor,
      subject: accessKey.id,
      ip: by.ip ?? null,
      details: {
        ...by.details,
        name: accessKey.name,
        user_id: accessKey.userId,
        ...(accessKey.workspaceId === null ? {} : { workspace_id: accessKey.workspaceId }),
        scopes: accessKey.scopes,
        expires_at: expiresAt?.toISOString() ?? null,
        kind: accessKey.kind,
        ...(publicKey ? { public_key_thumbprint: publicKey.thumbprint, alg: publicKey.alg } : {}),
        ...(parentId === null ? {} : { parent_id: parentId }),
      },
    },
    new Date(now),
  )
  if (!publicKey) return { accessKey, key: generated.key }
  return {
    accessKey,
    publicKey: publicKey.jwk,
    ...(keyPair ? { privateKey: { jwk: keyPair.privateJwk as Record<string, unknown>, pem: keyPair.privatePem } } : {}),
  }
}

/**
 * Revokes a key of the tenant with its descendants (one transaction) and records `access_key.revoked` for each
 * (the key's only the first time). `userId` limits it to that owner's keys: anyone else's, and another tenant's,
 * is not_found. The caller drops every returned id from its access-key cache; other instances stop accepting
 * them within ACCESS_KEY_CACHE_TTL.
 */
export async function revokeKeyWithDescendants(
  store: Pick<Store, 'accessKeys' | 'audit'>,
  tenantId: string,
  id: string,
  by: { actor: string | null; ip?: string | null; userId?: string; details?: Record<string, unknown> },
  now: number,
): Promise<{ accessKey: AccessKey; descendants: AccessKey[] }> {
  const { accessKey, changed, descendants } = await store.accessKeys.revoke(tenantId, id, {
    now: new Date(now),
    ...(by.userId === undefined ? {} : { userId: by.userId }),
  })
  const at = new Date(now)
  if (changed) {
    await store.audit.record(
      {
        tenantId: accessKey.tenantId,
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
        tenantId: accessKey.tenantId,
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
