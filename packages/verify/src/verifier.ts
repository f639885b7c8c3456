// The verifier: RFC 9068 JWT access tokens checked locally against the issuer's JWKS, access keys through the
// issuer's introspection endpoint, and the scope a request needs; refusals per RFC 6750 §3.
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose'
import {
  ACCESS_KEY,
  createAccessKeyIntrospector,
  type IntrospectionAnswer,
  type IntrospectionCredentials,
} from './access-keys.js'
import { presentedCredential, type RequestLike, requestTarget } from './credentials.js'
import { createDpopChecker, DPOP_ALGORITHMS, DpopProofError } from './dpop.js'
import { discover, type ServerMetadata } from './discovery.js'
import {
  dpopRefusal,
  insufficientScope,
  invalidRequest,
  invalidToken,
  keySetUnavailable,
  noCredential,
  VerificationError,
} from './errors.js'
import { missingScopes, parseScope, type ScopeRequirement } from './scopes.js'

export interface VerifierOptions {
  /** The issuer, exactly as Portcullis names itself (its ISSUER), e.g. `https://auth.example.com`. */
  issuer: string
  /** The audience (or audiences, any of which) this API answers to: a token for another is refused. */
  audience: string | readonly string[]
  /** Signature algorithms accepted (default RS256, PS256, ES256, EdDSA); symmetric ones and `none` never are. */
  algorithms?: readonly string[]
  /** Leeway for `exp`, `nbf` and `iat`, in seconds (default 5). */
  clockTolerance?: number
  /** Skip discovery for the key set. */
  jwksUri?: string
  /** Skip discovery for introspection. */
  introspectionEndpoint?: string
  /** Credentials for the introspection endpoint: without them, access keys are refused. */
  introspection?: IntrospectionCredentials
  /** How long an access key's introspection answer is reused, in seconds (default 5, the server's ACCESS_KEY_CACHE_TTL). */
  accessKeyCacheTtl?: number
  /** The least time between two key set fetches for an unknown `kid`, in ms (default 30 000). */
  jwksCooldown?: number
  /** How long a fetched key set is used before it is fetched again, in ms (default 600 000). */
  jwksMaxAge?: number
  /** How long a key set fetch may take, in ms (default 5 000); past it the request is answered 503. */
  jwksTimeout?: number
  /**
   * How many verified JWTs to remember by their text (default 1000, 0 for none): a token seen again costs no
   * signature check, only its `exp`/`nbf` against the clock.
   */
  verifiedTokenCache?: number
  /** Where this API is reached, to resolve a request's path for DPoP's `htu` (default: from the Host header, http). */
  origin?: string
  /** How old a DPoP proof may be, in seconds (default 60). */
  dpopProofMaxAge?: number
  /** The realm of the `WWW-Authenticate` challenges. */
  realm?: string
  /** Replaces the global fetch (for a proxy, or to count calls). */
  fetch?: typeof fetch
  /** The clock, in ms (tests). */
  now?: () => number
}

/** Who made a request, and what they may do. */
export interface Auth {
  /** `sub`: a user's id, or `access_key:<id>` for a service key. */
  subject: string
  scopes: string[]
  /** The token's claims (a JWT's payload; an access key's introspection answer). */
  claims: Record<string, unknown>
  /** The OAuth client the token was issued to (none for an access key used directly). */
  clientId: string | undefined
  /** The access key: used directly, or traded for this token. */
  accessKeyId?: string
  tenantId?: string
  workspaceId?: string
  /** How the caller authenticated. */
  credential: 'jwt' | 'access_key'
}

export interface Verifier {
  /** Verifies a request's credential and, when given, the scope it needs; rejects with a VerificationError. */
  verify(request: RequestLike, required?: ScopeRequirement): Promise<Auth>
  /** The same for a token already taken from its request. */
  verifyToken(token: string, required?: ScopeRequirement): Promise<Auth>
  /**
   * Synchronously, the answer for a request whose Bearer JWT was verified before and that holds the scope, or
   * undefined (then call verify(), which does everything else). The adapters' fast path: no promise per request.
   */
  remembered(request: RequestLike, required?: ScopeRequirement): Auth | undefined
  readonly options: Readonly<VerifierOptions>
}

const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA']
const SYMMETRIC = /^(HS\d+|none)$/i
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/** jose's failures that mean "this token is not good", as opposed to "the key set could not be fetched". */
const INVALID_TOKEN_CODES = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
])

const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined)

/**
 * A verifier for the APIs behind Portcullis.
 *
 * @example
 * import { createVerifier } from '@portcullis/verify'
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' })
 * const auth = await verifier.verify(request, { all: ['read:objects'] })
 */
export function createVerifier(options: VerifierOptions): Verifier {
  if (typeof options.issuer !== 'string' || options.issuer === '') throw new TypeError('issuer is required')
  const audience = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])]
  if (audience.length === 0) throw new TypeError('audience is required')
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)]
  const symmetric = algorithms.find((alg) => SYMMETRIC.test(alg))
  if (symmetric) throw new TypeError(`${symmetric} is not an algorithm for verifying with a public key set`)
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init))
  const now = options.now ?? Date.now
  const realm = options.realm
  const verifiedCacheSize = options.verifiedTokenCache ?? 1000

  let metadata: Promise<ServerMetadata> | undefined
  const metadataOnce = () => {
    metadata ??= discover(options.issuer, fetchImpl).catch((error) => {
      metadata = undefined // a failed discovery is tried again by the next request
      throw error
    })
    return metadata
  }

  let keySet: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined
  const keySetOnce = () =>
    (keySet ??= (async () => {
      const uri = options.jwksUri ?? (await metadataOnce()).jwks_uri
      return createRemoteJWKSet(new URL(uri), {
        cooldownDuration: options.jwksCooldown ?? 30_000,
        timeoutDuration: options.jwksTimeout ?? 5000,
        cacheMaxAge: options.jwksMaxAge ?? 600_000,
        [customFetch]: fetchImpl,
      })
    })().catch((error) => {
      keySet = undefined
      throw error
    }))

  const introspect = options.introspection
    ? createAccessKeyIntrospector({
        endpoint: async () => {
          const endpoint = options.introspectionEndpoint ?? (await metadataOnce()).introspection_endpoint
          if (!endpoint) throw new Error(`${options.issuer} names no introspection_endpoint`)
          return endpoint
        },
        credentials: options.introspection,
        ttlMs: (options.accessKeyCacheTtl ?? 5) * 1000,
        fetch: fetchImpl,
        now,
      })
    : undefined

  // Verified tokens by their text, so a client that sends the same token many times costs one signature check:
  // the signature, typ, iss and aud of a given text cannot change; exp and nbf are checked again on every hit.
  // The answer itself is kept (frozen): a hit builds nothing.
  // Keyed by the token's last 32 characters (part of its signature; hashing a whole token costs microseconds),
  // the whole text compared on a hit.
  const verified = new Map<
    string,
    { token: string; auth: Auth; jkt: string | undefined; notBefore: number; notAfter: number }
  >()
  const cacheKey = (token: string) => token.slice(-32)
  const tolerance = (options.clockTolerance ?? 5) * 1000

  /** The remembered answer for `token`, if it is still within its lifetime. */
  function remembered(token: string): { auth: Auth; jkt: string | undefined } | undefined {
    const hit = verified.get(cacheKey(token))
    if (hit === undefined || hit.token !== token) return undefined
    const time = now()
    if (time < hit.notAfter && time >= hit.notBefore) return hit
    verified.delete(cacheKey(token))
    return undefined
  }

  /** A JWT's Auth and, for a token bound to a key (RFC 9449 §6.1), the key's thumbprint. */
  async function verifyJwt(token: string): Promise<{ auth: Auth; jkt: string | undefined }> {
    // Discovery's outage is an UnavailableError already; another failure there is a configuration error.
    const jwks = await keySetOnce()
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience,
        typ: 'at+jwt', // RFC 9068 §4: refuse an ID token or any other JWT passed off as an access token
        algorithms,
        clockTolerance: options.clockTolerance ?? 5,
        currentDate: new Date(now()),
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
      }))
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code !== undefined && INVALID_TOKEN_CODES.has(code)) throw invalidToken(describe(error), realm, error)
      // Anything else is the key set's fetch: refused, timed out (ERR_JWKS_TIMEOUT), not a key set.
      throw keySetUnavailable(error)
    }
    const cnf = payload.cnf as { jkt?: unknown } | undefined
    if (cnf !== undefined && typeof cnf?.jkt !== 'string')
      throw invalidToken('the token is bound to a key this verifier cannot check (cnf without jkt)', realm)
    const jkt = cnf?.jkt as string | undefined
    const auth = jwtAuth(payload)
    if (verifiedCacheSize > 0) {
      if (verified.size >= verifiedCacheSize) verified.delete(verified.keys().next().value!)
      verified.set(cacheKey(token), {
        token,
        auth: Object.freeze({ ...auth, scopes: Object.freeze(auth.scopes), claims: Object.freeze(payload) }) as Auth,
        jkt,
        notBefore: payload.nbf === undefined ? 0 : payload.nbf * 1000 - tolerance,
        notAfter: payload.exp! * 1000 + tolerance,
      })
    }
    return { auth, jkt }
  }

  function jwtAuth(payload: JWTPayload): Auth {
    return {
      subject: payload.sub!,
      scopes: parseScope(payload.scope),
      claims: payload as Record<string, unknown>,
      clientId: optionalString(payload.client_id),
      ...context(payload, optionalString(payload.access_key_id)),
      credential: 'jwt',
    }
  }

  async function verifyAccessKey(key: string): Promise<Auth> {
    if (!introspect) throw invalidToken('access keys are not accepted here', realm)
    const answer: IntrospectionAnswer = await introspect(key)
    const expired = typeof answer.exp === 'number' && answer.exp * 1000 <= now()
    if (!answer.active || answer.token_type !== 'access_key' || expired || typeof answer.sub !== 'string')
      throw invalidToken('the access key is invalid, expired or revoked', realm)
    if (answer.iss !== undefined && answer.iss !== options.issuer)
      throw invalidToken('the access key was issued by another server', realm)
    return {
      subject: answer.sub,
      scopes: parseScope(answer.scope),
      claims: answer,
      clientId: undefined,
      ...context(answer, optionalString(answer.jti)),
      credential: 'access_key',
    }
  }

  async function verifyNew(token: string): Promise<{ auth: Auth; jkt: string | undefined }> {
    if (ACCESS_KEY.test(token)) return { auth: await verifyAccessKey(token), jkt: undefined }
    if (JWT.test(token)) return verifyJwt(token)
    throw invalidToken('the token is neither a JWT nor an access key', realm)
  }

  const checkScope = (auth: Auth, required: ScopeRequirement | undefined) => {
    const missing = required ? missingScopes(auth.scopes, required) : undefined
    if (missing) throw insufficientScope(missing, realm)
    return auth
  }

  async function verifyToken(token: string, required?: ScopeRequirement): Promise<Auth> {
    const { auth, jkt } = remembered(token) ?? (await verifyNew(token))
    // RFC 9449 §7.1: a DPoP-bound token presented as a Bearer token is refused.
    if (jkt !== undefined) throw invalidToken('the token is bound to a key (cnf): present it with DPoP', realm)
    return checkScope(auth, required)
  }

  const dpopAlgorithms = DPOP_ALGORITHMS
  const checkProof = createDpopChecker({
    now,
    maxAgeSeconds: options.dpopProofMaxAge ?? 60,
    clockTolerance: options.clockTolerance ?? 5,
  })

  /** RFC 9449 §7.1: `Authorization: DPoP <token>` with one `DPoP` proof of the token's key for this request. */
  async function verifyDpop(
    request: RequestLike,
    token: string,
    proof: string | undefined,
    required?: ScopeRequirement,
  ) {
    const refuse = (code: 'invalid_token' | 'invalid_dpop_proof', description: string, cause?: unknown) =>
      dpopRefusal(code, description, realm, dpopAlgorithms, cause)
    if (proof === undefined) throw refuse('invalid_dpop_proof', 'send exactly one DPoP proof header')
    if (!JWT.test(token)) throw refuse('invalid_token', 'a DPoP-bound token is a JWT')
    let verified: { auth: Auth; jkt: string | undefined }
    try {
      verified = remembered(token) ?? (await verifyJwt(token))
    } catch (error) {
      if (error instanceof VerificationError) throw refuse('invalid_token', error.message, error)
      throw error
    }
    if (verified.jkt === undefined)
      throw refuse('invalid_token', 'the token is not bound to a key: present it as Bearer')
    let jkt: string
    try {
      ;({ jkt } = await checkProof(proof, { ...requestTarget(request, options.origin), accessToken: token }))
    } catch (error) {
      if (error instanceof DpopProofError) throw refuse('invalid_dpop_proof', error.message, error)
      throw error
    }
    if (jkt !== verified.jkt)
      throw refuse('invalid_token', 'the DPoP proof is signed by another key than the token is bound to')
    return checkScope(verified.auth, required)
  }

  async function verify(request: RequestLike, required?: ScopeRequirement): Promise<Auth> {
    const presented = presentedCredential(request)
    if (presented.kind === 'none') throw noCredential(realm)
    if (presented.kind === 'malformed') throw invalidRequest(presented.reason, realm)
    if (presented.kind === 'dpop') return verifyDpop(request, presented.token, presented.proof, required)
    if (presented.via === 'x-api-key' && !ACCESS_KEY.test(presented.token))
      throw invalidToken('X-API-Key carries access keys only', realm)
    return verifyToken(presented.token, required)
  }

  function rememberedRequest(request: RequestLike, required?: ScopeRequirement): Auth | undefined {
    const presented = presentedCredential(request)
    if (presented.kind !== 'bearer' || presented.via !== 'authorization') return undefined
    const hit = remembered(presented.token)
    if (hit === undefined || hit.jkt !== undefined) return undefined
    if (required && missingScopes(hit.auth.scopes, required)) return undefined
    return hit.auth
  }

  return { verify, verifyToken, remembered: rememberedRequest, options: Object.freeze({ ...options }) }
}

function context(claims: Record<string, unknown>, accessKeyId: string | undefined) {
  const tenantId = optionalString(claims.tenant_id)
  const workspaceId = optionalString(claims.workspace_id)
  return {
    ...(accessKeyId === undefined ? {} : { accessKeyId }),
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(workspaceId === undefined ? {} : { workspaceId }),
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired'
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'the token is for another audience'
    if (error.claim === 'iss') return 'the token was issued by another server'
    if (error.claim === 'typ') return 'the token is not an access token (typ at+jwt)'
    if (error.claim === 'nbf') return 'the token is not valid yet'
    return `the token's ${error.claim} claim is invalid`
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm not accepted here'
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is signed by a key the issuer does not publish'
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid'
  return 'the token is malformed'
}

export { VerificationError }
