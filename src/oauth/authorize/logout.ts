// Ending a session (OpenID Connect RP-Initiated Logout 1.0): the session row is revoked (every instance stops
// accepting its cookie), and so are the refresh-token families made in it and their access tokens.
import type { Services } from '../../services.js'
import type { Client } from '../../store/clients.js'
import type { Session } from '../../store/sessions.js'
import { endLogin } from '../end-login.js'

export type LogoutDeps = Pick<Services, 'config' | 'store' | 'now' | 'revocations'>

/** Ends the session and what was issued in it; audited as `logout`. */
export async function endSession(
  deps: LogoutDeps,
  session: Session,
  input: { ip: string; clientId?: string | undefined },
): Promise<void> {
  const now = deps.now()
  const at = new Date(now)
  // The session first, so that no new code is issued from it while its logins are ended.
  await deps.store.sessions.revoke(session.tenantId, session.id, at)
  const families = await deps.store.refreshTokens.listSessionFamilies(session.tenantId, session.id)
  for (const familyId of families) await endLogin(deps, session.tenantId, familyId, 'logout', now)
  await deps.store.audit.record(
    {
      tenantId: session.tenantId,
      type: 'logout',
      actor: `user:${session.userId}`,
      subject: `session:${session.id}`,
      ip: input.ip,
      details: { families: families.length, ...(input.clientId ? { clientId: input.clientId } : {}) },
    },
    at,
  )
}

/** The post-logout redirect URI when it exactly equals one registered for the client; undefined otherwise. */
export function matchPostLogoutRedirectUri(client: Client | undefined, uri: string | undefined): string | undefined {
  if (!client || uri === undefined) return undefined
  return client.postLogoutRedirectUris.includes(uri) ? uri : undefined
}

/**
 * A new login in a browser that still held a session: the older session ends on the server, not only its
 * cookie in this browser (a copy of that cookie, or the row listed under the user's sessions, would
 * otherwise stay valid until its expiry). What was issued in it depends on whose it was:
 * - another user's: ended as a logout ends it (refresh-token families and their access tokens). The person
 *   who signed in there has left this browser (a shared computer); the apps they used in it, which keep
 *   their tokens in this same browser, must not stay signed in behind the next person (RFC 9700 §4.14: a
 *   refresh token ends with the authorization it was issued under).
 * - the same user's (prompt=login, max_age, or a login app asked again): a re-authentication, which adds
 *   assurance and takes nothing back, so the families move to the new session, where a logout still ends
 *   them; revoking them would sign the user out of every other app for having proved who they are again.
 * Audited `session.ended` with the reason (`replaced` or `renewed`).
 */
export async function replaceSession(
  deps: LogoutDeps,
  previous: Session,
  next: Session,
  input: { ip: string },
): Promise<void> {
  if (previous.id === next.id) return
  const now = deps.now()
  if (!(await deps.store.sessions.revoke(previous.tenantId, previous.id, new Date(now)))) return
  const sameUser = previous.userId === next.userId
  let families = 0
  if (sameUser) families = await deps.store.refreshTokens.moveSessionFamilies(previous.tenantId, previous.id, next.id)
  else {
    const ended = await deps.store.refreshTokens.listSessionFamilies(previous.tenantId, previous.id)
    for (const familyId of ended) await endLogin(deps, previous.tenantId, familyId, 'session_replaced', now)
    families = ended.length
  }
  await deps.store.audit.record(
    {
      // The ended session's tenant: its logins are the ones ended (or moved).
      tenantId: previous.tenantId,
      type: 'session.ended',
      actor: `user:${next.userId}`,
      subject: `session:${previous.id}`,
      ip: input.ip,
      details: {
        reason: sameUser ? 'renewed' : 'replaced',
        user_id: previous.userId,
        session_id: next.id,
        ...(sameUser ? { families_moved: families } : { families }),
      },
    },
    new Date(now),
  )
}
