// Verification of our own JWT access tokens for introspection, revocation and Bearer authentication, with
// the outcome of the signature check remembered per app instance: a resource server or gateway introspects
// the same token again and again, and an RSA verification costs more than the rest of the request.
//
// What is remembered is only "this exact token string carries a valid signature of key <kid>, and these
// claims". Everything that can change is checked again on every request: that the key is still published
// (a revoked or removed signing key ends its tokens at once; keyring.verificationKey() is asked every time),
// and the token's times (exp, nbf) against the clock. Revocation is checked by the callers, also per request.
// Only valid tokens are remembered (nobody but the holder of a signing key can make one), at most
// MAX_ENTRIES of them, the oldest dropped first.
import type { KeyObject } from 'node:crypto'
import type { Config } from '../config.js'
import { verifyAccessTokenWith, type VerifiedAccessToken } from '../keys/access-token.js'
import { compactHeader } from '../keys/jws.js'
import type { Keyring } from '../keys/keyring.js'

const MAX_ENTRIES = 5_000

export interface AccessTokenVerifier {
  /**
   * The claims of a valid, unexpired access token of ours (signature, iss, typ, exp, nbf), or undefined.
   * `remember: false` checks a token that will not be presented again (one being revoked) without adding it
   * to the remembered ones: it would push out a token that is, and its 1 kB would be copied to the old heap.
   */
  verify(token: string, options?: { remember?: boolean }): Promise<VerifiedAccessToken | undefined>
}

interface Entry {
  kid: string
  key: KeyObject
  claims: VerifiedAccessToken
}

/**
 * One verifier per app instance (created in buildApp), never a module singleton.
 *
 * @example
 * const tokens = createAccessTokenVerifier({ keyring, config, now: Date.now })
 * const claims = await tokens.verify(token)
 */
export function createAccessTokenVerifier(deps: {
  keyring: Keyring
  config: Pick<Config, 'issuer' | 'clockSkew'>
  now: () => number
  maxEntries?: number
}): AccessTokenVerifier {
  const { keyring, config, now } = deps
  const maxEntries = deps.maxEntries ?? MAX_ENTRIES
  const entries = new Map<string, Entry>()

  /** RFC 7519 §4.1.4 and §4.1.5, with the clock-skew allowance jose applies. */
  function timely(claims: VerifiedAccessToken, at: number): boolean {
    const seconds = Math.floor(at / 1000)
    return (
      claims.exp > seconds - config.clockSkew &&
      (typeof claims.nbf !== 'number' || claims.nbf <= seconds + config.clockSkew)
    )
  }

  return {
    async verify(token, options) {
      const at = now()
      const cached = entries.get(token)
      if (cached) {
        if (keyring.verificationKey(cached.kid) === cached.key)
          return timely(cached.claims, at) ? cached.claims : undefined
        entries.delete(token)
      }
      // The header is read once, and the key it names looked up once, for the check and the entry.
      const header = compactHeader(token)
      const kid = header?.kid
      const published = typeof kid === 'string' ? keyring.verifier(kid) : undefined
      if (!header || !published || typeof kid !== 'string') return undefined
      const claims = await verifyAccessTokenWith(token, header, published, {
        issuer: config.issuer,
        clockSkew: config.clockSkew,
        now: at,
      })
      if (!claims) return undefined
      if (options?.remember === false) return claims
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
      entries.set(token, { kid, key: published.key, claims: Object.freeze(claims) })
      return claims
    },
  }
}
