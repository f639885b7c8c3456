// Every error the service answers with, in one shape: {"error", "error_description"} (RFC 6749 §5.2),
// plus `details` for per-field validation failures on the admin API. Handlers only throw; the error
// handler in http/error-handler.ts renders.

export interface ErrorDetail {
  field: string
  message: string
}

/**
 * RFC 6749 §5.2: error_description is printable ASCII without `"` and `\` (%x20-21 / %x23-5B / %x5D-7E).
 * Descriptions quote the offending value for people; this keeps them within what strict clients accept.
 */
export function rfcDescription(text: string): string {
  return text
    .replace(/"/g, "'")
    .replace(/\\/g, '')
    .replace(/§/g, 'section ')
    .replace(/[^\x20-\x7e]/g, '?')
}

/**
 * Every `error` value the service answers with: RFC 6749 §5.2 (invalid_request … unsupported_grant_type),
 * RFC 8707 §2 (invalid_target), RFC 6750 §3.1 (invalid_token, insufficient_scope), RFC 6749 §4.1.2.1
 * (temporarily_unavailable), and the same shape outside OAuth (too_many_requests, not_found, conflict,
 * service_unavailable, server_error).
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'too_many_requests'
  | 'not_found'
  | 'conflict'
  | 'temporarily_unavailable'
  | 'service_unavailable'
  | 'server_error'
  // The authorization endpoint's (RFC 6749 §4.1.2.1; OpenID Connect Core §3.1.2.6), sent to the redirect URI.
  | 'unsupported_response_type'
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  // RFC 9449 §12.2: a DPoP proof that is missing where required or fails a check of §4.3; the nonce to use (§8, §9).
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'

export class OAuthError extends Error {
  override name = 'OAuthError'
  readonly description: string
  constructor(
    /** The error code, e.g. `invalid_grant`. */
    readonly error: ErrorCode,
    description: string,
    readonly statusCode = 400,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly details?: readonly ErrorDetail[],
  ) {
    super(description)
    this.description = rfcDescription(description)
  }

  toJSON(): { error: ErrorCode; error_description: string; details?: readonly ErrorDetail[] } {
    return {
      error: this.error,
      error_description: this.description,
      ...(this.details ? { details: this.details } : {}),
    }
  }
}

const quoted = (value: string) => value.replace(/["\\]/g, '')

// RFC 6749 §5.2; also the status of a request refused before it is read (413, 415, 431, …).
export const invalidRequest = (description: string, statusCode = 400) =>
  new OAuthError('invalid_request', description, statusCode)
/** 401; `WWW-Authenticate: Basic` when the client tried HTTP Basic (RFC 6749 §5.2). */
export const invalidClient = (description: string, basic = false) =>
  new OAuthError(
    'invalid_client',
    description,
    401,
    basic ? { 'www-authenticate': 'Basic realm="portcullis", charset="UTF-8"' } : {},
  )
export const invalidGrant = (description: string) => new OAuthError('invalid_grant', description)
export const unauthorizedClient = (description: string) => new OAuthError('unauthorized_client', description)
export const unsupportedGrantType = (description: string) => new OAuthError('unsupported_grant_type', description)
export const invalidScope = (description: string) => new OAuthError('invalid_scope', description)
// RFC 8707 §2 / RFC 8693 §2.2.2
export const invalidTarget = (description: string) => new OAuthError('invalid_target', description)
// RFC 6750 §3.1
export const invalidToken = (description: string) =>
  new OAuthError('invalid_token', description, 401, {
    'www-authenticate': `Bearer realm="portcullis", error="invalid_token", error_description="${quoted(description)}"`,
  })
/** 401 without a credential; with `dpopAlgs`, the DPoP challenge too (RFC 9449 §7.1: both schemes are accepted). */
export const missingToken = (dpopAlgs?: readonly string[]) =>
  new OAuthError('invalid_token', 'authentication is required', 401, {
    'www-authenticate': dpopAlgs
      ? `Bearer realm="portcullis", ${dpopChallenge(dpopAlgs)}`
      : 'Bearer realm="portcullis"',
  })
export const insufficientScope = (scope: string) =>
  new OAuthError('insufficient_scope', `this request needs the scope "${scope}"`, 403, {
    'www-authenticate': `Bearer realm="portcullis", error="insufficient_scope", scope="${quoted(scope)}"`,
  })
/** A context header (X-Tenant-Id, X-Workspace-Id) that the credential does not match: refused, never a switch. */
export const contextMismatch = (description: string) =>
  new OAuthError('insufficient_scope', description, 403, {
    'www-authenticate': `Bearer realm="portcullis", error="insufficient_scope", error_description="${quoted(description)}"`,
  })
export const tooManyRequests = (description: string, retryAfterSeconds: number) =>
  new OAuthError('too_many_requests', description, 429, {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  })
// Outside OAuth: the same shape.
export const notFound = (description: string) => new OAuthError('not_found', description, 404)
export const conflict = (description: string) => new OAuthError('conflict', description, 409)
/** Per-field failures; the description lists them unless `summary` is given (the schema validator's). */
export const validationFailed = (
  details: readonly ErrorDetail[],
  summary = details.map((d) => `${d.field}: ${d.message}`).join('; '),
) => new OAuthError('invalid_request', summary, 400, {}, details)
/**
 * 503 with Retry-After: the database is unavailable (see store/errors.ts isUnavailable). OAuth endpoints
 * answer `temporarily_unavailable` (RFC 6749 section 4.1.2.1), the other endpoints `service_unavailable`.
 */
export const temporarilyUnavailable = (oauth: boolean, retryAfterSeconds: number) =>
  new OAuthError(
    oauth ? 'temporarily_unavailable' : 'service_unavailable',
    'the service is temporarily unavailable; try again later',
    503,
    { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  )
/**
 * RFC 9449 §7.1: the challenge of a protected resource that accepts DPoP, with the algorithms it verifies;
 * `error` when the request failed.
 */
export const dpopChallenge = (algs: readonly string[], error?: { code: string; description: string }) =>
  `DPoP algs="${algs.join(' ')}"${error ? `, error="${error.code}", error_description="${quoted(error.description)}"` : ''}`

/**
 * RFC 9449 §5, §7.1: a DPoP proof that fails a check of §4.3 (or is missing where it is required). The token
 * endpoint answers 400; a protected resource 401 with its `WWW-Authenticate: DPoP` challenge (`resourceAlgs`).
 */
export const invalidDpopProof = (description: string, resourceAlgs?: readonly string[]) =>
  resourceAlgs
    ? new OAuthError('invalid_dpop_proof', description, 401, {
        'www-authenticate': dpopChallenge(resourceAlgs, { code: 'invalid_dpop_proof', description }),
      })
    : new OAuthError('invalid_dpop_proof', description, 400)

/** RFC 9449 §8 (token endpoint: 400), §9 (protected resource: 401 with the challenge): retry with this nonce. */
export const useDpopNonce = (nonce: string, resourceAlgs?: readonly string[]) => {
  const description = 'the DPoP proof must carry the nonce of the DPoP-Nonce header'
  return resourceAlgs
    ? new OAuthError('use_dpop_nonce', description, 401, {
        'www-authenticate': dpopChallenge(resourceAlgs, { code: 'use_dpop_nonce', description }),
        'dpop-nonce': nonce,
      })
    : new OAuthError('use_dpop_nonce', description, 400, { 'dpop-nonce': nonce })
}

/** RFC 9449 §7.1: a DPoP-bound access token that is invalid, or presented without its proof's binding. */
export const invalidDpopToken = (description: string, algs: readonly string[]) =>
  new OAuthError('invalid_token', description, 401, {
    'www-authenticate': dpopChallenge(algs, { code: 'invalid_token', description }),
  })
export const serverError = () => new OAuthError('server_error', 'the server could not handle the request', 500)
