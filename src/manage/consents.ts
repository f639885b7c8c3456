// What a user has allowed which client (remembered consents): list them, revoke one (admin API, /v1/me, a
// later CLI). A revoked consent is asked again at the next authorization request; tokens already issued live
// on (end the user's sessions to end them too). Audited `consent.revoked`.
import { notFound } from '../errors.js'
import type { Consent } from '../store/consents.js'
import type { Page } from '../store/index.js'
import { recordChange, type ChangedBy, type ManageDeps } from './changes.js'

/** A page of the user's consents in force, by client id. 404 for an unknown user. */
export async function listConsents(
  deps: Pick<ManageDeps, 'store'>,
  userId: string,
  options: { after?: string | undefined; limit: number },
): Promise<Page<Consent>> {
  if (!(await deps.store.users.findById(userId))) throw notFound('no user has this id')
  return deps.store.consents.listActivePage(userId, options)
}

/** Revokes the user's consent to the client. 404 when there is none in force. */
export async function revokeConsent(deps: ManageDeps, userId: string, clientId: string, by: ChangedBy): Promise<void> {
  const now = deps.now()
  if (!(await deps.store.consents.revoke(userId, clientId, new Date(now))))
    throw notFound('this user has no consent in force for this client')
  await recordChange(deps, by, {
    type: 'consent.revoked',
    subject: `client:${clientId}`,
    details: { user_id: userId },
    at: now,
  })
}
