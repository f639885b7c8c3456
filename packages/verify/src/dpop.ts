// DPoP (RFC 9449): a token bound to a key (`cnf.jkt`) is presented as `Authorization: DPoP <token>` with a proof
// (`DPoP` header) signed by that key for this request: its method (`htm`), URL (`htu`), the token's hash (`ath`),
// recent (`iat`) and never seen before (`jti`).
import { base64url, calculateJwkThumbprint, EmbeddedJWK, type JWK, jwtVerify } from 'jose'

export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA']

export class DpopProofError extends Error {
  override readonly name = 'DpopProofError'
}

async function sha256(value: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))))
}

/** §4.3 step 11: `htu` is compared without query and fragment. */
const withoutQuery = (url: string) => {
  const parsed = new URL(url)
  return `${parsed.origin}${parsed.pathname}`
}

/** Checks proofs, remembering each `jti` for the proof's lifetime (bounded), so a proof cannot be replayed. */
export function createDpopChecker(options: { now: () => number; maxAgeSeconds: number; clockTolerance: number }) {
  const seen = new Map<string, number>()
  const MAX_SEEN = 100_000

  return async function checkProof(
    proof: string,
    request: { method: string; url: string; accessToken: string },
  ): Promise<{ jkt: string }> {
    let payload: Record<string, unknown>
    let jwk: JWK
    try {
      const verified = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: DPOP_ALGORITHMS,
        currentDate: new Date(options.now()),
        maxTokenAge: options.maxAgeSeconds,
        clockTolerance: options.clockTolerance,
        requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'],
      })
      payload = verified.payload as Record<string, unknown>
      jwk = verified.protectedHeader.jwk!
    } catch (error) {
      throw new DpopProofError(`the DPoP proof is invalid (${(error as Error).message})`, { cause: error })
    }
    if (payload.htm !== request.method) throw new DpopProofError('the DPoP proof is for another method')
    if (typeof payload.htu !== 'string' || !URL.canParse(payload.htu))
      throw new DpopProofError('the DPoP proof has no valid htu')
    if (withoutQuery(payload.htu) !== withoutQuery(request.url))
      throw new DpopProofError('the DPoP proof is for another URL')
    if (payload.ath !== (await sha256(request.accessToken)))
      throw new DpopProofError('the DPoP proof is for another access token')
    const now = options.now()
    const jti = String(payload.jti)
    const until = seen.get(jti)
    if (until !== undefined && until > now) throw new DpopProofError('the DPoP proof was used already')
    if (seen.size >= MAX_SEEN) for (const [id, expiry] of seen) if (expiry <= now) seen.delete(id)
    if (seen.size >= MAX_SEEN) seen.delete(seen.keys().next().value!)
    seen.set(jti, now + (options.maxAgeSeconds + options.clockTolerance) * 1000)
    return { jkt: await calculateJwkThumbprint(jwk, 'sha256') }
  }
}
