// Key material for each signing algorithm: RS256 and PS256 (RFC 7518 §3.3, §3.5: RSA at SIGNING_KEY_SIZE), ES256
// (§3.4: P-256) and EdDSA (RFC 8037: Ed25519). Generation off the event loop, the kid as the RFC 7638 JWK
// thumbprint, and imports into KeyObjects that jose signs and verifies with. An RS256 key never signs PS256 nor
// the reverse: each algorithm has keys of its own, so a kid names one algorithm.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import { calculateJwkThumbprint } from 'jose'
import type { SigningAlgorithm } from '../config.js'
import type { PublicJwk } from '../store/signing-keys.js'

const generate = promisify(generateKeyPair)

export interface GeneratedKey {
  kid: string
  alg: SigningAlgorithm
  publicJwk: PublicJwk
  /** The RSA modulus in bits; the curve's size (256) for ES256 and EdDSA. */
  keySize: number
  /** PKCS #8 DER: seal it (encryption.ts) and drop it. */
  pkcs8: Buffer
}

async function generatePair(alg: SigningAlgorithm, modulusLength: number) {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return generate('rsa', { modulusLength, publicExponent: 0x10001 })
    case 'ES256':
      return generate('ec', { namedCurve: 'P-256' })
    case 'EdDSA':
      return generate('ed25519', undefined)
  }
}

/**
 * The first key of each algorithm of a new database, made on libuv's thread pool while the server loads the rest
 * of its modules (~0.3–0.8 s of a start on this machine, an RSA-2048 key ~0.1–0.4 s). The RSA ones one after
 * another, the others at once: on Node 20 the module loader reads its files through the same pool (two threads
 * on two CPUs, main.cts), and two RSA keys at once would hold both threads while it waits.
 */
export function generateFirstSigningKeys(
  algorithms: readonly SigningAlgorithm[],
  modulusLength: number,
  generateKey: (alg: SigningAlgorithm, modulusLength: number) => Promise<GeneratedKey> = generateSigningKey,
): Promise<GeneratedKey>[] {
  let rsa: Promise<unknown> | undefined
  return algorithms.map((alg) => {
    if (alg !== 'RS256' && alg !== 'PS256') return generateKey(alg, modulusLength)
    const key = rsa ? rsa.then(() => generateKey(alg, modulusLength)) : generateKey(alg, modulusLength)
    rsa = key.catch(() => undefined)
    return key
  })
}

/** A new key pair for `alg`; `modulusLength` applies to the RSA algorithms only. */
export async function generateSigningKey(alg: SigningAlgorithm, modulusLength: number): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generatePair(alg, modulusLength)
  const publicJwk = toPublicJwk(publicKey)
  return {
    kid: await calculateJwkThumbprint(publicJwk, 'sha256'),
    alg,
    publicJwk,
    keySize: publicJwk.kty === 'RSA' ? modulusLength : 256,
    pkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }),
  }
}

/** The public members only (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2), in a fixed order. */
export function toPublicJwk(key: KeyObject): PublicJwk {
  const jwk = key.export({ format: 'jwk' })
  if (jwk.kty === 'RSA') return { kty: 'RSA', n: jwk.n!, e: jwk.e! }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return { kty: 'OKP', crv: 'Ed25519', x: jwk.x! }
  throw new Error(`unsupported key type ${jwk.kty} ${jwk.crv ?? ''}`.trim())
}

/** Whether a key of this JWK can sign with `alg`. */
export function fitsAlgorithm(jwk: PublicJwk, alg: SigningAlgorithm): boolean {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return jwk.kty === 'RSA'
    case 'ES256':
      return jwk.kty === 'EC' && jwk.crv === 'P-256'
    case 'EdDSA':
      return jwk.kty === 'OKP' && jwk.crv === 'Ed25519'
  }
}

export function importPublicKey(jwk: PublicJwk): KeyObject {
  return createPublicKey({ key: { ...jwk }, format: 'jwk' })
}

const samePublicKey = (a: PublicJwk, b: PublicJwk): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The private key, checked to be the pair of the published one. */
export function importPrivateKey(pkcs8: Buffer, jwk: PublicJwk): KeyObject {
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  if (!samePublicKey(toPublicJwk(createPublicKey(key)), toPublicJwk(importPublicKey(jwk))))
    throw new Error('the private key does not match the public key of its row')
  return key
}
