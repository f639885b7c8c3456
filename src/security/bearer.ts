// Who is calling: a Bearer JWT of ours (RFC 6750 §2.1, RFC 9068) or an access key, presented as
// `Authorization: Bearer <JWT or key>` or `X-API-Key: <key>`. Routes protect themselves with
// requireScope(), which answers 401 with `WWW-Authenticate: Bearer` for a missing or bad credential and
// 403 `insufficient_scope` (RFC 6750 §3.1) for a good one without the scope.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import type { AccessTokenVerifier } from './access-token-verifier.js'
import { insufficientScope, invalidRequest, invalidToken, missingToken } from '../errors.js'
import { looksLikeAccessKey, type AccessKeyVerifier } from './access-keys.js'
import type { RevocableClaims } from './revocation-list.js'

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
  /** The presented JWT's id and expiry (seconds). */
  jti?: string
  exp?: number
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
   * A preHandler/onRequest hook: authenticates, then requires at least one of `scopes`.
   *
   * @example
   * app.get('/admin/v1/users', { onRequest: bearer.requireScope('admin') }, handler)
   * app.post('/oauth/introspect', { onRequest: bearer.requireScope('introspect', 'admin') }, handler)
   */
  requireScope(...scopes: string[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>
}

export interface BearerDeps {
  config: Pick<Config, 'issuer'>
  accessTokens: AccessTokenVerifier
  accessKeys: AccessKeyVerifier
  /** True when the JWT was revoked (RFC 7009), by its jti, with its grant or with its user; answered from memory (security/revocation-list.ts). */
  isRevoked: (claims: RevocableClaims) => boolean
}

// RFC 6750 §2.1: `Bearer 1*SP b64token`, and a b64token has no spaces. The scheme (any case), the spaces or tabs
// after it, the token and any trailing spaces or tabs match disjoint characters, so matching is linear: the
// earlier `([^ \t].*?)[ \t]*$` let the token and the trailing whitespace overlap, and one 16 KB header of
// alternating spaces and tabs took 200-400 ms to reject (test/project/regex-safety.test.ts checks every pattern).
const BEARER = /^Bearer[ \t]+([^ \t]+)[ \t]*$/i
const BEARER_SCHEME = /^Bearer[ \t]+[^ \t]/i
const MAX_CREDENTIAL_LENGTH = 8192

/** The token of a Bearer header; '' when one was presented that is not a single token ("Bearer a b": invalid, not missing). */
function bearerToken(authorization: string): string | undefined {
  const token = BEARER.exec(authorization)?.[1]
  if (token !== undefined) return token
  return BEARER_SCHEME.test(authorization) ? '' : undefined
}

function presentedCredential(
  request: FastifyRequest,
): { value: string; via: 'authorization' | 'x-api-key' } | undefined {
  const authorization = request.headers.authorization
  const apiKey = request.headers['x-api-key']
  const bearer = typeof authorization === 'string' ? bearerToken(authorization) : undefined
  if (Array.isArray(apiKey)) throw invalidRequest('X-API-Key must be sent once')
  if (bearer !== undefined && apiKey !== undefined)
    throw invalidRequest('send one credential: Authorization: Bearer or X-API-Key, not both')
  if (bearer !== undefined) return { value: bearer, via: 'authorization' }
  if (apiKey !== undefined && apiKey.trim() !== '') return { value: apiKey.trim(), via: 'x-api-key' }
  return undefined
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
      ...(typeof claims.access_key_id === 'string' ? { accessKeyId: claims.access_key_id } : {}),
      jti: claims.jti,
      exp: claims.exp,
    }
  }

  async function verifyKey(key: string): Promise<Principal | undefined> {
    const result = await deps.accessKeys.verify(key)
    if (!result.ok) return undefined
    return {
      kind: 'access_key',
      sub: result.sub,
      scopes: result.scopes,
      keyId: result.key.id,
      ...(result.owner ? { userId: result.owner.id } : {}),
    }
  }

  async function verify(credential: string): Promise<Principal | undefined> {
    if (credential === '' || credential.length > MAX_CREDENTIAL_LENGTH) return undefined
    return looksLikeAccessKey(credential) ? verifyKey(credential) : verifyJwt(credential)
  }

  async function authenticate(request: FastifyRequest): Promise<Principal> {
    const presented = presentedCredential(request)
    if (!presented) throw missingToken()
    // X-API-Key carries access keys only.
    const principal =
      presented.via === 'x-api-key' && !looksLikeAccessKey(presented.value) ? undefined : await verify(presented.value)
    if (!principal) throw invalidToken('the access token or access key is invalid, expired or revoked')
    return principal
  }

  return {
    authenticate,
    verify,
    requireScope(...scopes) {
      return async (request) => {
        const principal = request.principal ?? (await authenticate(request))
        request.principal = principal
        if (scopes.length > 0 && !scopes.some((scope) => principal.scopes.includes(scope)))
          throw insufficientScope(scopes.join(' '))
      }
    },
  }
}
