// Where a request carries its credential: `Authorization: Bearer` (RFC 6750 §2.1) or, for access keys,
// `X-API-Key` (as the server accepts them). One credential per request: two are a malformed request (§3.1).

/** A web `Request`, or anything with headers: a `Headers`, or Node's `IncomingHttpHeaders` record. */
export type RequestLike =
  | { headers: Headers }
  | { headers: Readonly<Record<string, string | readonly string[] | undefined>> }

export type Presented =
  | { kind: 'none' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'bearer'; token: string; via: 'authorization' | 'x-api-key' }

export function header(request: RequestLike, name: string): string | undefined {
  const { headers } = request
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name]
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : value.join(', ')
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

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
  if (/^DPoP(\s|$)/i.test(authorization))
    return { kind: 'malformed', reason: 'DPoP-bound tokens are not supported by this verifier' }
  if (!/^Bearer(\s|$)/i.test(authorization)) return { kind: 'none' }
  const match = BEARER.exec(authorization)
  if (!match) return { kind: 'malformed', reason: 'the Authorization header is not "Bearer <token>"' }
  return { kind: 'bearer', token: match[1]!, via: 'authorization' }
}
