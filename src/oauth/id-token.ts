// OpenID Connect ID tokens (Core 1.0 §2, §3.1.3.3, §3.1.3.6, §12.2): when the granted scope holds `openid`, a
// token response from a browser sign-in (the authorization_code grant, and the refresh_token grant of a login
// made that way) carries an ID token beside the access token.
//
// Signed with the client's id_token_signed_response_alg (OpenID Connect Registration §2), which is separate from
// its access_token_signing_alg. Without one: RS256 when SIGNING_ALGORITHMS has it, as Registration §2 makes RS256
// the default (and Discovery §3 requires RS256 among id_token_signing_alg_values_supported: a relying party that
// registered nothing expects it); else, on a server that keeps no RSA key, the first of SIGNING_ALGORITHMS. Header
// typ "JWT": an access token is "at+jwt" (RFC 9068), and verifyAccessToken() insists on that, so an ID token is
// never accepted as one (nor is its audience, the client, ours). It expires with the access token issued beside
// it: ACCESS_TOKEN_TTL is what the key lifecycle keeps a key published for (SIGNING_KEY_ROTATION_INTERVAL > 2 ×
// JWKS_MAX_AGE + ACCESS_TOKEN_TTL), so every ID token stays verifiable for its whole life.
//
// Profile and email claims are not in it: an access token is always issued, so they are the UserInfo
// endpoint's (Core §5.4).
import { createHash, randomUUID } from 'node:crypto'
import type { Config, SigningAlgorithm } from '../config.js'
import { unauthorizedClient } from '../errors.js'
import { signCompact } from '../keys/jws.js'
import type { Keyring } from '../keys/keyring.js'
import type { Services } from '../services.js'
import { tenantOf, type Client } from '../store/clients.js'
import type { GrantResult } from './grants/grant.js'

export const OPENID_SCOPE = 'openid'

/** The ID token algorithm of a client that registered none: RS256 when configured, else the first configured. */
export function defaultIdTokenAlgorithm(config: Pick<Config, 'signingAlgorithms'>): SigningAlgorithm {
  return config.signingAlgorithms.includes('RS256') ? 'RS256' : config.signingAlgorithms[0]!
}

/**
 * The algorithm of this client's ID tokens, or undefined for a client not registered for `openid` (it never gets
 * one). One registered for an algorithm since dropped from SIGNING_ALGORITHMS gets no token (unauthorized_client)
 * rather than an ID token its relying party would reject; checked before the grant spends a code or refresh token.
 */
export function clientIdTokenAlgorithm(
  client: Pick<Client, 'scopes' | 'idTokenSignedResponseAlg'>,
  config: Pick<Config, 'signingAlgorithms'>,
): SigningAlgorithm | undefined {
  if (!client.scopes.includes(OPENID_SCOPE)) return undefined
  const alg = client.idTokenSignedResponseAlg
  if (alg === null) return defaultIdTokenAlgorithm(config)
  if (!config.signingAlgorithms.includes(alg as SigningAlgorithm))
    throw unauthorizedClient(
      `this client's id_token_signed_response_alg ${alg} is not among the server's signing algorithms (${config.signingAlgorithms.join(', ')})`,
    )
  return alg as SigningAlgorithm
}

/**
 * at_hash (Core §3.1.3.6): the left half of the hash of the access token's ASCII octets, base64url. RS256,
 * PS256 and ES256 hash with SHA-256; for EdDSA with Ed25519 the hash is SHA-512 (OpenID Connect Core errata 2,
 * and what openid-client checks).
 *
 * @example
 * atHash(response.access_token) // 22 characters
 */
export function atHash(accessToken: string, alg: SigningAlgorithm = 'RS256'): string {
  if (alg === 'EdDSA')
    return createHash('sha512').update(accessToken, 'ascii').digest().subarray(0, 32).toString('base64url')
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url')
}

export interface IdTokenClaims {
  issuer: string
  /** The user's id. */
  subject: string
  clientId: string
  /** Seconds since the epoch. */
  issuedAt: number
  expiresAt: number
  /** When the user entered their credentials (the session's login). */
  authTime: Date
  /** The authorization request's nonce; never on a refresh (Core §12.2: there was no authentication request). */
  nonce: string | null
  accessToken: string
  /** The session's id (the `sid` of OpenID Connect logout), never its cookie. */
  sessionId: string | null
  /** RFC 8176 methods, e.g. ['pwd']; absent when unknown. */
  amr: readonly string[] | undefined
  /** The client's algorithm (clientIdTokenAlgorithm()). */
  alg: SigningAlgorithm
}

/** Signs an ID token with the active key of the client's algorithm. */
export async function signIdToken(keyring: Pick<Keyring, 'signingKey'>, claims: IdTokenClaims): Promise<string> {
  const key = keyring.signingKey(claims.alg)
  const payload: Record<string, unknown> = {
    iss: claims.issuer,
    sub: claims.subject,
    aud: claims.clientId,
    exp: claims.expiresAt,
    iat: claims.issuedAt,
    auth_time: Math.floor(claims.authTime.getTime() / 1000),
    at_hash: atHash(claims.accessToken, key.alg),
    jti: randomUUID(),
  }
  if (claims.nonce !== null) payload.nonce = claims.nonce
  if (claims.sessionId !== null) payload.sid = claims.sessionId
  if (claims.amr !== undefined && claims.amr.length > 0) payload.amr = [...claims.amr]
  return signCompact(key, 'JWT', JSON.stringify(payload))
}

export type IdTokenDeps = Pick<Services, 'config' | 'keyring' | 'store'>

/**
 * The ID token for a token response, signed in `alg` (clientIdTokenAlgorithm()), or undefined: only when `openid`
 * was granted and the tokens come from a browser sign-in (GrantResult.signIn). The authentication methods are the
 * session's.
 */
export async function idTokenFor(
  deps: IdTokenDeps,
  client: Pick<Client, 'clientId' | 'tenantId'>,
  result: GrantResult,
  accessToken: { token: string; expiresAt: number },
  now: number,
  alg: SigningAlgorithm,
): Promise<string | undefined> {
  const signIn = result.signIn
  if (signIn === undefined || !result.scope.includes(OPENID_SCOPE)) return undefined
  // The session is its user's, in the client's tenant (a client signs in only its tenant's users).
  const session =
    signIn.amr === undefined && signIn.sessionId !== null
      ? await deps.store.sessions.findById(tenantOf(client), signIn.sessionId)
      : undefined
  const amr = signIn.amr ?? session?.amr
  return signIdToken(deps.keyring, {
    issuer: deps.config.issuer,
    subject: result.subject,
    clientId: client.clientId,
    issuedAt: Math.floor(now / 1000),
    expiresAt: accessToken.expiresAt,
    authTime: signIn.authTime,
    nonce: signIn.nonce,
    accessToken: accessToken.token,
    sessionId: signIn.sessionId,
    amr,
    alg,
  })
}
