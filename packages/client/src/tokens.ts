// What a grant returns, in our names (wire names stay in the oauth4webapi layer).
import type * as oauth from 'oauth4webapi'

export interface TokenSet {
  accessToken: string
  refreshToken?: string
  /** When the access token expires, in ms since the epoch (unknown: used until a 401). */
  expiresAt?: number
  scope?: string
  /** `Bearer`, or `DPoP` for a token bound to the strategy's DPoP key. */
  tokenType?: string
}

// oauth4webapi answers the type in lower case.
const TOKEN_TYPES: Record<string, string> = { bearer: 'Bearer', dpop: 'DPoP' }

export function fromResponse(
  response: oauth.TokenEndpointResponse,
  now: number,
  previousRefreshToken?: string,
): TokenSet {
  const refreshToken = response.refresh_token ?? previousRefreshToken
  return {
    accessToken: response.access_token,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(typeof response.expires_in === 'number' ? { expiresAt: now + response.expires_in * 1000 } : {}),
    ...(typeof response.scope === 'string' ? { scope: response.scope } : {}),
    ...(typeof response.token_type === 'string'
      ? { tokenType: TOKEN_TYPES[response.token_type] ?? response.token_type }
      : {}),
  }
}
