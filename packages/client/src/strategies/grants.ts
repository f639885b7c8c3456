// The token endpoint requests the strategies make, through oauth4webapi.
import * as oauth from 'oauth4webapi'
import { type Server, translate } from '../server.js'
import { fromResponse, type TokenSet } from '../tokens.js'

export async function refreshGrant(server: Server, refreshToken: string, now: number): Promise<TokenSet> {
  try {
    const as = await server.as()
    const response = await oauth.refreshTokenGrantRequest(as, server.client, server.auth, refreshToken, server.options)
    return fromResponse(await oauth.processRefreshTokenResponse(as, server.client, response), now, refreshToken)
  } catch (error) {
    throw translate(error)
  }
}

export async function genericGrant(
  server: Server,
  grantType: string,
  parameters: Record<string, string | undefined>,
  now: () => number,
): Promise<TokenSet> {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) params.set(name, value)
  try {
    const as = await server.as()
    const response = await oauth.genericTokenEndpointRequest(
      as,
      server.client,
      server.auth,
      grantType,
      params,
      server.options,
    )
    return fromResponse(await oauth.processGenericTokenEndpointResponse(as, server.client, response), now())
  } catch (error) {
    throw translate(error)
  }
}
