// Every error the service answers with, in one shape: {"error", "error_description"} (RFC 6749 §5.2),
// plus `details` for per-field validation failures on the admin API. Handlers only throw; the error
// handler in app.ts renders.

export interface ErrorDetail {
  field: string
  message: string
}

/**
 * RFC 6749 §5.2: error_description is printable ASCII without `"` and `\` (%x20-21 / %x23-5B / %x5D-7E).
 * Descriptions quote the offending value for people; this keeps them within what strict clients accept.
 */
export function rfcDescription(text: string): string {
  return text.replace(/"/g, "'").replace(/\\/g, '').replace(/§/g, 'section ').replace(/[^\x20-\x7e]/g, '?')
}

export class OAuthError extends Error {
  override name = 'OAuthError'
  readonly description: string
  constructor(
    /** The RFC error code, e.g. `invalid_grant`. */
    readonly error: string,
    description: string,
    readonly statusCode = 400,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly details?: readonly ErrorDetail[],
  ) {
    super(description)
    this.description = rfcDescription(description)
  }

  toJSON(): { error: string; error_description: string; details?: readonly ErrorDetail[] } {
    return { error: this.error, error_description: this.description, ...(this.details ? { details: this.details } : {}) }
  }
}

const quoted = (value: string) => value.replace(/["\\]/g, '')

// RFC 6749 §5.2
export const invalidRequest = (description: string) => new OAuthError('invalid_request', description)
/** 401; `WWW-Authenticate: Basic` when the client tried HTTP Basic (RFC 6749 §5.2). */
export const invalidClient = (description: string, basic = false) =>
  new OAuthError('invalid_client', description, 401, basic ? { 'www-authenticate': 'Basic realm="portcullis", charset="UTF-8"' } : {})
export const invalidGrant = (description: string) => new OAuthError('invalid_grant', description)
export const unauthorizedClient = (description: string) => new OAuthError('unauthorized_client', description)
export const unsupportedGrantType = (description: string) => new OAuthError('unsupported_grant_type', description)
export const invalidScope = (description: string) => new OAuthError('invalid_scope', description)
// RFC 8707 §2 / RFC 8693 §2.2.2
export const invalidTarget = (description: string) => new OAuthError('invalid_target', description)
// RFC 7009 §2.2.1
export const unsupportedTokenType = (description: string) => new OAuthError('unsupported_token_type', description)
// RFC 6750 §3.1
export const invalidToken = (description: string) =>
  new OAuthError('invalid_token', description, 401, { 'www-authenticate': `Bearer realm="portcullis", error="invalid_token", error_description="${quoted(description)}"` })
export const missingToken = () =>
  new OAuthError('invalid_token', 'authentication is required', 401, { 'www-authenticate': 'Bearer realm="portcullis"' })
export const insufficientScope = (scope: string) =>
  new OAuthError('insufficient_scope', `this request needs the scope "${scope}"`, 403, {
    'www-authenticate': `Bearer realm="portcullis", error="insufficient_scope", scope="${quoted(scope)}"`,
  })
export const tooManyRequests = (description: string, retryAfterSeconds: number) =>
  new OAuthError('too_many_requests', description, 429, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) })
// Outside OAuth: the same shape.
export const notFound = (description: string) => new OAuthError('not_found', description, 404)
export const conflict = (description: string) => new OAuthError('conflict', description, 409)
export const validationFailed = (details: readonly ErrorDetail[]) =>
  new OAuthError('invalid_request', details.map((d) => `${d.field}: ${d.message}`).join('; '), 400, {}, details)
/**
 * 503 with Retry-After: the database is unavailable (see store/errors.ts isUnavailable). OAuth endpoints
 * answer `temporarily_unavailable` (RFC 6749 section 4.1.2.1), the other endpoints `service_unavailable`.
 */
export const temporarilyUnavailable = (oauth: boolean, retryAfterSeconds: number) =>
  new OAuthError(oauth ? 'temporarily_unavailable' : 'service_unavailable', 'the service is temporarily unavailable; try again later', 503, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) })
export const serverError = () => new OAuthError('server_error', 'the server could not handle the request', 500)
