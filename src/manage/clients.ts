// Clients (RFC 6749 §2): register, update, rotate the secret, delete, list. The one set of rules for the admin
// API and the CLI: grant types from the token endpoint's own list (GRANT_TYPES), registered audiences only, no
// client_credentials for a public client. Every change is audited. A secret is generated here (256 bits), stored
// as its SHA-256 only, and returned once. A private_key_jwt client (RFC 7523 §2.2) has no secret but public
// keys, inline (`jwks`) or at a URL (`jwks_uri`); replacing them is its key rotation (both keys listed while
// the client moves from the old to the new).
import type { SigningAlgorithm } from '../config.js'
import { notFound, conflict, validationFailed, type ErrorDetail } from '../errors.js'
import type { ClientCache } from '../oauth/client-cache.js'
import { redirectUriProblem } from '../oauth/authorize/redirect-uri.js'
import { GRANT_TYPES } from '../oauth/grants/index.js'
import { randomSecret, sha256 } from '../security/secrets.js'
import { jwksUriProblems, publicJwksProblems } from '../security/public-jwks.js'
import { authMethodOf, type Client } from '../store/clients.js'
import type { JSONWebKeySet } from 'jose'
import { newId } from '../store/ids.js'
import { DEFAULT_TENANT_ID, StoreError, type Page } from '../store/index.js'
import { recordChange, type ChangedBy, type ManageDeps } from './changes.js'
import { nameProblems, scopeProblems, unadvertisedScopes } from './rules.js'

export const MAX_SECRET_GRACE_SECONDS = 30 * 86400

export interface ClientDeps extends ManageDeps {
  /** This instance's client cache, dropped at once on a change; the CLI has none (servers read it within CLIENT_CACHE_TTL). */
  clients?: Pick<ClientCache, 'invalidate'>
}

export interface ClientFields {
  name: string
  grantTypes: readonly string[]
  scopes: readonly string[]
  audiences: readonly string[]
  /** Browser sign-in (authorization code): exact redirect URIs (oauth/authorize/redirect-uri.ts). */
  redirectUris: readonly string[]
  postLogoutRedirectUris: readonly string[]
  /** The operator's own application: no consent page. */
  firstParty: boolean
  /** Browser origins (scheme://host[:port]) allowed to call the token endpoint (CORS). */
  allowedOrigins: readonly string[]
  /** The algorithm its access tokens are signed with; null: the first of SIGNING_ALGORITHMS at issue time. */
  accessTokenSigningAlg: string | null
  /**
   * The algorithm its ID tokens are signed with (OpenID Connect Registration §2); null: RS256 when configured,
   * else the first of SIGNING_ALGORITHMS, at issue time (oauth/id-token.ts).
   */
  idTokenSignedResponseAlg: string | null
  /** RFC 9449 §5.2: token requests must carry a DPoP proof (its access tokens are all sender-constrained). */
  dpopBoundAccessTokens: boolean
}

/** RFC 7591 §2 token_endpoint_auth_method: the two secret methods are one (a secret client may use either). */
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const
export type AuthMethod = (typeof AUTH_METHODS)[number]

/** A private_key_jwt client's keys: one of jwks and jwks_uri; and whether the token endpoint URL is an accepted aud. */
export interface ClientKeyRequest {
  /** A JWK Set of public keys (checked by publicJwksProblems). */
  jwks?: unknown
  jwksUri?: string
  tokenEndpointAudience?: boolean
}

export interface NewClientRequest extends Partial<Omit<ClientFields, 'name' | 'grantTypes'>>, ClientKeyRequest {
  name: string
  grantTypes: readonly string[]
  /** A public client (RFC 6749 §2.1) has no secret. */
  isPublic?: boolean
  /** Default: none for a public client, else client_secret_basic. */
  authMethod?: AuthMethod
}

const WIRE_NAMES: Record<keyof ClientFields, string> = {
  name: 'name',
  grantTypes: 'grant_types',
  scopes: 'scopes',
  audiences: 'audiences',
  redirectUris: 'redirect_uris',
  postLogoutRedirectUris: 'post_logout_redirect_uris',
  firstParty: 'first_party',
  allowedOrigins: 'allowed_origins',
  accessTokenSigningAlg: 'access_token_signing_alg',
  idTokenSignedResponseAlg: 'id_token_signed_response_alg',
  dpopBoundAccessTokens: 'dpop_bound_access_tokens',
}

/** Why `origin` cannot be an allowed origin: it must be exactly an http(s) origin (no path, no trailing slash). */
function originProblem(origin: string): string | undefined {
  try {
    const url = new URL(origin)
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin) return undefined
  } catch {
    // reported below
  }
  return 'must be an origin: scheme://host[:port], http or https, without path or trailing slash'
}

/** Per-field problems with a client's fields (those given), for a public or confidential client. */
export function clientProblems(
  deps: Pick<ManageDeps, 'config'>,
  fields: Partial<ClientFields>,
  isPublic: boolean,
): ErrorDetail[] {
  const problems: ErrorDetail[] = []
  if (fields.name !== undefined) problems.push(...nameProblems('name', fields.name))
  if (fields.grantTypes !== undefined) {
    if (fields.grantTypes.length === 0)
      problems.push({ field: 'grant_types', message: 'must name at least one grant type' })
    for (const [i, grantType] of fields.grantTypes.entries()) {
      if (!GRANT_TYPES.includes(grantType))
        problems.push({
          field: `grant_types.${i}`,
          message: `unknown grant type ${JSON.stringify(grantType)} (valid: ${GRANT_TYPES.join(', ')})`,
        })
    }
    // RFC 6749 §4.4: client_credentials is the client authenticating as itself, which needs a secret.
    if (isPublic && fields.grantTypes.includes('client_credentials')) {
      problems.push({
        field: 'grant_types',
        message: 'a public client cannot use client_credentials (it has no secret to authenticate with)',
      })
    }
  }
  if (fields.scopes !== undefined) problems.push(...scopeProblems(fields.scopes))
  for (const [list, uris] of [
    ['redirect_uris', fields.redirectUris],
    ['post_logout_redirect_uris', fields.postLogoutRedirectUris],
  ] as const) {
    for (const [i, uri] of (uris ?? []).entries()) {
      const problem = redirectUriProblem(uri)
      if (problem) problems.push({ field: `${list}.${i}`, message: problem })
    }
  }
  for (const [i, origin] of (fields.allowedOrigins ?? []).entries()) {
    const problem = originProblem(origin)
    if (problem) problems.push({ field: `allowed_origins.${i}`, message: problem })
  }
  for (const [field, alg] of [
    ['access_token_signing_alg', fields.accessTokenSigningAlg],
    ['id_token_signed_response_alg', fields.idTokenSignedResponseAlg],
  ] as const) {
    if (typeof alg === 'string' && !deps.config.signingAlgorithms.includes(alg as SigningAlgorithm)) {
      problems.push({
        field,
        message: `${alg} is not one of the server's signing algorithms (SIGNING_ALGORITHMS): ${deps.config.signingAlgorithms.join(', ')}`,
      })
    }
  }
  for (const [i, audience] of (fields.audiences ?? []).entries()) {
    if (!deps.config.audiences.includes(audience)) {
      problems.push({
        field: `audiences.${i}`,
        message: `${JSON.stringify(audience)} is not a registered audience (AUDIENCES); registered: ${deps.config.audiences.join(', ')}`,
      })
    }
  }
  return problems
}

/** Things allowed but probably not meant, for whoever registers the client to read (the CLI prints them). */
export function clientWarnings(deps: Pick<ManageDeps, 'config'>, fields: Partial<ClientFields>): string[] {
  const warnings: string[] = []
  const unadvertised = unadvertisedScopes(deps.config.scopes, fields.scopes ?? [])
  if (unadvertised.length) warnings.push(`scopes not listed in SCOPES: ${unadvertised.join(' ')}`)
  const grantTypes = fields.grantTypes ?? []
  if (
    grantTypes.includes('refresh_token') &&
    !grantTypes.some((type) => type === 'password' || type === 'authorization_code' || type.startsWith('urn:'))
  ) {
    warnings.push('refresh_token without password, authorization_code or token exchange never issues a refresh token')
  }
  // RFC 6749 §3.1.2.2 and RFC 9700 §2.1: the authorization endpoint redirects only to registered URIs.
  if (grantTypes.includes('authorization_code') && (fields.redirectUris ?? []).length === 0) {
    warnings.push(
      'authorization_code without a redirect URI: /oauth/authorize will refuse every request of this client',
    )
  }
  return warnings
}

/** The problems with a private_key_jwt client's keys; `required`: one of jwks and jwks_uri must be given. */
async function keyProblems(keys: ClientKeyRequest, required: boolean): Promise<ErrorDetail[]> {
  if (keys.jwks !== undefined && keys.jwksUri !== undefined)
    return [{ field: 'jwks', message: 'give jwks or jwks_uri, not both' }]
  if (keys.jwks !== undefined) return publicJwksProblems(keys.jwks, 'jwks')
  if (keys.jwksUri !== undefined) return jwksUriProblems(keys.jwksUri, 'jwks_uri')
  return required
    ? [{ field: 'jwks', message: 'private_key_jwt needs the client’s public keys: jwks or jwks_uri' }]
    : []
}

/** The fields the store keeps for a client's keys: the one given replaces the other. */
function keyFields(keys: ClientKeyRequest) {
  return {
    ...(keys.jwks !== undefined ? { jwks: keys.jwks as JSONWebKeySet, jwksUri: null } : {}),
    ...(keys.jwksUri !== undefined ? { jwks: null, jwksUri: keys.jwksUri } : {}),
    ...(keys.tokenEndpointAudience === undefined ? {} : { tokenEndpointAudience: keys.tokenEndpointAudience }),
  }
}

const hasKeyFields = (keys: ClientKeyRequest) =>
  keys.jwks !== undefined || keys.jwksUri !== undefined || keys.tokenEndpointAudience !== undefined

/** How the client will authenticate, and the problems with what was asked (a public client with keys, …). */
async function authMethodProblems(request: NewClientRequest): Promise<{ method: AuthMethod; problems: ErrorDetail[] }> {
  const method = request.authMethod ?? (request.isPublic === true ? 'none' : 'client_secret_basic')
  if (request.isPublic === true && method !== 'none')
    return {
      method,
      problems: [{ field: 'token_endpoint_auth_method', message: 'a public client authenticates with none' }],
    }
  if (method === 'private_key_jwt') return { method, problems: await keyProblems(request, true) }
  if (hasKeyFields(request))
    return {
      method,
      problems: [
        {
          field: 'token_endpoint_auth_method',
          message: 'jwks, jwks_uri and token_endpoint_audience are for token_endpoint_auth_method private_key_jwt',
        },
      ],
    }
  return { method, problems: [] }
}

function clientNotFound(err: unknown): never {
  if (err instanceof StoreError && err.code === 'not_found') throw notFound('no client has this client_id')
  throw err
}

/**
 * Registers a client and records `client.created`. Throws validationFailed() with every problem.
 *
 * @example
 * const { client, secret } = await createClient(deps, { name: 'Reporting', grantTypes: ['client_credentials'] }, by)
 */
export async function createClient(
  deps: ClientDeps,
  request: NewClientRequest,
  by: ChangedBy,
): Promise<{ client: Client; secret: string | null; warnings: string[] }> {
  const { method, problems: methodProblems } = await authMethodProblems(request)
  const isPublic = method === 'none'
  const fields: ClientFields = {
    name: request.name,
    grantTypes: request.grantTypes,
    scopes: request.scopes ?? [],
    audiences: request.audiences ?? [],
    redirectUris: request.redirectUris ?? [],
    postLogoutRedirectUris: request.postLogoutRedirectUris ?? [],
    firstParty: request.firstParty === true,
    allowedOrigins: request.allowedOrigins ?? [],
    accessTokenSigningAlg: request.accessTokenSigningAlg ?? null,
    idTokenSignedResponseAlg: request.idTokenSignedResponseAlg ?? null,
    dpopBoundAccessTokens: request.dpopBoundAccessTokens === true,
  }
  const problems = [...methodProblems, ...clientProblems(deps, fields, isPublic)]
  if (problems.length > 0) throw validationFailed(problems)
  const at = deps.now()
  const secret = isPublic || method === 'private_key_jwt' ? null : randomSecret()
  const client = await deps.store.clients.create({
    ...(by.tenantId === undefined ? {} : { tenantId: by.tenantId }),
    clientId: newId(at),
    secretHash: secret === null ? null : sha256(secret),
    ...fields,
    ...(method === 'private_key_jwt' ? keyFields(request) : {}),
  })
  // Nothing of a new client is cached, but what is derived from every client is: its CORS origins (oauth/cors-origins.ts).
  if (fields.allowedOrigins.length > 0) deps.clients?.invalidate(client.clientId)
  await recordChange(deps, by, {
    type: 'client.created',
    subject: client.clientId,
    details: {
      name: client.name,
      public: isPublic,
      token_endpoint_auth_method: authMethodOf(client),
      ...(client.jwksUri ? { jwks_uri: client.jwksUri } : {}),
      grant_types: client.grantTypes,
      scopes: client.scopes,
      ...(client.redirectUris.length ? { redirect_uris: client.redirectUris } : {}),
      ...(client.firstParty ? { first_party: true } : {}),
      ...(client.accessTokenSigningAlg ? { access_token_signing_alg: client.accessTokenSigningAlg } : {}),
      ...(client.idTokenSignedResponseAlg ? { id_token_signed_response_alg: client.idTokenSignedResponseAlg } : {}),
      ...(client.dpopBoundAccessTokens ? { dpop_bound_access_tokens: true } : {}),
    },
    at,
  })
  return { client, secret, warnings: clientWarnings(deps, fields) }
}

/**
 * Changes the fields given and records `client.updated` with their names. A private_key_jwt client's keys are
 * replaced here (jwks or jwks_uri: the one given replaces the other): its key rotation.
 */
export async function updateClient(
  deps: ClientDeps,
  clientId: string,
  changes: Partial<ClientFields> & ClientKeyRequest,
  by: ChangedBy,
): Promise<Client> {
  const current = await deps.store.clients.findById(by.tenantId ?? DEFAULT_TENANT_ID, clientId)
  if (!current) throw notFound('no client has this client_id')
  const keyChange = hasKeyFields(changes)
  if (keyChange && authMethodOf(current) !== 'private_key_jwt')
    throw validationFailed([
      { field: 'jwks', message: 'only a private_key_jwt client has keys (jwks, jwks_uri, token_endpoint_audience)' },
    ])
  const problems = [...(await keyProblems(changes, false)), ...clientProblems(deps, changes, current.isPublic)]
  if (problems.length > 0) throw validationFailed(problems)
  const { jwks: _jwks, jwksUri: _jwksUri, tokenEndpointAudience: _audience, ...fields } = changes
  const client = await deps.store.clients
    .update(by.tenantId ?? DEFAULT_TENANT_ID, clientId, { ...fields, ...keyFields(changes) })
    .catch(clientNotFound)
  deps.clients?.invalidate(clientId)
  const changed = [
    ...(Object.keys(WIRE_NAMES) as (keyof ClientFields)[])
      .filter((key) => changes[key] !== undefined)
      .map((key) => WIRE_NAMES[key]),
    ...(changes.jwks !== undefined ? ['jwks'] : []),
    ...(changes.jwksUri !== undefined ? ['jwks_uri'] : []),
    ...(changes.tokenEndpointAudience !== undefined ? ['token_endpoint_audience'] : []),
  ]
  await recordChange(deps, by, { type: 'client.updated', subject: clientId, details: { changed }, at: deps.now() })
  return client
}

/**
 * Issues a new secret (returned once) and records `client.secret_rotated`; the old secret keeps working for
 * `graceSeconds` (0: it ends now). A public client has none: conflict.
 */
export async function rotateClientSecret(
  deps: ClientDeps,
  clientId: string,
  options: { graceSeconds?: number },
  by: ChangedBy,
): Promise<{ client: Client; secret: string }> {
  const grace = options.graceSeconds ?? 0
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_SECRET_GRACE_SECONDS) {
    throw validationFailed([
      {
        field: 'previous_secret_grace_seconds',
        message: `must be a whole number of seconds from 0 to ${MAX_SECRET_GRACE_SECONDS}`,
      },
    ])
  }
  const current = await deps.store.clients.findById(by.tenantId ?? DEFAULT_TENANT_ID, clientId)
  if (!current) throw notFound('no client has this client_id')
  if (current.isPublic) throw conflict('a public client has no secret to rotate')
  if (authMethodOf(current) === 'private_key_jwt')
    throw conflict('a private_key_jwt client has no secret: replace its keys (jwks or jwks_uri) instead')
  const at = deps.now()
  const secret = randomSecret()
  const client = await deps.store.clients
    .rotateSecret(
      by.tenantId ?? DEFAULT_TENANT_ID,
      clientId,
      sha256(secret),
      grace > 0 ? new Date(at + grace * 1000) : null,
    )
    .catch(clientNotFound)
  deps.clients?.invalidate(clientId)
  await recordChange(deps, by, {
    type: 'client.secret_rotated',
    subject: clientId,
    details: { previous_secret_grace_seconds: grace },
    at,
  })
  return { client, secret }
}

/** Deletes a client (its refresh-token families go with it) and records `client.deleted`. */
export async function deleteClient(deps: ClientDeps, clientId: string, by: ChangedBy): Promise<void> {
  await deps.store.clients.delete(by.tenantId ?? DEFAULT_TENANT_ID, clientId).catch(clientNotFound)
  deps.clients?.invalidate(clientId)
  await recordChange(deps, by, { type: 'client.deleted', subject: clientId, at: deps.now() })
}

/** The client, within `tenantId` (default: the default tenant): another tenant's client is not found. */
export async function getClient(deps: Pick<ManageDeps, 'store'>, clientId: string, tenantId?: string): Promise<Client> {
  const client = await deps.store.clients.findById(tenantId ?? DEFAULT_TENANT_ID, clientId)
  if (!client) throw notFound('no client has this client_id')
  return client
}

export function listClients(
  deps: Pick<ManageDeps, 'store'>,
  options: { after?: string | undefined; limit: number; tenantId?: string },
): Promise<Page<Client>> {
  const { tenantId, ...page } = options
  return deps.store.clients.list(tenantId ?? DEFAULT_TENANT_ID, page)
}
