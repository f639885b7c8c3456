// The OAuth 2.0 token endpoint (RFC 6749 §3.2). Its body is parsed by the strict form parser, in a plugin
// scope of its own so the other routes keep the general parsers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { OAuthError } from '../errors.js'
import { FORM_CONTENT_TYPE as FORM, parseFormBodiesOnly, requireFormBody } from '../oauth/form-body.js'
import { createGrants, type GrantServices } from '../oauth/grants/index.js'
import { registerTokenRateLimits } from '../oauth/rate-limits.js'
import {
  handleTokenRequest,
  tokenParameters,
  type TokenEndpointServices,
  type TokenRequestLabels,
} from '../oauth/token-endpoint.js'
import { tokenResponseSchema } from '../oauth/token-response.js'
import type { TokenUsage } from '../oauth/grants/grant.js'
import { tokenUsageKind, type UsageKind } from '../ops/usage.js'
import { AssertionError } from '../security/jwt-assertion.js'
import { oauthErrorBody as errorSchema } from './schemas.js'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Token endpoint only: when the request arrived (before its body was read), its metric labels, and the client
     * and access key it is counted for in the usage statistics.
     */
    tokenRequest: { receivedAt: number; labels: TokenRequestLabels; usage: TokenUsage } | null
  }
}

const tooManyRequestsSchema = {
  ...errorSchema,
  description:
    'too_many_requests: over the limit of token requests per client IP (RATE_LIMIT_PER_IP) or per authenticated client (RATE_LIMIT_PER_CLIENT)',
  headers: {
    'Retry-After': { type: 'integer', description: 'Seconds until the window ends and requests are counted again' },
  },
} as const

const text = (description: string, maxLength: number) => ({ type: 'string', maxLength, description }) as const

const tokenRequestSchema = {
  type: 'object',
  properties: {
    grant_type: text(
      'authorization_code, password, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:token-exchange or urn:ietf:params:oauth:grant-type:jwt-bearer',
      256,
    ),
    client_id: text('For client_secret_post, or alone for a public client', 255),
    client_secret: text('For client_secret_post (HTTP Basic is preferred)', 512),
    scope: text('Space-separated; within what the client (and user) may have', 4096),
    resource: text('RFC 8707: one of the registered audiences', 2048),
    username: text('password grant', 1024),
    password: text('password grant', 1024),
    refresh_token: text('refresh_token grant', 512),
    subject_token: text('token exchange (RFC 8693): the access key', 8192),
    subject_token_type: text('token exchange: urn:portcullis:params:oauth:token-type:access_key', 256),
    audience: text('token exchange: a registered audience (like resource)', 2048),
    requested_token_type: text('token exchange: urn:ietf:params:oauth:token-type:access_token (the default)', 256),
    assertion: text('JWT bearer grant (RFC 7523 §2.1): a JWT signed with a key-pair access key', 8192),
    code: text('authorization_code grant: the code from /oauth/authorize', 512),
    redirect_uri: text('authorization_code grant: the redirect_uri sent to /oauth/authorize, when one was', 2048),
    code_verifier: text('authorization_code grant: the PKCE verifier (RFC 7636) of the S256 code_challenge', 128),
  },
} as const

/** RFC 6749 §3.2: repeated parameters are refused before the schema sees them; empty ones count as omitted. */
function singleParameters(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  try {
    request.body = tokenParameters(request.body)
  } catch (error) {
    done(error as Error)
    return
  }
  done()
}

export function registerTokenRoutes(
  app: FastifyInstance,
  deps: TokenEndpointServices & GrantServices & Pick<Services, 'metrics'>,
): void {
  const grants = createGrants(deps)
  const usageKinds = new Map<string, UsageKind | undefined>(
    [...grants.keys()].map((type) => [type, tokenUsageKind(type)]),
  )
  // Per request: when it arrived (before its body is read: under load, handlers start well after arrival,
  // and refresh-token replay detection asks whether a request arrived after a token was used), and the
  // metric labels, so that every outcome is counted, even refusals before the handler (media type, body, schema).
  const track = (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    request.tokenRequest = {
      receivedAt: deps.now(),
      labels: { grant_type: 'unknown', tenant: 'unknown', client_id: 'unknown' },
      usage: {},
    }
    done()
  }
  /** Usage statistics (ops/usage.ts): a request refused or throttled, counted for whoever it is known to speak for. */
  const countRefusal = (request: FastifyRequest, error: Error & { statusCode?: number }) => {
    const status = error.statusCode ?? 500
    if (status < 400 || status >= 500 || !request.tokenRequest) return
    const { usage, receivedAt } = request.tokenRequest
    const kind = error instanceof OAuthError && error.error === 'too_many_requests' ? 'throttled' : 'refused'
    if (usage.clientId !== undefined) deps.usage.count('client', usage.clientId, kind, receivedAt)
    if (usage.accessKeyId !== undefined) deps.usage.count('access_key', usage.accessKeyId, kind, receivedAt)
  }
  const countFailure = (
    request: FastifyRequest,
    _reply: FastifyReply,
    error: Error & { statusCode?: number },
    done: () => void,
  ) => {
    const outcome =
      error instanceof OAuthError ? error.error : (error.statusCode ?? 500) < 500 ? 'invalid_request' : 'server_error'
    const labels = request.tokenRequest?.labels
    // A refused assertion's reason is kept from the answer (RFC 7523 §3.1: invalid_grant alone) but logged.
    if (error instanceof OAuthError && error.cause instanceof AssertionError)
      request.log.info({ error: error.error, reason: error.cause.reason }, 'assertion refused')
    deps.metrics.countTokenRequest(
      labels ?? { grant_type: 'unknown', tenant: 'unknown', client_id: 'unknown' },
      outcome,
    )
    countRefusal(request, error)
    done()
  }

  app.register(async (scope) => {
    // A request property declared up front (Fastify's decorateRequest) keeps every request object one shape.
    scope.decorateRequest('tokenRequest', null)
    const limits = await registerTokenRateLimits(scope, deps.config, deps.now)
    parseFormBodiesOnly(scope, deps.config.bodyLimit)

    scope.post(
      '/oauth/token',
      {
        schema: {
          tags: ['oauth'],
          summary: 'Token endpoint: password, refresh_token and client_credentials grants (RFC 6749)',
          consumes: [FORM],
          body: tokenRequestSchema,
          response: {
            200: tokenResponseSchema,
            429: tooManyRequestsSchema,
            '4xx': errorSchema,
            503: {
              ...errorSchema,
              description:
                'temporarily_unavailable: the database did not answer within DATABASE_TIMEOUT; retry after the seconds in Retry-After',
            },
            '5xx': errorSchema,
          },
        },
        // The per-IP limit counts every request, before its body is read.
        onRequest: limits.perIp ? [track, limits.perIp, requireFormBody] : [track, requireFormBody],
        preValidation: singleParameters,
        onError: countFailure,
      },
      async (request, reply) => {
        const { receivedAt, labels, usage } = request.tokenRequest!
        // The body is what singleParameters made of it: single strings, checked by the schema.
        const response = await handleTokenRequest(request, deps, grants, {
          now: receivedAt,
          labels,
          usage,
          params: request.body as Record<string, string>,
          clientRateLimit: limits.perClient,
        })
        deps.metrics.countTokenRequest(labels, 'issued')
        const kind = usageKinds.get(labels.grant_type)
        if (kind !== undefined && usage.clientId !== undefined)
          deps.usage.count('client', usage.clientId, kind, receivedAt)
        if (kind !== undefined && usage.accessKeyId !== undefined)
          deps.usage.count('access_key', usage.accessKeyId, kind, receivedAt)
        // RFC 9449 §8.2: the nonce to use next, when nonces are on (a new one each window).
        const nonce = deps.dpop.nonce(receivedAt)
        if (nonce !== undefined) reply.header('dpop-nonce', nonce)
        // Written with JSON.stringify, not the 200 schema's compiled serializer, which scans a string as long as
        // a token (~800 characters) for characters to escape in JavaScript: ~1.5 % of a token request's CPU.
        // tokenResponse() builds the object member by member, so it holds the documented members only.
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(response))
      },
    )
  })
}
