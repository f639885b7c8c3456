// RFC 6750 §3: the answer a resource server gives when a request's credential is missing, invalid or lacks scope.

/** The RFC 6750 §3.1 error codes; undefined when the request carried no credential at all (§3.1, last paragraph). */
export type VerificationErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof'

const quote = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`

/** The `WWW-Authenticate` challenge of RFC 6750 §3, in the order the RFC's examples use. */
export function bearerChallenge(attributes: {
  realm?: string | undefined
  error?: VerificationErrorCode | undefined
  description?: string | undefined
  scope?: string | undefined
  /** `DPoP` (RFC 9449 §7.1) with the proof algorithms accepted; `Bearer` by default. */
  dpopAlgorithms?: readonly string[] | undefined
}): string {
  const parts: string[] = []
  if (attributes.realm !== undefined) parts.push(`realm=${quote(attributes.realm)}`)
  if (attributes.dpopAlgorithms !== undefined) parts.push(`algs=${quote(attributes.dpopAlgorithms.join(' '))}`)
  if (attributes.error !== undefined) parts.push(`error=${quote(attributes.error)}`)
  if (attributes.description !== undefined) parts.push(`error_description=${quote(attributes.description)}`)
  if (attributes.scope !== undefined) parts.push(`scope=${quote(attributes.scope)}`)
  const scheme = attributes.dpopAlgorithms === undefined ? 'Bearer' : 'DPoP'
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`
}

/**
 * Why a request is refused: `status` (400, 401 or 403) and the `wwwAuthenticate` header to answer with.
 *
 * @example
 * try { request.auth = await verifier.verify(request) }
 * catch (error) {
 *   if (error instanceof VerificationError) return reply.code(error.status).header('www-authenticate', error.wwwAuthenticate).send(error.body())
 *   throw error
 * }
 */
export class VerificationError extends Error {
  override readonly name = 'VerificationError'
  readonly status: 400 | 401 | 403
  /** undefined when no credential was presented: the answer is then a bare challenge. */
  readonly code: VerificationErrorCode | undefined
  readonly wwwAuthenticate: string
  /** For insufficient_scope: the scopes the request needed. */
  readonly scope: string | undefined

  constructor(
    status: 400 | 401 | 403,
    code: VerificationErrorCode | undefined,
    description: string,
    options: {
      realm?: string | undefined
      scope?: string | undefined
      cause?: unknown
      dpopAlgorithms?: readonly string[] | undefined
    } = {},
  ) {
    super(description, options.cause === undefined ? {} : { cause: options.cause })
    this.status = status
    this.code = code
    this.scope = options.scope
    this.wwwAuthenticate = bearerChallenge({
      realm: options.realm,
      error: code,
      description: code === undefined ? undefined : description,
      scope: options.scope,
      dpopAlgorithms: options.dpopAlgorithms,
    })
  }

  /** A JSON body for the answer, in the RFC 6749 §5.2 shape the server uses. */
  body(): { error: string; error_description: string } {
    return { error: this.code ?? 'unauthorized', error_description: this.message }
  }
}

export const noCredential = (realm: string | undefined) =>
  new VerificationError(401, undefined, 'an access token or access key is required', { realm })

export const invalidRequest = (description: string, realm: string | undefined) =>
  new VerificationError(400, 'invalid_request', description, { realm })

export const invalidToken = (description: string, realm: string | undefined, cause?: unknown) =>
  new VerificationError(401, 'invalid_token', description, { realm, cause })

export const insufficientScope = (scopes: readonly string[], realm: string | undefined) =>
  new VerificationError(403, 'insufficient_scope', `this request needs the scope ${scopes.join(' ')}`, {
    realm,
    scope: scopes.join(' '),
  })

/** RFC 9449 §7.1: a DPoP request refused, with the DPoP challenge naming the proof algorithms accepted. */
export const dpopRefusal = (
  code: 'invalid_token' | 'invalid_dpop_proof',
  description: string,
  realm: string | undefined,
  algorithms: readonly string[],
  cause?: unknown,
) => new VerificationError(401, code, description, { realm, dpopAlgorithms: algorithms, cause })

/** Seconds a client is told to wait after a 503 (the key set is fetched again on the next request after a failure). */
export const RETRY_AFTER_SECONDS = 5

/**
 * The credential could not be checked because the authorization server could not be reached: its key set (JWKS),
 * its discovery document or its introspection endpoint failed or timed out. Not the caller's fault, and no verdict
 * on the token: the answer is 503 with `Retry-After`, and the same request may succeed later. The failure itself is
 * the `cause` (for the log; the body does not describe it).
 *
 * @example
 * catch (error) {
 *   if (error instanceof UnavailableError) return reply.code(503).header('retry-after', String(error.retryAfter)).send(error.body())
 * }
 */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError'
  readonly status = 503 as const
  /** Seconds, for the `Retry-After` header. */
  readonly retryAfter = RETRY_AFTER_SECONDS

  constructor(description: string, cause: unknown) {
    super(description, { cause })
  }

  /** `temporarily_unavailable` (RFC 6749 §4.1.2.1's code for a server that cannot answer now) and why. */
  body(): { error: string; error_description: string } {
    return { error: 'temporarily_unavailable', error_description: this.message }
  }
}

export const keySetUnavailable = (cause: unknown) =>
  new UnavailableError(
    "the token cannot be verified now: the authorization server's signing keys (JWKS) could not be fetched",
    cause,
  )

export const introspectionUnavailable = (cause: unknown) =>
  new UnavailableError(
    "the access key cannot be verified now: the authorization server's introspection endpoint could not be reached",
    cause,
  )

/** What an adapter answers for a refused or unverifiable request: status, headers and a JSON body. */
export function answerFor(error: VerificationError | UnavailableError): {
  status: number
  headers: Record<string, string>
  body: string
} {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  }
  if (error instanceof VerificationError) headers['www-authenticate'] = error.wwwAuthenticate
  else headers['retry-after'] = String(error.retryAfter)
  return { status: error.status, headers, body: JSON.stringify(error.body()) }
}
