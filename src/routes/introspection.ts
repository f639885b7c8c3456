// Token introspection, RFC 7662: `POST /oauth/introspect`.
//
// Who may ask (§2.1 requires the caller to be authorized; §4 says why: otherwise anyone could probe tokens):
// - a confidential client, about tokens issued to it; a client holding the `introspect` scope, about any;
// - a Bearer token or access key holding the `introspect` or `admin` scope, about any.
// An inactive answer is `{"active": false}` and nothing else (§2.2), for every reason a token can be
// inactive, including "issued to someone else", so the answer reveals nothing the caller may not know.
//
// A JWT costs its signature check (once per token: security/access-token-verifier.ts) and no query (the
// revoked jtis are in memory: security/revocation-list.ts); a refresh token one lookup by hash; an access
// key the verifier's cache (security/access-keys.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { authenticateClient } from '../oauth/client-auth.js'
import { insufficientScope, invalidClient, invalidRequest, OAuthError } from '../errors.js'
import { sha256 } from '../security/secrets.js'
import { errorResponse } from './docs.js'
import { FORM_CONTENT_TYPE } from '../oauth/form-body.js'
import { acceptFormOnly, clientCredentialProperties, tokenKind } from './oauth-endpoint.js'

interface IntrospectionBody {
  token: string
  token_type_hint?: string
  client_id?: string
  client_secret?: string
}

/** Who is asking: a client sees only its own tokens unless it holds `introspect`; a Bearer caller sees all. */
type Caller = { kind: 'client'; clientId: string; seesAll: boolean } | { kind: 'bearer' }

export interface Introspection {
  active: boolean
  scope?: string
  client_id?: string
  username?: string
  token_type?: string
  exp?: number
  iat?: number
  nbf?: number
  sub?: string
  aud?: string | string[]
  iss?: string
  jti?: string
  act?: Record<string, unknown>
}

const INACTIVE: Introspection = { active: false }
const INTROSPECT_SCOPES = ['introspect', 'admin']

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

const introspectionSchema = {
  type: 'object',
  description: 'RFC 7662 §2.2. Inactive tokens are exactly {"active": false}.',
  properties: {
    active: { type: 'boolean' },
    scope: { type: 'string' },
    client_id: { type: 'string' },
    username: { type: 'string' },
    token_type: { type: 'string', description: 'Bearer (a JWT access token), refresh_token or access_key' },
    exp: { type: 'integer' },
    iat: { type: 'integer' },
    nbf: { type: 'integer' },
    sub: { type: 'string' },
    aud: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    iss: { type: 'string' },
    jti: { type: 'string' },
    act: { type: 'object', additionalProperties: true, description: 'The acting party of a token-exchange token (RFC 8693 §4.1)' },
  },
  required: ['active'],
} as const

const schema = {
  tags: ['oauth'],
  summary: 'Introspect a token (RFC 7662)',
  description:
    'Callers authenticate as a confidential client (which may introspect the tokens issued to it; with the introspect scope, any token) ' +
    'or with a Bearer token or access key holding the introspect or admin scope.',
  security: [{ clientBasic: [] }, { bearer: [] }, { apiKey: [] }, {}],
  consumes: [FORM_CONTENT_TYPE],
  body: {
    type: 'object',
    required: ['token'],
    properties: {
      token: { type: 'string', minLength: 1, description: 'The token to introspect' },
      token_type_hint: { type: 'string', description: 'access_token, refresh_token or access_key; optional, and any other value is ignored' },
      ...clientCredentialProperties,
    },
  },
  response: {
    200: { ...introspectionSchema, description: 'The token, or {"active": false}' },
    400: errorResponse('invalid_request: a missing or repeated parameter, or more than one authentication method'),
    401: errorResponse('invalid_client or invalid_token: the caller is not authenticated'),
    403: errorResponse('insufficient_scope: the Bearer token or access key lacks the introspect or admin scope'),
    413: errorResponse('The body is larger than the limit'),
    415: errorResponse('The body is not application/x-www-form-urlencoded'),
    503: errorResponse('temporarily_unavailable: the database did not answer within DATABASE_TIMEOUT; retry after the seconds in Retry-After'),
  },
} as const

const unauthenticated = () =>
  new OAuthError(
    'invalid_client',
    'authenticate as a client (HTTP Basic or client_secret_post), or with a Bearer token or access key holding the introspect scope',
    401,
    { 'www-authenticate': 'Basic realm="portcullis", charset="UTF-8", Bearer realm="portcullis"' },
  )

export function registerIntrospectionRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'config' | 'store' | 'now' | 'clients' | 'accessKeys' | 'accessTokens' | 'bearer' | 'revocations'>,
): void {
  const { config, store, accessKeys, accessTokens, bearer, revocations } = deps

  async function identifyCaller(request: FastifyRequest, body: IntrospectionBody): Promise<Caller> {
    const authorization = request.headers.authorization
    const basicPresented = typeof authorization === 'string' && /^basic(\s|$)/i.test(authorization)
    const bearerPresented = (typeof authorization === 'string' && /^bearer(\s|$)/i.test(authorization)) || request.headers['x-api-key'] !== undefined
    const clientPresented = basicPresented || body.client_id !== undefined || body.client_secret !== undefined
    if (bearerPresented) {
      if (clientPresented) throw invalidRequest('use one authentication method: client credentials or a Bearer token / access key, not both')
      const principal = await bearer.authenticate(request)
      if (!INTROSPECT_SCOPES.some((scope) => principal.scopes.includes(scope))) throw insufficientScope('introspect')
      return { kind: 'bearer' }
    }
    if (!clientPresented && authorization === undefined) throw unauthenticated()
    const { client, method } = await authenticateClient(request, deps, body as unknown as Record<string, unknown>)
    if (method === 'none') throw invalidClient('a public client cannot introspect tokens')
    return { kind: 'client', clientId: client.clientId, seesAll: client.scopes.includes('introspect') }
  }

  const mayView = (caller: Caller, clientId: string | undefined) => caller.kind === 'bearer' || caller.seesAll || (clientId !== undefined && clientId === caller.clientId)

  async function introspectJwt(token: string, caller: Caller): Promise<Introspection> {
    const claims = await accessTokens.verify(token)
    if (!claims || !mayView(caller, claims.client_id)) return INACTIVE
    if (revocations.revokes(claims)) return INACTIVE
    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      ...(typeof claims.username === 'string' ? { username: claims.username } : {}),
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      ...(typeof claims.nbf === 'number' ? { nbf: claims.nbf } : {}),
      sub: claims.sub,
      ...(claims.aud === undefined ? {} : { aud: claims.aud }),
      iss: config.issuer,
      jti: claims.jti,
      ...(claims.act && typeof claims.act === 'object' ? { act: claims.act as Record<string, unknown> } : {}),
    }
  }

  async function introspectRefreshToken(token: string, caller: Caller): Promise<Introspection> {
    const record = await store.refreshTokens.findByHash(sha256(token))
    if (!record) return INACTIVE
    const { token: refresh, family, user } = record
    const now = deps.now()
    const expiresAt = Math.min(refresh.expiresAt.getTime(), family.absoluteExpiresAt.getTime())
    const usable = refresh.usedAt === null && refresh.revokedAt === null && family.revokedAt === null && !user.disabled && expiresAt > now
    if (!usable || !mayView(caller, family.clientId)) return INACTIVE
    return {
      active: true,
      scope: refresh.scope.join(' '),
      client_id: family.clientId,
      username: user.username,
      token_type: 'refresh_token',
      exp: Math.floor(expiresAt / 1000),
      iat: seconds(refresh.createdAt),
      sub: user.id,
      ...(family.audience ? { aud: family.audience } : {}),
      iss: config.issuer,
      jti: refresh.id,
    }
  }

  async function introspectAccessKey(token: string, caller: Caller): Promise<Introspection> {
    // Access keys are issued to people and services, not to OAuth clients.
    if (caller.kind === 'client' && !caller.seesAll) return INACTIVE
    const verified = await accessKeys.verify(token)
    if (!verified.ok) return INACTIVE
    const { key, owner } = verified
    return {
      active: true,
      scope: verified.scopes.join(' '),
      ...(owner ? { username: owner.username } : {}),
      token_type: 'access_key',
      ...(key.expiresAt ? { exp: seconds(key.expiresAt) } : {}),
      iat: seconds(key.createdAt),
      sub: verified.sub,
      iss: config.issuer,
      jti: key.id,
    }
  }

  app.register(async (scope) => {
    acceptFormOnly(scope, config.bodyLimit)
    scope.post<{ Body: IntrospectionBody }>('/oauth/introspect', { schema }, async (request, reply) => {
      const caller = await identifyCaller(request, request.body)
      const { token } = request.body
      const kind = tokenKind(token)
      const answer =
        kind === 'jwt'
          ? await introspectJwt(token, caller)
          : kind === 'refresh_token'
            ? await introspectRefreshToken(token, caller)
            : kind === 'access_key'
              ? await introspectAccessKey(token, caller)
              : INACTIVE
      // §2.2 / §4: the answer describes a credential and must not be cached.
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(answer)
    })
  })
}
