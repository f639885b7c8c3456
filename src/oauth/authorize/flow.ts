// The authorization endpoint's decisions, in the order a request meets them: is there a session good enough
// for this request (else the login page, or login_required for prompt=none), does the user's consent cover
// the scope (else the consent page, or consent_required), then the code. Pages and routes only call these.
import type { Services } from '../../services.js'
import { OAuthError, type ErrorCode } from '../../errors.js'
import { randomSecret, sha256 } from '../../security/secrets.js'
import { tenantOf, type Client } from '../../store/clients.js'
import type { PendingAuthorization } from '../../store/authorization-requests.js'
import type { Session } from '../../store/sessions.js'
import { ANY_TENANT } from '../../store/tenant-scope.js'
import type { User } from '../../store/users.js'
import { grantScope, intersectScopes, withIdentityScopes } from '../scope.js'
import { RedirectError, type AuthorizationRequest } from './request.js'

export type AuthorizeDeps = Pick<Services, 'config' | 'store' | 'now'>

/** Minutes a pending request (between authorize, login and consent) stays answerable. */
export const PENDING_TTL_MS = 10 * 60 * 1000

export interface SignedIn {
  session: Session
  user: User
}

export type NextStep =
  | { step: 'login' }
  | { step: 'consent'; scope: string[]; signedIn: SignedIn }
  | { step: 'code'; scope: string[]; signedIn: SignedIn }

/** The session the cookie names, in force, of an enabled user; undefined otherwise. */
export async function findSignedIn(
  deps: AuthorizeDeps,
  cookie: string | undefined,
  now: number,
): Promise<SignedIn | undefined> {
  if (!cookie) return undefined
  // Any tenant's: the cookie names the session, and the session its tenant.
  const session = await deps.store.sessions.findActiveByHash(ANY_TENANT, sha256(cookie), new Date(now))
  if (!session) return undefined
  const user = await deps.store.users.findById(session.tenantId, session.userId)
  if (!user || user.disabled) return undefined
  return { session, user }
}

/** The session the cookie names while in force, whoever its user is (a new login replaces it: logout.ts). */
export async function findBrowserSession(
  deps: AuthorizeDeps,
  cookie: string | undefined,
  now: number,
): Promise<Session | undefined> {
  if (!cookie || cookie.length > 128) return undefined
  // Any tenant's: the cookie names the session, and the session its tenant.
  return deps.store.sessions.findActiveByHash(ANY_TENANT, sha256(cookie), new Date(now))
}

/** A new session after a successful login: the cookie's value (shown once) and the row. */
export async function startSession(
  deps: AuthorizeDeps,
  user: User,
  amr: readonly string[],
  now: number,
): Promise<{ cookie: string; session: Session }> {
  const cookie = randomSecret()
  const at = new Date(now)
  const session = await deps.store.sessions.create(
    {
      idHash: sha256(cookie),
      tenantId: user.tenantId,
      userId: user.id,
      authTime: at,
      amr,
      idleExpiresAt: new Date(now + deps.config.sessionIdleTtl * 1000),
      expiresAt: new Date(now + deps.config.sessionTtl * 1000),
    },
    at,
  )
  return { cookie, session }
}

/** Whether the session's login satisfies the request (prompt=login, max_age; OpenID Connect Core §3.1.2.1). */
function loginIsRecentEnough(request: AuthorizationRequest, session: Session, now: number): boolean {
  const authTime = session.authTime.getTime()
  if (request.prompt.includes('login') && authTime < request.requestedAt) return false
  if (request.maxAge !== undefined && now - authTime > request.maxAge * 1000) return false
  return true
}

const redirectError = (request: AuthorizationRequest, error: ErrorCode, description: string) =>
  new RedirectError(request, new OAuthError(error, description))

/** The scope the user gets: what was asked within the user's scopes (asked explicitly: all of it, or invalid_scope). */
function userScope(request: AuthorizationRequest, user: User): string[] {
  try {
    const held = withIdentityScopes(user.scopes)
    return request.scopeSent ? grantScope(request.scope, held, 'this user') : intersectScopes(request.scope, held)
  } catch (err) {
    if (err instanceof OAuthError) throw new RedirectError(request, err)
    throw err
  }
}

/** What happens next for this request and this browser's session. Throws RedirectError for prompt=none. */
export async function nextStep(
  deps: AuthorizeDeps,
  request: AuthorizationRequest,
  client: Client,
  signedIn: SignedIn | undefined,
  now: number,
): Promise<NextStep> {
  const none = request.prompt.includes('none')
  // A client signs in only users of its own tenant: a session of another tenant's user (signed in through that
  // tenant's client) is no session for this client, which asks for a login as for a browser without one.
  const ownTenant = signedIn !== undefined && signedIn.user.tenantId === tenantOf(client)
  if (!signedIn || !ownTenant || !loginIsRecentEnough(request, signedIn.session, now)) {
    if (none) throw redirectError(request, 'login_required', 'the user is not signed in')
    return { step: 'login' }
  }
  const scope = userScope(request, signedIn.user)
  if (client.firstParty) return { step: 'code', scope, signedIn }
  const consent = await deps.store.consents.findActive(signedIn.user.tenantId, signedIn.user.id, client.clientId)
  const covered = consent !== undefined && scope.every((entry) => consent.scopes.includes(entry))
  if (covered && !request.prompt.includes('consent')) return { step: 'code', scope, signedIn }
  if (none) throw redirectError(request, 'consent_required', 'the user has not consented to this request')
  return { step: 'consent', scope, signedIn }
}

/** Keeps the request for the login or consent page; returns the id the browser carries (256 bits, stored hashed). */
export async function keepPending(
  deps: AuthorizeDeps,
  request: AuthorizationRequest,
  now: number,
  sessionId?: string,
): Promise<string> {
  const id = randomSecret()
  await deps.store.authorizationRequests.create(
    { idHash: sha256(id), clientId: request.clientId, request, sessionId, expiresAt: new Date(now + PENDING_TTL_MS) },
    new Date(now),
  )
  return id
}

export function findPending(
  deps: AuthorizeDeps,
  id: string | undefined,
  now: number,
): Promise<PendingAuthorization<AuthorizationRequest> | undefined> {
  if (!id || id.length > 128) return Promise.resolve(undefined)
  return deps.store.authorizationRequests.findPendingByHash<AuthorizationRequest>(sha256(id), new Date(now))
}

/** A new code for the request (RFC 6749 §4.1.2): 256 bits, stored as SHA-256, AUTHORIZATION_CODE_TTL. */
export async function issueCode(
  deps: AuthorizeDeps,
  request: AuthorizationRequest,
  signedIn: SignedIn,
  scope: readonly string[],
  now: number,
): Promise<string> {
  const code = randomSecret()
  await deps.store.authorizationCodes.create(
    {
      tenantId: signedIn.user.tenantId,
      codeHash: sha256(code),
      clientId: request.clientId,
      userId: signedIn.user.id,
      sessionId: signedIn.session.id,
      redirectUri: request.redirectUri,
      redirectUriSent: request.redirectUriSent,
      codeChallenge: request.codeChallenge,
      scope: [...scope],
      audience: request.audience,
      nonce: request.nonce ?? null,
      dpopJkt: request.dpopJkt ?? null,
      authTime: signedIn.session.authTime,
      expiresAt: new Date(now + deps.config.authorizationCodeTtl * 1000),
    },
    new Date(now),
  )
  await deps.store.sessions.touch(
    signedIn.session.tenantId,
    signedIn.session.id,
    new Date(now + deps.config.sessionIdleTtl * 1000),
    new Date(now),
  )
  return code
}
