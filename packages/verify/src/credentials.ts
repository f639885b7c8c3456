// Where a request carries its credential: `Authorization: Bearer` (RFC 6750 §2.1) or, for access keys,
// `X-API-Key` (as the server accepts them). One credential per request: two are a malformed request (§3.1).

/** A web `Request`, or anything with headers: a `Headers`, or Node's `IncomingHttpHeaders` record. */
export type RequestLike = (
  | { headers: Headers }
  | { headers: Readonly<Record<string, string | readonly string[] | undefined>> }
) & {
  /** For DPoP proofs: the method, and the URL (absolute, or a path resolved against the Host header). */
  method?: string | undefined
  url?: string | undefined
}

export type Presented =
  | { kind: 'none' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'bearer'; token: string; via: 'authorization' | 'x-api-key' }
  | { kind: 'dpop'; token: string; proof: string | undefined }

export function header(request: RequestLike, name: string): string | undefined {
  const { headers } = request
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name]
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : value.join(', ')
}

export function presentedCredential(request: RequestLike): Presented {
  const authorization = header(request, 'authorization')
  const apiKey = header(request, 'x-api-key')?.trim()
  if (authorization !== undefined && apiKey !== undefined && apiKey !== '')
    return {
      kind: 'malformed',
      reason: 'send one credential: an Authorization header or an X-API-Key header, not both',
    }
  if (apiKey !== undefined && apiKey !== '') return { kind: 'bearer', token: apiKey, via: 'x-api-key' }
  if (authorization === undefined || authorization.trim() === '') return { kind: 'none' }
  const dpop = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization)
  if (dpop) {
    // RFC 9449 §4.3: exactly one proof.
    const proof = header(request, 'dpop')
    return { kind: 'dpop', token: dpop[1]!, proof: proof?.includes(',') ? undefined : proof }
  }
  // The hot path: no regular expression over the whole token (the token's own syntax is checked when it is not
  // a remembered one: verifier.ts).
  if (authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    const token = authorization.slice(7).trim()
    if (token !== '') return { kind: 'bearer', token, via: 'authorization' }
  }
  if (!/^Bearer(\s|$)/i.test(authorization)) return { kind: 'none' }
  return { kind: 'malformed', reason: 'the Authorization header is not "Bearer <token>"' }
}

/** The request's method and absolute URL, for a DPoP proof's `htm` and `htu`. */
export function requestTarget(request: RequestLike, origin: string | undefined): { method: string; url: string } {
  const url = request.url ?? '/'
  const base = origin ?? `http://${header(request, 'host') ?? 'localhost'}`
  return { method: (request.method ?? 'GET').toUpperCase(), url: URL.canParse(url) ? url : new URL(url, base).href }
}
