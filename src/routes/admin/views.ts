// The response schemas of what the admin API shows of each entity (the views themselves are manage/views.ts's,
// shared with the CLI), and who is acting for the audit log.
import type { FastifyRequest } from 'fastify'
import type { ChangedBy } from '../../manage/changes.js'
import type { Principal } from '../../security/bearer.js'
import { dateTime, nullableDateTime, nullableString, stringArray } from './schemas.js'

export { accessKeyView, clientView, signingKeyView, userView } from '../../manage/views.js'

/** A JWK: every member this project writes is a string (kty, crv, x, y, n, e, alg, kid, use and private members). */
const jwkSchema = { type: 'object', additionalProperties: { type: 'string' } } as const
/** A public JWK as a client registered it: only the public members are ever shown (an allow-list). */
export const publicJwkSchema = {
  type: 'object',
  properties: {
    kty: { type: 'string' },
    kid: { type: 'string' },
    use: { type: 'string' },
    alg: { type: 'string' },
    key_ops: stringArray,
    n: { type: 'string' },
    e: { type: 'string' },
    crv: { type: 'string' },
    x: { type: 'string' },
    y: { type: 'string' },
  },
  required: ['kty'],
} as const

export const clientSchema = {
  type: 'object',
  properties: {
    client_id: { type: 'string' },
    name: { type: 'string' },
    public: { type: 'boolean' },
    token_endpoint_auth_method: {
      type: 'string',
      enum: ['client_secret_basic', 'private_key_jwt', 'none'],
      description: 'client_secret_basic: a secret (Basic or client_secret_post); private_key_jwt: signed assertions',
    },
    jwks: {
      type: ['object', 'null'],
      properties: { keys: { type: 'array', items: publicJwkSchema } },
      required: ['keys'],
      description: 'private_key_jwt: the client’s public keys, when registered inline',
    },
    jwks_uri: { ...nullableString, description: 'private_key_jwt: where the client’s public keys are fetched' },
    token_endpoint_audience: {
      type: 'boolean',
      description: 'private_key_jwt: the token endpoint URL is accepted as an assertion’s aud besides the issuer',
    },
    grant_types: stringArray,
    scopes: stringArray,
    audiences: stringArray,
    redirect_uris: stringArray,
    post_logout_redirect_uris: stringArray,
    first_party: { type: 'boolean' },
    allowed_origins: stringArray,
    access_token_signing_alg: {
      ...nullableString,
      description: 'The JWS algorithm of the client’s access tokens; null: the first of SIGNING_ALGORITHMS',
    },
    id_token_signed_response_alg: {
      ...nullableString,
      description:
        'The JWS algorithm of the client’s ID tokens (OpenID Connect Registration section 2); null: RS256 when configured, else the first of SIGNING_ALGORITHMS',
    },
    dpop_bound_access_tokens: {
      type: 'boolean',
      description: 'RFC 9449 section 5.2: every token request must carry a DPoP proof',
    },
    previous_secret_expires_at: nullableDateTime,
    created_at: dateTime,
    updated_at: dateTime,
  },
  required: [
    'client_id',
    'name',
    'public',
    'token_endpoint_auth_method',
    'jwks',
    'jwks_uri',
    'token_endpoint_audience',
    'grant_types',
    'scopes',
    'audiences',
    'redirect_uris',
    'post_logout_redirect_uris',
    'first_party',
    'allowed_origins',
    'access_token_signing_alg',
    'id_token_signed_response_alg',
    'dpop_bound_access_tokens',
    'created_at',
    'updated_at',
  ],
} as const

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    scopes: stringArray,
    disabled: { type: 'boolean' },
    email: { ...nullableString, description: 'OpenID Connect email claim (UserInfo with scope email)' },
    email_verified: { type: 'boolean', description: 'Whether the address is known to be the user’s' },
    name: { ...nullableString, description: 'OpenID Connect name claim (UserInfo with scope profile)' },
    created_at: dateTime,
    updated_at: dateTime,
  },
  required: ['id', 'username', 'scopes', 'disabled', 'email', 'email_verified', 'name', 'created_at', 'updated_at'],
} as const

export const accessKeySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    user_id: nullableString,
    kind: {
      type: 'string',
      enum: ['secret', 'key_pair'],
      description: 'secret: presented as pcl_<id>_<secret>; key_pair: proven by a signed JWT (the JWT bearer grant)',
    },
    public_key_thumbprint: { ...nullableString, description: 'A key-pair key: RFC 7638 SHA-256 JWK thumbprint' },
    public_key_alg: { ...nullableString, description: 'A key-pair key: the one algorithm its assertions may use' },
    scopes: stringArray,
    status: { type: 'string', enum: ['active', 'expired', 'revoked'] },
    expires_at: nullableDateTime,
    last_used_at: { ...nullableDateTime, description: `Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL` },
    revoked_at: nullableDateTime,
    parent_id: {
      ...nullableString,
      description: 'The key this one was created with through /v1/me: it expires no later and is revoked with it',
    },
    created_at: dateTime,
  },
  required: [
    'id',
    'name',
    'user_id',
    'kind',
    'public_key_thumbprint',
    'public_key_alg',
    'scopes',
    'status',
    'expires_at',
    'last_used_at',
    'revoked_at',
    'parent_id',
    'created_at',
  ],
} as const

/** The creation response: the only one that holds the key. */
export const createdAccessKeySchema = {
  ...accessKeySchema,
  properties: {
    ...accessKeySchema.properties,
    key: { type: 'string', description: 'A secret key: pcl_<id>_<secret>, shown only in this response' },
    public_key: { ...jwkSchema, description: 'A key-pair key: its public JWK, as stored' },
    private_key_jwk: {
      ...jwkSchema,
      description: 'generate_key_pair: the private key as a JWK (kid = the key id), shown only in this response',
    },
    private_key_pem: {
      type: 'string',
      description: 'generate_key_pair: the same private key, PKCS #8 PEM, shown only in this response',
    },
  },
  required: accessKeySchema.required,
} as const

/** The audit `actor` of an authenticated caller: `access_key:<id>`, `user:<id>`, or the token's own namespaced sub. */
export function actorOf(principal: Principal | undefined): string | null {
  if (!principal) return null
  if (principal.kind === 'access_key') return `access_key:${principal.keyId}`
  return principal.sub.includes(':') ? principal.sub : `user:${principal.sub}`
}

/** The tenant an admin or /v1/me request acts in: its credential's (never a header's, never a parameter's). */
export function tenantOfRequest(request: FastifyRequest): string {
  const tenantId = request.principal?.tenantId
  if (tenantId === undefined) throw new Error('tenantOfRequest() before authentication')
  return tenantId
}

/** Who is acting, from where: for the audit log. A JWT's client is noted in the details. */
export function auditContext(request: FastifyRequest): ChangedBy & { ip: string; details: Record<string, unknown> } {
  const principal = request.principal
  return {
    ...(principal ? { tenantId: principal.tenantId } : {}),
    actor: actorOf(principal),
    ip: request.ip,
    details: principal?.kind === 'jwt' && principal.clientId ? { client_id: principal.clientId } : {},
  }
}
