// Which store a presented token can be in, told by its shape, so that revocation (RFC 7009) and
// introspection (RFC 7662) send each lookup to the one place the token can be.
import { looksLikeAccessKey } from '../security/access-keys.js'

export type TokenKind = 'access_key' | 'jwt' | 'refresh_token'

/** Longer than any token we issue; a longer one is simply not ours, and costs no lookup. */
export const MAX_TOKEN_LENGTH = 8192

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * A token_type_hint is not needed for this (RFC 7009 §2.1 and RFC 7662 §2.1 make it an optimisation the
 * server may ignore), so every token type is always considered.
 */
export function tokenKind(token: string): TokenKind | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined
  if (looksLikeAccessKey(token)) return 'access_key'
  if (JWS_COMPACT.test(token)) return 'jwt'
  return 'refresh_token'
}
