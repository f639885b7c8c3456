// What the revocation (RFC 7009) and introspection (RFC 7662) endpoints share: they take the strict form
// body of the OAuth endpoints and nothing else, and they tell the three kinds of token apart by shape,
// so each lookup goes to the one place the token can be.
import type { FastifyInstance } from 'fastify'
import { FORM_CONTENT_TYPE, parseFormBody } from '../oauth/form-body.js'
import { requireFormBody } from './oauth.js'
import { looksLikeAccessKey } from '../security/access-keys.js'

export type TokenKind = 'access_key' | 'jwt' | 'refresh_token'

/** Longer than any token we issue; a longer one is simply not ours, and costs no lookup. */
export const MAX_TOKEN_LENGTH = 8192

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * Which store a presented token can be in. A token_type_hint is not needed for this (RFC 7009 §2.1 and RFC
 * 7662 §2.1 make it an optimisation the server may ignore), so every token type is always considered.
 */
export function tokenKind(token: string): TokenKind | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined
  if (looksLikeAccessKey(token)) return 'access_key'
  if (JWS_COMPACT.test(token)) return 'jwt'
  return 'refresh_token'
}

/**
 * Makes `scope` (an encapsulated plugin) accept only application/x-www-form-urlencoded bodies (RFC 7009
 * §2.1, RFC 7662 §2.1), parsed strictly, exactly as the token endpoint does: no body type → 400, another
 * type or charset → 415, in the usual error shape.
 */
export function acceptFormOnly(scope: FastifyInstance, bodyLimit: number): void {
  scope.addHook('onRequest', requireFormBody)
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as string))
    } catch (err) {
      done(err as Error, undefined)
    }
  })
}

/** The form parameters both endpoints take, besides their own. Repeated parameters fail validation. */
export const clientCredentialProperties = {
  client_id: { type: 'string', description: 'client_secret_post / public client (RFC 6749 §2.3.1)' },
  client_secret: { type: 'string', description: 'client_secret_post (RFC 6749 §2.3.1)' },
} as const
