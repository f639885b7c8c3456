// A fetch that sends the strategy's credential (and the context headers), retries once after a 401 with a new
// credential, and turns the answers a caller must act on into typed errors.
import { ForbiddenError, RateLimitedError, UnauthorizedError } from './errors.js'
import type { AuthStrategy } from './strategy.js'

export interface FetchOptions {
  /** Sent as `X-Tenant-Id`. */
  tenantId?: string
  /** Sent as `X-Workspace-Id`. */
  workspaceId?: string
  /** Resolves relative URLs. */
  baseUrl?: string
  /** Throw UnauthorizedError, ForbiddenError and RateLimitedError for 401, 403 and 429 (default true). */
  throwOnAuthErrors?: boolean
  /** Replaces the global fetch. */
  fetch?: typeof fetch
}

/**
 * @example
 * const api = createFetch(clientCredentials({ issuer, clientId, clientSecret }), { baseUrl: 'https://api.example.com' })
 * const objects = await (await api('/objects')).json()
 */
export function createFetch(
  strategy: AuthStrategy,
  options: FetchOptions = {},
): (input: Request | string | URL, init?: RequestInit) => Promise<Response> {
  const fetchImpl = options.fetch ?? ((input: Request | string | URL, init?: RequestInit) => fetch(input, init))
  const context: Record<string, string> = {
    ...(options.tenantId === undefined ? {} : { 'x-tenant-id': options.tenantId }),
    ...(options.workspaceId === undefined ? {} : { 'x-workspace-id': options.workspaceId }),
  }
  return async (input, init) => {
    const url = typeof input === 'string' && options.baseUrl ? new URL(input, options.baseUrl) : input
    // A Request is read once: keep the original to clone for the retry.
    const original = new Request(url, init)
    const send = async () => {
      const target = { method: original.method, url: original.url }
      const credential = await strategy.headers(target)
      const request = original.clone()
      for (const [name, value] of Object.entries({ ...context, ...credential })) request.headers.set(name, value)
      const response = await fetchImpl(request)
      await strategy.answered?.(response, target)
      return { credential, response }
    }
    let { credential, response } = await send()
    if (response.status === 401 && strategy.unauthorized && (await strategy.unauthorized(credential, response))) {
      ;({ response } = await send())
    }
    if (options.throwOnAuthErrors === false) return response
    if (response.status === 401) throw new UnauthorizedError(response)
    if (response.status === 403) throw new ForbiddenError(response)
    if (response.status === 429) throw new RateLimitedError(response)
    return response
  }
}
