// The public keys a private_key_jwt client registers (RFC 7517 JWK Set; RFC 7591 §2 `jwks` / `jwks_uri`): what
// makes a set acceptable, the same for the admin API and the CLI. Only public keys of the types the assertion
// algorithms use (security/jwt-assertion.ts); a private member is refused rather than dropped, since whoever
// sent it has leaked that key and must make another.
import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { importJWK, type JWK } from 'jose'
import type { ErrorDetail } from '../errors.js'

export const MAX_JWKS_KEYS = 10
export const MAX_JWKS_TEXT = 64 * 1024
const MIN_RSA_BITS = 2048
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const
/** The algorithms each key type may declare (of ASSERTION_ALGORITHMS), the first its default. */
const KEY_TYPES: Record<string, { crv?: string; algs: readonly string[] }> = {
  RSA: { algs: ['RS256', 'PS256'] },
  EC: { crv: 'P-256', algs: ['ES256'] },
  // Ed25519: EdDSA's fully specified name for this curve (RFC 9864).
  OKP: { crv: 'Ed25519', algs: ['EdDSA', 'Ed25519'] },
}
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * An RSA key's size and exponent, read from the key itself (not from the length of `n`'s text, which leading zero
 * octets lengthen): at least MIN_RSA_BITS bits, and an odd public exponent of at least 3 (1 makes no signature).
 */
function rsaProblem(key: Record<string, unknown>, field: string): ErrorDetail | undefined {
  if (typeof key.n !== 'string' || typeof key.e !== 'string')
    return { field, message: 'is not a usable public key: an RSA key needs n and e (base64url strings)' }
  let details: ReturnType<typeof createPublicKey>['asymmetricKeyDetails']
  try {
    details = createPublicKey({
      key: { kty: 'RSA', n: key.n, e: key.e } as JsonWebKey,
      format: 'jwk',
    }).asymmetricKeyDetails
  } catch (err) {
    return { field, message: `is not a usable public key: ${(err as Error).message}` }
  }
  if ((details?.modulusLength ?? 0) < MIN_RSA_BITS)
    return { field: `${field}.n`, message: `an RSA key must have at least ${MIN_RSA_BITS} bits` }
  const exponent = details?.publicExponent ?? 0n
  if (exponent < 3n || exponent % 2n === 0n)
    return { field: `${field}.e`, message: 'must be an odd public exponent of at least 3' }
  return undefined
}

async function keyProblems(key: unknown, field: string): Promise<ErrorDetail[]> {
  if (!isObject(key)) return [{ field, message: 'must be a JWK (an object)' }]
  const leaked = PRIVATE_MEMBERS.filter((member) => member in key)
  if (leaked.length > 0)
    return [
      {
        field,
        message: `must be a public key: the private member${leaked.length > 1 ? 's' : ''} ${leaked.map((m) => `"${m}"`).join(', ')} ${leaked.length > 1 ? 'are' : 'is'} not accepted (that key is exposed: make a new one)`,
      },
    ]
  // An own member only: `__proto__` or `constructor` must not find Object.prototype's.
  const type = typeof key.kty === 'string' && Object.hasOwn(KEY_TYPES, key.kty) ? KEY_TYPES[key.kty] : undefined
  if (!type) return [{ field: `${field}.kty`, message: 'must be RSA, EC (P-256) or OKP (Ed25519)' }]
  if (type.crv !== undefined && key.crv !== type.crv)
    return [{ field: `${field}.crv`, message: `must be ${type.crv} for kty ${String(key.kty)}` }]
  if (key.alg !== undefined && (typeof key.alg !== 'string' || !type.algs.includes(key.alg)))
    return [{ field: `${field}.alg`, message: `must be one of ${type.algs.join(', ')} for kty ${String(key.kty)}` }]
  if (key.use !== undefined && key.use !== 'sig') return [{ field: `${field}.use`, message: 'must be "sig"' }]
  if (key.kid !== undefined && (typeof key.kid !== 'string' || key.kid === '' || key.kid.length > 200))
    return [{ field: `${field}.kid`, message: 'must be a string of 1 to 200 characters' }]
  if (key.kty === 'RSA') {
    const problem = rsaProblem(key, field)
    if (problem) return [problem]
  }
  try {
    await importJWK(key as JWK, (key.alg as string | undefined) ?? type.algs[0])
  } catch (err) {
    return [{ field, message: `is not a usable public key: ${(err as Error).message}` }]
  }
  return []
}

/**
 * The problems with a JWK Set a client registers (field names under `field`), empty when it is acceptable.
 *
 * @example
 * const problems = await publicJwksProblems(body.jwks, 'jwks')
 */
export async function publicJwksProblems(jwks: unknown, field = 'jwks'): Promise<ErrorDetail[]> {
  if (!isObject(jwks) || !Array.isArray(jwks.keys)) return [{ field, message: 'must be a JWK Set: {"keys": [ … ]}' }]
  if (JSON.stringify(jwks).length > MAX_JWKS_TEXT)
    return [{ field, message: `must be at most ${MAX_JWKS_TEXT} characters of JSON` }]
  if (jwks.keys.length === 0 || jwks.keys.length > MAX_JWKS_KEYS)
    return [{ field: `${field}.keys`, message: `must hold 1 to ${MAX_JWKS_KEYS} keys` }]
  const problems = (await Promise.all(jwks.keys.map((key, i) => keyProblems(key, `${field}.keys.${i}`)))).flat()
  const kids = jwks.keys.map((key) => (isObject(key) ? key.kid : undefined)).filter((kid) => kid !== undefined)
  if (new Set(kids).size !== kids.length)
    problems.push({ field: `${field}.keys`, message: 'each kid must be different' })
  return problems
}

/** The problems with a jwks_uri: https (or http on a loopback host, for development), no credentials or fragment. */
export function jwksUriProblems(uri: string, field = 'jwks_uri'): ErrorDetail[] {
  let url: URL
  try {
    // The URL parser forgives what the stored string would keep: surrounding or inner white space.
    if (/\s/.test(uri)) throw new TypeError('white space')
    url = new URL(uri)
  } catch {
    return [{ field, message: 'must be an absolute https URL' }]
  }
  const loopback = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)
  if (url.protocol !== 'https:' && !loopback)
    return [{ field, message: 'must be an https URL (http only on a loopback host)' }]
  // An empty fragment (`…#`) leaves url.hash empty: the text is what is stored.
  if (url.username || url.password || uri.includes('#') || uri.length > 2000)
    return [{ field, message: 'must have no credentials or fragment and at most 2000 characters' }]
  return []
}

/** Only the members of each key that a JWK Set publishes (a stored set never holds more; this is the allow-list). */
export const PUBLIC_JWK_MEMBERS = ['kty', 'kid', 'use', 'alg', 'key_ops', 'n', 'e', 'crv', 'x', 'y'] as const
