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
  await deps.store.sessions.revoke(session.id, at)
  const families = await deps.store.refreshTokens.listSessionFamilies(session.id)
  for (const familyId of families) await endLogin(deps, familyId, 'logout', now)
  await deps.store.audit.record(
    {
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
