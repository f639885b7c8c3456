// The public keys of private_key_jwt clients (RFC 7523 §2.2, OpenID Connect Core §9; RFC 7591 §2 `jwks` and
// `jwks_uri`), as jose key resolvers, per app instance:
// - an inline JWK Set: a local resolver, made once per client row read (the client cache holds the row);
// - a jwks_uri: jose's remote resolver, which caches the set (10 minutes), fetches it again when an assertion
//   names a kid it does not hold, at most once per minute (so a stranger's made-up kids cannot make us fetch
//   on every request), and gives up after JWKS_URI_TIMEOUT. Its fetch is wrapped to read at most 64 KB (jose
//   has no size limit) and to follow no redirect: a hanging or oversized answer, or garbage, fails the
//   assertion (invalid_client), never the server.
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose'
import type { Client } from '../store/clients.js'

export const MAX_JWKS_BYTES = 64 * 1024
/** An unknown kid fetches a jwks_uri again at most this often. */
export const JWKS_REFETCH_COOLDOWN_MS = 60_000
const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000
/** jwks_uri resolvers kept at most (one per client that has one). */
const MAX_REMOTE_SETS = 1000

export interface ClientKeys {
  /** The key resolver of a private_key_jwt client; undefined when the client has no keys. */
  resolverOf(client: Pick<Client, 'clientId' | 'jwks' | 'jwksUri'>): JWTVerifyGetKey | undefined
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/** fetch, reading at most `maxBytes` of the body (the timeout's signal also ends a body that never finishes). */
export function limitedFetch(maxBytes: number): FetchImplementation {
  return async (url, options) => {
    const response = await fetch(url, options)
    const declared = Number(response.headers.get('content-length') ?? 0)
    if (declared > maxBytes) {
      await response.body?.cancel()
      throw new Error(`the JWK Set is larger than ${maxBytes} bytes`)
    }
    const chunks: Uint8Array[] = []
    let size = 0
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength
        if (size > maxBytes) throw new Error(`the JWK Set is larger than ${maxBytes} bytes`)
        chunks.push(chunk)
      }
    }
    // A status that has no body (204, 304…) cannot be given one, even empty: jose then refuses it as not 200.
    const body = NULL_BODY_STATUSES.has(response.status) ? null : Buffer.concat(chunks)
    return new Response(body, { status: response.status, headers: response.headers })
  }
}

/**
 * @example
 * const keys = createClientKeys({ timeoutMs: config.jwksUriTimeout * 1000 })
 * const getKey = keys.resolverOf(client)
 */
export function createClientKeys(options: { timeoutMs: number; maxBytes?: number }): ClientKeys {
  const local = new WeakMap<JSONWebKeySet, JWTVerifyGetKey>()
  const remote = new Map<string, { uri: string; getKey: JWTVerifyGetKey }>()
  const fetchImpl = limitedFetch(options.maxBytes ?? MAX_JWKS_BYTES)

  function remoteResolver(clientId: string, uri: string): JWTVerifyGetKey {
    const held = remote.get(clientId)
    if (held?.uri === uri) return held.getKey
    const getKey = createRemoteJWKSet(new URL(uri), {
      timeoutDuration: options.timeoutMs,
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
      [customFetch]: fetchImpl,
    })
    remote.delete(clientId)
    if (remote.size >= MAX_REMOTE_SETS) remote.delete(remote.keys().next().value!)
    remote.set(clientId, { uri, getKey })
    return getKey
  }

  return {
    resolverOf(client) {
      if (client.jwks) {
        let getKey = local.get(client.jwks)
        if (!getKey) {
          getKey = createLocalJWKSet(client.jwks)
          local.set(client.jwks, getKey)
        }
        return getKey
      }
      if (client.jwksUri) return remoteResolver(client.clientId, client.jwksUri)
      return undefined
    },
  }
}
