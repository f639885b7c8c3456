// The UserInfo endpoint (OpenID Connect Core §5.3): `GET` and `POST /oauth/userinfo` with an access token of
// ours in `Authorization: Bearer` (RFC 6750 §2.1), for the issuer's audience like every endpoint of Portcullis
// (security/bearer.ts), and holding the `openid` scope. It answers `sub` and the claims the token's scopes
// allow (Core §5.4): `name` for `profile`, `email` and `email_verified` for `email`; a claim the user does not
// have is left out. Errors are RFC 6750 §3.1's, with WWW-Authenticate. Access keys are not access tokens of
// a sign-in: they get 401 invalid_token here.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { insufficientScope, invalidToken } from '../errors.js'
import { OPENID_SCOPE } from '../oauth/id-token.js'
import { errorResponse } from './schemas.js'

export const USERINFO_PATH = '/oauth/userinfo'

export interface UserInfo {
  sub: string
  name?: string
  email?: string
  email_verified?: boolean
}

const userInfoSchema = {
  type: 'object',
  description: 'OpenID Connect Core §5.3.2: sub, and the claims the scopes of the access token allow',
  properties: {
    sub: { type: 'string', description: 'The user id: the sub of the ID token' },
    name: { type: 'string', description: 'With scope profile, when the user has one' },
    email: { type: 'string', description: 'With scope email, when the user has one' },
    email_verified: { type: 'boolean', description: 'With scope email, beside email' },
  },
  required: ['sub'],
} as const

const schema = (summary: string) => ({
  tags: ['oauth'],
  summary,
  description:
    'Send the access token in Authorization: Bearer. It must be for this server (the default audience) and hold the openid scope.',
  security: [{ bearer: [] }],
  response: {
    200: userInfoSchema,
    400: errorResponse('invalid_request: two credentials, or a malformed one'),
    401: errorResponse(
      'invalid_token: no access token, or one that is invalid, expired, revoked or not for this server (WWW-Authenticate: Bearer)',
    ),
    403: errorResponse('insufficient_scope: the access token does not hold openid'),
    503: errorResponse('temporarily_unavailable'),
  },
})

export function registerUserInfoRoutes(
  app: FastifyInstance,
  { bearer, store }: Pick<Services, 'bearer' | 'store'>,
): void {
  async function userInfo(request: FastifyRequest): Promise<UserInfo> {
    const principal = await bearer.authenticate(request)
    if (principal.kind !== 'jwt') throw invalidToken('the UserInfo endpoint takes an access token, not an access key')
    if (!principal.scopes.includes(OPENID_SCOPE)) throw insufficientScope(OPENID_SCOPE)
    const user = await store.users.findById(principal.tenantId, principal.sub)
    if (!user || user.disabled) throw invalidToken('the user of this access token no longer exists or is disabled')
    const answer: UserInfo = { sub: user.id }
    if (principal.scopes.includes('profile') && user.name !== null) answer.name = user.name
    if (principal.scopes.includes('email') && user.email !== null) {
      answer.email = user.email
      answer.email_verified = user.emailVerified
    }
    return answer
  }

  // Personal data: never stored by a cache.
  app.get(USERINFO_PATH, { schema: schema('UserInfo (OpenID Connect Core §5.3)') }, async (request, reply) =>
    reply.header('cache-control', 'no-store').send(await userInfo(request)),
  )
  app.post(USERINFO_PATH, { schema: schema('UserInfo by POST (OpenID Connect Core §5.3.1)') }, async (request, reply) =>
    reply.header('cache-control', 'no-store').send(await userInfo(request)),
  )
}
