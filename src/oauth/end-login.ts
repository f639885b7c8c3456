// Ending a login: its refresh-token family and the access tokens issued from it (they carry the family as
// `sid`). Used when a refresh token is replayed (RFC 9700 §4.14) and when one is revoked (RFC 7009 §2.1).
import { revokeGrantAccessTokens, type RevocationList } from '../security/revocation-list.js'
import type { Services } from '../services.js'
import type { RevokeReason } from '../store/refresh-tokens/index.js'
import type { TenantScope } from '../store/tenant-scope.js'

/**
 * Ends the login `familyId` (of the tenant `scope`) at `now`; true when this call revoked the family (false: it
 * already was).
 *
 * The access tokens go first. Should the second write never happen (a crash, a lost connection), the login
 * is still alive and ending it again does both; in the other order a retry would find the family revoked and
 * stop there, leaving its access tokens alive.
 */
export async function endLogin(
  deps: Pick<Services, 'store' | 'config'> & {
    revocations: Pick<RevocationList, 'add'> & Partial<Pick<RevocationList, 'writer'>>
  },
  scope: TenantScope,
  familyId: string,
  reason: RevokeReason,
  now: number,
): Promise<boolean> {
  await revokeGrantAccessTokens(deps, familyId, now)
  return deps.store.refreshTokens.revokeFamily(scope, familyId, reason, new Date(now))
}
