// The one interface every way of authenticating implements; write your own for anything else.
import type { TokenManager } from './token-manager.js'

export interface AuthStrategy {
  /** The headers that carry the credential for the next request. */
  headers(): Promise<Record<string, string>>
  /**
   * Called when a request sent with `sent` was answered 401: get a new credential and return true to retry once,
   * or false to give up (the caller then gets UnauthorizedError).
   */
  unauthorized?(sent: Record<string, string>, response: Response): Promise<boolean>
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
