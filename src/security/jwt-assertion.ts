// Signed JWT assertions (RFC 7523 §3): client authentication with private_key_jwt (§2.2) and the JWT bearer
// grant (§2.1). One verifier for both, so the rules are the same everywhere:
// - an allowlist of asymmetric algorithms: `none` and HS* are refused before any key is looked at (an HMAC
//   "signed" with a public key's bytes must never verify), and a key is refused unless its type, size and what
//   it was imported or registered for fit the algorithm (keyObjectFor, keys/jws.ts foreignJwsCheck);
// - `iss` and `sub` exactly the expected values;
// - `aud` a single string equal to an accepted audience (draft-ietf-oauth-rfc7523bis: an array, or a value
//   that merely contains the issuer, is how the 2025 audience-injection attacks got an assertion meant for
//   one server accepted by another);
// - `exp` required and at most `maxLifetimeSeconds` ahead (a long-lived assertion is a bearer credential);
//   `nbf` and `iat` not in the future, with the clock-skew allowance;
// - `jti` required, and accepted once until the assertion expires (the replay cache), checked last, after the
//   signature, so that nobody can burn another's jti with an unsigned JWT.
// Every failure is an AssertionError whose reason goes to the log; the caller answers with one error code.
import { createHash, createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto'
import {
  errors,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  type ProtectedHeaderParameters,
} from 'jose'
import type { CryptoKey, JWK } from 'jose'
import { foreignJwsCheck, verifiedPayload } from '../keys/jws.js'
import type { ReplayCache, ReplayNamespace } from './replay-cache.js'

// Ed25519 is the fully specified name of EdDSA with that curve (RFC 9864), which current clients sign with
// (oauth4webapi's PrivateKeyJwt, openid-client 6); the two name one algorithm here: a key registered as EdDSA
// verifies an Ed25519 assertion and the reverse (Ed448 is not accepted under either name).
export const ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'] as const
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number]

const EDDSA_NAMES: Readonly<Record<string, string>> = { EdDSA: 'Ed25519', Ed25519: 'EdDSA' }

/**
 * Whether an assertion's `alg` is the algorithm a key was registered for: the same name, or EdDSA and Ed25519
 * (RFC 9864), which name one algorithm for an Ed25519 key.
 *
 * @example
 * sameAlgorithm('Ed25519', 'EdDSA') // true
 */
export function sameAlgorithm(headerAlg: unknown, keyAlg: string): boolean {
  return headerAlg === keyAlg || (typeof headerAlg === 'string' && EDDSA_NAMES[headerAlg] === keyAlg)
}

/**
 * A key resolver that finds a key registered under the other name of EdDSA (a JWK whose `alg` is EdDSA for an
 * Ed25519 assertion, and the reverse) when none is registered under the assertion's own name.
 */
function acceptingBothEdDsaNames(getKey: AssertionOptions['getKey']): AssertionOptions['getKey'] {
  if (typeof getKey !== 'function') return getKey
  return async (header, token) => {
    const other = EDDSA_NAMES[header.alg]
    if (other === undefined) return getKey(header, token)
    try {
      return await getKey(header, token)
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err
      return getKey({ ...header, alg: other }, token)
    }
  }
}

/** A refused assertion; `reason` is for the log only (the answer says no more than the error code). */
export class AssertionError extends Error {
  override name = 'AssertionError'
  readonly code = 'ERR_ASSERTION_REFUSED'
  constructor(readonly reason: string) {
    super(`assertion refused: ${reason}`)
  }
}

export interface AssertionOptions {
  /** The key, or a resolver given the header (a JWK Set: jose's createLocalJWKSet / createRemoteJWKSet). */
  getKey: JWTVerifyGetKey | CryptoKey | KeyObject | JWK
  /** The expected `iss`. */
  issuer: string
  /** The expected `sub`. */
  subject: string
  /** The accepted audience; `aud` must be one string equal to it (or to one of them, when a list is given). */
  audience: string | readonly string[]
  clockSkewSeconds: number
  /** How far ahead of now `exp` may be; default 300. */
  maxLifetimeSeconds?: number
  replay: { cache: ReplayCache; namespace: ReplayNamespace }
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number
}

const ALLOWED: ReadonlySet<string> = new Set(ASSERTION_ALGORITHMS)
const MAX_JTI_LENGTH = 1024

function describe(err: unknown): string {
  if (err instanceof errors.JOSEError) return `${err.code}: ${err.message}`
  return err instanceof Error ? err.message : String(err)
}

/** The replay cache's key: the jti as its issuer used it, so one issuer's ids never collide with another's. */
function replayKey(issuer: string, jti: string): string {
  return createHash('sha256').update(issuer).update('\n').update(jti).digest('base64url')
}

function checkAlgorithm(jwt: string): ProtectedHeaderParameters & { alg: string } {
  let header: ProtectedHeaderParameters
  try {
    header = decodeProtectedHeader(jwt)
  } catch (err) {
    throw new AssertionError(`not a JWT: ${describe(err)}`)
  }
  const { alg } = header
  if (typeof alg !== 'string' || !ALLOWED.has(alg))
    throw new AssertionError(`alg ${JSON.stringify(alg)} is not one of ${ASSERTION_ALGORITHMS.join(', ')}`)
  return header as ProtectedHeaderParameters & { alg: string }
}

// The keys the resolver gives (jose's JWK Set resolvers hand out the same CryptoKey for a key each time) as
// node:crypto keys, converted once: a memo of a pure conversion, keyed by the key object itself, so it holds
// nothing of any app's and lets go of a key when its resolver does.
const keyObjects = new WeakMap<object, KeyObject>()

type WebCryptoAlgorithm = { name?: string; hash?: { name?: string }; namedCurve?: string }

/** What a WebCrypto key must have been imported for to verify `alg` (RFC 7518 §3, RFC 8037 §3.1, RFC 9864). */
function webCryptoFits(alg: string, { name, hash, namedCurve }: WebCryptoAlgorithm): boolean {
  switch (alg) {
    case 'RS256':
      return name === 'RSASSA-PKCS1-v1_5' && hash?.name === 'SHA-256'
    case 'PS256':
      return name === 'RSA-PSS' && hash?.name === 'SHA-256'
    case 'ES256':
      return name === 'ECDSA' && namedCurve === 'P-256'
    default:
      return name === 'Ed25519' || name === 'EdDSA'
  }
}

/**
 * The key as node:crypto's, once it is shown to be for `alg` as jose would have it: a WebCrypto key imported
 * for that algorithm and for verifying; a JWK whose `alg`, `use` and `key_ops`, when present, allow it (RFC 7517
 * §4.2–4.4). The key's type and size are checked against the algorithm after (foreignJwsCheck).
 */
function keyObjectFor(key: unknown, alg: string): KeyObject {
  if (key instanceof KeyObject) return key
  if (typeof key !== 'object' || key === null || key instanceof Uint8Array)
    throw new AssertionError('the key is not an asymmetric public key')
  const webCrypto = 'algorithm' in key && 'usages' in key
  if (webCrypto) {
    const { algorithm, usages } = key as { algorithm: WebCryptoAlgorithm; usages: string[] }
    if (!webCryptoFits(alg, algorithm) || !usages.includes('verify'))
      throw new AssertionError(`the key is for ${algorithm.name} (${usages.join(', ')}), not for verifying ${alg}`)
  } else {
    const jwk = key as JWK
    if (jwk.alg !== undefined && !sameAlgorithm(alg, jwk.alg))
      throw new AssertionError(`the key's "alg" is ${jwk.alg}, not ${alg}`)
    if ((jwk.use !== undefined && jwk.use !== 'sig') || (jwk.key_ops !== undefined && !jwk.key_ops.includes('verify')))
      throw new AssertionError('the key is not for verifying signatures (use, key_ops)')
  }
  let converted = keyObjects.get(key)
  if (converted === undefined) {
    try {
      converted = webCrypto
        ? KeyObject.from(key as CryptoKey)
        : createPublicKey({ key: key as JsonWebKey, format: 'jwk' })
    } catch (err) {
      throw new AssertionError(`the key cannot be used: ${describe(err)}`)
    }
    keyObjects.set(key, converted)
  }
  return converted
}

/**
 * The claims of a compact JWS whose signature is `header.alg`'s by the key the resolver gives for that header.
 * The signature is checked with node:crypto (keys/jws.ts) rather than jose's jwtVerify, whose WebCrypto path cost
 * twice the CPU on every assertion (measured: ~55 µs against ~28 µs for RS256, 20 in flight).
 */
async function verifiedClaims(
  jwt: string,
  header: ProtectedHeaderParameters & { alg: string },
  getKey: AssertionOptions['getKey'],
): Promise<JWTPayload> {
  // RFC 7515 §4.1.11: an extension the recipient must understand; none is understood here.
  if (header.crit !== undefined) throw new AssertionError('crit is not supported: no JWS extension is understood here')
  const [protectedSegment = '', payload = '', signature = '', ...extra] = jwt.split('.')
  if (extra.length > 0) throw new AssertionError('not a JWT: three segments expected')
  let resolved: unknown
  try {
    resolved =
      typeof getKey === 'function'
        ? await (acceptingBothEdDsaNames(getKey) as JWTVerifyGetKey)(header, {
            protected: protectedSegment,
            payload,
            signature,
          })
        : getKey
  } catch (err) {
    throw new AssertionError(describe(err))
  }
  const key = keyObjectFor(resolved, header.alg)
  if (key.type !== 'public') throw new AssertionError(`the key is a ${key.type} key, not a public one`)
  const check = foreignJwsCheck(header.alg, key)
  if (!check) throw new AssertionError(`a ${key.asymmetricKeyType ?? key.type} key cannot verify ${header.alg}`)
  const claims = await verifiedPayload(jwt, check.digest, { key, ...check.options })
  // A claims set that is not a JSON object is refused alike (a signer's mistake, not an attacker's way in).
  if (!claims) throw new AssertionError('ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed')
  return claims as JWTPayload
}

/** RFC 7519 §4.1.4, §4.1.5, §4.1.6: exp required and not past, nbf not ahead, iat a number, each within `skew`. */
function checkTimes(payload: JWTPayload, now: number, skew: number): void {
  const { exp, nbf, iat } = payload
  if (exp === undefined) throw new AssertionError('ERR_JWT_CLAIM_VALIDATION_FAILED: missing required "exp" claim')
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw new AssertionError('ERR_JWT_CLAIM_VALIDATION_FAILED: "exp" claim must be a number')
  if (exp <= now - skew) throw new AssertionError('ERR_JWT_EXPIRED: "exp" claim timestamp check failed')
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' || !Number.isFinite(nbf))
      throw new AssertionError('ERR_JWT_CLAIM_VALIDATION_FAILED: "nbf" claim must be a number')
    if (nbf > now + skew)
      throw new AssertionError('ERR_JWT_CLAIM_VALIDATION_FAILED: "nbf" claim timestamp check failed')
  }
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat)))
    throw new AssertionError('ERR_JWT_CLAIM_VALIDATION_FAILED: "iat" claim must be a number')
}

function checkClaims(payload: JWTPayload, options: AssertionOptions, now: number): { jti: string; exp: number } {
  const skew = options.clockSkewSeconds
  const max = options.maxLifetimeSeconds ?? 300
  if (payload.iss !== options.issuer) throw new AssertionError(`iss ${JSON.stringify(payload.iss)} is not the expected`)
  if (payload.sub !== options.subject)
    throw new AssertionError(`sub ${JSON.stringify(payload.sub)} is not the expected`)
  const accepted: readonly string[] = typeof options.audience === 'string' ? [options.audience] : options.audience
  if (typeof payload.aud !== 'string') throw new AssertionError('aud must be a single string')
  if (!accepted.includes(payload.aud)) throw new AssertionError(`aud ${JSON.stringify(payload.aud)} is not accepted`)
  const { exp, iat, jti } = payload
  if (typeof exp !== 'number') throw new AssertionError('exp is required')
  if (exp > now + max + skew) throw new AssertionError(`exp is more than ${max} s ahead`)
  if (iat !== undefined && iat > now + skew) throw new AssertionError('iat is in the future')
  if (typeof jti !== 'string' || jti === '') throw new AssertionError('jti is required')
  if (jti.length > MAX_JTI_LENGTH) throw new AssertionError(`jti is longer than ${MAX_JTI_LENGTH} characters`)
  return { jti, exp }
}

/**
 * Verifies a signed JWT assertion (RFC 7523 §3) and records its jti; returns its claims. Throws AssertionError
 * for any refusal; an unavailable replay cache throws its StoreError (the request fails as unavailable, the
 * assertion unused).
 *
 * @example
 * const claims = await verifyJwtAssertion(assertion, {
 *   getKey: createLocalJWKSet(client.jwks), issuer: client.clientId, subject: client.clientId,
 *   audience: config.issuer, clockSkewSeconds: config.clockSkew,
 *   replay: { cache: services.replayCache, namespace: 'client_assertion' },
 * })
 */
export async function verifyJwtAssertion(jwt: string, options: AssertionOptions): Promise<JWTPayload> {
  const header = checkAlgorithm(jwt)
  const nowMs = (options.now ?? Date.now)()
  const now = Math.floor(nowMs / 1000)
  const payload = await verifiedClaims(jwt, header, options.getKey)
  checkTimes(payload, now, options.clockSkewSeconds)
  const { jti, exp } = checkClaims(payload, options, now)
  // Kept until the assertion could no longer be accepted (its exp plus the allowance).
  const until = new Date((exp + options.clockSkewSeconds) * 1000)
  const first = await options.replay.cache.remember(options.replay.namespace, replayKey(options.issuer, jti), until)
  if (!first) throw new AssertionError('jti was already used (a replay)')
  return payload
}
