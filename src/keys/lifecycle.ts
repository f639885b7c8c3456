// The signing-key lifecycle, as pure functions of the stored rows and the clock: every instance that
// reads the same rows at the same time reaches the same answer without talking to the others.
//
//   next     published in the JWKS, not yet signing         now < activatesAt
//   active   the one key that signs                         activatesAt ≤ now < retiresAt (or no retiresAt)
//   retired  still published, verifies what it signed      retiresAt ≤ now < removesAt
//   removed  out of the JWKS                                removesAt ≤ now
//   revoked  out of the JWKS at once, never used again      revokedAt set
//
// Writers keep one invariant: at any instant exactly one key is active, because a key's retiresAt is
// always its successor's activatesAt. The plans below are applied by the store as compare-and-set changes.
import type { Config } from '../config.js'
import type { SigningKeyRecord, SigningKeyUpdate } from '../store/signing-keys.js'

export type KeyState = 'next' | 'active' | 'retired' | 'removed' | 'revoked'

/** Milliseconds. */
export interface KeyTiming {
  /** How long a new key is published before it signs. */
  prePublication: number
  /** How long a key stays published after its last signature. */
  retention: number
  rotationInterval: number
}

/**
 * A new key must be in every cached JWKS before it signs: a consumer may have fetched the JWKS from an
 * instance that had not yet re-read the key set (up to one refresh interval late) and keep it for
 * max-age; instances' clocks may disagree by the skew allowance. A retired key must outlive every token
 * it signed, including those signed by an instance that noticed the switch one refresh interval late.
 */
export function keyTiming(
  config: Pick<
    Config,
    'jwksMaxAge' | 'keyringRefreshInterval' | 'clockSkew' | 'accessTokenTtl' | 'signingKeyRotationInterval'
  >,
): KeyTiming {
  return {
    prePublication: (config.jwksMaxAge + config.keyringRefreshInterval + config.clockSkew) * 1000,
    retention: (config.accessTokenTtl + config.keyringRefreshInterval + config.clockSkew) * 1000,
    rotationInterval: config.signingKeyRotationInterval * 1000,
  }
}

type Timestamps = Pick<SigningKeyRecord, 'activatesAt' | 'retiresAt' | 'removesAt' | 'revokedAt'>

export function keyState(key: Timestamps, now: number): KeyState {
  if (key.revokedAt) return 'revoked'
  if (now < key.activatesAt.getTime()) return 'next'
  if (!key.retiresAt || now < key.retiresAt.getTime()) return 'active'
  if (!key.removesAt || now < key.removesAt.getTime()) return 'retired'
  return 'removed'
}

/** The key that signs at `now` (the newest active one, should the invariant ever be broken). */
export function activeKey<K extends SigningKeyRecord>(keys: readonly K[], now: number): K | undefined {
  return newest(keys.filter((key) => keyState(key, now) === 'active'))
}

/** The key waiting to take over (there is at most one). */
export function pendingKey<K extends SigningKeyRecord>(keys: readonly K[], now: number): K | undefined {
  return newest(keys.filter((key) => keyState(key, now) === 'next'))
}

export function isPublished(state: KeyState): boolean {
  return state === 'next' || state === 'active' || state === 'retired'
}

/** The first instant after `now` at which some key changes state; Infinity if none is scheduled. */
export function nextTransition(keys: readonly SigningKeyRecord[], now: number): number {
  let soonest = Infinity
  for (const key of keys) {
    if (key.revokedAt) continue
    for (const at of [key.activatesAt, key.retiresAt, key.removesAt]) {
      const time = at?.getTime()
      if (time !== undefined && time > now && time < soonest) soonest = time
    }
  }
  return soonest
}

/** A scheduled rotation is due when the active key has signed for its interval minus the pre-publication delay. */
export function isRotationDue(keys: readonly SigningKeyRecord[], now: number, timing: KeyTiming): boolean {
  const active = activeKey(keys, now)
  return (
    active !== undefined &&
    !pendingKey(keys, now) &&
    now >= active.activatesAt.getTime() + timing.rotationInterval - timing.prePublication
  )
}

/** One atomic change of the key set; `insert` asks the caller for a freshly generated key. */
export interface KeyPlan {
  insert?: { generation: number; activatesAt: Date; recordedState: 'next' | 'active' }
  updates: SigningKeyUpdate[]
  /** The existing key that takes over now, if any. */
  promoted?: string
  /** The key that stops signing, if any. */
  retired?: string
}

const newest = <K extends SigningKeyRecord>(keys: readonly K[]): K | undefined =>
  keys.reduce<K | undefined>((best, key) => (!best || key.generation > best.generation ? key : best), undefined)

const nextGeneration = (keys: readonly SigningKeyRecord[]): number =>
  keys.reduce((max, key) => Math.max(max, key.generation), 0) + 1

function promote(key: SigningKeyRecord, at: Date): SigningKeyUpdate {
  return {
    kid: key.kid,
    expect: { activatesAt: key.activatesAt, revokedAt: null },
    set: { activatesAt: at, recordedState: 'active' },
  }
}

/** Nothing signs (an empty store): the pending key takes over now, or a new key is made active at once. */
export function planActivation(keys: readonly SigningKeyRecord[], now: number): KeyPlan | undefined {
  if (activeKey(keys, now)) return undefined
  const pending = pendingKey(keys, now)
  if (pending) return { updates: [promote(pending, new Date(now))], promoted: pending.kid }
  return {
    insert: { generation: nextGeneration(keys), activatesAt: new Date(now), recordedState: 'active' },
    updates: [],
  }
}

/**
 * Starts a rotation: a new key published now that signs after the pre-publication delay. `immediate`
 * switches now instead, to the pending key if one is already published (it is already in caches), else to
 * a new key. A scheduled rotation while one is pending changes nothing.
 */
export function planRotation(
  keys: readonly SigningKeyRecord[],
  now: number,
  timing: KeyTiming,
  immediate: boolean,
): KeyPlan | undefined {
  const active = activeKey(keys, now)
  if (!active) return planActivation(keys, now)
  const pending = pendingKey(keys, now)
  if (!immediate) {
    if (pending) return undefined
    const activatesAt = new Date(now + timing.prePublication)
    return {
      insert: { generation: nextGeneration(keys), activatesAt, recordedState: 'next' },
      updates: [retire(active, null, activatesAt, timing, false)],
      retired: active.kid,
    }
  }
  const at = new Date(now)
  if (pending) {
    return {
      updates: [promote(pending, at), retire(active, pending.activatesAt, at, timing, true)],
      promoted: pending.kid,
      retired: active.kid,
    }
  }
  return {
    insert: { generation: nextGeneration(keys), activatesAt: at, recordedState: 'active' },
    updates: [retire(active, null, at, timing, true)],
    retired: active.kid,
  }
}

function retire(
  key: SigningKeyRecord,
  expectedRetiresAt: Date | null,
  at: Date,
  timing: KeyTiming,
  immediate: boolean,
): SigningKeyUpdate {
  return {
    kid: key.kid,
    expect: { retiresAt: expectedRetiresAt, revokedAt: null },
    set: {
      retiresAt: at,
      removesAt: new Date(at.getTime() + timing.retention),
      ...(immediate ? { recordedState: 'retired' } : {}),
    },
  }
}

export type RevocationProblem = 'not_found' | 'already_revoked'

/**
 * Revokes a key: out of the JWKS at once, its private part wiped. If it was signing, the pending key takes
 * over now, or a new key does; if it was pending, the active key stays on.
 */
export function planRevocation(
  keys: readonly SigningKeyRecord[],
  kid: string,
  now: number,
): KeyPlan | RevocationProblem {
  const key = keys.find((candidate) => candidate.kid === kid)
  if (!key) return 'not_found'
  const state = keyState(key, now)
  if (state === 'revoked') return 'already_revoked'
  const at = new Date(now)
  const plan: KeyPlan = {
    updates: [
      { kid, expect: { revokedAt: null }, set: { revokedAt: at, recordedState: 'revoked', wipePrivateKey: true } },
    ],
  }
  if (state === 'active') {
    const pending = pendingKey(keys, now)
    if (pending) {
      plan.updates.push(promote(pending, at))
      plan.promoted = pending.kid
    } else {
      plan.insert = { generation: nextGeneration(keys), activatesAt: at, recordedState: 'active' }
    }
  }
  if (state === 'next') {
    const active = activeKey(keys, now)
    if (active?.retiresAt?.getTime() === key.activatesAt.getTime()) {
      plan.updates.push({
        kid: active.kid,
        expect: { retiresAt: key.activatesAt, revokedAt: null },
        set: { retiresAt: null, removesAt: null },
      })
    }
  }
  return plan
}

/**
 * Writes down transitions that happened by the clock alone (next → active → retired → removed), each as a
 * compare-and-set on the recorded state, so exactly one instance records (and audits) each. A removed
 * key's private part is wiped: it will never sign again.
 */
export function planStateRecords(
  keys: readonly SigningKeyRecord[],
  now: number,
): Array<{ kid: string; from: string; to: KeyState; update: SigningKeyUpdate }> {
  const order: KeyState[] = ['next', 'active', 'retired', 'removed']
  const records = []
  for (const key of keys) {
    const to = keyState(key, now)
    const from = key.recordedState
    if (to === 'revoked' || to === from || order.indexOf(to) < order.indexOf(from as KeyState)) continue
    records.push({
      kid: key.kid,
      from,
      to,
      update: {
        kid: key.kid,
        expect: { recordedState: from, revokedAt: null },
        set: { recordedState: to, ...(to === 'removed' ? { wipePrivateKey: true } : {}) },
      } satisfies SigningKeyUpdate,
    })
  }
  return records
}
