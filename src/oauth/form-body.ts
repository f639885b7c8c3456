// A strict application/x-www-form-urlencoded parser for the OAuth endpoints (RFC 6749 §3.2, Appendix B).
// The general-purpose parser keeps malformed percent-escapes as literal text; an authorization server must
// refuse them instead, so that "%zz" can never be mistaken for a credential. Repeated keys become arrays:
// readParameters() turns them into invalid_request. The OAuth endpoints take this body type and no other:
// requireFormBody() is the one guard, acceptFormOnly() the one way a route scope gets the strict parser.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { invalidRequest } from '../errors.js'
import { NO_STORE_HEADERS } from './token-response.js'

/** The one body type of the OAuth endpoints; a route schema's `consumes: [FORM_CONTENT_TYPE]` marks them. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded'

export type FormBody = Record<string, string | string[]>

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

/**
 * Decodes one application/x-www-form-urlencoded component (`+` is a space); `malformed` makes the error for
 * bad percent-encoding. The common case, neither `%` nor `+`, is returned as it is.
 */
export function formDecode(value: string, malformed: () => Error): string {
  if (!value.includes('%')) return value.includes('+') ? value.replace(/\+/g, ' ') : value
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    throw malformed()
  }
}

const malformedBody = () => invalidRequest('the form body has malformed percent-encoding or is not UTF-8')
const decodeComponent = (value: string) => formDecode(value, malformedBody)

/**
 * Parses a form body strictly: malformed percent-encoding, invalid UTF-8 and control characters are refused.
 *
 * @example
 * parseFormBody('grant_type=client_credentials&scope=read+write') // { grant_type: 'client_credentials', scope: 'read write' }
 */
export function parseFormBody(text: string): FormBody {
  const body: FormBody = Object.create(null) as FormBody
  // Control characters sent as they are show in the whole text; escaped ones only after decoding (below).
  if (CONTROL_CHARACTERS.test(text)) throw invalidRequest('the form body contains control characters')
  const escaped = text.includes('%')
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const separator = pair.indexOf('=')
    const key = decodeComponent(separator === -1 ? pair : pair.slice(0, separator))
    const value = separator === -1 ? '' : decodeComponent(pair.slice(separator + 1))
    if (escaped && (CONTROL_CHARACTERS.test(key) || CONTROL_CHARACTERS.test(value)))
      throw invalidRequest('the form body contains control characters')
    const previous = body[key]
    body[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]
  }
  return body
}

/**
 * The parameters of an OAuth request as single strings (RFC 6749 §3.2): a repeated parameter is
 * invalid_request, and a parameter sent without a value is treated as omitted.
 */
export function readParameters(body: unknown): Record<string, string> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object') throw invalidRequest('the request body must be application/x-www-form-urlencoded')
  const params: Record<string, string> = Object.create(null) as Record<string, string>
  const fields = body as Record<string, unknown>
  for (const key of Object.keys(fields)) {
    const value = fields[key]
    if (Array.isArray(value)) throw invalidRequest(`parameter ${JSON.stringify(key.slice(0, 64))} is repeated`)
    if (typeof value !== 'string')
      throw invalidRequest(`parameter ${JSON.stringify(key.slice(0, 64))} must be a string`)
    if (value !== '') params[key] = value
  }
  return params
}

/**
 * An onRequest hook: a form body only (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1), checked before the body
 * is read. Missing → 400; another type or a charset other than UTF-8 → 415. Every answer is no-store.
 */
export function requireFormBody(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
  // RFC 6749 §5.1: never cached, errors included; set first so that every answer carries it.
  reply.headers(NO_STORE_HEADERS)
  // Synchronous, like the other per-request hooks here: it does no I/O, and an async hook costs a promise.
  const header = request.headers['content-type']
  if (header === FORM_CONTENT_TYPE) {
    done()
    return
  }
  if (header === undefined || header.trim() === '') {
    done(invalidRequest(`the request body must be ${FORM_CONTENT_TYPE}`))
    return
  }
  const [type, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase())
  const charset = parameters
    .find((parameter) => parameter.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '')
  if (type !== FORM_CONTENT_TYPE || (charset !== undefined && charset !== 'utf-8')) {
    done(invalidRequest(`the request body must be ${FORM_CONTENT_TYPE} (UTF-8)`, 415))
    return
  }
  done()
}

/** Makes `scope` (an encapsulated plugin) parse form bodies strictly (parseFormBody) and no other body type. */
export function parseFormBodiesOnly(scope: FastifyInstance, bodyLimit: number): void {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as string))
    } catch (err) {
      done(err as Error, undefined)
    }
  })
}

/**
 * Makes every route of `scope` accept only form bodies, parsed strictly: requireFormBody before anything
 * else, then parseFormBodiesOnly. (The token endpoint places requireFormBody after its own onRequest hooks.)
 */
export function acceptFormOnly(scope: FastifyInstance, bodyLimit: number): void {
  scope.addHook('onRequest', requireFormBody)
  parseFormBodiesOnly(scope, bodyLimit)
}
