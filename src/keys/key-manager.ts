// Operations on the signing-key set, shared by the keyring's own schedule, the CLI and the admin API:
// list, rotate (scheduled or immediate), revoke. Each reads the rows, plans with the pure lifecycle
// functions, and applies the plan as one compare-and-set change; when another instance changed the set
// first, it re-reads and plans again, so racing instances end with exactly one new key.
//
// Every algorithm of SIGNING_ALGORITHMS has a lifecycle of its own (one active key per algorithm), planned
// over that algorithm's keys only. Generations are numbered across all of them: `generation` is unique in
// the store, so two instances changing any keys at once still cannot both win.
import type { Config, SigningAlgorithm } from '../config.js'
import { DEFAULT_TENANT_ID, type Store } from '../store/index.js'
import { StoreError } from '../store/errors.js'
import type { NewSigningKey, SigningKeyRecord } from '../store/signing-keys.js'
import { encryptPrivateKey } from './encryption.js'
import {
  activeKey,
  isRotationDue,
  keyState,
  keyTiming,
  pendingKey,
  planActivation,
  planRevocation,
  planRotation,
  planStateRecords,
  type KeyPlan,
  type KeyState,
  type RevocationProblem,
} from './lifecycle.js'
import { verifyMasterKey } from './master-key.js'
import { generateSigningKey, type GeneratedKey } from './key-material.js'

/** What may be shown of a signing key: never a private member. */
export interface SigningKeyInfo {
  kid: string
  generation: number
  alg: SigningAlgorithm
  /** The RSA modulus in bits; 256 for ES256 and EdDSA. */
  modulusLength: number
  state: KeyState
  createdAt: Date
  activatesAt: Date
  retiresAt: Date | null
  removesAt: Date | null
  revokedAt: Date | null
}

export interface RotationResult {
  /** False when a scheduled rotation was already under way: `key` is the pending key. */
  changed: boolean
  immediate: boolean
  /** The key that takes over (at key.activatesAt). */
  key: SigningKeyInfo
  /** The key it replaces; null on an empty store. */
  previous: SigningKeyInfo | null
  /** Set when tokens signed now may meet consumers whose cached JWKS lacks the new key. */
  cacheWarning: string | null
}

export interface RevocationResult {
  key: SigningKeyInfo
  /** The key that took over at once, when the revoked key was the active one. */
  successor: SigningKeyInfo | null
}

export type SigningKeyErrorCode = RevocationProblem | 'busy' | 'not_configured'

export class SigningKeyError extends Error {
  override name = 'SigningKeyError'
  constructor(
    readonly code: SigningKeyErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export interface MasterKeyRef {
  key: Buffer
  /** For error messages: `KEYS_MASTER_KEY` or the file's path. */
  source: string
}

export interface KeyManagerOptions {
  config: Readonly<Config>
  store: Pick<Store, 'signingKeys' | 'audit'>
  /** The master key, or how to get it on first need (the CLI's `list` never needs it). */
  masterKey: MasterKeyRef | (() => Promise<MasterKeyRef>)
  /** Milliseconds since the epoch. */
  now?: () => number
  /** Called after every change this manager made (the keyring re-reads). */
  onChange?: () => Promise<void>
  /**
   * Keys already being generated at SIGNING_KEY_SIZE (one, or one per algorithm), each used by the first change
   * that needs a new key of its algorithm (the server starts generating them while the migrations of a new
   * database run); should one fail, a new one is made.
   */
  pregenerated?: Promise<GeneratedKey> | readonly Promise<GeneratedKey>[]
}

export type KeyManager = ReturnType<typeof createKeyManager>

export function toKeyInfo(record: SigningKeyRecord, now: number): SigningKeyInfo {
  return {
    kid: record.kid,
    generation: record.generation,
    alg: record.alg,
    modulusLength: record.modulusLength,
    state: keyState(record, now),
    createdAt: record.createdAt,
    activatesAt: record.activatesAt,
    retiresAt: record.retiresAt,
    removesAt: record.removesAt,
    revokedAt: record.revokedAt,
  }
}

const MAX_ATTEMPTS = 5

/**
 * @example
 * const manager = createKeyManager({ config, store, masterKey: { key, source: 'KEYS_MASTER_KEY' } })
 * const { key, cacheWarning } = await manager.rotate({ immediate: true, actor: 'cli' })
 * await manager.revoke(kid, { actor: 'user:0190…' })
 */
export function createKeyManager(options: KeyManagerOptions) {
  const { config, store } = options
  const now = options.now ?? Date.now
  const timing = keyTiming(config)
  const masterKey =
    typeof options.masterKey === 'function' ? options.masterKey : async () => options.masterKey as MasterKeyRef
  // Each pregenerated key, once settled, by algorithm; a key is handed out once.
  const waiting = [options.pregenerated ?? []].flat().map((key) =>
    key.then(
      (ready) => ({ ready }),
      () => ({ ready: undefined }),
    ),
  )
  const generate = async (alg: SigningAlgorithm): Promise<GeneratedKey> => {
    for (const key of [...waiting]) {
      const { ready } = await key
      const index = waiting.indexOf(key)
      if (ready?.alg !== alg || index === -1) continue
      waiting.splice(index, 1)
      return ready
    }
    return generateSigningKey(alg, config.signingKeySize)
  }
  const configured = (alg: SigningAlgorithm) => config.signingAlgorithms.includes(alg)

  interface Applied {
    plan: KeyPlan
    at: number
    before: SigningKeyRecord[]
    after: SigningKeyRecord[]
    inserted: string | undefined
  }

  /** Plans against fresh rows of `alg` and applies; on a conflict, re-reads and plans again. */
  async function change(
    alg: SigningAlgorithm,
    planFor: (keys: SigningKeyRecord[], at: number) => KeyPlan | RevocationProblem | undefined,
  ): Promise<Applied | RevocationProblem | undefined> {
    let material: GeneratedKey | undefined
    // Set once a change was planned: should a later read find nothing to do, someone else made the change.
    let raced = false
    for (let attempt = 0; attempt < MAX_ATTEMPTS; ) {
      const all = await store.signingKeys.list()
      const before = all.filter((key) => key.alg === alg)
      const at = now()
      const plan = planFor(before, at)
      if (plan === undefined || typeof plan === 'string') {
        // Another writer's change made ours unnecessary: it is still a change to re-read.
        if (raced) await options.onChange?.()
        return plan
      }
      raced = true
      let insert: NewSigningKey | undefined
      if (plan.insert) {
        if (!material) {
          // Generating takes from milliseconds to seconds: do it first, then plan again with the time after.
          material = await generate(alg)
          continue
        }
        const { key, source } = await masterKey()
        // Never seal a new key under another master key than the one the existing keys use.
        verifyMasterKey(key, source, all)
        plan.insert.generation = all.reduce((max, row) => Math.max(max, row.generation), 0) + 1
        insert = {
          kid: material.kid,
          generation: plan.insert.generation,
          alg,
          modulusLength: material.keySize,
          publicJwk: material.publicJwk,
          privateKeyEncrypted: encryptPrivateKey(key, material.kid, material.pkcs8),
          recordedState: plan.insert.recordedState,
          createdAt: new Date(at),
          activatesAt: plan.insert.activatesAt,
        }
      }
      attempt++
      try {
        await store.signingKeys.apply({ ...(insert ? { insert } : {}), updates: plan.updates })
      } catch (err) {
        if (err instanceof StoreError && err.code === 'conflict') continue
        throw err
      }
      await options.onChange?.()
      const after = (await store.signingKeys.list()).filter((key) => key.alg === alg)
      return { plan, at, before, after, inserted: insert?.kid }
    }
    throw new SigningKeyError('busy', 'the signing keys kept changing under this operation; try again')
  }

  const info = (keys: SigningKeyRecord[], kid: string | undefined, at: number): SigningKeyInfo | null => {
    const record = kid === undefined ? undefined : keys.find((key) => key.kid === kid)
    return record ? toKeyInfo(record, at) : null
  }

  async function audit(
    type: Parameters<Store['audit']['record']>[0]['type'],
    actor: string,
    subject: string,
    details: Record<string, unknown>,
    at: number,
  ) {
    // One JWKS for every tenant: its keys are the operators', whose log is the default tenant's.
    await store.audit.record({ tenantId: DEFAULT_TENANT_ID, type, actor, subject, details }, new Date(at))
  }

  async function auditNewKey(applied: Applied, actor: string) {
    const { plan, inserted, at } = applied
    if (inserted && plan.insert) {
      await audit(
        'signing_key.created',
        actor,
        inserted,
        {
          generation: plan.insert.generation,
          modulusLength: applied.after.find((key) => key.kid === inserted)?.modulusLength,
          activatesAt: plan.insert.activatesAt.toISOString(),
        },
        at,
      )
    }
    const activatedNow = plan.promoted ?? (plan.insert?.recordedState === 'active' ? inserted : undefined)
    if (activatedNow) await audit('signing_key.activated', actor, activatedNow, { immediate: true }, at)
  }

  async function rotation(
    alg: SigningAlgorithm,
    applied: Applied | undefined,
    immediate: boolean,
    actor: string,
  ): Promise<RotationResult> {
    if (!applied) {
      const keys = (await store.signingKeys.list()).filter((key) => key.alg === alg)
      const at = now()
      const pending = pendingKey(keys, at)!
      return {
        changed: false,
        immediate,
        key: toKeyInfo(pending, at),
        previous: info(keys, activeKey(keys, at)?.kid, at),
        cacheWarning: null,
      }
    }
    const { plan, at, after } = applied
    const kid = plan.promoted ?? applied.inserted!
    await auditNewKey(applied, actor)
    if (plan.retired)
      await audit(
        'signing_key.rotated',
        actor,
        kid,
        { previous: plan.retired, immediate, activatesAt: (plan.insert?.activatesAt ?? new Date(at)).toISOString() },
        at,
      )
    const key = info(after, kid, at)!
    // A key published for max-age plus one refresh interval is in every cache that honours max-age.
    const publishedFor = at - key.createdAt.getTime()
    const cacheWarning =
      immediate && plan.retired && publishedFor < (config.jwksMaxAge + config.keyringRefreshInterval) * 1000
        ? `${kid} signs from now on: resource servers that fetched the JWKS in the last ${config.jwksMaxAge}s do not know it yet and may reject its tokens until they fetch it again`
        : null
    return { changed: true, immediate, key, previous: info(after, plan.retired, at), cacheWarning }
  }

  return {
    /** Every key (of `alg`, if given), newest first, with its state now. */
    async list(options: { alg?: SigningAlgorithm } = {}): Promise<SigningKeyInfo[]> {
      const at = now()
      return (await store.signingKeys.list())
        .filter((record) => options.alg === undefined || record.alg === options.alg)
        .reverse()
        .map((record) => toKeyInfo(record, at))
    },

    /**
     * Starts a rotation: a new key, published now, signing after the pre-publication delay (a no-op
     * returning the pending key when one is already waiting). `immediate` switches now, to the pending
     * key if there is one, else to a new key; the result carries a warning about consumers' caches.
     */
    async rotate(
      options: { immediate?: boolean; actor?: string; alg?: SigningAlgorithm } = {},
    ): Promise<RotationResult> {
      const immediate = options.immediate ?? false
      const alg = options.alg ?? config.signingAlgorithms[0]!
      if (!configured(alg))
        throw new SigningKeyError(
          'not_configured',
          `${alg} is not in SIGNING_ALGORITHMS (${config.signingAlgorithms.join(', ')}): no key of it is kept`,
        )
      const applied = await change(alg, (keys, at) => planRotation(keys, at, timing, immediate))
      return rotation(alg, applied as Applied | undefined, immediate, options.actor ?? 'system')
    },

    /** Revokes a key: out of the JWKS and never used again; if it was signing, another key takes over now. */
    async revoke(kid: string, options: { actor?: string } = {}): Promise<RevocationResult> {
      const alg = (await store.signingKeys.list()).find((key) => key.kid === kid)?.alg
      if (alg === undefined) throw new SigningKeyError('not_found', `no signing key ${kid}`)
      const applied = await change(alg, (keys, at) => {
        const plan = planRevocation(keys, kid, at)
        // A key of an algorithm no longer configured gets no successor: nothing signs with that algorithm.
        if (typeof plan === 'object' && !configured(alg)) delete plan.insert
        return plan
      })
      if (applied === 'not_found') throw new SigningKeyError('not_found', `no signing key ${kid}`)
      if (applied === 'already_revoked')
        throw new SigningKeyError('already_revoked', `signing key ${kid} is already revoked`)
      const actor = options.actor ?? 'system'
      const { at, after, before } = applied!
      const successor = applied!.plan.promoted ?? applied!.inserted
      await audit(
        'signing_key.revoked',
        actor,
        kid,
        { state: keyState(before.find((key) => key.kid === kid)!, at), ...(successor ? { successor } : {}) },
        at,
      )
      await auditNewKey(applied!, actor)
      return { key: info(after, kid, at)!, successor: info(after, successor, at) }
    },

    /**
     * Makes sure a key of `alg` (default: the first configured) signs (the first start on an empty store, an algorithm newly configured);
     * returns the new active key, if one was needed.
     */
    async activateIfNone(options: { actor?: string; alg?: SigningAlgorithm } = {}): Promise<SigningKeyInfo | null> {
      const alg = options.alg ?? config.signingAlgorithms[0]!
      const applied = (await change(alg, (keys, at) => planActivation(keys, at))) as Applied | undefined
      if (!applied) return null
      await auditNewKey(applied, options.actor ?? 'system')
      return info(applied.after, applied.plan.promoted ?? applied.inserted, applied.at)
    },

    /** The service's own schedule: starts a rotation when the active key has signed long enough. */
    async rotateIfDue(alg: SigningAlgorithm = config.signingAlgorithms[0]!): Promise<RotationResult | null> {
      const applied = (await change(alg, (keys, at) =>
        isRotationDue(keys, at, timing) ? planRotation(keys, at, timing, false) : undefined,
      )) as Applied | undefined
      return applied ? rotation(alg, applied, false, 'system') : null
    },

    /** Records (and audits, exactly once across instances) the transitions that happened by the clock. */
    async recordTransitions(): Promise<number> {
      const at = now()
      let recorded = 0
      for (const { kid, from, to, update } of planStateRecords(await store.signingKeys.list(), at)) {
        try {
          await store.signingKeys.apply({ updates: [update] })
        } catch (err) {
          if (err instanceof StoreError && err.code === 'conflict') continue
          throw err
        }
        recorded++
        if (to === 'active') await audit('signing_key.activated', 'system', kid, { scheduled: true, from }, at)
      }
      return recorded
    },
  }
}
