// The authorization response (RFC 6749 §4.1.2 and §4.1.2.1): the code or the error, with `state` exactly as
// sent and `iss` (RFC 9207: the client can tell which server answered, against mix-up attacks), in the
// redirect URI's query (response_mode=query) or as a form the browser POSTs to it (response_mode=form_post).
import type { OAuthError } from '../../errors.js'
import type { RedirectTarget } from './request.js'

export type AuthorizationResponse =
  | { mode: 'query'; location: string }
  | { mode: 'form_post'; action: string; fields: Record<string, string> }

function respond(target: RedirectTarget, fields: Record<string, string | undefined>): AuthorizationResponse {
  const present: Record<string, string> = {}
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) present[name] = value
  if (target.responseMode === 'form_post') return { mode: 'form_post', action: target.redirectUri, fields: present }
  // Appended to the registered URI's own query, which is kept (RFC 6749 §3.1.2).
  const url = new URL(target.redirectUri)
  for (const [name, value] of Object.entries(present)) url.searchParams.append(name, value)
  return { mode: 'query', location: url.href }
}

export function codeResponse(target: RedirectTarget, code: string, issuer: string): AuthorizationResponse {
  return respond(target, { code, state: target.state, iss: issuer })
}

export function errorResponse(target: RedirectTarget, error: OAuthError, issuer: string): AuthorizationResponse {
  return respond(target, { error: error.error, error_description: error.description, state: target.state, iss: issuer })
}
