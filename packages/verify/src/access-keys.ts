// Access keys (`pcl_…`) are opaque: only the server knows whether one is valid, so they are checked through its
// introspection endpoint (RFC 7662), and the answer is cached for a bounded time (5 s by default, the server's own
// ACCESS_KEY_CACHE_TTL), so a revoked key stops working within that bound, and a busy API asks once per key per bound.
import { introspectionUnavailable } from './errors.js'

export const ACCESS_KEY = /^pcl_[0-9A-Za-z]+_[0-9A-Za-z]+$/

/** How the verifier authenticates to the introspection endpoint. */
export type IntrospectionCredentials =
  | { clientId: string; clientSecret: string }
  /** An access key (or token) holding the `introspect` scope, sent as a Bearer token. */
  | { accessKey: string }

/** The RFC 7662 §2.2 answer, the members we read. */
export interface IntrospectionAnswer {
  active: boolean
  scope?: string
  client_id?: string
  username?: string
  token_type?: string
  exp?: number
  iat?: number
  sub?: string
  iss?: string
  jti?: string
  [claim: string]: unknown
}

const MAX_ENTRIES = 10_000

async function digest(value: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)))
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/**
 * Introspects access keys, at most once per key per `ttlMs` (concurrent requests for one key share one call).
 * Keys are cached under their SHA-256, never as themselves.
 */
export function createAccessKeyIntrospector(options: {
  endpoint: () => Promise<string>
  credentials: IntrospectionCredentials
  ttlMs: number
  fetch: typeof fetch
  now: () => number
}) {
  const cache = new Map<string, { expires: number; answer: Promise<IntrospectionAnswer> }>()

  async function ask(key: string): Promise<IntrospectionAnswer> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    }
    const { credentials } = options
    if ('accessKey' in credentials) headers.authorization = `Bearer ${credentials.accessKey}`
    else {
      // RFC 6749 §2.3.1: each part form-urlencoded before the base64.
      const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
      headers.authorization = `Basic ${btoa(`${encode(credentials.clientId)}:${encode(credentials.clientSecret)}`)}`
    }
    const endpoint = await options.endpoint()
    let response: Response
    try {
      response = await options.fetch(endpoint, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ token: key, token_type_hint: 'access_key' }).toString(),
        signal: AbortSignal.timeout(5000),
      })
    } catch (error) {
      throw introspectionUnavailable(error)
    }
    // Unreachable or 5xx: an outage (503); any other refusal is this verifier's credentials (a plain Error).
    if (response.status >= 500)
      throw introspectionUnavailable(new Error(`the introspection endpoint answered ${response.status}`))
    if (!response.ok) throw new Error(`the introspection endpoint answered ${response.status}`)
    return (await response.json()) as IntrospectionAnswer
  }

  return async function introspect(key: string): Promise<IntrospectionAnswer> {
    const id = await digest(key)
    const now = options.now()
    const cached = cache.get(id)
    if (cached && cached.expires > now) return cached.answer
    if (cached) cache.delete(id)
    const answer = ask(key)
    if (options.ttlMs > 0) {
      if (cache.size >= MAX_ENTRIES) {
        for (const [entry, value] of cache) if (value.expires <= now) cache.delete(entry)
        // Still full: drop the oldest (a Map iterates in insertion order).
        if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!)
      }
      cache.set(id, { expires: now + options.ttlMs, answer })
      // A failed call is not an answer: the next request asks again.
      answer.catch(() => cache.get(id)?.answer === answer && cache.delete(id))
    }
    return answer
  }
}
