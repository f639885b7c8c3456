// Authorization server metadata (RFC 8414), also served at the OpenID Connect discovery address (OpenID
// Connect Discovery 1.0 §4) with the OpenID Provider members (§3): one document for both. Every URL derives
// from ISSUER (§2: the issuer is the base of the well-known address and must equal the document's `issuer`).
// The document never changes while the process runs, so it is serialized once.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Services } from '../services.js'
import type { Config } from '../config.js'
import { GRANT_TYPES } from '../oauth/grants/index.js'
import { IDENTITY_SCOPES } from '../oauth/scope.js'
import { DPOP_ALGORITHMS } from '../security/dpop.js'
import { ASSERTION_ALGORITHMS } from '../security/jwt-assertion.js'

/**
 * Client authentication at the token and revocation endpoints (RFC 6749 §2.3.1; private_key_jwt, RFC 7523 §2.2
 * and OpenID Connect Core §9; `none` for public clients).
 */
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']
/** Introspection is for confidential clients (and Bearer tokens with the `introspect` scope, which RFC 8414 has no name for). */
const INTROSPECTION_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt']
/** What an ID token (oauth/id-token.ts) and the UserInfo endpoint (routes/userinfo.ts) may carry. */
const CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'at_hash',
  'sid',
  'amr',
  'name',
  'email',
  'email_verified',
]

export interface ServerMetadata {
  issuer: string
  token_endpoint: string
  jwks_uri: string
  authorization_endpoint: string
  userinfo_endpoint: string
  end_session_endpoint: string
  revocation_endpoint: string
  introspection_endpoint: string
  grant_types_supported: string[]
  response_types_supported: string[]
  response_modes_supported: string[]
  code_challenge_methods_supported: string[]
  authorization_response_iss_parameter_supported: boolean
  token_endpoint_auth_methods_supported: string[]
  token_endpoint_auth_signing_alg_values_supported: string[]
  revocation_endpoint_auth_methods_supported: string[]
  revocation_endpoint_auth_signing_alg_values_supported: string[]
  introspection_endpoint_auth_methods_supported: string[]
  introspection_endpoint_auth_signing_alg_values_supported: string[]
  scopes_supported: string[]
  subject_types_supported: string[]
  id_token_signing_alg_values_supported: string[]
  dpop_signing_alg_values_supported: string[]
  claims_supported: string[]
  prompt_values_supported: string[]
  service_documentation: string
}

export function serverMetadata(config: Readonly<Config>, grantTypes: readonly string[]): ServerMetadata {
  const url = (path: string) => `${config.issuer}${path}`
  return {
    issuer: config.issuer,
    token_endpoint: url('/oauth/token'),
    jwks_uri: url('/.well-known/jwks.json'),
    authorization_endpoint: url('/oauth/authorize'),
    userinfo_endpoint: url('/oauth/userinfo'),
    // OpenID Connect RP-Initiated Logout 1.0 §2.1.
    end_session_endpoint: url('/oauth/logout'),
    revocation_endpoint: url('/oauth/revoke'),
    introspection_endpoint: url('/oauth/introspect'),
    grant_types_supported: [...grantTypes],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'form_post'],
    // RFC 9700 §2.1.1: PKCE for every client, S256 only.
    code_challenge_methods_supported: ['S256'],
    // RFC 9207 §3.
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    // RFC 8414 §2: the algorithms private_key_jwt assertions may be signed with (security/jwt-assertion.ts).
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    introspection_endpoint_auth_methods_supported: INTROSPECTION_AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    // The OpenID Connect scopes are always there (OpenID Connect Discovery §3: openid MUST be listed), then SCOPES.
    scopes_supported: [...new Set([...IDENTITY_SCOPES, ...config.scopes])],
    subject_types_supported: ['public'],
    // Every algorithm a key is kept for (SIGNING_ALGORITHMS), any of which a client may register as its
    // id_token_signed_response_alg. OpenID Connect Discovery §3 requires RS256 here: it is, unless
    // SIGNING_ALGORITHMS leaves it out (then the server holds no RSA key to sign with, and says so).
    id_token_signing_alg_values_supported: [...config.signingAlgorithms],
    // RFC 9449 §5.1.
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    claims_supported: CLAIMS,
    prompt_values_supported: ['none', 'login', 'consent'],
    service_documentation: config.serviceDocumentation,
  }
}

const stringList = { type: 'array', items: { type: 'string' } } as const
const metadataSchema = {
  $id: 'ServerMetadata',
  description: 'Authorization server metadata (RFC 8414 §2)',
  type: 'object',
  properties: {
    issuer: { type: 'string', format: 'uri' },
    token_endpoint: { type: 'string', format: 'uri' },
    jwks_uri: { type: 'string', format: 'uri' },
    authorization_endpoint: { type: 'string', format: 'uri' },
    userinfo_endpoint: { type: 'string', format: 'uri' },
    end_session_endpoint: { type: 'string', format: 'uri' },
    revocation_endpoint: { type: 'string', format: 'uri' },
    introspection_endpoint: { type: 'string', format: 'uri' },
    grant_types_supported: stringList,
    response_types_supported: stringList,
    response_modes_supported: stringList,
    code_challenge_methods_supported: stringList,
    authorization_response_iss_parameter_supported: { type: 'boolean' },
    token_endpoint_auth_methods_supported: stringList,
    token_endpoint_auth_signing_alg_values_supported: stringList,
    revocation_endpoint_auth_methods_supported: stringList,
    revocation_endpoint_auth_signing_alg_values_supported: stringList,
    introspection_endpoint_auth_methods_supported: stringList,
    introspection_endpoint_auth_signing_alg_values_supported: stringList,
    scopes_supported: stringList,
    subject_types_supported: stringList,
    id_token_signing_alg_values_supported: stringList,
    dpop_signing_alg_values_supported: stringList,
    claims_supported: stringList,
    prompt_values_supported: stringList,
    service_documentation: { type: 'string', format: 'uri' },
  },
  required: [
    'issuer',
    'token_endpoint',
    'jwks_uri',
    'authorization_endpoint',
    'userinfo_endpoint',
    'end_session_endpoint',
    'revocation_endpoint',
    'introspection_endpoint',
    'grant_types_supported',
    'response_types_supported',
    'token_endpoint_auth_methods_supported',
    'revocation_endpoint_auth_methods_supported',
    'introspection_endpoint_auth_methods_supported',
    'scopes_supported',
    'subject_types_supported',
    'id_token_signing_alg_values_supported',
    'service_documentation',
  ],
} as const

export function registerDiscoveryRoutes(app: FastifyInstance, { config }: Pick<Services, 'config'>): void {
  const body = JSON.stringify(serverMetadata(config, GRANT_TYPES))
  app.addSchema(metadataSchema)
  const schema = (summary: string) => ({
    tags: ['discovery'],
    summary,
    response: { 200: { description: 'The metadata', $ref: 'ServerMetadata#' } },
  })
  const send = async (_request: unknown, reply: FastifyReply) =>
    reply.header('cache-control', 'public, max-age=3600').type('application/json; charset=utf-8').send(body)

  app.get(
    '/.well-known/oauth-authorization-server',
    { schema: schema('Authorization server metadata (RFC 8414)') },
    send,
  )
  app.get(
    '/.well-known/openid-configuration',
    { schema: schema('The same metadata, at the address OpenID Connect clients look up') },
    send,
  )

  // An issuer with a path (https://example.com/auth, behind a proxy) is looked up at
  // /.well-known/oauth-authorization-server/auth (RFC 8414 §3.1), which a proxy forwarding the
  // whole host may pass on as is. Depends on the configuration, so it stays out of the committed document.
  const issuerPath = new URL(config.issuer).pathname.replace(/\/$/, '') // ISSUER has no trailing slash (config.ts), but a bare host's path is '/'
  if (issuerPath !== '') {
    app.get(
      `/.well-known/oauth-authorization-server${issuerPath}`,
      {
        schema: { ...schema('Authorization server metadata at the path-inserted address (RFC 8414 §3.1)'), hide: true },
      },
      send,
    )
  }
}
