// Token revocation, RFC 7009: `POST /oauth/revoke`. The client authenticates as at the token endpoint
// (§2.1); the answer is 200 with an empty body whether the token was valid, unknown, already revoked,
// expired or another client's (§2.2), so the endpoint reveals nothing about tokens the caller does not own.
//
// - A refresh token ends its whole family: every refresh token of that grant, and the access tokens issued
//   from it, which carry the family as `sid` (§2.1 "SHOULD also invalidate"; refused like a revoked JWT).
// - A JWT access token cannot be unsigned: its jti is recorded as revoked until it expires, and the
//   introspection endpoint and our own Bearer checks refuse it (at once here, within REVOCATION_SYNC_INTERVAL
//   on the other instances). Resource servers that verify it locally with the JWKS accept it until its exp
//   (a few minutes), as §2 allows.
// - An access key is revoked by whoever presents the whole key: knowing it is already the power to use it,
//   and being able to kill a leaked key at once matters more than who sends it.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { authenticateClient } from '../oauth/client-auth.js'
import { revokeAccessKey } from '../security/access-key-lifecycle.js'
import { parseAccessKey } from '../security/access-keys.js'
import { revokeGrantAccessTokens } from '../security/revocation-list.js'
import { sha256 } from '../security/secrets.js'
import type { Client } from '../store/clients.js'
import { errorResponse } from './docs.js'
import { FORM_CONTENT_TYPE } from '../oauth/form-body.js'
import { acceptFormOnly, clientCredentialProperties, tokenKind } from './oauth-endpoint.js'

interface RevocationBody {
  token: string
  token_type_hint?: string
  client_id?: string
  client_secret?: string
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
      token_type_hint: { type: 'string', description: 'refresh_token or access_token; optional, and any other value is ignored' },
      ...clientCredentialProperties,
    },
  },
  response: {
    200: { description: 'Revoked, or nothing to revoke (the answer is the same)', type: 'null' },
    400: errorResponse('invalid_request: a missing or repeated parameter, or more than one client authentication method'),
    401: errorResponse('invalid_client: client authentication failed'),
    413: errorResponse('The body is larger than the limit'),
    415: errorResponse('The body is not application/x-www-form-urlencoded'),
    503: errorResponse('temporarily_unavailable: the database did not answer within DATABASE_TIMEOUT; retry after the seconds in Retry-After'),
  },
} as const

export function registerRevocationRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'config' | 'store' | 'now' | 'clients' | 'accessKeys' | 'accessTokens' | 'revocations'>,
): void {
  const { config, store, accessKeys } = deps

  async function revokeRefreshToken(token: string, client: Client): Promise<void> {
    const record = await store.refreshTokens.findByHash(sha256(token))
    if (!record || record.family.clientId !== client.clientId) return
    const now = deps.now()
    await store.refreshTokens.revokeFamily(record.family.id, 'revoked', new Date(now))
    // §2.1: the access tokens of the same grant go too (they carry the family as `sid`).
    await revokeGrantAccessTokens(deps, record.family.id, now)
  }

  async function revokeAccessToken(token: string, client: Client): Promise<void> {
    const claims = await deps.accessTokens.verify(token)
    if (!claims || claims.client_id !== client.clientId) return
    // Kept as long as the token can still pass a check that allows for clock skew.
    const expiresAt = new Date((claims.exp + config.clockSkew) * 1000)
    await store.revokedTokens.revoke(claims.jti, expiresAt, new Date(deps.now()))
    // At once here; the other instances read it within REVOCATION_SYNC_INTERVAL (security/revocation-list.ts).
    deps.revocations.add(claims.jti, expiresAt)
  }

  async function revokePresentedAccessKey(token: string, request: FastifyRequest, client: Client): Promise<void> {
    const parsed = parseAccessKey(token)
    if (!parsed) return
    const verified = await accessKeys.verify(token)
    // Revoked, expired or of a disabled owner: already unusable. Unknown or wrong secret: not the caller's to revoke.
    if (!verified.ok) return
    // With the keys created from it, as from the admin API (security/access-key-lifecycle.ts).
    const { accessKey, descendants } = await revokeAccessKey(store, verified.key.id, { actor: `client:${client.clientId}`, ip: request.ip, details: { via: 'oauth_revoke' } }, deps.now())
    for (const key of [accessKey, ...descendants]) accessKeys.invalidate(key.id)
  }

  app.register(async (scope) => {
    acceptFormOnly(scope, config.bodyLimit)
    scope.post<{ Body: RevocationBody }>('/oauth/revoke', { schema }, async (request, reply) => {
      const { client } = await authenticateClient(request, deps, request.body as unknown as Record<string, unknown>)
      const { token } = request.body
      const kind = tokenKind(token)
      if (kind === 'refresh_token') await revokeRefreshToken(token, client)
      else if (kind === 'jwt') await revokeAccessToken(token, client)
      else if (kind === 'access_key') await revokePresentedAccessKey(token, request, client)
      return reply.code(200).header('cache-control', 'no-store').send()
    })
  })
}
