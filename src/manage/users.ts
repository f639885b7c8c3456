// Users (the resource owners of the password grant): create, change scopes, disable / enable, set the password,
// delete, the same way from the admin API and the CLI, each change audited. The rules are manage/rules.ts's:
// usernames without control or format characters, passwords of 8 characters to 72 bytes.
//
// Disabling, deleting or re-passwording a user (the password may have been stolen) ends every login they had
// (store: their refresh-token families) and every access token issued to them until now (RFC 9700 §4.14,
// RFC 7009 §2.1): a user cutoff recorded in the same transaction, which this instance refuses at once and the
// others from their next revocation sync. Disabling or deleting also stops their access keys.
import type { Config } from '../config.js'
import { notFound, validationFailed } from '../errors.js'
import type { AccessKeyVerifier } from '../security/access-keys.js'
import type { PasswordHasher } from '../security/password-hasher.js'
import { userAccessTokenCutoff, type RevocationList } from '../security/revocation-list.js'
import { DEFAULT_TENANT_ID, StoreError, type Page } from '../store/index.js'
import type { User, UserStore } from '../store/users.js'
import { recordChange, type ChangedBy, type ManageDeps } from './changes.js'
import { passwordProblems, profileProblems, scopeProblems, unadvertisedScopes, usernameProblems } from './rules.js'

export interface UserChangeDeps {
  store: { users: Pick<UserStore, 'update' | 'delete'> }
  config: Pick<Config, 'accessTokenTtl' | 'clockSkew'>
  now: () => number
  /** This instance's list; the CLI has none (running servers read the cutoff at their next sync). */
  revocations?: Pick<RevocationList, 'cutOffUser'>
}

export interface UserDeps extends ManageDeps {
  /** bcrypt at the configured cost: the server's worker pool, or the CLI's own call. */
  passwords: Pick<PasswordHasher, 'hash'>
  revocations?: Pick<RevocationList, 'cutOffUser'>
  /** This instance's access-key cache: a disabled or deleted owner's keys stop at once here. */
  accessKeys?: Pick<AccessKeyVerifier, 'invalidateOwner'>
}

/** The OpenID Connect claims (UserInfo, Core §5.1) a user may be given; null clears email or name. */
export interface ProfileChanges {
  email?: string | null
  emailVerified?: boolean
  name?: string | null
}

export interface UserChanges extends ProfileChanges {
  scopes?: readonly string[]
  passwordHash?: string
  disabled?: boolean
}

/** The profile fields present in `changes`, for the store and the audit event (which names them, never the values). */
function profileOf(changes: ProfileChanges): ProfileChanges {
  return {
    ...(changes.email === undefined ? {} : { email: changes.email }),
    ...(changes.emailVerified === undefined ? {} : { emailVerified: changes.emailVerified }),
    ...(changes.name === undefined ? {} : { name: changes.name }),
  }
}

/** True when the change ends the user's logins and access tokens (enabling or new scopes do not). */
const endsSessions = (changes: UserChanges) => changes.disabled === true || changes.passwordHash !== undefined

/**
 * Writes `changes`; disabling or a new password also ends the user's logins and access tokens. Records no
 * audit event: the verbs below do. Throws StoreError('not_found') for an unknown id.
 *
 * @example
 * await updateUser(deps, user.tenantId, user.id, { disabled: true })
 */
export async function updateUser(
  deps: UserChangeDeps,
  tenantId: string,
  userId: string,
  changes: UserChanges,
): Promise<User> {
  const now = deps.now()
  if (!endsSessions(changes)) return deps.store.users.update(tenantId, userId, changes, new Date(now))
  const cutoff = userAccessTokenCutoff(deps.config, userId, now)
  const user = await deps.store.users.update(tenantId, userId, changes, new Date(now), { cutoff })
  deps.revocations?.cutOffUser(userId, new Date(now), cutoff.expiresAt)
  return user
}

function userNotFound(err: unknown): never {
  if (err instanceof StoreError && err.code === 'not_found') throw notFound('no user has this id')
  throw err
}

/** The user, within `tenantId` (default: the default tenant): another tenant's user is not found. */
async function currentUser(deps: Pick<ManageDeps, 'store'>, userId: string, tenantId?: string): Promise<User> {
  const user = await deps.store.users.findById(tenantId ?? DEFAULT_TENANT_ID, userId)
  if (!user) throw notFound('no user has this id')
  return user
}

/**
 * Creates a user and records `user.created`. Throws validationFailed() with every problem, and
 * StoreError('conflict') when the username is taken.
 *
 * @example
 * const { user } = await createUser(deps, { username: 'alice', password, scopes: ['read'] }, by)
 */
export async function createUser(
  deps: UserDeps,
  request: { username: string; password: string; scopes?: readonly string[] } & ProfileChanges,
  by: ChangedBy,
): Promise<{ user: User; warnings: string[] }> {
  const scopes = request.scopes ?? []
  const problems = [
    ...usernameProblems(request.username),
    ...passwordProblems(request.password),
    ...scopeProblems(scopes),
    ...profileProblems(request),
  ]
  if (problems.length > 0) throw validationFailed(problems)
  const user = await deps.store.users.create({
    ...(by.tenantId === undefined ? {} : { tenantId: by.tenantId }),
    username: request.username,
    passwordHash: await deps.passwords.hash(request.password),
    scopes,
    ...profileOf(request),
  })
  await recordChange(deps, by, {
    type: 'user.created',
    subject: user.id,
    details: { username: user.username, scopes: user.scopes },
    at: deps.now(),
  })
  const unadvertised = unadvertisedScopes(deps.config.scopes, scopes)
  return { user, warnings: unadvertised.length ? [`scopes not listed in SCOPES: ${unadvertised.join(' ')}`] : [] }
}

/**
 * Changes a user's scopes (`user.updated`) and / or disables or enables them (`user.disabled` / `user.enabled`,
 * recorded only when the state changes). Disabling ends their logins, access tokens and access keys.
 */
export async function changeUser(
  deps: UserDeps,
  userId: string,
  changes: { scopes?: readonly string[]; disabled?: boolean } & ProfileChanges,
  by: ChangedBy,
): Promise<User> {
  const { scopes, disabled } = changes
  const profile = profileOf(changes)
  const problems = [...(scopes ? scopeProblems(scopes) : []), ...profileProblems(profile)]
  if (problems.length > 0) throw validationFailed(problems)
  const before = await currentUser(deps, userId, by.tenantId)
  const user = await updateUser(deps, before.tenantId, userId, {
    ...(scopes ? { scopes } : {}),
    ...(disabled === undefined ? {} : { disabled }),
    ...profile,
  }).catch(userNotFound)
  // Narrowed scopes and a disabled owner must reach this instance's cached keys now.
  deps.accessKeys?.invalidateOwner(userId)
  const at = deps.now()
  if (scopes)
    await recordChange(deps, by, {
      type: 'user.updated',
      subject: userId,
      details: { scopes: user.scopes, previous_scopes: before.scopes },
      at,
    })
  // The fields changed, not their values: the audit log keeps no personal data.
  const profileFields = Object.keys(profile).map((field) => (field === 'emailVerified' ? 'email_verified' : field))
  if (profileFields.length > 0)
    await recordChange(deps, by, { type: 'user.updated', subject: userId, details: { profile: profileFields }, at })
  if (disabled !== undefined && disabled !== before.disabled) {
    await recordChange(deps, by, {
      type: disabled ? 'user.disabled' : 'user.enabled',
      subject: userId,
      details: { username: user.username },
      at,
    })
  }
  return user
}

/** Disables a user: no new logins; their logins, access tokens and access keys end now. */
export const disableUser = (deps: UserDeps, userId: string, by: ChangedBy): Promise<User> =>
  changeUser(deps, userId, { disabled: true }, by)

/** Enables a disabled user again (what disabling revoked stays revoked). */
export const enableUser = (deps: UserDeps, userId: string, by: ChangedBy): Promise<User> =>
  changeUser(deps, userId, { disabled: false }, by)

/** Replaces a user's password (ending their logins and access tokens) and records `user.password_set`. */
export async function setUserPassword(deps: UserDeps, userId: string, password: string, by: ChangedBy): Promise<User> {
  const problems = passwordProblems(password)
  if (problems.length > 0) throw validationFailed(problems)
  const before = await currentUser(deps, userId, by.tenantId)
  const user = await updateUser(deps, before.tenantId, userId, {
    passwordHash: await deps.passwords.hash(password),
  }).catch(userNotFound)
  await recordChange(deps, by, { type: 'user.password_set', subject: userId, at: deps.now() })
  return user
}

/** Deletes the user (their logins and access keys with them), ends their access tokens, records `user.deleted`. */
export async function deleteUser(deps: UserDeps, userId: string, by: ChangedBy): Promise<void> {
  const user = await currentUser(deps, userId, by.tenantId)
  const now = deps.now()
  const cutoff = userAccessTokenCutoff(deps.config, userId, now)
  await deps.store.users.delete(user.tenantId, userId, new Date(now), { cutoff }).catch(userNotFound)
  deps.revocations?.cutOffUser(userId, new Date(now), cutoff.expiresAt)
  deps.accessKeys?.invalidateOwner(userId)
  await recordChange(deps, by, {
    type: 'user.deleted',
    subject: userId,
    details: { username: user.username },
    at: deps.now(),
  })
}

export const getUser = currentUser

export function listUsers(
  deps: Pick<ManageDeps, 'store'>,
  options: { after?: string | undefined; limit: number; tenantId?: string },
): Promise<Page<User>> {
  const { tenantId, ...page } = options
  return deps.store.users.list(tenantId ?? DEFAULT_TENANT_ID, page)
}
