// Authorization codes and their redemption, as the store hands them to the authorization_code grant.

export interface AuthorizationCode {
  id: string
  clientId: string
  userId: string
  sessionId: string | null
  redirectUri: string
  /** Whether redirect_uri was sent to /oauth/authorize (then the token request must repeat it). */
  redirectUriSent: boolean
  /** BASE64URL(SHA256(code_verifier)) (RFC 7636 §4.2, S256 only). */
  codeChallenge: string
  scope: string[]
  audience: string
  nonce: string | null
  authTime: Date
  expiresAt: Date
  usedAt: Date | null
  /** The login the redemption started (its refresh family id and the access tokens' `sid`). */
  familyId: string | null
  /** RFC 9449 §10: the JWK thumbprint of the authorization request's dpop_jkt; the redemption must prove it. */
  dpopJkt: string | null
  createdAt: Date
}

/** An unused code as its redemption reads it: with its user (undefined once deleted) and its session's login methods. */
export interface RedeemableCode {
  code: AuthorizationCode
  user: { id: string; disabled: boolean; scopes: string[] } | undefined
  /** The browser session the code was issued in; undefined without one, or once the janitor deleted it. */
  session: { amr: string[] } | undefined
}

/** What a redemption writes beside the code's mark, decided by the grant from the code it read. */
export interface Redemption {
  /** The login's id: recorded on the code (a replay ends it), the refresh family's id and the tokens' `sid`. */
  familyId: string
  /** The login's refresh family and its first token, when a refresh token is issued. */
  refresh?: {
    scope: readonly string[]
    audience: string
    absoluteExpiresAt: Date
    /** The first token's idle expiry (never later than absoluteExpiresAt). */
    tokenExpiresAt: Date
    tokenHash: string
    /** RFC 9449: the DPoP key the refresh tokens are bound to (a public client's), else none. */
    dpopJkt?: string
  }
}

/**
 * Decides a redemption from the unused code read in its transaction, or throws to leave the code as it was
 * (a wrong verifier, an expired code, a disabled user). Synchronous: on SQLite it runs inside the transaction.
 */
export type DecideRedemption<T extends Redemption> = (found: RedeemableCode) => T

export type RedeemResult<T extends Redemption> =
  | { outcome: 'redeemed'; found: RedeemableCode; redemption: T }
  /** No code has this hash. */
  | { outcome: 'unknown' }
  /** The code was used before (a replay), or by a concurrent redemption that won; `code.familyId` is that login. */
  | { outcome: 'used'; code: AuthorizationCode }
