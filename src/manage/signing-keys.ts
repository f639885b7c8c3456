// Signing keys: list, rotate, revoke, through the key manager (keys/key-manager.ts), which applies the lifecycle
// and records the audit events (`signing_key.*`) with the actor given here.
import type { SigningAlgorithm } from '../config.js'
import type { KeyManager } from '../keys/key-manager.js'
import type { ChangedBy } from './changes.js'

type Manager = Pick<KeyManager, 'list' | 'rotate' | 'revoke'>

/** Every key, or those of one algorithm. */
export const listSigningKeys = (manager: Manager, options: { alg?: SigningAlgorithm } = {}) => manager.list(options)

/** Starts a rotation of one algorithm's keys (default: the first of SIGNING_ALGORITHMS; immediate: the new key signs at once). */
export const rotateSigningKeys = (
  manager: Manager,
  options: { immediate: boolean; alg?: SigningAlgorithm | undefined },
  by: ChangedBy,
) =>
  manager.rotate({
    immediate: options.immediate,
    actor: by.actor ?? 'system',
    ...(options.alg === undefined ? {} : { alg: options.alg }),
  })

/** Revokes a key: out of the JWKS at once; if it was signing, another key takes over. */
export const revokeSigningKey = (manager: Manager, kid: string, by: ChangedBy) =>
  manager.revoke(kid, { actor: by.actor ?? 'system' })
