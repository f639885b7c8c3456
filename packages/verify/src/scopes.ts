// Scope checks (RFC 6749 §3.3: a space-separated list; RFC 9068 §2.2.3: the `scope` claim).

/** What a route needs: every scope of `all`, and at least one of `any` when given. */
export interface ScopeRequirement {
  all?: readonly string[]
  any?: readonly string[]
}

export const parseScope = (scope: unknown): string[] =>
  typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : []

/** The scopes missing from `granted` for `required`, to name in the 403 (undefined when satisfied). */
export function missingScopes(granted: readonly string[], required: ScopeRequirement): string[] | undefined {
  const all = required.all ?? []
  const missing = all.filter((scope) => !granted.includes(scope))
  if (missing.length > 0) return all as string[]
  const any = required.any ?? []
  if (any.length > 0 && !any.some((scope) => granted.includes(scope))) return any as string[]
  return undefined
}

/**
 * A requirement that every scope named is held.
 *
 * @example
 * app.get('/objects', { preHandler: verifier.fastify(requireScopes('read:objects')) }, handler)
 */
export const requireScopes = (...scopes: string[]): ScopeRequirement => ({ all: scopes })

/** A requirement that at least one of the scopes named is held. */
export const requireAnyScope = (...scopes: string[]): ScopeRequirement => ({ any: scopes })
