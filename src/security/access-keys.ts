// Access keys: `pcl_<id>_<secret>`. The fixed prefix lets secret scanners and people recognise a leaked
// key; the id is public (it names the key in lists, logs and the audit log); the secret is 43 base62
// characters (256 bits) and only its SHA-256 is stored.
//
// Verification is cached per app instance for ACCESS_KEY_CACHE_TTL seconds (default 5), so a busy key does
// not cost a database query per request. The cost of the cache is the revocation bound: a key revoked (or
// whose owner is disabled or deleted) through another instance keeps working on this one for at most
// ACCESS_KEY_CACHE_TTL seconds; on the instance that revoked it, at once. ACCESS_KEY_CACHE_TTL=0 disables
// the cache. Expiry is checked on every request against the clock, never cached.
//
// last_used_at is written at most once per ACCESS_KEY_LAST_USED_INTERVAL per key and instance, in batches:
// uses are collected in memory and flushed shortly after, one UPDATE for all keys of the batch.
//
// A key-pair key has no secret: verify() refuses every presented `pcl_<id>_…` naming one, whatever follows the
// id. Its holder proves it by signing a JWT bearer assertion (oauth/grants/jwt-bearer.ts), which looks the key up
// through resolveKeyPair(): the same cache, the same state checks, and last_used_at once the signature is checked.
import type { Config } from '../config.js'
import type { AccessKey, AccessKeyForVerification, AccessKeyStore } from '../store/access-keys.js'
import { ANY_TENANT } from '../store/tenant-scope.js'
import { constantTimeEqual, randomBase62, sha256 } from './secrets.js'

export const ACCESS_KEY_PREFIX = 'pcl'
const ID_TIME_LENGTH = 9
const ID_RANDOM_LENGTH = 7
const SECRET_LENGTH = 43
export const ACCESS_KEY_PATTERN = new RegExp(
  `^${ACCESS_KEY_PREFIX}_([0-9A-Za-z]{${ID_TIME_LENGTH + ID_RANDOM_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})$`,
)
const MAX_KEY_LENGTH = ACCESS_KEY_PREFIX.length + 2 + ID_TIME_LENGTH + ID_RANDOM_LENGTH + SECRET_LENGTH
const MAX_CACHE_ENTRIES = 10_000

export interface GeneratedAccessKey {
  id: string
  prefix: string
  /** The whole key, `pcl_<id>_<secret>`: shown once, never stored. */
  key: string
  secretHash: string
}

/**
 * A new key. The id starts with the creation time in base36 (lowercase, fixed width), so ids sort in
 * creation order under any collation and lists page in creation order.
 *
 * @example
 * const { id, key, secretHash } = generateAccessKey()
 * await store.accessKeys.create({ id, prefix, secretHash, name, scopes })
 * reply.send({ id, key }) // the only time the key is shown
 */
export function generateAccessKey(now = Date.now()): GeneratedAccessKey {
  const id = now.toString(36).padStart(ID_TIME_LENGTH, '0').slice(-ID_TIME_LENGTH) + randomBase62(ID_RANDOM_LENGTH)
  const secret = randomBase62(SECRET_LENGTH)
  return { id, prefix: ACCESS_KEY_PREFIX, key: `${ACCESS_KEY_PREFIX}_${id}_${secret}`, secretHash: sha256(secret) }
}

/** Splits a presented key; undefined for anything that is not shaped like one of ours. Never throws. */
export function parseAccessKey(presented: unknown): { id: string; secret: string } | undefined {
  if (typeof presented !== 'string' || presented.length !== MAX_KEY_LENGTH) return undefined
  const match = ACCESS_KEY_PATTERN.exec(presented)
  return match ? { id: match[1]!, secret: match[2]! } : undefined
}

/** True when the value looks like an access key rather than a JWT (to pick the verifier). */
export function looksLikeAccessKey(value: string): boolean {
  return value.startsWith(`${ACCESS_KEY_PREFIX}_`)
}

/** `no_secret`: a key-pair key presented as a secret key; `not_key_pair`: a secret key named by an assertion. */
export type AccessKeyFailure =
  | 'malformed'
  | 'unknown'
  | 'revoked'
  | 'expired'
  | 'owner_disabled'
  | 'no_secret'
  | 'not_key_pair'
  | 'not_member'

export interface VerifiedAccessKey {
  key: AccessKey
  owner: AccessKeyForVerification['owner']
  /** `sub` of its callers: the owner's user id, or `access_key:<id>` for a service key. */
  sub: string
  /** The key's scopes that its owner still holds (an owner's scopes can shrink after the key was made). */
  scopes: string[]
}

/** A refused key that exists carries its id (`keyId`), so that the refusal can be counted against it (ops/usage.ts). */
export type AccessKeyVerification =
  | ({ ok: true } & VerifiedAccessKey)
  | { ok: false; reason: AccessKeyFailure; keyId?: string }

export type KeyPairResolution =
  | ({
      ok: true
      /** The public JWK the holder's assertions must verify with (its `alg` is the only algorithm allowed). */
      publicKey: Record<string, unknown>
    } & VerifiedAccessKey)
  | { ok: false; reason: AccessKeyFailure }

export interface AccessKeyVerifier {
  /** Verifies a presented key (cached; see the top of this file for the bounds). */
  verify(presented: string): Promise<AccessKeyVerification>
  /**
   * A key-pair key by id, checked like verify() (revoked, expired, owner disabled), with its public key. Records no
   * use: the caller checks the holder's signature, then calls recordUse().
   */
  resolveKeyPair(id: string): Promise<KeyPairResolution>
  /** Records a use of a key (last_used_at, batched as for verify()). */
  recordUse(key: AccessKey): void
  /** Drops a key from this instance's cache (after revoking it here). */
  invalidate(id: string): void
  /** Drops every cached key of a user (after disabling or deleting them here). */
  invalidateOwner(userId: string): void
  /** Drops every cached key (keys or users changed elsewhere: store/change-feed.ts). */
  invalidateAll(): void
  /** Writes pending last_used_at updates now. */
  flush(): Promise<void>
  /** Flushes and stops the timer; called when the app closes. */
  close(): Promise<void>
}

/** The `sub` of a service key's callers: a namespace no user id (UUID) or client can occupy. */
export const serviceKeySubject = (id: string) => `access_key:${id}`

/** A found key's state at `at`: refused when revoked, expired or its owner is disabled; else who it speaks for. */
function activeKey(record: AccessKeyForVerification, at: number): AccessKeyVerification {
  const { key, owner } = record
  if (key.revokedAt) return { ok: false, reason: 'revoked', keyId: key.id }
  if (key.expiresAt && key.expiresAt.getTime() <= at) return { ok: false, reason: 'expired', keyId: key.id }
  if (key.userId !== null && (!owner || owner.disabled)) return { ok: false, reason: 'owner_disabled', keyId: key.id }
  // A user's key in a workspace holds what its owner's role there allows now (the role stands for the owner's
  // tenant-wide scopes in a workspace); one whose owner left the workspace holds nothing.
  if (record.role === null) return { ok: false, reason: 'not_member', keyId: key.id }
  const allowed = record.role ? record.role.scopes : owner?.scopes
  const scopes = allowed ? key.scopes.filter((scope) => allowed.includes(scope)) : key.scopes
  return { ok: true, key, owner, sub: owner ? owner.id : serviceKeySubject(key.id), scopes }
}

interface CacheEntry {
  fetchedAt: number
  record: Promise<AccessKeyForVerification | undefined>
}

/**
 * One verifier per app instance (created in buildApp), never a module singleton.
 *
 * @example
 * const verifier = createAccessKeyVerifier({ store, config, now: Date.now })
 * const result = await verifier.verify(request.headers['x-api-key'])
 * if (result.ok) console.log(result.sub, result.scopes)
 */
export function createAccessKeyVerifier(deps: {
  store: { accessKeys: Pick<AccessKeyStore, 'findForVerification' | 'touchLastUsed'> }
  config: Pick<Config, 'accessKeyCacheTtl' | 'accessKeyLastUsedInterval'>
  now: () => number
  /** Delay between the first unrecorded use and the batched write (ms). */
  flushDelayMs?: number
  onError?: (err: unknown) => void
}): AccessKeyVerifier {
  const { store, config, now } = deps
  const cacheTtlMs = config.accessKeyCacheTtl * 1000
  const lastUsedIntervalMs = config.accessKeyLastUsedInterval * 1000
  const cache = new Map<string, CacheEntry>()
  const lastRecorded = new Map<string, number>()
  let pending = new Map<string, number>()
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> = Promise.resolve()

  function load(id: string): Promise<AccessKeyForVerification | undefined> {
    const at = now()
    const cached = cache.get(id)
    if (cached && at - cached.fetchedAt < cacheTtlMs) return cached.record
    // Any tenant's: the presented key's id is what names its tenant.
    const record = store.accessKeys.findForVerification(ANY_TENANT, id)
    if (cacheTtlMs > 0) {
      cache.delete(id)
      if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value!)
      cache.set(id, { fetchedAt: at, record })
      // A failed lookup is not remembered.
      record.catch(() => cache.get(id)?.record === record && cache.delete(id))
    }
    return record
  }

  function recordUse(key: AccessKey, at: number): void {
    const last = Math.max(lastRecorded.get(key.id) ?? 0, key.lastUsedAt?.getTime() ?? 0)
    if (at - last < lastUsedIntervalMs) return
    if (lastRecorded.size >= MAX_CACHE_ENTRIES) lastRecorded.clear()
    lastRecorded.set(key.id, at)
    pending.set(key.id, at)
    timer ??= setTimeout(() => void flush(), deps.flushDelayMs ?? 1000).unref()
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (pending.size === 0) return flushing
    const batch = pending
    pending = new Map()
    // One timestamp for the whole batch (the latest use): one UPDATE, at most a second early for the rest.
    const at = new Date(Math.max(...batch.values()))
    const uses = new Map([...batch.keys()].map((id) => [id, at] as const))
    flushing = flushing.then(() =>
      store.accessKeys.touchLastUsed(uses).then(
        () => undefined,
        (err: unknown) => {
          // Kept for a later flush (the database may be down): a use is recorded late rather than lost.
          for (const [id, used] of batch) if (!pending.has(id)) pending.set(id, used)
          timer ??= setTimeout(() => void flush(), Math.max(deps.flushDelayMs ?? 1000, lastUsedIntervalMs)).unref()
          deps.onError?.(err)
        },
      ),
    )
    return flushing
  }

  return {
    async verify(presented) {
      const parsed = parseAccessKey(presented)
      if (!parsed) return { ok: false, reason: 'malformed' }
      const record = await load(parsed.id)
      // The hash is compared even for unknown ids, so timing does not tell which ids exist.
      const matches = constantTimeEqual(sha256(parsed.secret), record?.secretHash ?? '')
      if (record?.key.kind === 'key_pair') return { ok: false, reason: 'no_secret', keyId: record.key.id }
      if (!record) return { ok: false, reason: 'unknown' }
      // A wrong secret answers like an unknown key; only the usage statistics learn that the key exists.
      if (!matches) return { ok: false, reason: 'unknown', keyId: record.key.id }
      const at = now()
      const state = activeKey(record, at)
      if (state.ok) recordUse(record.key, at)
      return state
    },

    async resolveKeyPair(id) {
      const record = await load(id)
      if (!record) return { ok: false, reason: 'unknown' }
      if (record.key.kind !== 'key_pair' || !record.publicKey) return { ok: false, reason: 'not_key_pair' }
      const state = activeKey(record, now())
      return state.ok ? { ...state, publicKey: record.publicKey } : state
    },

    recordUse(key) {
      recordUse(key, now())
    },

    invalidate(id) {
      cache.delete(id)
    },

    invalidateOwner() {
      // Rare (an admin disabling or deleting a user): dropping the whole cache is simpler than finding theirs.
      cache.clear()
    },

    invalidateAll() {
      cache.clear()
    },

    flush,

    async close() {
      await flush()
    },
  }
}
