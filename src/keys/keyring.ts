// The signing keys one instance holds in memory, kept in step with the store: the key that signs, the
// keys that verify, and the JWKS document (RFC 7517) published for resource servers. States come from the
// stored timestamps and the clock (lifecycle.ts), so instances agree without talking to each other; each
// re-reads the rows every KEYRING_REFRESH_INTERVAL, right after its own changes and as soon as the change
// feed reports one made elsewhere (store/change-feed.ts: a key revoked through the CLI must not wait for
// the poll), and drives the scheduled rotation itself. Private keys are decrypted once per key-set change,
// never per request.
//
// Each algorithm of SIGNING_ALGORITHMS has its own active key (and its own next and retired ones); the JWKS
// publishes them all, each with its `alg`. Keys of an algorithm no longer configured are neither published nor
// accepted: the keyring holds only the configured algorithms' keys.
import { createHash, type KeyObject } from 'node:crypto'
import type { Config, SigningAlgorithm } from '../config.js'
import type { ChangeFeed } from '../store/change-feed.js'
import type { Store } from '../store/index.js'
import type { SigningKeyRecord } from '../store/signing-keys.js'
import { decryptPrivateKey } from './encryption.js'
import { createKeyManager, type KeyManager, type KeyManagerOptions } from './key-manager.js'
import {
  activeKey,
  isPublished,
  isRotationDue,
  keyState,
  keyTiming,
  nextTransition,
  planStateRecords,
} from './lifecycle.js'
import { verifyMasterKey } from './master-key.js'
import { importPrivateKey, importPublicKey } from './key-material.js'
import { compactSigner, type CompactSigner } from './jws.js'
import { type Every, everyInterval } from '../ops/every.js'

export interface SigningKeyHandle {
  kid: string
  alg: SigningAlgorithm
  privateKey: KeyObject
  /** What signCompact needs of this key, made once (keys/jws.ts). */
  signer: CompactSigner
}

/** A published key of ours: its public key and the one algorithm it verifies. */
export interface VerificationKey {
  key: KeyObject
  alg: SigningAlgorithm
}

export interface JwksDocument {
  /** The serialised `{"keys": [...]}`, computed when the key set changes. */
  body: string
  etag: string
  /** Seconds a consumer may cache it. */
  maxAge: number
  /** content-type, cache-control and etag, ready to send. */
  headers: Readonly<Record<string, string>>
}

export interface Keyring {
  /** The active key of `alg` (default: the first of SIGNING_ALGORITHMS): the only one that signs with it. */
  signingKey(alg?: SigningAlgorithm): SigningKeyHandle
  /** The public key of a published (next, active or retired) key, for verifying our own tokens. */
  verificationKey(kid: string): KeyObject | undefined
  /** The same with the algorithm the key signs with: a token must name that one. */
  verifier(kid: string): VerificationKey | undefined
  jwks(): JwksDocument
  /** Re-reads the key set from the store now (other instances may have rotated) and rotates if due. */
  refresh(): Promise<void>
  close(): void
  /** List, rotate and revoke (CLI, admin API); the keyring re-reads after each change. */
  manager: KeyManager
}

/** pino's signature (a Fastify logger fits). */
export interface KeyringLogger {
  info(details: object, message: string): void
  error(details: object, message: string): void
}

export interface KeyringOptions {
  config: Readonly<Config>
  store: Pick<Store, 'signingKeys' | 'audit'>
  masterKey: Buffer
  /** For messages: `KEYS_MASTER_KEY` or the key file's path. */
  masterKeySource?: string
  /** Milliseconds since the epoch. */
  now?: () => number
  log?: KeyringLogger
  /** A first key already being generated (key-manager.ts). */
  pregenerated?: KeyManagerOptions['pregenerated']
  /** Re-read on a timer (default true; tests that drive the clock call refresh() themselves). */
  autoRefresh?: boolean
  /** The refresh timer (default: setInterval); tests pass one they advance by hand. */
  every?: Every
  /** Changes made elsewhere, re-read at once (not when autoRefresh is false). */
  changes?: Pick<ChangeFeed, 'onChange'>
}

interface Material {
  publicKey: KeyObject
  privateKey: KeyObject | undefined
}

interface View {
  from: number
  until: number
  signing: Map<SigningAlgorithm, SigningKeyHandle>
  verifying: Map<string, VerificationKey>
  jwks: JwksDocument
}

const silent: KeyringLogger = { info: () => undefined, error: () => undefined }

/**
 * Opens the keyring over the store: checks the master key against the stored keys (MasterKeyError if it
 * does not open them), creates the first key on an empty store, and starts the refresh timer.
 *
 * @example
 * const keyring = await createKeyring({ config, store, masterKey: key, log: app.log })
 * const { kid, privateKey } = keyring.signingKey()
 */
export async function createKeyring(options: KeyringOptions): Promise<Keyring> {
  const { config, store } = options
  const now = options.now ?? Date.now
  const log = options.log ?? silent
  const masterKeySource = options.masterKeySource ?? 'the master key'
  const timing = keyTiming(config)
  const materials = new Map<string, Material>()
  let records: SigningKeyRecord[] = []
  let fingerprint = ''
  let view: View | undefined
  let lastJwks: JwksDocument | undefined
  let readsStarted = 0
  let readApplied = 0
  let closed = false

  function material(record: SigningKeyRecord, at: number): Material {
    const known = materials.get(record.kid) ?? { publicKey: importPublicKey(record.publicJwk), privateKey: undefined }
    const state = keyState(record, at)
    if (state !== 'next' && state !== 'active') return { ...known, privateKey: undefined }
    if (known.privateKey || !record.privateKeyEncrypted) return known
    try {
      return {
        ...known,
        privateKey: importPrivateKey(
          decryptPrivateKey(options.masterKey, record.kid, record.privateKeyEncrypted),
          record.publicJwk,
        ),
      }
    } catch (err) {
      log.error(
        { kid: record.kid, reason: (err as Error).message },
        'signing key cannot be used: its private key does not open',
      )
      return known
    }
  }

  function install(rows: SigningKeyRecord[]): void {
    const at = now()
    const print = rows
      .map((row) =>
        [
          row.kid,
          row.activatesAt.getTime(),
          row.retiresAt?.getTime(),
          row.removesAt?.getTime(),
          row.revokedAt?.getTime(),
          Boolean(row.privateKeyEncrypted),
        ].join(),
      )
      .join(';')
    if (print === fingerprint) return
    const live = rows.filter((row) => config.signingAlgorithms.includes(row.alg) && isPublished(keyState(row, at)))
    const kept = new Map(live.map((row) => [row.kid, material(row, at)]))
    materials.clear()
    for (const [kid, held] of kept) materials.set(kid, held)
    const added = live.filter((row) => !records.some((old) => old.kid === row.kid)).map((row) => row.kid)
    if (fingerprint !== '' && added.length > 0) log.info({ added }, 'signing keys changed')
    records = live
    fingerprint = print
    view = undefined
  }

  async function load(): Promise<SigningKeyRecord[]> {
    const ticket = ++readsStarted
    const rows = await store.signingKeys.list()
    // A read that started later saw a state at least as new: never let an older read overwrite it.
    if (ticket < readApplied) return rows
    readApplied = ticket
    install(rows)
    return rows
  }

  function computeView(at: number): View {
    const published = records
      .filter((record) => isPublished(keyState(record, at)))
      .sort((a, b) => b.generation - a.generation)
    const signing = new Map<SigningAlgorithm, SigningKeyHandle>()
    for (const alg of config.signingAlgorithms) {
      const active = activeKey(
        published.filter((record) => record.alg === alg),
        at,
      )
      const privateKey = active && materials.get(active.kid)?.privateKey
      if (active && privateKey)
        signing.set(alg, { kid: active.kid, alg, privateKey, signer: compactSigner(alg, privateKey) })
    }
    const body = JSON.stringify({
      keys: published.map(({ kid, alg, publicJwk }) => ({ ...publicJwk, kid, alg, use: 'sig' })),
    })
    if (lastJwks?.body !== body) {
      const etag = `"${createHash('sha256').update(body).digest('base64url')}"`
      const cacheControl = `public, max-age=${config.jwksMaxAge}`
      lastJwks = {
        body,
        etag,
        maxAge: config.jwksMaxAge,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': cacheControl, etag },
      }
    }
    // The transition that ended the previous view: a clock moved backwards (tests) recomputes too.
    const from = Math.max(
      0,
      ...records
        .flatMap((record) =>
          [record.activatesAt, record.retiresAt, record.removesAt].map((date) => date?.getTime() ?? 0),
        )
        .filter((time) => time <= at),
    )
    return {
      from,
      until: nextTransition(records, at),
      signing,
      verifying: new Map(
        published.map((record) => [record.kid, { key: materials.get(record.kid)!.publicKey, alg: record.alg }]),
      ),
      jwks: lastJwks,
    }
  }

  function current(): View {
    const at = now()
    if (!view || at >= view.until || at < view.from) view = computeView(at)
    return view
  }

  const manager = createKeyManager({
    config,
    store,
    masterKey: { key: options.masterKey, source: masterKeySource },
    now,
    onChange: async () => void (await load()),
    ...(options.pregenerated ? { pregenerated: options.pregenerated } : {}),
  })

  // Decided on the rows just read, so a quiet tick costs one query; the manager re-reads before it writes.
  async function maintain(rows: SigningKeyRecord[]): Promise<void> {
    const at = now()
    for (const alg of config.signingAlgorithms) {
      const own = rows.filter((row) => row.alg === alg)
      if (!activeKey(own, at)) {
        const first = await manager.activateIfNone({ alg })
        if (first) log.info({ kid: first.kid, alg }, 'no key was signing (empty store?): made a new signing key active')
      }
      if (isRotationDue(own, at, timing)) {
        const rotation = await manager.rotateIfDue(alg)
        if (rotation?.changed)
          log.info(
            { kid: rotation.key.kid, alg, activatesAt: rotation.key.activatesAt.toISOString() },
            'scheduled rotation: new signing key published',
          )
      }
    }
    if (planStateRecords(rows, at).length > 0) await manager.recordTransitions()
  }

  let queue: Promise<void> = Promise.resolve()
  function refresh(): Promise<void> {
    const run = queue.then(async () => {
      await maintain(await load())
    })
    queue = run.catch(() => undefined)
    return run
  }

  const rows = await store.signingKeys.list()
  verifyMasterKey(options.masterKey, masterKeySource, rows)
  install(rows)
  await refresh()

  const refreshReported = () =>
    refresh().catch((err: unknown) => {
      if (!closed)
        log.error(
          { reason: err instanceof Error ? err.message.split('\n')[0] : String(err) },
          'keyring refresh failed; keeping the keys held',
        )
    })

  let ticking = false
  const stopTimer =
    options.autoRefresh === false
      ? undefined
      : (options.every ?? everyInterval)(config.keyringRefreshInterval * 1000, () => {
          // A tick whose refresh is still running (a database slower than the interval) is skipped, so
          // refreshes never pile up; a failed one is tried again at the next tick.
          if (ticking) return
          ticking = true
          void refreshReported().finally(() => {
            ticking = false
          })
        })
  // refresh() queues a new read behind one in progress, so a change is never missed by a read begun before it.
  const stopWatching =
    options.autoRefresh === false ? undefined : await options.changes?.onChange(['signingKeys'], refreshReported)

  return {
    signingKey(alg = config.signingAlgorithms[0]!) {
      const signing = current().signing.get(alg)
      if (!signing) {
        const active = activeKey(
          records.filter((record) => record.alg === alg),
          now(),
        )
        throw new Error(
          active
            ? `signing key ${active.kid} cannot sign: its private key did not open with ${masterKeySource}`
            : `no ${alg} signing key is active`,
        )
      }
      return signing
    },
    verificationKey: (kid) => current().verifying.get(kid)?.key,
    verifier: (kid) => current().verifying.get(kid),
    jwks: () => current().jwks,
    refresh,
    close() {
      closed = true
      stopTimer?.()
      void stopWatching?.()
    },
    manager,
  }
}
