// RSA key material for RS256 (RFC 7518 §3.3): generation off the event loop, the kid as the RFC 7638
// JWK thumbprint, and imports into KeyObjects that jose signs and verifies with.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import { calculateJwkThumbprint } from 'jose'
import type { PublicRsaJwk } from '../store/signing-keys.js'

const generateRsa = promisify(generateKeyPair)

export interface GeneratedKey {
  kid: string
  publicJwk: PublicRsaJwk
  /** PKCS #8 DER: seal it (encryption.ts) and drop it. */
  pkcs8: Buffer
}

export async function generateSigningKey(modulusLength: number): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength, publicExponent: 0x10001 })
  const publicJwk = toPublicJwk(publicKey)
  return {
    kid: await calculateJwkThumbprint(publicJwk, 'sha256'),
    publicJwk,
    pkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }),
  }
}

export function toPublicJwk(key: KeyObject): PublicRsaJwk {
  const { n, e } = key.export({ format: 'jwk' })
  return { kty: 'RSA', n: n!, e: e! }
}

export function importPublicKey(jwk: PublicRsaJwk): KeyObject {
  return createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' })
}

/** The private key, checked to be the pair of the published one. */
export function importPrivateKey(pkcs8: Buffer, jwk: PublicRsaJwk): KeyObject {
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  if (toPublicJwk(createPublicKey(key)).n !== jwk.n)
    throw new Error('the private key does not match the public key of its row')
  return key
}
