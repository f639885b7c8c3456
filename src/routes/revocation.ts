// Token revocation, RFC 7009: `POST /oauth/revoke`, its schema and wire names. The client authenticates as at
// the token endpoint (§2.1); the answer is 200 with an empty body whether the token was valid, unknown,
// already revoked, expired or another client's (§2.2). What revoking each kind of token does: oauth/revocation.ts.
import type { FastifyInstance } from 'fastify'
import { authenticateClient } from '../oauth/client-auth.js'
import { acceptFormOnly, FORM_CONTENT_TYPE } from '../oauth/form-body.js'
import { revokeToken, type RevocationServices } from '../oauth/revocation.js'
import type { Services } from '../services.js'
import { clientCredentialProperties, errorResponse } from './schemas.js'

interface RevocationBody {
  token: string
  token_type_hint?: string
  client_id?: string
  client_secret?: string
  client_assertion_type?: string
  client_assertion?: string
}

const schema = {
  tags: ['oauth'],
  summary: 'Revoke a token (RFC 7009)',
  description:
    'Revokes a refresh token (and every token of its grant), a JWT access token (until it expires; resource servers verifying it ' +
    'locally accept it until then) or an access key. Answers 200 with an empty body for valid, unknown, revoked and expired tokens, ' +
    "and for another client's tokens, which are left untouched.",
  security: [{ clientBasic: [] }, {}],
  consumes: [FORM_CONTENT_TYPE],
  body: {
    type: 'object',
    required: ['token'],
    properties: {
      token: { type: 'string', minLength: 1, description: 'The token to revoke' },
      token_type_hint: {
        type: 'string',
        description: 'refresh_token or access_token; optional, and any other value is ignored',
      },
      ...clientCredentialProperties,
    },
  },
  response: {
    200: { description: 'Revoked, or nothing to revoke (the answer is the same)', type: 'null' },
    400: errorResponse(
      'invalid_request: a missing or repeated parameter, or more than one client authentication method',
    ),
    401: errorResponse('invalid_client: client authentication failed'),
    413: errorResponse('The body is larger than the limit'),
    415: errorResponse('The body is not application/x-www-form-urlencoded'),
    503: errorResponse(
      'temporarily_unavailable: the database did not answer within DATABASE_TIMEOUT; retry after the seconds in Retry-After',
    ),
  },
} as const

export function registerRevocationRoutes(
  app: FastifyInstance,
  deps: RevocationServices & Pick<Services, 'clients' | 'replayCache' | 'clientKeys'>,
): void {
  app.register(async (scope) => {
    acceptFormOnly(scope, deps.config.bodyLimit)
    scope.post<{ Body: RevocationBody }>('/oauth/revoke', { schema }, async (request, reply) => {
      const { client } = await authenticateClient(request, deps, request.body as unknown as Record<string, unknown>)
      await revokeToken(deps, request.body.token, { client, ip: request.ip })
      return reply.code(200).header('cache-control', 'no-store').send()
    })
  })
}
