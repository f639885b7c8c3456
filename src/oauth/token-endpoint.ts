// The token endpoint's action (RFC 6749 §3.2, §4, §5): a list of named steps, in the order the RFC
// checks them. Each step either returns what the next needs or throws an OAuthError.
import type { FastifyRequest } from 'fastify'
import type { Config, SigningAlgorithm } from '../config.js'
import { signAccessToken } from '../keys/access-token.js'
import { tenantOf, type Client } from '../store/clients.js'
import { checkAudience } from './audience.js'
import { authenticateClient, type AuthenticatedClient } from './client-auth.js'
import { invalidDpopProof, invalidRequest, invalidTarget, unauthorizedClient, unsupportedGrantType } from '../errors.js'
import { readParameters } from './form-body.js'
import type { Services } from '../services.js'
import type { Grant, GrantRequest, GrantResult, TokenUsage } from './grants/grant.js'
import { clientIdTokenAlgorithm, idTokenFor } from './id-token.js'
import { parseScope } from './scope.js'
import { tokenResponse, type TokenResponse } from './token-response.js'

/** What the endpoint's own steps use (the grants hold their own services). */
export type TokenEndpointServices = Pick<
  Services,
  'config' | 'keyring' | 'clients' | 'now' | 'store' | 'dpop' | 'replayCache' | 'clientKeys' | 'usage'
>

/** RFC 8707 §2: several resources may be asked for at once, but a token here has one audience. */
function oneResourceOnly(body: unknown): void {
  if (typeof body === 'object' && body !== null && Array.isArray((body as Record<string, unknown>).resource)) {
    throw invalidTarget('one resource per token request: each access token here has a single audience')
  }
}

function supportedGrantType(params: Record<string, string>, grants: ReadonlyMap<string, Grant>): Grant {
  const grantType = params.grant_type
  if (grantType === undefined) throw invalidRequest('grant_type is required')
  const grant = grants.get(grantType)
  if (!grant) throw unsupportedGrantType(`grant_type ${JSON.stringify(grantType.slice(0, 64))} is not supported`)
  return grant
}

function clientMayUseGrant(client: Client, grant: Grant): void {
  if (!client.grantTypes.includes(grant.grantType))
    throw unauthorizedClient(`this client may not use the ${grant.grantType} grant`)
}

/**
 * The algorithm this client's tokens are signed with: its access_token_signing_alg, else the first of
 * SIGNING_ALGORITHMS. One registered for an algorithm since dropped from SIGNING_ALGORITHMS gets no token rather
 * than a token in another algorithm than it registered for.
 */
function clientSigningAlgorithm(client: Client, config: Pick<Config, 'signingAlgorithms'>): SigningAlgorithm {
  const alg = client.accessTokenSigningAlg ?? config.signingAlgorithms[0]!
  if (!config.signingAlgorithms.includes(alg as SigningAlgorithm))
    throw unauthorizedClient(
      `this client's access_token_signing_alg ${alg} is not among the server's signing algorithms (${config.signingAlgorithms.join(', ')})`,
    )
  return alg as SigningAlgorithm
}

function requiredParameters(grant: Grant, params: Record<string, string>): Record<string, string> {
  const missing = grant.parameters.required.filter((name) => params[name] === undefined)
  if (missing.length > 0)
    throw invalidRequest(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required for the ${grant.grantType} grant`,
    )
  const own: Record<string, string> = {}
  for (const name of [...grant.parameters.required, ...grant.parameters.optional]) {
    if (params[name] !== undefined) own[name] = params[name]
  }
  return own
}

/**
 * RFC 8707: `resource` selects one of the registered audiences (config.audiences, which always include the
 * issuer: Portcullis's own endpoints accept only tokens for it), within the client's own list when it has one
 * (an allow-list: a client restricted to other APIs gets a token for Portcullis only if its list names the
 * issuer). Without it: the default audience, or the client's first when its list excludes it.
 */
function resolveAudience(
  resource: string | undefined,
  client: Client,
  deps: Pick<Services, 'config'>,
): { resource: string | undefined; audience: string } {
  const { defaultAudience } = deps.config
  if (resource === undefined) {
    return {
      resource,
      audience:
        client.audiences.length === 0 || client.audiences.includes(defaultAudience)
          ? defaultAudience
          : client.audiences[0]!,
    }
  }
  checkAudience(resource, client, deps.config)
  return { resource, audience: resource }
}

/**
 * RFC 9449 §5: the proof of a token request, checked against this endpoint's URI; a client registered with
 * dpop_bound_access_tokens (§5.2) must send one. Checked before the grant runs, so a code or refresh token
 * is not spent by a request refused for its proof. Undefined, not a promise, when the request has no DPoP
 * header (most requests): Node sets `headers.dpop` for every DPoP header line (repeated ones joined), so
 * without it the verifier would find no proof either.
 */
function dpopProof(
  request: FastifyRequest,
  deps: Pick<Services, 'config' | 'dpop'>,
  client: Client,
  now: number,
): Promise<string | undefined> | undefined {
  if (request.raw.headers.dpop === undefined) {
    if (client.dpopBoundAccessTokens)
      throw invalidDpopProof('this client must send a DPoP proof: its access tokens are DPoP-bound')
    return undefined
  }
  return deps.dpop
    .verify(request.raw, { method: 'POST', url: `${deps.config.issuer}/oauth/token` }, now)
    .then((proof) => {
      if (!proof && client.dpopBoundAccessTokens)
        throw invalidDpopProof('this client must send a DPoP proof: its access tokens are DPoP-bound')
      return proof?.jkt
    })
}

function issueAccessToken(
  deps: Pick<Services, 'config' | 'keyring'>,
  client: Client,
  result: GrantResult,
  now: number,
  alg: SigningAlgorithm,
  dpopJkt: string | undefined,
) {
  // Every token names its tenant; one for a workspace names it too (README, "Tenants and workspaces").
  const tenancy: Record<string, unknown> = { tenant_id: result.tenantId ?? tenantOf(client) }
  if (result.workspaceId !== undefined) tenancy.workspace_id = result.workspaceId
  const claims = result.claims ? { ...result.claims, ...tenancy } : tenancy
  // At least a second: the grant has checked that its source is still valid at `now`.
  const ttl =
    result.notAfter === undefined
      ? deps.config.accessTokenTtl
      : Math.max(1, Math.min(deps.config.accessTokenTtl, Math.floor((result.notAfter - now) / 1000)))
  return signAccessToken(
    deps.keyring,
    { issuer: deps.config.issuer, ttl, now, alg },
    {
      sub: result.subject,
      aud: result.audience,
      clientId: client.clientId,
      scope: result.scope.join(' '),
      // RFC 9449 §6.1: the thumbprint of the key the token is bound to.
      extra: dpopJkt === undefined ? claims : { ...claims, cnf: { jkt: dpopJkt } },
    },
  )
}

/** Labels of `portcullis_token_requests_total`, filled in as the steps learn them; bounded: only known
 * grant types, authenticated client ids and their tenants' ids. */
export interface TokenRequestLabels {
  grant_type: string
  /** The authenticated client's tenant (its id: one per tenant, and no lookup per request). */
  tenant: string
  client_id: string
}

/**
 * The parameters of a token request (RFC 6749 §3.2): single strings, empty ones omitted. The route runs
 * this before schema validation, so a repeated parameter is reported as such.
 */
export function tokenParameters(body: unknown): Record<string, string> {
  oneResourceOnly(body)
  return readParameters(body)
}

/**
 * Handles one token request. `now` is when the request arrived (default: now); `labels` are filled in for
 * the caller's metrics; `params` is the body already read by tokenParameters() (default: read here).
 *
 * @example
 * const grants = createGrants(services)
 * app.post('/oauth/token', options, (request) => handleTokenRequest(request, services, grants, { now: receivedAt, labels }))
 */
export async function handleTokenRequest(
  request: FastifyRequest,
  deps: TokenEndpointServices,
  grants: ReadonlyMap<string, Grant>,
  options: {
    now?: number
    labels?: TokenRequestLabels
    params?: Record<string, string>
    /** Filled in with the client and access key the request is counted for (usage statistics, ops/usage.ts). */
    usage?: TokenUsage
    /** Counts the authenticated client's request, throwing too_many_requests past its limit (oauth/rate-limits.ts). */
    clientRateLimit?: ((request: FastifyRequest, authenticated: AuthenticatedClient) => Promise<void>) | undefined
  } = {},
): Promise<TokenResponse> {
  const now = options.now ?? deps.now()
  const labels = options.labels ?? { grant_type: 'unknown', tenant: 'unknown', client_id: 'unknown' }
  const params = options.params ?? tokenParameters(request.body)
  const grant = supportedGrantType(params, grants)
  labels.grant_type = grant.grantType
  const authenticated = await authenticateClient(request, deps, params)
  const { client, method } = authenticated
  labels.client_id = client.clientId
  labels.tenant = tenantOf(client)
  if (options.usage) options.usage.clientId = client.clientId
  if (options.clientRateLimit) await options.clientRateLimit(request, authenticated)
  clientMayUseGrant(client, grant)
  const alg = clientSigningAlgorithm(client, deps.config)
  const idTokenAlg = clientIdTokenAlgorithm(client, deps.config)
  const grantParams = requiredParameters(grant, params)
  const scope = parseScope(params.scope)
  const { resource, audience } = resolveAudience(params.resource, client, deps)
  const proving = dpopProof(request, deps, client, now)
  const dpopJkt = proving === undefined ? undefined : await proving
  const grantRequest: GrantRequest = {
    client,
    authMethod: method,
    params: grantParams,
    scope,
    resource,
    audience,
    now,
    ip: request.ip,
    dpopJkt,
    ...(options.usage ? { usage: options.usage } : {}),
  }
  const result = await grant.handler(grantRequest)
  const accessToken = await issueAccessToken(deps, client, result, now, alg, dpopJkt)
  return tokenResponse(
    accessToken,
    result,
    dpopJkt !== undefined,
    result.signIn && idTokenAlg !== undefined
      ? await idTokenFor(deps, client, result, accessToken, now, idTokenAlg)
      : undefined,
  )
}
