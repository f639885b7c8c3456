// DPoP proofs (RFC 9449): the checks of §4.3 on the `DPoP` header of a token request or of a request to a
// protected resource, and the server nonces of §8 and §9.
//
// A proof is a JWT the client signs with a key it keeps; its public key travels in the header (`jwk`), and the
// token bound to it carries that key's RFC 7638 thumbprint (`cnf.jkt`). Each proof is single use: its `jti` is
// recorded in the replay cache shared by every instance until the proof could no longer be accepted anyway.
//
// Nonces are stateless: HMAC-SHA256 of a time window under a key derived from the master key (HKDF, like the
// pages' cookie keys), so every instance makes and accepts the same nonces without sharing anything but the key.
import {
  createHmac,
  createPublicKey,
  hash,
  hkdfSync,
  timingSafeEqual,
  type JsonWebKey,
  type VerifyKeyObjectInput,
} from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { decodeProtectedHeader, type JWK } from 'jose'
import type { Config } from '../config.js'
import { foreignJwsCheck, signatureVerifies } from '../keys/jws.js'
import { invalidDpopProof, useDpopNonce } from '../errors.js'

/** The members of a private or symmetric JWK (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2): never in a proof's jwk. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const

/**
 * RFC 9449 §4.2: asymmetric algorithms only; the allowlist of client assertions, and Ed25519, the fully
 * specified name of EdDSA with that curve (RFC 9864), which current clients (openid-client 6) sign with.
 */
export const DPOP_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519']

/** Seconds one nonce window lasts; a nonce is accepted in its window and the next (so 5 to 10 minutes). */
const NONCE_WINDOW_SECONDS = 300
const MAX_PROOF_LENGTH = 8192
/** Public keys imported, by thumbprint and alg: a client signs many proofs with one key. */
const MAX_CACHED_KEYS = 1000
const MAX_JTI_LENGTH = 256

export interface DpopReplayCache {
  remember(namespace: 'dpop', jti: string, expiresAt: Date): Promise<boolean>
}

/** What a valid proof establishes. */
export interface DpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's public key, base64url: what `cnf.jkt` binds. */
  jkt: string
}

export interface DpopCheck {
  /** The request's method and URI (RFC 9449 §4.3 checks 8 and 9: `htm`, `htu`). */
  method: string
  url: string
  /** The access token presented with the proof (§4.3 check 12: `ath`); absent at the token endpoint. */
  accessToken?: string
  /** At a protected resource: errors are 401 with a `WWW-Authenticate: DPoP` challenge (§7.1), not 400. */
  resource?: boolean
}

export interface DpopVerifier {
  /**
   * The proof of a request, checked, or undefined when it has no `DPoP` header. Throws `invalid_dpop_proof`
   * for a bad proof (two headers included) and `use_dpop_nonce` when nonces are on and the proof's is not current.
   */
  verify(request: IncomingMessage, check: DpopCheck, now: number): Promise<DpopProof | undefined>
  /** The nonce to give clients now (`DPoP-Nonce`), or undefined when nonces are off. */
  nonce(now: number): string | undefined
}

/** The `DPoP` header values of a request, counted on the raw headers (Node joins repeated ones with ", "). */
function dpopHeaders(request: IncomingMessage): string[] {
  const values: string[] = []
  const raw = request.rawHeaders
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'dpop') values.push(raw[i + 1]!)
  return values
}

const UNRESERVED = /[A-Za-z0-9\-._~]/

/**
 * RFC 3986 §6.2.2 and §6.2.3, for comparing `htu` with the request's URI (RFC 9449 §4.3 check 9): the WHATWG
 * parser lowers the scheme and host, drops a default port, resolves dot segments and gives an empty path "/";
 * here percent-encodings get upper-case hex and those of unreserved characters are decoded. Query and fragment
 * are ignored. Undefined for anything that is not an absolute http(s) URI.
 */
export function normalizeHttpUri(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '')
    return undefined
  const path = url.pathname.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16))
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`
  })
  return `${url.protocol}//${url.host}${path}`
}

/** RFC 9449 §4.3 check 12: `ath` is base64url(SHA-256(the access token's ASCII)). */
export const accessTokenHash = (token: string): string => hash('sha256', token, 'base64url')

/**
 * RFC 7638 §3: the SHA-256 of the key's required members, in lexicographic order, as JSON without spaces.
 * Undefined when a required member is missing or not a string.
 */
export function jwkThumbprint(jwk: Record<string, unknown>): string | undefined {
  const members =
    jwk.kty === 'RSA'
      ? ['e', 'kty', 'n']
      : jwk.kty === 'EC'
        ? ['crv', 'kty', 'x', 'y']
        : jwk.kty === 'OKP'
          ? ['crv', 'kty', 'x']
          : undefined
  if (!members || members.some((name) => typeof jwk[name] !== 'string')) return undefined
  return hash('sha256', JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]]))), 'base64url')
}

function claimsOf(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const claims: unknown = JSON.parse(payload.toString('utf8'))
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function deriveNonceKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'portcullis/dpop-nonce/v1', 32))
}

/**
 * One verifier per app (services.ts).
 *
 * @example
 * const dpop = createDpopVerifier({ config, masterKey, replay: services.replayCache })
 * const proof = await dpop.verify(request.raw, { method: 'POST', url: `${config.issuer}/oauth/token` }, Date.now())
 */
export function createDpopVerifier(deps: {
  config: Pick<Config, 'clockSkew' | 'dpopProofMaxAge' | 'dpopNonces'>
  masterKey: Buffer
  replay: DpopReplayCache
}): DpopVerifier {
  const { config } = deps
  const nonceKey = deriveNonceKey(deps.masterKey)

  const nonceFor = (window: number): string => {
    const stamp = Buffer.alloc(8)
    stamp.writeBigUInt64BE(BigInt(window))
    const mac = createHmac('sha256', nonceKey).update(stamp).digest().subarray(0, 16)
    return Buffer.concat([stamp, mac]).toString('base64url')
  }
  const windowOf = (now: number) => Math.floor(now / 1000 / NONCE_WINDOW_SECONDS)

  function nonceIsCurrent(nonce: unknown, now: number): boolean {
    if (typeof nonce !== 'string' || nonce.length !== 32) return false
    const presented = Buffer.from(nonce, 'base64url')
    if (presented.length !== 24) return false
    const window = Number(presented.readBigUInt64BE(0))
    const current = windowOf(now)
    if (window !== current && window !== current - 1) return false
    return timingSafeEqual(presented, Buffer.from(nonceFor(window), 'base64url'))
  }

  // The signature is checked with node:crypto rather than jose's WebCrypto path, which cost twice the CPU
  // (measured: ~150 µs against ~70 µs for ES256): on libuv's pool, or for an RSA key on the event loop, where it
  // is cheaper (keys/jws.ts signatureVerifies). Importing a JWK costs as much as the check itself, and a client
  // makes every proof with the key it keeps: imported keys are kept by RFC 7638 thumbprint (which names every
  // public parameter of the key) and alg, the oldest dropped first.
  const keys = new Map<string, { digest: string | null; input: VerifyKeyObjectInput }>()
  function publicKey(jwk: Record<string, unknown>, alg: string, jkt: string) {
    const id = `${alg}:${jkt}`
    const cached = keys.get(id)
    if (cached) return cached
    // Node imports the key's public members only (RSA n and e, EC crv x y, OKP crv x); an oct JWK is refused.
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
    // EdDSA with Ed448 too (RFC 8037 §3.1): a proof's key is the client's choice.
    const check = foreignJwsCheck(alg, key, { ed448: true })
    if (!check) throw new TypeError(`a ${key.asymmetricKeyType} key cannot verify ${alg}`)
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!)
    // node:crypto's verify input (the key with its padding or signature encoding), made once per key.
    const entry = { digest: check.digest, input: { key, ...check.options } }
    keys.set(id, entry)
    return entry
  }

  function signatureIsValid(
    proof: string,
    jwk: Record<string, unknown>,
    alg: string,
    jkt: string,
  ): boolean | Promise<boolean> {
    const { digest, input } = publicKey(jwk, alg, jkt)
    const dot = proof.lastIndexOf('.')
    return signatureVerifies(
      digest,
      input,
      Buffer.from(proof.slice(0, dot)),
      Buffer.from(proof.slice(dot + 1), 'base64url'),
    )
  }

  function nonce(now: number): string | undefined {
    return config.dpopNonces ? nonceFor(windowOf(now)) : undefined
  }

  async function verify(request: IncomingMessage, check: DpopCheck, now: number): Promise<DpopProof | undefined> {
    const headers = dpopHeaders(request)
    if (headers.length === 0) return undefined
    const algs = check.resource ? DPOP_ALGORITHMS : undefined
    const fail = (reason: string) => invalidDpopProof(reason, algs)
    // §4.3 check 1: exactly one DPoP header, one JWT.
    if (headers.length > 1) throw fail('send one DPoP header')
    const proof = headers[0]!.trim()
    if (proof.length > MAX_PROOF_LENGTH || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(proof))
      throw fail('the DPoP header must be one JWT')
    // Checks 3 to 6: typ dpop+jwt, an allowlisted asymmetric alg, a public jwk (never a private key), the
    // signature by that key. The header is read first so that each failure is named.
    let header: ReturnType<typeof decodeProtectedHeader>
    try {
      header = decodeProtectedHeader(proof)
    } catch {
      throw fail('the DPoP proof is not a JWT')
    }
    if (header.typ !== 'dpop+jwt') throw fail('the DPoP proof must have typ dpop+jwt')
    if (typeof header.alg !== 'string' || !DPOP_ALGORITHMS.includes(header.alg))
      throw fail(`the DPoP proof must be signed with one of ${DPOP_ALGORITHMS.join(', ')}`)
    // RFC 7515 §4.1.11: an extension the recipient must understand; none is understood here.
    if (header.crit !== undefined) throw fail('the DPoP proof must not carry crit: no JWS extension is understood here')
    const jwk = header.jwk as (JWK & Record<string, unknown>) | undefined
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
      throw fail('the DPoP proof must carry its public key in the jwk header')
    if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk))
      throw fail('the jwk of the DPoP proof must be a public key')
    if (
      (jwk.use !== undefined && jwk.use !== 'sig') ||
      (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.every((op) => op === 'verify'))) ||
      (jwk.alg !== undefined && jwk.alg !== header.alg)
    )
      throw fail('the jwk of the DPoP proof is not for signing with its alg (use, key_ops, alg)')
    const jkt = jwkThumbprint(jwk)
    let valid = false
    try {
      // The signature only: the claims are checked below, each failure named.
      valid = jkt !== undefined && (await signatureIsValid(proof, jwk, header.alg, jkt))
    } catch {
      valid = false
    }
    if (!valid || jkt === undefined) throw fail('the DPoP proof signature does not verify with its jwk')
    const payload = claimsOf(Buffer.from(proof.slice(proof.indexOf('.') + 1, proof.lastIndexOf('.')), 'base64url'))
    if (!payload) throw fail('the DPoP proof claims are not a JSON object')
    // Check 7: the claims are present and of their types.
    const { jti, htm, htu, iat, ath } = payload
    if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH)
      throw fail('the DPoP proof needs a jti (at most 256 characters)')
    if (typeof htm !== 'string') throw fail('the DPoP proof needs htm')
    if (typeof htu !== 'string') throw fail('the DPoP proof needs htu')
    if (typeof iat !== 'number' || !Number.isFinite(iat)) throw fail('the DPoP proof needs iat')
    // Check 8: the method; check 9: the URI without query and fragment, normalized.
    if (htm !== check.method) throw fail(`the DPoP proof's htm must be ${check.method}`)
    const expected = normalizeHttpUri(check.url)
    if (expected === undefined || normalizeHttpUri(htu) !== expected)
      throw fail(`the DPoP proof's htu must be ${check.url}`)
    // Check 11: the proof was made recently (§11.1), within the clock skew.
    const seconds = now / 1000
    if (iat > seconds + config.clockSkew) throw fail('the DPoP proof was issued in the future (iat)')
    if (iat < seconds - config.dpopProofMaxAge - config.clockSkew) throw fail('the DPoP proof is too old (iat)')
    // Check 12: bound to the access token presented beside it.
    if (check.accessToken !== undefined) {
      if (typeof ath !== 'string') throw fail('the DPoP proof needs ath, the hash of the access token')
      if (ath !== accessTokenHash(check.accessToken)) throw fail("the DPoP proof's ath does not match the access token")
    }
    // Check 10: the server's nonce, when nonces are on.
    if (config.dpopNonces && !nonceIsCurrent(payload.nonce, now)) throw useDpopNonce(nonce(now)!, algs)
    // Last, once everything else holds: single use, across every instance, for as long as the proof is acceptable.
    const expiresAt = new Date((iat + config.dpopProofMaxAge + config.clockSkew) * 1000 + 1000)
    // Keyed by key and jti (a jti need only be unique per key), hashed to a fixed length.
    if (!(await deps.replay.remember('dpop', hash('sha256', `${jkt}\n${jti}`, 'base64url'), expiresAt)))
      throw fail('the DPoP proof has been used before (jti)')
    return { jkt }
  }

  return { verify, nonce }
}
