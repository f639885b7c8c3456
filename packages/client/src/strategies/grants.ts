// The token endpoint requests the strategies make, through oauth4webapi (with a DPoP proof when the strategy
// uses DPoP, sent again once with the server's nonce after a `use_dpop_nonce` answer).
import * as oauth from 'oauth4webapi'
import { type Server, translate } from '../server.js'
import { fromResponse, type TokenSet } from '../tokens.js'

async function withDpop<T>(server: Server, request: (options: oauth.TokenEndpointRequestOptions) => Promise<T>) {
  const options = { ...server.options, ...(server.dpop ? { DPoP: await server.dpop() } : {}) }
  try {
    return await request(options)
  } catch (error) {
    // oauth4webapi's handle has kept the nonce of the refusal: the second proof carries it.
    if (options.DPoP && oauth.isDPoPNonceError(error)) return request(options)
    throw error
  }
}

export async function refreshGrant(server: Server, refreshToken: string, now: number): Promise<TokenSet> {
  try {
    const as = await server.as()
    return await withDpop(server, async (options) => {
      const response = await oauth.refreshTokenGrantRequest(as, server.client, server.auth, refreshToken, options)
      return fromResponse(await oauth.processRefreshTokenResponse(as, server.client, response), now, refreshToken)
    })
  } catch (error) {
    throw translate(error)
  }
}

export async function genericGrant(
  server: Server,
  grantType: string,
  parameters: Record<string, string | undefined> | (() => Promise<Record<string, string | undefined>>),
  now: () => number,
): Promise<TokenSet> {
  try {
    const as = await server.as()
    return await withDpop(server, async (options) => {
      // A function makes the parameters anew for each attempt (a JWT assertion is accepted only once).
      const values = typeof parameters === 'function' ? await parameters() : parameters
      const params = new URLSearchParams()
      for (const [name, value] of Object.entries(values)) if (value !== undefined) params.set(name, value)
      const response = await oauth.genericTokenEndpointRequest(
        as,
        server.client,
        server.auth,
        grantType,
        params,
        options,
      )
      return fromResponse(await oauth.processGenericTokenEndpointResponse(as, server.client, response), now())
    })
  } catch (error) {
    throw translate(error)
  }
}
