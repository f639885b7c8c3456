// JWS Compact Serialization (RFC 7515 §7.1) of our tokens with the active key of their algorithm.
//
// Signed with node:crypto's callback form of sign(), which runs the signature on libuv's thread pool (an
// RSA-2048 signature costs ~300 µs of CPU that must not stop the event loop) without WebCrypto's per-call
// argument normalisation on the event loop, which jose's sign goes through (measured: ~20 % of the event loop's
// samples of an ES256 client_credentials request). Signing ES256 or EdDSA synchronously on the event loop was
// measured too, twice (bench, client_credentials): EdDSA the same CPU in all and ~50 µs more of the event
// loop's per token; ES256 several times the CPU (872 against 156 µs per token, 647 µs of it on the event loop).
// RS256: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3); PS256: RSASSA-PSS with SHA-256, MGF1 and a 32-byte salt
// (§3.5); ES256: ECDSA P-256 with SHA-256, the signature as R || S (§3.4, not DER); EdDSA: Ed25519 (RFC 8037 §3.1).
//
// Our own tokens are verified with node:crypto too (verifyCompact), where jose's jwtVerify went through
// WebCrypto's key import and argument checks on every call (measured: ~115 µs of CPU per RS256 token against
// ~50 µs, most of it on the event loop). An RSA verification (RS256, PS256) is made on the event loop: with the
// public exponent 65537 it costs ~22 µs, less than handing it to the thread pool does (measured on 2 loaded
// cores, 20 in flight: ~25 µs of the event loop's and ~55 µs of CPU per token through the pool, against
// ~22 µs of both inline). ES256 and EdDSA verifications (~57 and ~76 µs) stay on the thread pool, where
// they cost the event loop ~20 µs.
//
// The cheap jobs (ES256 and EdDSA signatures and verifications, ~30–70 µs each) are handed to the pool at the end
// of the event loop's turn, together, not one by one as their requests reach them (toPool below): a pool
// thread that has finished a cheap job sleeps until the next, and waking it (a futex wake, a cross-CPU interrupt
// on a VM) cost the event loop 10–28 µs per job, as much as the signature itself. Handed over together, the
// threads woken for the first jobs of a turn find the others queued. RSA jobs (~300 µs) keep the pool busy, so
// their hand-off is cheap and they go at once.
import {
  constants,
  sign,
  verify,
  type KeyObject,
  type SignKeyObjectInput,
  type VerifyKeyObjectInput,
} from 'node:crypto'
import type { SigningAlgorithm } from '../config.js'
import type { SigningKeyHandle } from './keyring.js'

function cryptoInput<K extends KeyObject>(
  alg: SigningAlgorithm,
  key: K,
): { digest: string | null; key: K | SignKeyObjectInput | VerifyKeyObjectInput } {
  switch (alg) {
    case 'RS256':
      return { digest: 'sha256', key }
    case 'PS256':
      return { digest: 'sha256', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } }
    case 'ES256':
      return { digest: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } }
    case 'EdDSA':
      return { digest: null, key }
  }
}

/**
 * What signing with one key needs, made once per key rather than per token: node:crypto's digest and key
 * input, and the encoded protected header `{alg, typ, kid}` of each typ with its trailing dot (a token costs
 * then one base64url encoding, of its payload).
 */
export interface CompactSigner {
  readonly digest: string | null
  readonly key: KeyObject | SignKeyObjectInput
  readonly headers: Map<string, string>
}

/** The signer of a key of `alg` (the keyring makes one per active key). */
export function compactSigner(alg: SigningAlgorithm, privateKey: KeyObject): CompactSigner {
  const how = cryptoInput(alg, privateKey) as { digest: string | null; key: KeyObject | SignKeyObjectInput }
  return { digest: how.digest, key: how.key, headers: new Map() }
}

/** The signed compact JWS of `payload` (JSON text) with header {alg, typ, kid}. */
export function signCompact(key: SigningKeyHandle, typ: string, payload: string): Promise<string> {
  const { signer } = key
  let header = signer.headers.get(typ)
  if (header === undefined) {
    header = `${Buffer.from(JSON.stringify({ alg: key.alg, typ, kid: key.kid })).toString('base64url')}.`
    signer.headers.set(typ, header)
  }
  const input = header + Buffer.from(payload).toString('base64url')
  return new Promise((resolve, reject) => {
    const job = () => {
      try {
        sign(signer.digest, Buffer.from(input), signer.key, (err, signature) => {
          if (err) reject(err)
          else resolve(`${input}.${signature.toString('base64url')}`)
        })
      } catch (err) {
        reject(err)
      }
    }
    toPool(key.privateKey, job)
  })
}

/** The cheap pool jobs of this turn of the event loop, handed to the pool together at its end (see above). */
let turnJobs: (() => void)[] = []

/**
 * Runs `job` (which hands work with `key` to the thread pool, and must not throw): at once for an RSA key, whose
 * jobs keep the pool busy; for any other, at the end of this turn of the event loop with the others queued in it.
 */
function toPool(key: KeyObject, job: () => void): void {
  if (key.asymmetricKeyType === 'rsa') {
    job()
    return
  }
  turnJobs.push(job)
  if (turnJobs.length === 1) setImmediate(runTurnJobs)
}

function runTurnJobs(): void {
  const jobs = turnJobs
  turnJobs = []
  for (const job of jobs) job()
}

// One base64url segment (RFC 7515 §2: no padding, no other characters). Buffer's decoder skips what it does
// not know, so without this check one signature could be written several ways.
const SEGMENT = /^[A-Za-z0-9_-]*$/

/** The protected header of a compact JWS, if it is one (three segments, a JSON object header); unverified. */
export function compactHeader(token: string): Record<string, unknown> | undefined {
  const dot = token.indexOf('.')
  if (dot <= 0) return undefined
  const segment = token.slice(0, dot)
  if (!SEGMENT.test(segment)) return undefined
  try {
    const header: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return typeof header === 'object' && header !== null && !Array.isArray(header)
      ? (header as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether `signature` over `signed` verifies with `key`: an RSA key's (RS256, PS256) on the event loop, where it is
 * cheaper than a trip to the thread pool (see above), any other on the pool at the turn's end. False for any error.
 */
export function signatureVerifies(
  digest: string | null,
  key: KeyObject | VerifyKeyObjectInput,
  signed: Buffer,
  signature: Buffer,
): boolean | Promise<boolean> {
  const keyObject = 'key' in key ? (key.key as KeyObject) : key
  if (keyObject.asymmetricKeyType === 'rsa') {
    try {
      return verify(digest, signed, key, signature)
    } catch {
      return false
    }
  }
  return new Promise<boolean>((resolve) => {
    toPool(keyObject, () => {
      try {
        verify(digest, signed, key, signature, (err, valid) => resolve(!err && valid))
      } catch {
        resolve(false)
      }
    })
  })
}

/**
 * The payload (a JSON object) of compact JWS `token` when it is exactly three base64url segments and its signature
 * verifies with `key` (signatureVerifies); otherwise undefined. The header is the caller's to check.
 */
export async function verifiedPayload(
  token: string,
  digest: string | null,
  key: KeyObject | VerifyKeyObjectInput,
): Promise<Record<string, unknown> | undefined> {
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  if (first <= 0 || second === -1 || token.indexOf('.', second + 1) !== -1) return undefined
  const payloadSegment = token.slice(first + 1, second)
  const signatureSegment = token.slice(second + 1)
  if (!SEGMENT.test(payloadSegment) || signatureSegment === '' || !SEGMENT.test(signatureSegment)) return undefined
  if (!SEGMENT.test(token.slice(0, first))) return undefined
  const checked = signatureVerifies(
    digest,
    key,
    Buffer.from(token.slice(0, second)),
    Buffer.from(signatureSegment, 'base64url'),
  )
  if (!(typeof checked === 'boolean' ? checked : await checked)) return undefined
  try {
    const payload: unknown = JSON.parse(Buffer.from(payloadSegment, 'base64url').toString('utf8'))
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * The payload (JSON object) of compact JWS `token` whose header is `header` (from compactHeader), when its
 * signature is `alg`'s by `key`, the header names that algorithm and carries no `crit` (RFC 7515 §4.1.11: we
 * understand no extension), and the token is exactly three base64url segments; otherwise undefined.
 */
export async function verifyCompact(
  token: string,
  header: Record<string, unknown>,
  alg: SigningAlgorithm,
  key: KeyObject,
): Promise<Record<string, unknown> | undefined> {
  if (header.alg !== alg || header.crit !== undefined) return undefined
  const how = cryptoInput(alg, key)
  return verifiedPayload(token, how.digest, how.key as KeyObject | VerifyKeyObjectInput)
}

/**
 * How node:crypto verifies a JWS of `alg` (RFC 7518 §3, RFC 8037 §3.1, RFC 9864) with `key`, when the key fits
 * the algorithm: RSA of at least 2048 bits for RS256 and PS256, P-256 for ES256, Ed25519 for EdDSA and Ed25519
 * (and Ed448 under EdDSA, when `ed448`). Undefined for any other pairing: a key never verifies an algorithm
 * that is not its own. For the keys others sign with (DPoP proofs, client assertions).
 */
export function foreignJwsCheck(
  alg: string,
  key: KeyObject,
  options: { ed448?: boolean } = {},
): { digest: string | null; options: object } | undefined {
  if (key.type !== 'public') return undefined
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails ?? {}
  switch (alg) {
    case 'RS256':
      return type === 'rsa' && (details.modulusLength ?? 0) >= 2048 ? { digest: 'sha256', options: {} } : undefined
    case 'PS256':
      return type === 'rsa' && (details.modulusLength ?? 0) >= 2048
        ? { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } }
        : undefined
    case 'ES256':
      return type === 'ec' && details.namedCurve === 'prime256v1'
        ? { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } }
        : undefined
    case 'EdDSA':
      return type === 'ed25519' || (options.ed448 === true && type === 'ed448')
        ? { digest: null, options: {} }
        : undefined
    case 'Ed25519':
      return type === 'ed25519' ? { digest: null, options: {} } : undefined
    default:
      return undefined
  }
}
