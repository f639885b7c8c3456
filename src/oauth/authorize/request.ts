// The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 9700 §2.1, OpenID Connect Core §3.1.2.1),
// validated in two stages. First the client and its redirect URI: until both are known good, nothing may be
// sent to the redirect URI (RFC 6749 §4.1.2.1, RFC 9700 §4.11.1: no open redirector), so these failures are a
// page (PageError). Then everything else, whose failures go back to the client as an error redirect.
import type { Config } from '../../config.js'
import { OAuthError, type ErrorCode } from '../../errors.js'
import type { Client } from '../../store/clients.js'
import { checkAudience } from '../audience.js'
import { grantScope, parseScope } from '../scope.js'
import { matchRedirectUri } from './redirect-uri.js'

export type Prompt = 'none' | 'login' | 'consent'
export type ResponseMode = 'query' | 'form_post'

/** Where errors and the code go: known good once the client and redirect URI are. */
export interface RedirectTarget {
  clientId: string
  redirectUri: string
  responseMode: ResponseMode
  state: string | undefined
}

/** A validated authorization request: what the pending request row and the code keep. */
export interface AuthorizationRequest extends RedirectTarget {
  /** Whether redirect_uri was sent (then the token request must repeat it, RFC 6749 §4.1.3). */
  redirectUriSent: boolean
  /** The scope asked for, within the client's; every scope of the client when none was asked for. */
  scope: string[]
  /** Whether `scope` was sent (then each scope must also be the user's). */
  scopeSent: boolean
  resource: string | undefined
  audience: string
  /** BASE64URL(SHA256(code_verifier)), RFC 7636 §4.2. */
  codeChallenge: string
  nonce: string | undefined
  prompt: Prompt[]
  /** Seconds (OpenID Connect max_age): a login older than this is asked again. */
  maxAge: number | undefined
  loginHint: string | undefined
  /** When the request arrived (ms): prompt=login needs a login after it. */
  requestedAt: number
  /** RFC 9449 §10: the JWK thumbprint the code is bound to (absent in requests stored before it existed). */
  dpopJkt?: string | undefined
}

/** A failure before the redirect URI is known good: shown to the user, never redirected (400). */
export class PageError extends Error {
  override name = 'PageError'
}

/** A failure to send back to the client's redirect URI. */
export class RedirectError extends Error {
  override name = 'RedirectError'
  constructor(
    readonly target: RedirectTarget,
    readonly error: OAuthError,
  ) {
    super(error.description)
  }
}

const PROMPTS: readonly string[] = ['none', 'login', 'consent']
// RFC 7636 §4.2: 43 to 128 characters of the unreserved set; S256's output is exactly 43.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/
// RFC 9449 §10: dpop_jkt is the base64url SHA-256 JWK thumbprint (RFC 7638), 43 characters.
const JWK_THUMBPRINT = /^[A-Za-z0-9_-]{43}$/

const PAGE_ONLY = new Set(['client_id', 'redirect_uri'])

/** One value per parameter (RFC 6749 §3.1: a parameter must not be repeated); empty ones are absent. */
export function singleParameters(query: unknown): { params: Record<string, string>; repeated: string | undefined } {
  const params: Record<string, string> = {}
  let repeated: string | undefined
  for (const [name, value] of Object.entries(typeof query === 'object' && query !== null ? query : {})) {
    // A repeated client_id or redirect_uri is reported before any other repeated parameter, whatever the order:
    // it is shown on a page, never redirected to (RFC 6749 §4.1.2.1).
    if (Array.isArray(value) && (repeated === undefined || (PAGE_ONLY.has(name) && !PAGE_ONLY.has(repeated))))
      repeated = name
    else if (typeof value === 'string' && value !== '') params[name] = value
  }
  return { params, repeated }
}

/** Stage one: the client and the redirect URI, or a PageError. */
export function validateClientAndRedirect(
  params: Record<string, string>,
  repeated: string | undefined,
  client: Client | undefined,
): RedirectTarget {
  if (repeated === 'client_id' || repeated === 'redirect_uri')
    throw new PageError(`the parameter ${repeated} was sent more than once`)
  if (params.client_id === undefined) throw new PageError('the request names no client (client_id is missing)')
  if (!client) throw new PageError('the application that sent you here is not registered')
  const redirectUri = matchRedirectUri(client.redirectUris, params.redirect_uri)
  if (redirectUri === undefined) {
    throw new PageError(
      params.redirect_uri === undefined
        ? 'the request names no redirect URI (redirect_uri is missing)'
        : 'the redirect URI is not registered for this application',
    )
  }
  const responseMode: ResponseMode = params.response_mode === 'form_post' ? 'form_post' : 'query'
  return { clientId: client.clientId, redirectUri, responseMode, state: params.state }
}

const fail = (target: RedirectTarget, error: ErrorCode, description: string): never => {
  throw new RedirectError(target, new OAuthError(error, description))
}

function parsePrompt(target: RedirectTarget, value: string | undefined): Prompt[] {
  const prompt = [...new Set((value ?? '').split(' ').filter(Boolean))]
  const unknown = prompt.find((entry) => !PROMPTS.includes(entry))
  if (unknown !== undefined)
    fail(
      target,
      'invalid_request',
      `prompt ${JSON.stringify(unknown.slice(0, 32))} is not supported (none, login, consent)`,
    )
  if (prompt.includes('none') && prompt.length > 1)
    fail(target, 'invalid_request', 'prompt=none cannot be combined with another prompt')
  return prompt as Prompt[]
}

/** Stage two: everything else, each failure an error redirect (RFC 6749 §4.1.2.1). */
export function validateAuthorizationRequest(
  target: RedirectTarget,
  params: Record<string, string>,
  repeated: string | undefined,
  client: Client,
  config: Pick<Config, 'audiences' | 'defaultAudience'>,
  now: number,
): AuthorizationRequest {
  if (repeated !== undefined) fail(target, 'invalid_request', `the parameter ${repeated} was sent more than once`)
  if (params.response_mode !== undefined && params.response_mode !== 'query' && params.response_mode !== 'form_post') {
    fail(target, 'invalid_request', 'response_mode must be query or form_post')
  }
  if (params.response_type === undefined) fail(target, 'invalid_request', 'response_type is required')
  if (params.response_type !== 'code') fail(target, 'unsupported_response_type', 'only response_type=code is supported')
  if (!client.grantTypes.includes('authorization_code'))
    fail(target, 'unauthorized_client', 'this client may not use the authorization code grant')
  // RFC 9700 §2.1.1: PKCE for every client, and S256 only (plain would show the verifier to whoever sees the request).
  if (params.code_challenge === undefined)
    fail(target, 'invalid_request', 'code_challenge is required (PKCE, RFC 7636, with S256)')
  if (params.code_challenge_method !== 'S256') fail(target, 'invalid_request', 'code_challenge_method must be S256')
  if (!S256_CHALLENGE.test(params.code_challenge!))
    fail(target, 'invalid_request', 'code_challenge must be the 43-character BASE64URL of a SHA-256 (RFC 7636 §4.2)')
  let scope: string[]
  let audience: string
  try {
    const requested = parseScope(params.scope)
    scope = grantScope(requested, client.scopes, 'this client')
    if (params.resource !== undefined) checkAudience(params.resource, client, config)
    audience =
      params.resource ??
      (client.audiences.length === 0 || client.audiences.includes(config.defaultAudience)
        ? config.defaultAudience
        : client.audiences[0]!)
  } catch (err) {
    if (err instanceof OAuthError) throw new RedirectError(target, err)
    throw err
  }
  const prompt = parsePrompt(target, params.prompt)
  let maxAge: number | undefined
  if (params.max_age !== undefined) {
    if (!/^\d{1,10}$/.test(params.max_age)) fail(target, 'invalid_request', 'max_age must be a number of seconds')
    maxAge = Number(params.max_age)
  }
  if (
    (params.nonce?.length ?? 0) > 512 ||
    (params.state?.length ?? 0) > 2048 ||
    (params.login_hint?.length ?? 0) > 255
  ) {
    fail(target, 'invalid_request', 'state, nonce or login_hint is too long')
  }
  if (params.dpop_jkt !== undefined && !JWK_THUMBPRINT.test(params.dpop_jkt))
    fail(target, 'invalid_request', 'dpop_jkt must be the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP key')
  return {
    ...target,
    redirectUriSent: params.redirect_uri !== undefined,
    scope,
    scopeSent: params.scope !== undefined,
    resource: params.resource,
    audience,
    codeChallenge: params.code_challenge!,
    nonce: params.nonce,
    prompt,
    maxAge,
    loginHint: params.login_hint,
    requestedAt: now,
    dpopJkt: params.dpop_jkt,
  }
}
