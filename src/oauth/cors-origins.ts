// The browser origins allowed to call the CORS endpoints (routes/cors.ts): CORS_ORIGINS, and every origin a
// registered client lists in allowed_origins. The clients' origins are read as one set and kept like the client
// cache (oauth/client-cache.ts): for CLIENT_CACHE_TTL seconds, and dropped at once when this instance changes a
// client or the change feed reports a change made elsewhere (services.ts), so a client registered for a new
// origin is honoured without a restart. A request whose Origin is not in the set gets no CORS headers.
import type { ClientStore } from '../store/clients.js'
import { ANY_TENANT } from '../store/tenant-scope.js'

export interface CorsOrigins {
  /** Whether a page of `origin` may read the answers of the CORS endpoints. */
  allows(origin: string): Promise<boolean>
  /** Reads the clients' origins again at the next request (clients changed). */
  invalidate(): void
}

/**
 * One per app (services.ts), never a module singleton.
 *
 * @example
 * const origins = createCorsOrigins({ store, configured: config.corsOrigins, ttlSeconds: config.clientCacheTtl, now })
 * if (await origins.allows(request.headers.origin)) …
 */
export function createCorsOrigins(deps: {
  store: { clients: Pick<ClientStore, 'listAllowedOrigins'> }
  configured: readonly string[]
  ttlSeconds: number
  now: () => number
}): CorsOrigins {
  const configured = new Set(deps.configured)
  const ttlMs = deps.ttlSeconds * 1000
  let registered = new Set<string>()
  let readAt = -Infinity
  let reading: Promise<Set<string>> | undefined
  // Bumped by invalidate(): a read that began before the change is used, but not taken as fresh.
  let generation = 0
  let everRead = false

  function read(): Promise<Set<string>> {
    if (reading) return reading
    const started = deps.now()
    const startedIn = generation
    reading = deps.store.clients
      // Every tenant's: CORS is answered before any client is authenticated, for the origins any client allows.
      .listAllowedOrigins(ANY_TENANT)
      .then((origins) => {
        registered = new Set(origins)
        readAt = startedIn === generation ? started : -Infinity
        everRead = true
        return registered
      })
      // The database unavailable: the origins last read still hold (the JWKS and discovery need no database).
      .catch((err: unknown) => {
        if (everRead) return registered
        throw err
      })
      .finally(() => {
        reading = undefined
      })
    return reading
  }

  return {
    async allows(origin) {
      if (configured.has(origin)) return true
      const origins = deps.now() - readAt < ttlMs ? registered : await read()
      return origins.has(origin)
    },
    invalidate() {
      generation++
      readAt = -Infinity
    },
  }
}
