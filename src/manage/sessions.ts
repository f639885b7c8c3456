// Browser sign-in sessions of a user: list them, end one or all (admin API, /v1/me, the CLI). Ending a
// session ends the logins made in it (their refresh-token families and access tokens, through the one
// endLogin), so a stolen session cookie or a forgotten signed-in browser can be cut off; audited `session.ended`.
import { notFound, OAuthError } from '../errors.js'
import { endLogin } from '../oauth/end-login.js'
import type { RevocationList } from '../security/revocation-list.js'
import { DEFAULT_TENANT_ID, type Page } from '../store/index.js'
import type { Session } from '../store/sessions.js'
import { recordChange, type ChangedBy, type ManageDeps } from './changes.js'

export interface SessionDeps extends ManageDeps {
  /** This instance's revocation list (access tokens refused at once here); the CLI has none. */
  revocations?: Pick<RevocationList, 'add'>
}

/** 404 for an unknown user, or another tenant's (default: the default tenant). */
async function existingUser(deps: Pick<ManageDeps, 'store'>, userId: string, tenantId?: string): Promise<void> {
  if (!(await deps.store.users.findById(tenantId ?? DEFAULT_TENANT_ID, userId))) throw notFound('no user has this id')
}

/** A page of the user's sessions in force, newest first. 404 for an unknown user. */
export async function listSessions(
  deps: Pick<ManageDeps, 'store' | 'now'>,
  userId: string,
  options: { after?: string | undefined; limit: number; tenantId?: string | undefined },
): Promise<Page<Session>> {
  const { tenantId, ...page } = options
  await existingUser(deps, userId, tenantId)
  return deps.store.sessions.listActivePage(tenantId ?? DEFAULT_TENANT_ID, userId, page, new Date(deps.now()))
}

async function end(deps: SessionDeps, session: Session, by: ChangedBy, now: number): Promise<void> {
  // The session first, so that no new code is issued from it while its logins are ended.
  if (!(await deps.store.sessions.revoke(session.tenantId, session.id, new Date(now)))) return
  const revocations = deps.revocations ?? { add: () => undefined }
  const families = await deps.store.refreshTokens.listSessionFamilies(session.tenantId, session.id)
  for (const familyId of families)
    await endLogin({ ...deps, revocations }, session.tenantId, familyId, 'session_ended', now)
  await recordChange(deps, by, {
    type: 'session.ended',
    subject: `session:${session.id}`,
    details: { user_id: session.userId, families: families.length },
    at: now,
  })
}

/**
 * Ends one session of the user, with the refresh-token families and access tokens issued in it. 404 when the
 * user has no session in force with this id (another user's session is as unknown as none).
 *
 * @example
 * await endUserSession(deps, user.id, sessionId, { actor: 'cli:root' })
 */
export async function endUserSession(
  deps: SessionDeps,
  userId: string,
  sessionId: string,
  by: ChangedBy,
): Promise<void> {
  const now = deps.now()
  await existingUser(deps, userId, by.tenantId)
  const session = await deps.store.sessions.findById(by.tenantId ?? DEFAULT_TENANT_ID, sessionId)
  const inForce =
    session &&
    session.userId === userId &&
    !session.revokedAt &&
    session.expiresAt.getTime() > now &&
    session.idleExpiresAt.getTime() > now
  if (!inForce) throw notFound('this user has no session in force with this id')
  await end(deps, session, by, now)
}

/**
 * Ends the session with this id, whoever's it is in the tenant (the CLI names a session alone), like
 * endUserSession; the session ended. 404 when no session in force has this id.
 */
export async function endSessionById(deps: SessionDeps, sessionId: string, by: ChangedBy): Promise<Session> {
  const session = await deps.store.sessions.findById(by.tenantId ?? DEFAULT_TENANT_ID, sessionId)
  if (!session) throw notFound('no session in force has this id')
  await endUserSession(deps, session.userId, sessionId, by).catch((err: unknown) => {
    throw err instanceof OAuthError && err.error === 'not_found' ? notFound('no session in force has this id') : err
  })
  return session
}

/** Ends every session of the user in force; how many. 404 for an unknown user. */
export async function endUserSessions(deps: SessionDeps, userId: string, by: ChangedBy): Promise<number> {
  await existingUser(deps, userId, by.tenantId)
  const now = deps.now()
  const sessions = await deps.store.sessions.listActiveByUser(by.tenantId ?? DEFAULT_TENANT_ID, userId, new Date(now))
  for (const session of sessions) await end(deps, session, by, now)
  return sessions.length
}
