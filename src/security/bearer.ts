// Who is calling: a Bearer JWT of ours (RFC 6750 §2.1, RFC 9068) or an access key, presented as
// `Authorization: Bearer <JWT or key>` or `X-API-Key: <key>`, or a DPoP-bound JWT presented as
// `Authorization: DPoP <JWT>` with a proof of its key (RFC 9449 §7). Routes protect themselves with
// requireScope(), which answers 401 with `WWW-Authenticate: Bearer` (and `DPoP`, §7.1) for a missing or bad
// credential and 403 `insufficient_scope` (RFC 6750 §3.1) for a good one without the scope.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import type { AccessTokenVerifier } from './access-token-verifier.js'
import {
  insufficientScope,
  invalidDpopProof,
  invalidDpopToken,
  invalidRequest,
  invalidToken,
  missingToken,
} from '../errors.js'
import type { UsageCounter } from '../ops/usage.js'
import { looksLikeAccessKey, type AccessKeyVerifier } from './access-keys.js'
import { DPOP_ALGORITHMS, type DpopVerifier } from './dpop.js'
import type { RevocableClaims } from './revocation-list.js'
import { DEFAULT_TENANT_ID } from '../store/tenants.js'

export interface Principal {
  kind: 'jwt' | 'access_key'
  /** A user id, `access_key:<id>` for a service key, or the client's own sub for client_credentials. */
  sub: string
  scopes: string[]
  /** The client a JWT was issued to. */
  clientId?: string
  /** The access key presented. */
  keyId?: string
  /** The access key a JWT was exchanged from (RFC 8693, its `access_key_id` claim). */
  accessKeyId?: string
  /** The owner of a user-owned access key. */
  userId?: string
  /** The tenant the credential belongs to (a JWT's `tenant_id`; the default tenant for a token without one). */
  tenantId: string
  /** The workspace it is for (a JWT's `workspace_id`, a key's workspace); undefined: tenant-wide. */
  workspaceId?: string
  /** The presented JWT's id and expiry (seconds). */
  jti?: string
  exp?: number
  /** RFC 9449 §6.1: the JWK thumbprint a DPoP-bound JWT is bound to (its `cnf.jkt`). */
  jkt?: string
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireScope() once the caller is authenticated. */
    principal?: Principal
  }
}

export interface BearerAuthenticator {
  /**
   * The caller of a request. Throws a 401 OAuthError when no credential is presented or it is not valid,
   * 400 when two are presented (RFC 6750 §2: one method per request).
   */
  authenticate(request: FastifyRequest): Promise<Principal>
  /** The principal behind one presented credential (a JWT or an access key), or undefined. */
  verify(credential: string): Promise<Principal | undefined>
  /**
   * A preHandler/onRequest hook: authenticates, then requires at least one of `scopes`. An access key's call is
   * counted as `api` in its usage, a refusal as `refused` (ops/usage.ts): the admin API and /v1/me use this.
   *
   * @example
   * app.get('/admin/v1/users', { onRequest: bearer.requireScope('admin') }, handler)
   * app.post('/oauth/introspect', { onRequest: bearer.requireScope('introspect', 'admin') }, handler)
   */
  requireScope(...scopes: string[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>
}

export interface BearerDeps {
  config: Pick<Config, 'issuer'>
  /** Checks the DPoP proof beside a DPoP-bound token (security/dpop.ts). */
  dpop: Pick<DpopVerifier, 'verify'>
  now: () => number
  accessTokens: AccessTokenVerifier
  accessKeys: AccessKeyVerifier
  /** True when the JWT was revoked (RFC 7009), by its jti, with its grant or with its user; answered from memory (security/revocation-list.ts). */
  isRevoked: (claims: RevocableClaims) => boolean
  /** Counts access keys' calls and refusals (ops/usage.ts). */
  usage?: Pick<UsageCounter, 'count'>
}

// RFC 6750 §2.1: `Bearer 1*SP b64token`, and a b64token has no spaces. The scheme (any case), the spaces or tabs
// after it, the token and any trailing spaces or tabs match disjoint characters, so matching is linear: the
// earlier `([^ \t].*?)[ \t]*$` let the token and the trailing whitespace overlap, and one 16 KB header of
// alternating spaces and tabs took 200-400 ms to reject (test/project/regex-safety.test.ts checks every pattern).
const BEARER = /^(Bearer|DPoP)[ \t]+([^ \t]+)[ \t]*$/i
const BEARER_SCHEME = /^(Bearer|DPoP)[ \t]+[^ \t]/i
const MAX_CREDENTIAL_LENGTH = 8192

type Presented = { value: string; via: 'authorization' | 'x-api-key'; dpop: boolean }

/**
 * The token of a Bearer or DPoP header; '' when one was presented that is not a single token ("Bearer a b":
 * invalid, not missing).
 */
function authorizationToken(authorization: string): { token: string; dpop: boolean } | undefined {
  const match = BEARER.exec(authorization)
  if (match) return { token: match[2]!, dpop: match[1]!.length === 4 }
  const scheme = BEARER_SCHEME.exec(authorization)
  return scheme ? { token: '', dpop: scheme[1]!.length === 4 } : undefined
}

function presentedCredential(request: FastifyRequest): Presented | undefined {
  const authorization = request.headers.authorization
  const apiKey = request.headers['x-api-key']
  const presented = typeof authorization === 'string' ? authorizationToken(authorization) : undefined
  if (Array.isArray(apiKey)) throw invalidRequest('X-API-Key must be sent once')
  if (presented !== undefined && apiKey !== undefined)
    throw invalidRequest('send one credential: Authorization: Bearer or X-API-Key, not both')
  if (presented !== undefined) return { value: presented.token, via: 'authorization', dpop: presented.dpop }
  if (apiKey !== undefined && apiKey.trim() !== '') return { value: apiKey.trim(), via: 'x-api-key', dpop: false }
  return undefined
}

/** The request's URI as the proof's `htu` names it: the issuer's scheme, host and base path, then the route's path. */
function requestUri(issuer: string, request: FastifyRequest): string {
  const query = request.url.indexOf('?')
  return `${issuer}${query === -1 ? request.url : request.url.slice(0, query)}`
}

/** RFC 9449 §6.1: the `jkt` of a `cnf` claim, when it is one. */
function boundKey(cnf: unknown): string | undefined {
  if (typeof cnf !== 'object' || cnf === null) return undefined
  const jkt = (cnf as Record<string, unknown>).jkt
  return typeof jkt === 'string' ? jkt : undefined
}

/** Built once per app (buildApp); holds no state of its own. */
export function createBearerAuthenticator(deps: BearerDeps): BearerAuthenticator {
  const { config } = deps
  async function verifyJwt(token: string): Promise<Principal | undefined> {
    const claims = await deps.accessTokens.verify(token)
    if (!claims) return undefined
    // RFC 9068 §4 / RFC 8707: the admin API, /v1/me and introspection are served by the issuer, so a token
    // must name the issuer as its audience. A token for another resource server (DEFAULT_AUDIENCE or AUDIENCES)
    // is not for us: accepting it would let that server replay the admin or keys:write tokens it receives.
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!aud.includes(config.issuer)) return undefined
    if (deps.isRevoked(claims)) return undefined
    return {
      kind: 'jwt',
      sub: claims.sub,
      scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [],
      clientId: claims.client_id,
      tenantId: typeof claims.tenant_id === 'string' ? claims.tenant_id : DEFAULT_TENANT_ID,
      ...(typeof claims.workspace_id === 'string' ? { workspaceId: claims.workspace_id } : {}),
      ...(typeof claims.access_key_id === 'string' ? { accessKeyId: claims.access_key_id } : {}),
      ...(boundKey(claims.cnf) === undefined ? {} : { jkt: boundKey(claims.cnf) }),
      jti: claims.jti,
      exp: claims.exp,
    }
  }

  /** `authenticating`: a request presented the key as its credential, so a refusal counts in the key's usage. */
  async function verifyKey(key: string, authenticating = false): Promise<Principal | undefined> {
    const result = await deps.accessKeys.verify(key)
    if (!result.ok) {
      if (authenticating && result.keyId !== undefined) deps.usage?.count('access_key', result.keyId, 'refused')
      return undefined
    }
    return {
      kind: 'access_key',
      sub: result.sub,
      scopes: result.scopes,
      keyId: result.key.id,
      tenantId: result.key.tenantId,
      ...(result.key.workspaceId === null ? {} : { workspaceId: result.key.workspaceId }),
      ...(result.owner ? { userId: result.owner.id } : {}),
    }
  }

  async function verify(credential: string, authenticating = false): Promise<Principal | undefined> {
    if (credential === '' || credential.length > MAX_CREDENTIAL_LENGTH) return undefined
    return looksLikeAccessKey(credential) ? verifyKey(credential, authenticating) : verifyJwt(credential)
  }

  /**
   * RFC 9449 §7: `Authorization: DPoP <token>` with a proof for this request (htm, htu, ath) made with the key
   * the token is bound to. Failures answer the DPoP challenge (§7.1).
   */
  async function authenticateDpop(request: FastifyRequest, token: string): Promise<Principal> {
    if (token === '' || token.length > MAX_CREDENTIAL_LENGTH || looksLikeAccessKey(token))
      throw invalidDpopToken('the DPoP scheme takes a DPoP-bound access token', DPOP_ALGORITHMS)
    const check = {
      method: request.method,
      url: requestUri(config.issuer, request),
      accessToken: token,
      resource: true,
    }
    const proof = await deps.dpop.verify(request.raw, check, deps.now())
    if (!proof)
      throw invalidDpopProof('a DPoP proof (the DPoP header) is required with the DPoP scheme', DPOP_ALGORITHMS)
    const principal = await verifyJwt(token)
    if (!principal) throw invalidDpopToken('the access token is invalid, expired or revoked', DPOP_ALGORITHMS)
    if (principal.jkt !== proof.jkt)
      throw invalidDpopToken('the access token is not bound to the key of the DPoP proof', DPOP_ALGORITHMS)
    return principal
  }

  async function authenticate(request: FastifyRequest): Promise<Principal> {
    const presented = presentedCredential(request)
    if (!presented) throw missingToken(DPOP_ALGORITHMS)
    if (presented.dpop) return authenticateDpop(request, presented.value)
    // X-API-Key carries access keys only.
    const principal =
      presented.via === 'x-api-key' && !looksLikeAccessKey(presented.value)
        ? undefined
        : await verify(presented.value, true)
    if (!principal) throw invalidToken('the access token or access key is invalid, expired or revoked')
    // RFC 9449 §7.2: a DPoP-bound token is useless without its key, so never accepted as a Bearer token.
    if (principal.jkt !== undefined)
      throw invalidDpopToken('a DPoP-bound access token must be sent with the DPoP scheme and a proof', DPOP_ALGORITHMS)
    return principal
  }

  return {
    authenticate,
    verify: (credential) => verify(credential),
    requireScope(...scopes) {
      return async (request) => {
        // Counted once per request, by the hook that authenticated it.
        const counted = request.principal !== undefined
        const principal = request.principal ?? (await authenticate(request))
        request.principal = principal
        const allowed = scopes.length === 0 || scopes.some((scope) => principal.scopes.includes(scope))
        if (!counted && principal.keyId !== undefined)
          deps.usage?.count('access_key', principal.keyId, allowed ? 'api' : 'refused')
        if (!allowed) throw insufficientScope(scopes.join(' '))
      }
    },
  }
}
