// Token introspection, RFC 7662: `POST /oauth/introspect`, its schemas and wire names. Who may ask and what
// the answer says: oauth/introspection.ts.
import type { FastifyInstance } from 'fastify'
import { acceptFormOnly, FORM_CONTENT_TYPE } from '../oauth/form-body.js'
import { createIntrospection, type IntrospectionBody, type IntrospectionServices } from '../oauth/introspection.js'
import { clientCredentialProperties, errorResponse } from './schemas.js'

const introspectionSchema = {
  type: 'object',
  description: 'RFC 7662 §2.2. Inactive tokens are exactly {"active": false}.',
  properties: {
    active: { type: 'boolean' },
    scope: { type: 'string' },
    client_id: { type: 'string' },
    username: { type: 'string' },
    tenant_id: {
      type: 'string',
      description:
        "The token's tenant, the default tenant's included (a JWT without a tenant_id claim is the default tenant's)",
    },
    workspace_id: { type: 'string', description: 'The workspace the token is for, when it is for one' },
    token_type: {
      type: 'string',
      description: 'Bearer or DPoP (a JWT access token, DPoP when bound to a key), refresh_token or access_key',
    },
    exp: { type: 'integer' },
    iat: { type: 'integer' },
    nbf: { type: 'integer' },
    sub: { type: 'string' },
    aud: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    iss: { type: 'string' },
    jti: { type: 'string' },
    act: {
      type: 'object',
      additionalProperties: true,
      description: 'The acting party of a token-exchange token (RFC 8693 §4.1)',
    },
    cnf: {
      type: 'object',
      properties: { jkt: { type: 'string' } },
      description: 'RFC 9449 §6.2: the JWK SHA-256 thumbprint of the key a DPoP-bound token is bound to',
    },
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
      token_type_hint: {
        type: 'string',
        description: 'access_token, refresh_token or access_key; optional, and any other value is ignored',
      },
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
    503: errorResponse(
      'temporarily_unavailable: the database did not answer within DATABASE_TIMEOUT; retry after the seconds in Retry-After',
    ),
  },
} as const

export function registerIntrospectionRoutes(app: FastifyInstance, deps: IntrospectionServices): void {
  const introspection = createIntrospection(deps)
  app.register(async (scope) => {
    acceptFormOnly(scope, deps.config.bodyLimit)
    scope.post<{ Body: IntrospectionBody }>('/oauth/introspect', { schema }, async (request, reply) => {
      const caller = await introspection.identifyCaller(request, request.body)
      const answer = await introspection.introspect(request.body.token, caller)
      introspection.countAnswered(caller)
      // §2.2 / §4: the answer describes a credential and must not be cached.
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(answer)
    })
  })
}
