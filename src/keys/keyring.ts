// The signing keys the service holds in memory: the one that signs, the ones that verify, and the
// JWKS document published for resource servers.
//
// PLACEHOLDER until the signing-keys work lands: one RSA key generated in memory at start. The
// interface is the one the token endpoint, introspection and the JWKS route use.
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose'

export interface SigningKeyHandle {
  kid: string
  alg: 'RS256'
  privateKey: KeyObject
}

export interface JwksDocument {
  /** The serialised `{"keys": [...]}`, computed when the key set changes. */
  body: string
  etag: string
  /** Seconds a consumer may cache it. */
  maxAge: number
}

export interface Keyring {
  /** The active key: the only one that signs. */
  signingKey(): SigningKeyHandle
  /** The public key of a published (next, active or retired) key, for verifying our own tokens. */
  verificationKey(kid: string): KeyObject | undefined
  jwks(): JwksDocument
  /** Re-reads the key set from the store now (other instances may have rotated). */
  refresh(): Promise<void>
  close(): void
}

export async function createEphemeralKeyring(options: { modulusLength?: number; maxAge?: number } = {}): Promise<Keyring> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 })
  const jwk: JWK = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(jwk)
  const body = JSON.stringify({ keys: [{ kty: jwk.kty, n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' }] })
  const doc: JwksDocument = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, maxAge: options.maxAge ?? 300 }
  return {
    signingKey: () => ({ kid, alg: 'RS256', privateKey }),
    verificationKey: (wanted) => (wanted === kid ? publicKey : undefined),
    jwks: () => doc,
    refresh: async () => undefined,
    close: () => undefined,
  }
}
