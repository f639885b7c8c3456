// The public keys of key-pair access keys: what a holder may register (a JWK object, or PEM through the CLI),
// what is stored (the public members and one pinned `alg`, never a private member), its RFC 7638 thumbprint, and
// the key pairs Portcullis generates for `--generate-key-pair` (the private key is returned once, never stored).
//
// One algorithm per key: a JWK names its `alg`, or the key type implies one (EC P-256: ES256, Ed25519: EdDSA,
// RSA: RS256 unless PS256 is asked for). An assertion signed with any other algorithm is refused, so a key is
// never used under two algorithms (RFC 8725 §3.1).
import { createPublicKey, generateKeyPair as generateNodeKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import { calculateJwkThumbprint, type JWK } from 'jose'

export const KEY_PAIR_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const
export type KeyPairAlgorithm = (typeof KEY_PAIR_ALGORITHMS)[number]
export const DEFAULT_KEY_PAIR_ALGORITHM: KeyPairAlgorithm = 'ES256'

const MIN_RSA_BITS = 2048
const GENERATED_RSA_BITS = 3072
// The members a private JWK has and a public one must not (RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2; `k`: §6.4).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/** A checked public key: its normalized JWK (public members and `alg`), the algorithm, the thumbprint. */
export interface PublicKeyPair {
  jwk: JWK & { alg: KeyPairAlgorithm }
  alg: KeyPairAlgorithm
  /** RFC 7638 SHA-256 JWK thumbprint, base64url. */
  thumbprint: string
}

/** A registered public key is unusable; `message` says why, for the person registering it. */
export class PublicKeyError extends Error {
  override name = 'PublicKeyError'
}

const isAlgorithm = (value: unknown): value is KeyPairAlgorithm =>
  typeof value === 'string' && (KEY_PAIR_ALGORITHMS as readonly string[]).includes(value)

/** The algorithms a key of this type may be used with. */
function algorithmsFor(jwk: Record<string, unknown>): readonly KeyPairAlgorithm[] {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return ['ES256']
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return ['EdDSA']
  if (jwk.kty === 'RSA') return ['RS256', 'PS256']
  throw new PublicKeyError('the key must be EC P-256, Ed25519 or RSA (of at least 2048 bits)')
}

/**
 * Checks a public JWK and pins its algorithm: `alg` (when given) must agree with the JWK's own `alg` and its
 * key type. Throws PublicKeyError for anything else, a private key above all.
 *
 * @example
 * const { jwk, alg } = checkPublicJwk({ kty: 'EC', crv: 'P-256', x, y }) // alg 'ES256'
 */
export function checkPublicJwk(input: unknown, alg?: KeyPairAlgorithm): Omit<PublicKeyPair, 'thumbprint'> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new PublicKeyError('the public key must be a JWK object')
  const jwk = input as Record<string, unknown>
  if (PRIVATE_MEMBERS.some((member) => member in jwk))
    throw new PublicKeyError('this is a private key: register the public key only (the private key stays with you)')
  const allowed = algorithmsFor(jwk)
  // Ed25519 (RFC 9864) is EdDSA's fully specified name for this key type: the key is stored as EdDSA.
  if (jwk.alg === 'Ed25519' && jwk.kty === 'OKP') return checkPublicJwk({ ...jwk, alg: 'EdDSA' }, alg)
  if (jwk.alg !== undefined && !isAlgorithm(jwk.alg))
    throw new PublicKeyError(`the JWK's alg must be one of ${KEY_PAIR_ALGORITHMS.join(', ')}`)
  if (jwk.alg !== undefined && alg !== undefined && jwk.alg !== alg)
    throw new PublicKeyError(`the JWK's alg ${jwk.alg} differs from the alg asked for, ${alg}`)
  const pinned = alg ?? (jwk.alg as KeyPairAlgorithm | undefined) ?? allowed[0]!
  if (!allowed.includes(pinned)) throw new PublicKeyError(`an ${jwk.kty} key cannot be used with ${pinned}`)
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new PublicKeyError('the JWK member use must be sig')
  let key: KeyObject
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
  } catch {
    throw new PublicKeyError('the JWK is not a valid public key')
  }
  if (jwk.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS)
    throw new PublicKeyError(`an RSA key must have at least ${MIN_RSA_BITS} bits`)
  // An exponent of 1 makes every message its own signature; an even one is no RSA key.
  const exponent = key.asymmetricKeyDetails?.publicExponent
  if (jwk.kty === 'RSA' && (exponent === undefined || exponent < 3n || exponent % 2n === 0n))
    throw new PublicKeyError('an RSA key must have an odd public exponent of at least 3')
  return { jwk: { ...publicMembers(key), alg: pinned }, alg: pinned }
}

/** The public JWK of a key object: only the members that define the key, in the node:crypto export. */
function publicMembers(key: KeyObject): JWK {
  const exported = key.export({ format: 'jwk' }) as JWK
  if (exported.kty === 'RSA') return { kty: 'RSA', n: exported.n!, e: exported.e! }
  if (exported.kty === 'EC') return { kty: 'EC', crv: exported.crv!, x: exported.x!, y: exported.y! }
  return { kty: exported.kty!, crv: exported.crv!, x: exported.x! }
}

/** A checked public key with its thumbprint: what a key-pair access key stores. */
export async function publicKeyPair(input: unknown, alg?: KeyPairAlgorithm): Promise<PublicKeyPair> {
  const checked = checkPublicJwk(input, alg)
  return { ...checked, thumbprint: await calculateJwkThumbprint(checked.jwk, 'sha256') }
}

/**
 * A public key from the text of a file: a JWK (or a JWK Set holding exactly one key) or a PEM public key (SPKI
 * `PUBLIC KEY`, or PKCS #1 `RSA PUBLIC KEY`). A private key, in either form, is refused rather than reduced to
 * its public half: a private key that was put in a file to be uploaded has been handled carelessly once already.
 */
export function publicJwkFromText(text: string): Record<string, unknown> {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      throw new PublicKeyError('the file starts like JSON but is not valid JSON')
    }
    const keys = (parsed as { keys?: unknown }).keys
    if (Array.isArray(keys)) {
      if (keys.length !== 1) throw new PublicKeyError('a JWK Set must hold exactly one key here')
      return keys[0] as Record<string, unknown>
    }
    return parsed as Record<string, unknown>
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(trimmed))
    throw new PublicKeyError('this is a private key: give the public key only (the private key stays with you)')
  if (!/-----BEGIN (RSA )?PUBLIC KEY-----/.test(trimmed))
    throw new PublicKeyError('the file holds neither a JWK nor a PEM public key')
  try {
    return createPublicKey(trimmed).export({ format: 'jwk' }) as Record<string, unknown>
  } catch {
    throw new PublicKeyError('the PEM public key cannot be read')
  }
}

const generate = promisify(generateNodeKeyPair)

/** A key pair made here: the public half to store, the private half to return once (JWK with kid, and PKCS #8 PEM). */
export interface GeneratedKeyPair {
  publicKey: PublicKeyPair
  privateJwk: JWK
  privatePem: string
}

/**
 * Generates a key pair for `alg` (ES256: P-256, EdDSA: Ed25519, RS256/PS256: RSA 3072). `kid` (the access key's
 * id) goes into the private JWK, so that libraries signing with it name the key in the JWS header.
 */
export async function generateKeyPair(alg: KeyPairAlgorithm, kid: string): Promise<GeneratedKeyPair> {
  const { privateKey } =
    alg === 'ES256'
      ? await generate('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? await generate('ed25519')
        : await generate('rsa', { modulusLength: GENERATED_RSA_BITS })
  const publicKey = await publicKeyPair(createPublicKey(privateKey).export({ format: 'jwk' }), alg)
  return {
    publicKey,
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' },
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  }
}

/** The stored JWK's algorithm (always pinned when it was stored; undefined only for a row made otherwise). */
export function storedAlgorithm(jwk: Record<string, unknown>): KeyPairAlgorithm | undefined {
  return isAlgorithm(jwk.alg) ? jwk.alg : undefined
}
