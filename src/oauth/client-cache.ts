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
// That costs an unknown id a query a cached client does not pay, so client authentication re-reads a cached
// client it refuses (reload): every refusal costs one query, and its time does not tell which ids exist.
// Concurrent lookups of the same id share one query. The cache holds at most MAX_ENTRIES clients.
import type { Client, ClientStore } from '../store/clients.js'
import { ANY_TENANT } from '../store/tenant-scope.js'

const MAX_ENTRIES = 10_000

export interface ClientLookup {
  client: Client | undefined
  /** Whether the client came from the cache, with no query made for this lookup. */
  fromCache: boolean
}

export interface ClientCache {
  /** The client, from the cache when it was read less than CLIENT_CACHE_TTL ago. Treat it as read-only. */
  find(clientId: string): Promise<Client | undefined>
  /** As find, and whether the answer came from the cache (no query made or awaited for it). */
  lookup(clientId: string): Promise<ClientLookup>
  /** The client read from the store now (sharing a query already in flight), and cached afresh. */
  reload(clientId: string): Promise<Client | undefined>
  /** Forgets a client on this instance (after changing, rotating or deleting it here). */
  invalidate(clientId: string): void
  /** Forgets every client (clients changed elsewhere: store/change-feed.ts). */
  invalidateAll(): void
}

interface Entry {
  fetchedAt: number
  client: Promise<Client | undefined>
  /** Set once the query has answered with a client. */
  found?: Client
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
export function createClientCache(deps: {
  store: { clients: Pick<ClientStore, 'findById'> }
  ttlSeconds: number
  now: () => number
  maxEntries?: number
  /** Told of every invalidation, for what else is derived from client rows (the CORS origins, oauth/cors-origins.ts). */
  onInvalidate?: () => void
}): ClientCache {
  const ttlMs = deps.ttlSeconds * 1000
  const maxEntries = deps.maxEntries ?? MAX_ENTRIES
  const entries = new Map<string, Entry>()
  // Any tenant's: client authentication reads the client by its client_id, which is what names the tenant.
  const readClient = (clientId: string) => deps.store.clients.findById(ANY_TENANT, clientId)

  function forget(clientId: string, entry: Entry): void {
    if (entries.get(clientId) === entry) entries.delete(clientId)
  }

  /** The live entry for the id, reading it from the store when there is none (or it is CLIENT_CACHE_TTL old). */
  function entryFor(clientId: string): { entry: Entry; read: boolean } {
    const at = deps.now()
    const cached = entries.get(clientId)
    // An entry read "in the future" (the clock stepped back since) is stale too: otherwise it would be served
    // for CLIENT_CACHE_TTL plus the step.
    if (cached && at >= cached.fetchedAt && at - cached.fetchedAt < ttlMs) return { entry: cached, read: false }
    if (cached) entries.delete(clientId)
    const entry: Entry = {
      fetchedAt: at,
      client: readClient(clientId).then((client) => (client ? frozen(client) : undefined)),
    }
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
    entries.set(clientId, entry)
    // Unknown clients and failed lookups are not remembered once the lookup has answered.
    entry.client.then(
      (client) => (client === undefined ? forget(clientId, entry) : (entry.found = client)),
      () => forget(clientId, entry),
    )
    return { entry, read: true }
  }

  return {
    find(clientId) {
      if (ttlMs === 0) return readClient(clientId)
      return entryFor(clientId).entry.client
    },

    async lookup(clientId) {
      if (ttlMs === 0) return { client: await readClient(clientId), fromCache: false }
      const { entry, read } = entryFor(clientId)
      if (!read && entry.found) return { client: entry.found, fromCache: true }
      return { client: await entry.client, fromCache: false }
    },

    reload(clientId) {
      if (ttlMs === 0) return readClient(clientId)
      const current = entries.get(clientId)
      // A query still in flight is as fresh as a new one.
      if (current && !current.found) return current.client
      entries.delete(clientId)
      return entryFor(clientId).entry.client
    },

    invalidate(clientId) {
      entries.delete(clientId)
      deps.onInvalidate?.()
    },

    invalidateAll() {
      entries.clear()
      deps.onInvalidate?.()
    },
  }
}
