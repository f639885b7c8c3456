// The id_token_hint of RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2 and §3): an ID token we
// issued to the client, which shows that the logout request comes from that client, for that session. Its
// signature and issuer are checked; its expiry is not (§2: the OP SHOULD accept an expired ID token as a hint,
// since a logout often comes after the tokens have expired).
//
// - valid: signed by one of our published keys, typ "JWT" (an access token is "at+jwt" and is no hint), our
//   issuer, a client as its audience and the user as its subject.
// - unverifiable: names a key we no longer publish (an old ID token, or a made-up kid): treated as no hint,
//   so the user is asked to confirm, as without one.
// - invalid: anything else (a bad signature, another issuer, not a JWT): the request is refused.
import { compactVerify, decodeProtectedHeader } from 'jose'
import type { Keyring } from '../../keys/keyring.js'

export type IdTokenHint =
  | { outcome: 'valid'; clientId: string; subject: string; sessionId: string | undefined }
  | { outcome: 'unverifiable' }
  | { outcome: 'invalid' }

const DECODER = new TextDecoder()

/**
 * Checks an id_token_hint against our keys and issuer (not its expiry).
 *
 * @example
 * const hint = await checkIdTokenHint(keyring, params.id_token_hint, config.issuer)
 * if (hint.outcome === 'valid' && hint.sessionId === session.id) // the client's own request: no confirmation
 */
export async function checkIdTokenHint(
  keyring: Pick<Keyring, 'verifier'>,
  token: string,
  issuer: string,
): Promise<IdTokenHint> {
  if (token.length > 8192) return { outcome: 'invalid' }
  let kid: unknown
  let alg: unknown
  try {
    const header = decodeProtectedHeader(token)
    if (header.typ !== 'JWT') return { outcome: 'invalid' }
    kid = header.kid
    alg = header.alg
  } catch {
    return { outcome: 'invalid' }
  }
  // Our ID tokens are signed in their client's algorithm (SIGNING_ALGORITHMS): the one of the key they name.
  const published = typeof kid === 'string' ? keyring.verifier(kid) : undefined
  if (!published) return { outcome: 'unverifiable' }
  if (alg !== published.alg) return { outcome: 'invalid' }
  let claims: Record<string, unknown>
  try {
    const { payload } = await compactVerify(token, published.key, { algorithms: [published.alg] })
    const parsed: unknown = JSON.parse(DECODER.decode(payload))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { outcome: 'invalid' }
    claims = parsed as Record<string, unknown>
  } catch {
    return { outcome: 'invalid' }
  }
  const { iss, aud, sub, sid } = claims
  if (iss !== issuer || typeof aud !== 'string' || typeof sub !== 'string') return { outcome: 'invalid' }
  return { outcome: 'valid', clientId: aud, subject: sub, sessionId: typeof sid === 'string' ? sid : undefined }
}
