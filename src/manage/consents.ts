// What a user has allowed which client (remembered consents): list them, revoke one (admin API, /v1/me, the
// CLI). Revoking a consent withdraws what the client was given under it: its next authorization request asks
// again, its codes not yet redeemed are void, the refresh-token families the client holds for the user end,
// and so do the access tokens issued to the client for the user until now, through a user-and-client cutoff
// (the mechanism of a user's cutoff, security/revocation-list.ts): this instance refuses them at once, the
// others from their next revocation sync. A resource server that verifies the JWTs itself, without
// introspection, accepts them until they expire (ACCESS_TOKEN_TTL). Audited `consent.revoked`.
import { notFound } from '../errors.js'
import { consentAccessTokenCutoff, type RevocationList } from '../security/revocation-list.js'
import type { Consent } from '../store/consents.js'
import { DEFAULT_TENANT_ID, type Page } from '../store/index.js'
import { recordChange, type ChangedBy, type ManageDeps } from './changes.js'

export interface ConsentDeps extends ManageDeps {
  /** This instance's revocation list (the client's access tokens refused at once here); the CLI has none. */
  revocations?: Pick<RevocationList, 'cutOffConsent'>
}

/** A page of the user's consents in force, by client id. 404 for an unknown user. */
export async function listConsents(
  deps: Pick<ManageDeps, 'store'>,
  userId: string,
  options: { after?: string | undefined; limit: number; tenantId?: string | undefined },
): Promise<Page<Consent>> {
  const { tenantId = DEFAULT_TENANT_ID, ...page } = options
  if (!(await deps.store.users.findById(tenantId, userId))) throw notFound('no user has this id')
  return deps.store.consents.listActivePage(tenantId, userId, page)
}

/**
 * Revokes the user's consent to the client, with the refresh tokens and access tokens the client holds for the
 * user; how many refresh-token families ended. 404 when there is no consent in force.
 *
 * @example
 * await revokeConsent(deps, user.id, 'web', { actor: 'cli:root' })
 */
export async function revokeConsent(
  deps: ConsentDeps,
  userId: string,
  clientId: string,
  by: ChangedBy,
): Promise<{ families: number }> {
  const now = deps.now()
  const tenantId = by.tenantId ?? DEFAULT_TENANT_ID
  if (!(await deps.store.users.findById(tenantId, userId)))
    throw notFound('this user has no consent in force for this client')
  const cutoff = consentAccessTokenCutoff(deps.config, userId, clientId, now)
  const revoked = await deps.store.consents.revoke(tenantId, userId, clientId, new Date(now), { cutoff })
  if (!revoked) throw notFound('this user has no consent in force for this client')
  deps.revocations?.cutOffConsent(userId, clientId, new Date(now), cutoff.expiresAt)
  await recordChange(deps, by, {
    type: 'consent.revoked',
    subject: `client:${clientId}`,
    details: { user_id: userId, families: revoked.families },
    at: now,
  })
  return revoked
}
