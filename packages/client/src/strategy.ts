// The one interface every way of authenticating implements; write your own for anything else.
import type * as oauth from 'oauth4webapi'
import { ConfigurationError, parseChallenge } from './errors.js'
import type { TokenManager } from './token-manager.js'

/** The request a credential is for (a DPoP proof names its method and URL). */
export interface RequestTarget {
  method: string
  url: string
}

export interface AuthStrategy {
  /** The headers that carry the credential for the next request (`request`: the one they are for). */
  headers(request?: RequestTarget): Promise<Record<string, string>>
  /**
   * Called when a request sent with `sent` was answered 401: get a new credential and return true to retry once,
   * or false to give up (the caller then gets UnauthorizedError).
   */
  unauthorized?(sent: Record<string, string>, response: Response): Promise<boolean>
  /** Sees every response (a DPoP strategy keeps the nonce an API sends). */
  answered?(response: Response, request: RequestTarget): void | Promise<void>
  /** The token manager, for strategies built on one. */
  readonly tokens?: TokenManager
}

/** A strategy sending `Authorization: Bearer <token>` from a token manager, renewing it once on a 401. */
export function bearerStrategy(manager: TokenManager, canRenew: boolean): AuthStrategy {
  return {
    tokens: manager,
    async headers() {
      return { authorization: `Bearer ${await manager.accessToken()}` }
    },
    async unauthorized(sent) {
      if (!canRenew) return false
      const stale = /^Bearer (.+)$/.exec(sent.authorization ?? '')?.[1]
      if (stale === undefined) return false
      await manager.renew(stale)
      return true
    },
  }
}

// What oauth4webapi's DPoP handle does for its own protectedResourceRequest(): a proof for a request (with `ath`
// for the access token), and the nonce a response carries, kept per origin.
interface DPoPProofs {
  addProof(url: URL, headers: Headers, htm: string, accessToken?: string): Promise<void>
  cacheNonce(response: Response, url: URL): void
}

/**
 * A strategy sending `Authorization: DPoP <token>` and a fresh proof (RFC 9449 §7) from a token manager whose
 * tokens are bound to `dpop`'s key. A 401 `use_dpop_nonce` is retried once with the nonce the API sent; any other
 * 401 renews the token once.
 */
export function dpopStrategy(
  manager: TokenManager,
  dpop: () => Promise<oauth.DPoPHandle>,
  canRenew: boolean,
): AuthStrategy {
  const proofs = async () => {
    const handle = (await dpop()) as unknown as Partial<DPoPProofs>
    if (typeof handle.addProof !== 'function' || typeof handle.cacheNonce !== 'function')
      throw new ConfigurationError('dpop: this version of oauth4webapi does not make resource proofs')
    return handle as DPoPProofs
  }
  return {
    tokens: manager,
    async headers(request) {
      if (!request) throw new ConfigurationError('dpop: a proof needs the request it is for (its method and URL)')
      const token = await manager.accessToken()
      const headers = new Headers()
      await (await proofs()).addProof(new URL(request.url), headers, request.method.toUpperCase(), token)
      return { authorization: `DPoP ${token}`, dpop: headers.get('dpop')! }
    },
    async answered(response, request) {
      if (response.headers.has('dpop-nonce'))
        (await proofs()).cacheNonce(response, new URL(response.url || request.url))
    },
    async unauthorized(sent, response) {
      const stale = /^DPoP (.+)$/.exec(sent.authorization ?? '')?.[1]
      if (stale === undefined) return false
      // The API's nonce was kept by answered(): the retry's proof carries it.
      if (
        response.headers.has('dpop-nonce') &&
        parseChallenge(response.headers.get('www-authenticate'))?.error === 'use_dpop_nonce'
      )
        return true
      if (!canRenew) return false
      await manager.renew(stale)
      return true
    },
  }
}
