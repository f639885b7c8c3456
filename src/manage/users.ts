// Changes to a user that end their sessions, shared by the admin API (routes/admin/users.ts) and the CLI
// (cli/commands/users.ts) so that both end the same things. Disabling, deleting or re-passwording a user
// (the password may have been stolen) ends every login they had (store: their refresh-token families) and
// every access token issued to them until now (RFC 9700 §4.14, RFC 7009 §2.1): a user cutoff recorded in the
// same transaction, which this instance refuses at once and the others from their next revocation sync.
import type { Config } from '../config.js'
import { userAccessTokenCutoff, type RevocationList } from '../security/revocation-list.js'
import type { User, UserStore } from '../store/users.js'

export interface UserChangeDeps {
  store: { users: Pick<UserStore, 'update' | 'delete'> }
  config: Pick<Config, 'accessTokenTtl' | 'clockSkew'>
  now: () => number
  /** This instance's list; the CLI has none (running servers read the cutoff at their next sync). */
  revocations?: Pick<RevocationList, 'cutOffUser'>
}

export interface UserChanges {
  scopes?: readonly string[]
  passwordHash?: string
  disabled?: boolean
}

/** True when the change ends the user's logins and access tokens (enabling or new scopes do not). */
const endsSessions = (changes: UserChanges) => changes.disabled === true || changes.passwordHash !== undefined

/**
 * Applies `changes`; disabling or a new password also ends the user's logins and access tokens.
 * Throws StoreError('not_found') for an unknown id.
 *
 * @example
 * await updateUser(deps, user.id, { disabled: true })
 */
export async function updateUser(deps: UserChangeDeps, userId: string, changes: UserChanges): Promise<User> {
  const now = deps.now()
  if (!endsSessions(changes)) return deps.store.users.update(userId, changes, new Date(now))
  const cutoff = userAccessTokenCutoff(deps.config, userId, now)
  const user = await deps.store.users.update(userId, changes, new Date(now), { cutoff })
  deps.revocations?.cutOffUser(userId, new Date(now), cutoff.expiresAt)
  return user
}

/** Deletes the user (their logins and access keys with them) and ends their access tokens. Throws StoreError('not_found') for an unknown id. */
export async function deleteUser(deps: UserChangeDeps, userId: string): Promise<void> {
  const now = deps.now()
  const cutoff = userAccessTokenCutoff(deps.config, userId, now)
  await deps.store.users.delete(userId, new Date(now), { cutoff })
  deps.revocations?.cutOffUser(userId, new Date(now), cutoff.expiresAt)
}
