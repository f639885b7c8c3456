// Client rows for client authentication, cached per app instance for CLIENT_CACHE_TTL seconds (default 5),
// so that the token, introspection and revocation endpoints do not query the database for the client on
// every request (a query costs far more than the rest of a client_credentials request but the signature).
//
// The bound: a client deleted, updated or whose secret is rotated through the admin API of this instance
// takes effect here at once; through another instance or the CLI, within CLIENT_CACHE_TTL seconds.
// CLIENT_CACHE_TTL=0 disables the cache.
//
// Only clients that exist are remembered: an unknown client_id is looked up again on every request (as
// before), so a client created elsewhere works at once, and a flood of made-up ids cannot fill the memory.
// Concurrent lookups of the same id share one query. The cache holds at most MAX_ENTRIES clients.
import type { Client, ClientStore } from '../store/clients.js'

const MAX_ENTRIES = 10_000

export interface ClientCache {
  /** The client, from the cache when it was read less than CLIENT_CACHE_TTL ago. Treat it as read-only. */
  find(clientId: string): Promise<Client | undefined>
  /** Forgets a client on this instance (after changing, rotating or deleting it here). */
  invalidate(clientId: string): void
  /** Forgets every client (clients changed elsewhere: store/change-feed.ts). */
  invalidateAll(): void
}

interface Entry {
  fetchedAt: number
  client: Promise<Client | undefined>
}

function frozen(client: Client): Client {
  Object.freeze(client.grantTypes)
  Object.freeze(client.scopes)
  Object.freeze(client.audiences)
  return Object.freeze(client)
}

/**
 * One cache per app instance (created in buildApp), never a module singleton.
 *
 * @example
 * const clients = createClientCache({ store, ttlSeconds: config.clientCacheTtl, now: Date.now })
 * const client = await clients.find('my-client')
 */
export function createClientCache(deps: { store: { clients: Pick<ClientStore, 'findById'> }; ttlSeconds: number; now: () => number; maxEntries?: number }): ClientCache {
  const ttlMs = deps.ttlSeconds * 1000
  const maxEntries = deps.maxEntries ?? MAX_ENTRIES
  const entries = new Map<string, Entry>()

  function forget(clientId: string, entry: Entry): void {
    if (entries.get(clientId) === entry) entries.delete(clientId)
  }

  return {
    find(clientId) {
      if (ttlMs === 0) return deps.store.clients.findById(clientId)
      const at = deps.now()
      const cached = entries.get(clientId)
      if (cached && at - cached.fetchedAt < ttlMs) return cached.client
      if (cached) entries.delete(clientId)
      const entry: Entry = { fetchedAt: at, client: deps.store.clients.findById(clientId).then((client) => (client ? frozen(client) : undefined)) }
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
      entries.set(clientId, entry)
      // Unknown clients and failed lookups are not remembered once the lookup has answered.
      entry.client.then(
        (client) => client === undefined && forget(clientId, entry),
        () => forget(clientId, entry),
      )
      return entry.client
    },

    invalidate(clientId) {
      entries.delete(clientId)
    },

    invalidateAll() {
      entries.clear()
    },
  }
}
