// The errors a caller can act on, each with a stable `code`.

export class PortcullisError extends Error {
  override readonly name: string = 'PortcullisError'
  readonly code: string
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause })
    this.code = code
  }
}

/** The authorization server refused a grant: the RFC 6749 §5.2 `error` and `error_description`. */
export class OAuthError extends PortcullisError {
  override readonly name: string = 'OAuthError'
  readonly error: string
  readonly description: string | undefined
  readonly status: number
  constructor(error: string, description: string | undefined, status: number, options: { cause?: unknown } = {}) {
    super('ERR_OAUTH', description ? `${error}: ${description}` : error, options)
    this.error = error
    this.description = description
    this.status = status
  }
}

/**
 * The sign-in is over: the refresh token was refused (expired, revoked, or its family revoked after a replay).
 * Sign the person in again.
 */
export class SignedOutError extends PortcullisError {
  override readonly name = 'SignedOutError'
  constructor(message = 'signed out: the refresh token was refused; sign in again', options: { cause?: unknown } = {}) {
    super('ERR_SIGNED_OUT', message, options)
  }
}

/** An API answered 401 even after a fresh credential. */
export class UnauthorizedError extends PortcullisError {
  override readonly name = 'UnauthorizedError'
  readonly response: Response
  readonly challenge: Challenge | undefined
  constructor(response: Response) {
    const challenge = parseChallenge(response.headers.get('www-authenticate'))
    super('ERR_UNAUTHORIZED', challenge?.errorDescription ?? `${response.url || 'the API'} answered 401`)
    this.response = response
    this.challenge = challenge
  }
}

/** An API answered 403; `scope` is the scope it asked for (RFC 6750 §3 `insufficient_scope`), when it said. */
export class ForbiddenError extends PortcullisError {
  override readonly name = 'ForbiddenError'
  readonly response: Response
  readonly scope: string | undefined
  constructor(response: Response) {
    const challenge = parseChallenge(response.headers.get('www-authenticate'))
    super(
      'ERR_FORBIDDEN',
      challenge?.scope
        ? `this request needs the scope ${challenge.scope}`
        : `${response.url || 'the API'} answered 403`,
    )
    this.response = response
    this.scope = challenge?.scope
  }
}

/** An API answered 429; `retryAfter` is in seconds (from `Retry-After`), when it said. */
export class RateLimitedError extends PortcullisError {
  override readonly name = 'RateLimitedError'
  readonly response: Response
  readonly retryAfter: number | undefined
  constructor(response: Response, now = Date.now()) {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now)
    super('ERR_RATE_LIMITED', `rate limited${retryAfter === undefined ? '' : `: retry after ${retryAfter} s`}`)
    this.response = response
    this.retryAfter = retryAfter
  }
}

/** A setting is missing or wrong (fromEnv, a strategy's options). */
export class ConfigurationError extends PortcullisError {
  override readonly name = 'ConfigurationError'
  constructor(message: string) {
    super('ERR_CONFIGURATION', message)
  }
}

export interface Challenge {
  scheme: string
  error?: string
  errorDescription?: string
  scope?: string
}

/** The first challenge of a `WWW-Authenticate` header (RFC 7235 §4.1, auth-params as quoted strings or tokens). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined
  const scheme = /^\s*([!#$%&'*+\-.^_`|~\w]+)/.exec(header)
  if (!scheme) return undefined
  const params: Record<string, string> = {}
  const param = /([!#$%&'*+\-.^_`|~\w]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g
  const rest = header.slice(scheme[0].length)
  for (let match = param.exec(rest); match; match = param.exec(rest)) {
    const name = match[1]!.toLowerCase()
    if (!(name in params)) params[name] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!
  }
  return {
    scheme: scheme[1]!,
    ...(params.error === undefined ? {} : { error: params.error }),
    ...(params.error_description === undefined ? {} : { errorDescription: params.error_description }),
    ...(params.scope === undefined ? {} : { scope: params.scope }),
  }
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined
  if (/^\s*\d+\s*$/.test(value)) return Number(value)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000))
}
