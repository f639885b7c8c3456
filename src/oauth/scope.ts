// Scope (RFC 6749 §3.3): a space-separated list of case-sensitive tokens of printable ASCII except
// space, double quote and backslash. The granted scope is the requested one, which must lie within what
// the grant allows; with no `scope` parameter, everything the grant allows.
import { invalidScope } from '../errors.js'

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * Parses a `scope` parameter; undefined when it was not sent. Malformed → invalid_scope.
 *
 * @example
 * parseScope('read  write read') // ['read', 'write']
 */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  const tokens = value.split(' ').filter(Boolean)
  if (tokens.length === 0) return undefined
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token))
      throw invalidScope(`scope ${JSON.stringify(token.slice(0, 64))} is malformed (RFC 6749 §3.3)`)
  }
  return [...new Set(tokens)]
}

/** The scope every one of `lists` allows: the intersection, in the order of the first. */
export function intersectScopes(first: readonly string[], ...others: readonly (readonly string[])[]): string[] {
  return first.filter((scope) => others.every((list) => list.includes(scope)))
}

/**
 * The scope to grant: `requested` when it lies within `allowed`, everything allowed when nothing was requested.
 * `what` names the limit in the error (e.g. "this client and user").
 *
 * @example
 * grantScope(['read'], ['read', 'write'], 'this client') // ['read']
 */
export function grantScope(
  requested: readonly string[] | undefined,
  allowed: readonly string[],
  what: string,
): string[] {
  if (requested === undefined) return [...allowed]
  const refused = requested.filter((scope) => !allowed.includes(scope))
  if (refused.length > 0)
    throw invalidScope(
      `${what} may not have the scope ${refused
        .slice(0, 5)
        .map((scope) => JSON.stringify(scope))
        .join(', ')}${refused.length > 5 ? ', …' : ''}`,
    )
  return [...requested]
}

/**
 * The OpenID Connect scopes (Core §3.1.2.1, §5.4): they ask who the user is, not for authority, so every user
 * holds them; a client still has to be registered for them. Used where a grant limits scope to the user's.
 */
export const IDENTITY_SCOPES: readonly string[] = ['openid', 'profile', 'email']

/** A user's scopes with the identity scopes, which every user holds. */
export const withIdentityScopes = (userScopes: readonly string[]): string[] => [...userScopes, ...IDENTITY_SCOPES]

export const formatScope = (scope: readonly string[]): string => scope.join(' ')
