// U+0000 in any value a route receives (path parameters, query string, JSON body) is refused with 400. PostgreSQL
// cannot hold it in text (it fails the query: "invalid byte sequence for encoding UTF8: 0x00"), so a NUL that
// reached the store was a 500 there and a stored value on SQLite; no identifier, name or URL of ours needs one.
// Form bodies are refused earlier, with every other control character (oauth/form-body.ts), so the check is
// attached (by checkNulCharacters, an onRoute hook) only to the routes that take another kind of input.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify'
import { invalidRequest } from '../errors.js'

/** Whether a string anywhere in `value` (keys included) holds U+0000; iterative, so deep JSON costs no stack. */
export function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const item = pending.pop()
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true
    } else if (typeof item === 'object' && item !== null) {
      for (const key of Object.keys(item)) {
        if (key.includes('\u0000')) return true
        pending.push((item as Record<string, unknown>)[key])
      }
    }
  }
  return false
}

/** A preValidation hook: after authentication (onRequest), before schema validation. */
export function rejectNulCharacters(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  // It runs for every request to those routes, so the common case costs two checks: a NUL in a path parameter
  // or a query value can only come from `%00` in the URL (the HTTP parser refuses a raw one), and a GET has no body.
  const inUrl = request.url.includes('%00') && (containsNul(request.params) || containsNul(request.query))
  if (inUrl || (request.body !== undefined && containsNul(request.body)))
    done(invalidRequest('the request contains a NUL character (U+0000), which no value may hold'))
  else done()
}

/**
 * An onRoute hook (added in buildApp before the routes): gives rejectNulCharacters to every route that takes a
 * path parameter, a query string or a body, except the OAuth endpoints, whose strict form parser refuses NUL
 * (and every other control character) itself. A route without input, like the JWKS, pays nothing.
 */
/** The media type of the OAuth endpoints' strict form parser (oauth/form-body.ts), which marks its routes' schemas. */
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded'

export function checkNulCharacters(route: RouteOptions): void {
  const schema = route.schema as
    | { body?: unknown; querystring?: unknown; params?: unknown; consumes?: readonly string[] }
    | undefined
  const formOnly = schema?.consumes?.length === 1 && schema.consumes[0] === FORM_CONTENT_TYPE
  const methods = Array.isArray(route.method) ? route.method : [route.method]
  const takesInput =
    /[:*]/.test(route.url) ||
    schema?.querystring !== undefined ||
    schema?.params !== undefined ||
    methods.some((method) => method !== 'GET' && method !== 'HEAD')
  if (formOnly || !takesInput) return
  const own =
    route.preValidation === undefined
      ? []
      : Array.isArray(route.preValidation)
        ? route.preValidation
        : [route.preValidation]
  route.preValidation = [rejectNulCharacters, ...own]
}
