// The successful token response (RFC 6749 §5.1): JSON, never cached.
import type { IssuedAccessToken } from '../keys/access-token.js'
import type { GrantResult } from './grants/grant.js'
import { formatScope } from './scope.js'

export interface TokenResponse {
  access_token: string
  /** DPoP when the access token is bound to the key of the request's DPoP proof (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP'
  expires_in: number
  /** Always sent, so the client never has to guess what it was granted. */
  scope: string
  refresh_token?: string
  /** RFC 8693 §2.2.1, for grants that say which kind of token they issued. */
  issued_token_type?: string
  /** OpenID Connect Core §3.1.3.3: when `openid` was granted in a browser sign-in (oauth/id-token.ts). */
  id_token?: string
}

/** RFC 6749 §5.1: responses carrying tokens (and the errors beside them) must not be stored by caches. */
export const NO_STORE_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' } as const

/**
 * The response, for the OpenAPI document. tokenResponse() below builds it member by member, which is its
 * allow-list: the route writes it with JSON.stringify (routes/token.ts), not with this schema.
 */
export const tokenResponseSchema = {
  type: 'object',
  properties: {
    access_token: {
      type: 'string',
      description: 'A JWT (RFC 9068), typ at+jwt, signed with the client’s access_token_signing_alg',
    },
    token_type: {
      type: 'string',
      enum: ['Bearer', 'DPoP'],
      description: 'DPoP when the request carried a DPoP proof (RFC 9449): the token is bound to its key (cnf.jkt)',
    },
    expires_in: { type: 'integer', description: 'Seconds until the access token expires' },
    scope: { type: 'string', description: 'The granted scope, space-separated' },
    refresh_token: {
      type: 'string',
      description: 'Issued by the password and refresh_token grants; rotated on every use',
    },
    issued_token_type: { type: 'string' },
    id_token: {
      type: 'string',
      description:
        'OpenID Connect ID token (typ JWT, the access token’s algorithm), when the openid scope was granted in a browser sign-in',
    },
  },
  required: ['access_token', 'token_type', 'expires_in', 'scope'],
} as const

export function tokenResponse(
  accessToken: IssuedAccessToken,
  result: GrantResult,
  dpopBound: boolean,
  idToken?: string,
): TokenResponse {
  // Built member by member: this runs once per token, and spreading into a literal is the slow path.
  const response: TokenResponse = {
    access_token: accessToken.token,
    token_type: dpopBound ? 'DPoP' : 'Bearer',
    expires_in: accessToken.expiresIn,
    scope: formatScope(result.scope),
  }
  if (result.refreshToken !== undefined) response.refresh_token = result.refreshToken
  if (result.issuedTokenType !== undefined) response.issued_token_type = result.issuedTokenType
  if (idToken !== undefined) response.id_token = idToken
  return response
}
