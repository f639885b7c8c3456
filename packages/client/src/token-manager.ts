// Keeps one access token fresh for any number of callers:
// - refreshes ahead of expiry (leeway), so requests rarely meet an expired token;
// - single-flight: concurrent callers share one refresh (two refreshes of one rotating refresh token would make
//   the server see a replay and revoke the whole sign-in);
// - hands every rotated refresh token to `onTokens` before anything uses it (a crash after the server rotated
//   but before the app stored would lose the sign-in);
// - turns a refused refresh (invalid_grant) into SignedOutError;
// - in browsers, takes a Web Lock around the refresh so tabs sharing a stored sign-in never refresh it twice
//   (`load` reads what another tab stored meanwhile).
import { OAuthError, SignedOutError } from './errors.js'
import type { TokenSet } from './tokens.js'

export interface TokenManagerOptions {
  /** The tokens the app already holds. */
  initial?: TokenSet | undefined
  /** Gets a new token set without a refresh token (client credentials, token exchange, a first password login). */
  obtain?: (() => Promise<TokenSet>) | undefined
  /** Trades a refresh token for a new token set. */
  refresh?: ((refreshToken: string) => Promise<TokenSet>) | undefined
  /** Called with every new token set, awaited before the tokens are used: store the refresh token here. */
  onTokens?: ((tokens: TokenSet) => void | Promise<void>) | undefined
  /** Reads the stored tokens (another tab or process may have refreshed them). */
  load?: (() => TokenSet | undefined | Promise<TokenSet | undefined>) | undefined
  /** Refresh this many seconds before expiry (default 30). */
  leeway?: number | undefined
  /** The Web Lock's name (default `portcullis-token`); tabs sharing a stored sign-in share it. */
  lockName?: string | undefined
  now?: (() => number) | undefined
}

export interface TokenManager {
  /** A fresh access token: the held one, or one refreshed for it (shared with concurrent callers). */
  accessToken(): Promise<string>
  /**
   * A new access token because `stale` was refused (a 401): refreshes unless another caller already replaced it.
   */
  renew(stale: string): Promise<string>
  /** The held tokens. */
  current(): TokenSet | undefined
  /** Forgets the tokens (sign-out). */
  clear(): void
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}
const webLocks = (): LockManagerLike | undefined =>
  (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const now = options.now ?? Date.now
  const leeway = (options.leeway ?? 30) * 1000
  let tokens = options.initial
  let signedOut: SignedOutError | undefined
  let inFlight: Promise<TokenSet> | undefined

  const fresh = (set: TokenSet | undefined): boolean =>
    set !== undefined && (set.expiresAt === undefined || set.expiresAt - leeway > now())

  async function replace(next: TokenSet): Promise<TokenSet> {
    await options.onTokens?.(next)
    tokens = next
    return next
  }

  async function fetchNew(stale: string | undefined): Promise<TokenSet> {
    if (options.load) {
      const stored = await options.load()
      // Another tab or process refreshed meanwhile: use its tokens rather than spend the refresh token again.
      if (stored && stored.accessToken !== stale && stored.accessToken !== tokens?.accessToken && fresh(stored)) {
        tokens = stored
        return stored
      }
      if (stored?.refreshToken && stored.refreshToken !== tokens?.refreshToken) tokens = stored
    }
    const refreshToken = tokens?.refreshToken
    try {
      if (refreshToken && options.refresh) return await replace(await options.refresh(refreshToken))
      if (options.obtain) return await replace(await options.obtain())
    } catch (error) {
      if (error instanceof OAuthError && error.error === 'invalid_grant' && refreshToken) {
        tokens = undefined
        signedOut = new SignedOutError(undefined, { cause: error })
        throw signedOut
      }
      throw error
    }
    throw new SignedOutError('the access token is no longer accepted and there is no way to get another')
  }

  function singleFlight(stale: string | undefined): Promise<TokenSet> {
    if (inFlight) return inFlight
    const locks = webLocks()
    const run = locks ? locks.request(options.lockName ?? 'portcullis-token', () => fetchNew(stale)) : fetchNew(stale)
    inFlight = run.finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  return {
    async accessToken() {
      if (signedOut) throw signedOut
      if (fresh(tokens)) return tokens!.accessToken
      return (await singleFlight(tokens?.accessToken)).accessToken
    },
    async renew(stale) {
      if (signedOut) throw signedOut
      // Someone renewed it already (this 401 answered a request sent with the old token).
      if (tokens && tokens.accessToken !== stale && fresh(tokens)) return tokens.accessToken
      return (await singleFlight(stale)).accessToken
    },
    current: () => tokens,
    clear() {
      tokens = undefined
    },
  }
}
