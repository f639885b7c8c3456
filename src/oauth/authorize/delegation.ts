// Delegated login and consent (what Ory Hydra calls its login and consent flow): with LOGIN_URL (CONSENT_URL)
// set, /oauth/authorize sends the browser to the team's own app with a `login_challenge` (`consent_challenge`)
// instead of showing our page. The app reads the request and answers it through the admin API (scope `admin`
// or `login`); each answer gives a `redirect_to` back to /oauth/authorize/continue with a one-time verifier.
//
// Challenges and verifiers: 256-bit random, stored as SHA-256, each single use, gone with the pending request
// (10 minutes). Why a verifier as well as the challenge: the challenge travels through the login app (its URLs,
// logs, Referer headers); the verifier exists only in the answer's redirect_to.
//
// Binding to the browser: /oauth/authorize sets a binding cookie (256-bit random, HttpOnly, SameSite=Lax) and
// the challenge keeps its hash; /oauth/authorize/continue refuses a verifier brought by a browser without that
// cookie. Without it, whoever obtains a redirect_to (a leaked log line, a login app tricked into accepting for
// the victim) could finish the victim's sign-in in their own browser and receive the victim's session and
// code; with it only the browser that started the request can. A cookie rather than a secret in the URL
// because every URL of this flow passes through the login app; SameSite=Lax still lets it ride the top-level
// redirect back from the login app's own site.
import { conflict, notFound, validationFailed, type ErrorCode } from '../../errors.js'
import type { Config } from '../../config.js'
import type { Services } from '../../services.js'
import { randomSecret, sha256 } from '../../security/secrets.js'
import type { PendingAuthorization } from '../../store/authorization-requests.js'
import type { Challenge, ChallengeKind } from '../../store/challenges.js'
import { tenantOf, type Client } from '../../store/clients.js'
import type { Session } from '../../store/sessions.js'
import { ANY_TENANT } from '../../store/tenant-scope.js'
import type { User } from '../../store/users.js'
import { PENDING_TTL_MS } from './flow.js'
import type { AuthorizationRequest } from './request.js'

export type DelegationDeps = Pick<Services, 'config' | 'store' | 'now'>

/** What the login or consent app said. */
export type DelegatedAnswer =
  | { accepted: true; userId?: string; remember: boolean; grantScope?: string[] }
  | { accepted: false; error: RejectError; description: string }

/** The errors an app may answer with (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6), sent on to the client. */
export const REJECT_ERRORS = [
  'access_denied',
  'login_required',
  'consent_required',
  'temporarily_unavailable',
] as const satisfies readonly ErrorCode[]
export type RejectError = (typeof REJECT_ERRORS)[number]

const secure = (config: Pick<Config, 'issuer'>) => config.issuer.startsWith('https:')

export function bindingCookieName(config: Pick<Config, 'issuer'>): string {
  return secure(config) ? '__Host-portcullis-binding' : 'portcullis-binding'
}

/** The binding cookie's attributes: it lasts as long as a pending request may. */
export function bindingCookieOptions(config: Pick<Config, 'issuer'>) {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(config), maxAge: PENDING_TTL_MS / 1000 } as const
}

/** The browser's binding value: the one it carries (several requests in one browser share it), or a new one. */
export function browserBinding(cookie: string | undefined): { value: string; isNew: boolean } {
  if (cookie !== undefined && /^[A-Za-z0-9_-]{43}$/.test(cookie)) return { value: cookie, isNew: false }
  return { value: randomSecret(), isNew: true }
}

/**
 * Starts a delegated login or consent for `request` (kept as a pending request when it is not one yet) and
 * returns where to send the browser: LOGIN_URL or CONSENT_URL with the challenge added to its query.
 */
export async function startDelegation(
  deps: DelegationDeps,
  input: {
    kind: ChallengeKind
    request: AuthorizationRequest
    pending: PendingAuthorization<AuthorizationRequest> | undefined
    browser: string
    /** login: the browser's session, when it has one not good enough for this request; consent: the one that logged in. */
    signedIn: { session: Session; user: User } | undefined
    scope: readonly string[]
  },
  now: number,
): Promise<string> {
  const { store, config } = deps
  const sessionId = input.signedIn?.session.id
  let pending = input.pending
  if (!pending) {
    const expiresAt = new Date(now + PENDING_TTL_MS)
    const row = {
      idHash: sha256(randomSecret()),
      clientId: input.request.clientId,
      request: input.request,
      sessionId: input.kind === 'consent' ? sessionId : undefined,
      expiresAt,
    }
    pending = await store.authorizationRequests.create(row, new Date(now))
  } else if (input.kind === 'consent' && sessionId) {
    await store.authorizationRequests.attachSession(pending.id, sessionId)
  }
  const challenge = randomSecret()
  await store.challenges.create(
    {
      kind: input.kind,
      challengeHash: sha256(challenge),
      browserHash: sha256(input.browser),
      requestId: pending.id,
      clientId: input.request.clientId,
      sessionId: sessionId ?? null,
      userId: input.signedIn?.user.id ?? null,
      scope: input.scope,
      expiresAt: pending.expiresAt,
    },
    new Date(now),
  )
  const url = new URL((input.kind === 'login' ? config.loginUrl : config.consentUrl)!)
  url.searchParams.append(`${input.kind}_challenge`, challenge)
  return url.href
}

const noun = (kind: ChallengeKind) => `${kind} request`

/** An open challenge and what it answers, for the admin API: 404 when unknown or expired, 409 when answered. */
export async function findOpenChallenge(
  deps: DelegationDeps,
  kind: ChallengeKind,
  challenge: string,
): Promise<{
  challenge: Challenge<DelegatedAnswer>
  pending: PendingAuthorization<AuthorizationRequest>
  client: Client
}> {
  const now = deps.now()
  const found =
    challenge.length > 128
      ? undefined
      : await deps.store.challenges.findByChallengeHash<DelegatedAnswer>(kind, sha256(challenge))
  if (!found || found.expiresAt.getTime() <= now)
    throw notFound(`no ${noun(kind)} has this challenge, or it has expired`)
  if (found.answeredAt) throw conflict(`this ${noun(kind)} was already answered`)
  const request = await findRequest(deps, found.requestId, now)
  // Any tenant's: the challenge (a 256-bit secret) names the request, and its client the tenant.
  const client = request && (await deps.store.clients.findById(ANY_TENANT, found.clientId))
  if (!request || !client) throw notFound(`no ${noun(kind)} has this challenge, or it has expired`)
  return { challenge: found, pending: request, client }
}

async function findRequest(
  deps: DelegationDeps,
  requestId: string,
  now: number,
): Promise<PendingAuthorization<AuthorizationRequest> | undefined> {
  return deps.store.authorizationRequests.findPendingById<AuthorizationRequest>(requestId, new Date(now))
}

/**
 * The user a login app names for `client`'s login: by id, else by username, in the client's tenant (a client
 * signs in only its own tenant's users, and usernames are unique only within a tenant); enabled.
 */
export async function findSubject(
  deps: DelegationDeps,
  client: Pick<Client, 'tenantId'>,
  subject: string,
): Promise<User> {
  const user = await deps.store.users.findByIdOrUsername(tenantOf(client), subject)
  if (!user || user.disabled)
    throw validationFailed([{ field: 'subject', message: 'no enabled user has this id or username' }])
  return user
}

/** Records the answer (single use: 409 when another answered first) and returns the redirect_to with the verifier. */
export async function answerChallenge(
  deps: DelegationDeps,
  challenge: Challenge,
  answer: DelegatedAnswer,
): Promise<string> {
  const now = deps.now()
  const verifier = randomSecret()
  if (!(await deps.store.challenges.answer(challenge.id, answer, sha256(verifier), new Date(now)))) {
    throw conflict(`this ${noun(challenge.kind)} was already answered`)
  }
  return `${deps.config.issuer}/oauth/authorize/continue?${challenge.kind}_verifier=${verifier}`
}

export type TakenAnswer =
  | {
      outcome: 'taken'
      challenge: Challenge<DelegatedAnswer>
      answer: DelegatedAnswer
      pending: PendingAuthorization<AuthorizationRequest>
      client: Client
    }
  | { outcome: 'unknown' }
  | { outcome: 'other_browser' }

/**
 * The answer a verifier names, used up (single use), when the browser bringing it is the one that started the
 * request. A browser without the binding cookie uses nothing up: the one that has it can still continue.
 */
export async function takeAnswer(
  deps: DelegationDeps,
  kind: ChallengeKind,
  verifier: string | undefined,
  binding: string | undefined,
  now: number,
): Promise<TakenAnswer> {
  if (verifier === undefined || verifier.length > 128) return { outcome: 'unknown' }
  const challenge = await deps.store.challenges.findAnsweredByVerifierHash<DelegatedAnswer>(
    kind,
    sha256(verifier),
    new Date(now),
  )
  if (!challenge?.answer) return { outcome: 'unknown' }
  if (binding === undefined || sha256(binding) !== challenge.browserHash) return { outcome: 'other_browser' }
  const pending = await findRequest(deps, challenge.requestId, now)
  // Any tenant's: the verifier (a 256-bit secret) names the request, and its client the tenant.
  const client = pending && (await deps.store.clients.findById(ANY_TENANT, challenge.clientId))
  if (!pending || !client || !(await deps.store.challenges.use(challenge.id, new Date(now))))
    return { outcome: 'unknown' }
  return { outcome: 'taken', challenge, answer: challenge.answer, pending, client }
}
