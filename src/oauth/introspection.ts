// Token introspection, RFC 7662: who may ask, and what the answer says (the route is routes/introspection.ts).
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
import type { FastifyRequest } from 'fastify'
import { insufficientScope, invalidClient, invalidRequest, OAuthError } from '../errors.js'
import { sha256 } from '../security/secrets.js'
import type { Services } from '../services.js'
import { authenticateClient } from './client-auth.js'
import { tokenKind } from './token-kind.js'
import { DEFAULT_TENANT_ID } from '../store/tenants.js'
import { tenantOf } from '../store/clients.js'
import { ANY_TENANT } from '../store/tenant-scope.js'

/** The request's parameters, as the route validated them. */
export interface IntrospectionBody {
  token: string
  token_type_hint?: string
  client_id?: string
  client_secret?: string
  client_assertion_type?: string
  client_assertion?: string
}

/** Who is asking: a client sees only its own tokens unless it holds `introspect`; a Bearer caller sees all. */
/**
 * Who asks, with their tenant: a caller of the default tenant (the operator's resource servers) may see any
 * tenant's tokens; another tenant's caller sees only its own tenant's, every other token being inactive to it.
 */
export type Caller =
  | { kind: 'client'; clientId: string; seesAll: boolean; tenantId: string }
  /** `keyId`: the access key presented, when the credential is one (counted in its usage). */
  | { kind: 'bearer'; tenantId: string; keyId?: string }

/** The RFC 7662 §2.2 answer, in its member names (like the token response, token-response.ts). */
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
  /** RFC 9449 §6.2: the key a DPoP-bound token is bound to. */
  cnf?: { jkt: string }
  /** The token's tenant (README, "Tenants and workspaces"), the default tenant's included. */
  tenant_id?: string
  /** The workspace the token is for, when it is for one (a refresh token serves them all: never one). */
  workspace_id?: string
}

/**
 * tenant_id and workspace_id as the answer carries them: every active answer names its tenant, the default
 * tenant's too, so a resource server reads one claim rather than inferring a tenant from its absence (a JWT minted
 * before tenants, with no tenant_id claim, is the default tenant's and is answered so).
 */
function tenancyOf(
  tenantId: string,
  workspaceId: string | null | undefined,
): Pick<Introspection, 'tenant_id' | 'workspace_id'> {
  return workspaceId ? { tenant_id: tenantId, workspace_id: workspaceId } : { tenant_id: tenantId }
}

const maySeeTenant = (caller: Caller, tenantId: string) =>
  caller.tenantId === DEFAULT_TENANT_ID || caller.tenantId === tenantId

const INACTIVE: Introspection = { active: false }
const INTROSPECT_SCOPES = ['introspect', 'admin']

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

const unauthenticated = () =>
  new OAuthError(
    'invalid_client',
    'authenticate as a client (HTTP Basic or client_secret_post), or with a Bearer token or access key holding the introspect scope',
    401,
    { 'www-authenticate': 'Basic realm="portcullis", charset="UTF-8", Bearer realm="portcullis"' },
  )

export type IntrospectionServices = Pick<
  Services,
  | 'config'
  | 'store'
  | 'now'
  | 'clients'
  | 'accessKeys'
  | 'accessTokens'
  | 'bearer'
  | 'revocations'
  | 'replayCache'
  | 'clientKeys'
  | 'usage'
>

/**
 * This app's introspection: `identifyCaller` authenticates the caller (§2.1), `introspect` answers for a token.
 *
 * @example
 * const caller = await introspection.identifyCaller(request, request.body)
 * const answer = await introspection.introspect(request.body.token, caller)
 */
export function createIntrospection(deps: IntrospectionServices) {
  const { config, store, accessKeys, accessTokens, bearer, revocations } = deps

  async function identifyCaller(request: FastifyRequest, body: IntrospectionBody): Promise<Caller> {
    const authorization = request.headers.authorization
    const basicPresented = typeof authorization === 'string' && /^basic(\s|$)/i.test(authorization)
    const bearerPresented =
      (typeof authorization === 'string' && /^(bearer|dpop)(\s|$)/i.test(authorization)) ||
      request.headers['x-api-key'] !== undefined
    const clientPresented =
      basicPresented ||
      body.client_id !== undefined ||
      body.client_secret !== undefined ||
      body.client_assertion !== undefined ||
      body.client_assertion_type !== undefined
    if (bearerPresented) {
      if (clientPresented)
        throw invalidRequest(
          'use one authentication method: client credentials or a Bearer token / access key, not both',
        )
      const principal = await bearer.authenticate(request)
      if (!INTROSPECT_SCOPES.some((scope) => principal.scopes.includes(scope))) {
        if (principal.keyId !== undefined) deps.usage.count('access_key', principal.keyId, 'refused')
        throw insufficientScope('introspect')
      }
      return principal.keyId === undefined
        ? { kind: 'bearer', tenantId: principal.tenantId }
        : { kind: 'bearer', tenantId: principal.tenantId, keyId: principal.keyId }
    }
    if (!clientPresented && authorization === undefined) throw unauthenticated()
    const { client, method } = await authenticateClient(request, deps, body as unknown as Record<string, unknown>)
    if (method === 'none') {
      deps.usage.count('client', client.clientId, 'refused')
      throw invalidClient('a public client cannot introspect tokens')
    }
    return {
      kind: 'client',
      clientId: client.clientId,
      seesAll: client.scopes.includes('introspect'),
      tenantId: tenantOf(client),
    }
  }

  /** Usage statistics (ops/usage.ts): one introspection answered, counted for the client or access key that asked. */
  function countAnswered(caller: Caller): void {
    if (caller.kind === 'client') deps.usage.count('client', caller.clientId, 'introspection')
    else if (caller.keyId !== undefined) deps.usage.count('access_key', caller.keyId, 'introspection')
  }

  const mayView = (caller: Caller, clientId: string | undefined) =>
    caller.kind === 'bearer' || caller.seesAll || (clientId !== undefined && clientId === caller.clientId)

  async function introspectJwt(token: string, caller: Caller): Promise<Introspection> {
    const claims = await accessTokens.verify(token)
    if (!claims || !mayView(caller, claims.client_id)) return INACTIVE
    if (revocations.revokes(claims)) return INACTIVE
    const tenantId = typeof claims.tenant_id === 'string' ? claims.tenant_id : DEFAULT_TENANT_ID
    if (!maySeeTenant(caller, tenantId)) return INACTIVE
    const workspaceId = typeof claims.workspace_id === 'string' ? claims.workspace_id : undefined
    const cnf = claims.cnf as { jkt?: unknown } | undefined
    const jkt = typeof cnf === 'object' && cnf !== null && typeof cnf.jkt === 'string' ? cnf.jkt : undefined
    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      ...(typeof claims.username === 'string' ? { username: claims.username } : {}),
      token_type: jkt === undefined ? 'Bearer' : 'DPoP',
      exp: claims.exp,
      iat: claims.iat,
      ...(typeof claims.nbf === 'number' ? { nbf: claims.nbf } : {}),
      sub: claims.sub,
      ...(claims.aud === undefined ? {} : { aud: claims.aud }),
      iss: config.issuer,
      jti: claims.jti,
      ...(claims.act && typeof claims.act === 'object' ? { act: claims.act as Record<string, unknown> } : {}),
      ...(jkt === undefined ? {} : { cnf: { jkt } }),
      ...tenancyOf(tenantId, workspaceId),
    }
  }

  async function introspectRefreshToken(token: string, caller: Caller): Promise<Introspection> {
    // Any tenant's: the token's hash names the login (the caller's right to see it is checked below).
    const record = await store.refreshTokens.findByHash(ANY_TENANT, sha256(token))
    if (!record) return INACTIVE
    const { token: refresh, family, user } = record
    const now = deps.now()
    const expiresAt = Math.min(refresh.expiresAt.getTime(), family.absoluteExpiresAt.getTime())
    const usable =
      refresh.usedAt === null &&
      refresh.revokedAt === null &&
      family.revokedAt === null &&
      !user.disabled &&
      expiresAt > now
    if (!usable || !mayView(caller, family.clientId)) return INACTIVE
    const tenantId = family.tenantId ?? DEFAULT_TENANT_ID
    if (!maySeeTenant(caller, tenantId)) return INACTIVE
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
      ...tenancyOf(tenantId, undefined),
    }
  }

  async function introspectAccessKey(token: string, caller: Caller): Promise<Introspection> {
    // Access keys are issued to people and services, not to OAuth clients.
    if (caller.kind === 'client' && !caller.seesAll) return INACTIVE
    const verified = await accessKeys.verify(token)
    if (!verified.ok || !maySeeTenant(caller, verified.key.tenantId)) return INACTIVE
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
      ...tenancyOf(key.tenantId, key.workspaceId),
    }
  }

  /** The answer for any presented token: looked up where its shape says it can be. */
  async function introspect(token: string, caller: Caller): Promise<Introspection> {
    const kind = tokenKind(token)
    if (kind === 'jwt') return introspectJwt(token, caller)
    if (kind === 'refresh_token') return introspectRefreshToken(token, caller)
    if (kind === 'access_key') return introspectAccessKey(token, caller)
    return INACTIVE
  }

  return { identifyCaller, introspect, countAnswered }
}
