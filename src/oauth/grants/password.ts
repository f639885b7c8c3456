// password (RFC 6749 §4.3): a user's username and password, for clients registered for this grant only
// (RFC 9700 §2.4 deprecates it; see the README for when to prefer another grant).
//
// Brute force: each attempt is counted per username and per client address before its password is compared,
// and refused with 429 over either limit (../login-attempts.ts).
// Timing: an unknown username is compared against a dummy hash, so it costs what a wrong password costs.
import { bcryptCost, MAX_PASSWORD_BYTES } from '../../security/passwords.js'
import { randomSecret, sha256 } from '../../security/secrets.js'
import { StoreError } from '../../store/errors.js'
import type { User } from '../../store/users.js'
import { tenantOf } from '../../store/clients.js'
import { familyKeepsRequestedScope, workspaceOf, type WorkspaceGrant } from '../workspace.js'
import { invalidGrant } from '../../errors.js'
import { reserveLoginAttempt, type LoginAttempt } from '../login-attempts.js'
import { grantScope, IDENTITY_SCOPES, intersectScopes } from '../scope.js'
import type { Services } from '../../services.js'
import { refreshBinding, type Grant, type GrantRequest } from './grant.js'

const WRONG_CREDENTIALS = 'the username or password is wrong'

export const PASSWORD_GRANT = 'password'

/** What the password grant uses: the users and the throttle (store), bcrypt, the clock and the login waiters. */
export type PasswordGrantServices = Pick<Services, 'config' | 'store' | 'now' | 'passwords' | 'loginWaiters'>

/** The user whose password this is; anything else is a failed attempt and invalid_grant. */
async function verifyPassword(
  deps: PasswordGrantServices,
  request: GrantRequest,
  attempt: LoginAttempt,
): Promise<User> {
  const { params } = request
  const password = params.password!
  let user: User | undefined
  let matches: boolean
  try {
    // A client logs in only users of its own tenant: another tenant's username is unknown here.
    user = await deps.store.users.findByUsername(tenantOf(request.client), params.username!)
    // bcrypt reads 72 bytes at most: a longer password is refused rather than matched on its prefix.
    const comparable = Buffer.byteLength(password) <= MAX_PASSWORD_BYTES
    matches =
      comparable && (await deps.passwords.verify(password, user?.passwordHash ?? (await deps.passwords.dummyHash())))
  } catch (err) {
    // Not checked (the database or the worker pool failed): not a failure of the user's.
    await attempt.release().catch(() => undefined)
    throw err
  }
  if (!user || !matches) {
    await attempt.failed()
    throw invalidGrant(WRONG_CREDENTIALS)
  }
  return user
}

/** The scope a user with the right password gets; a refusal now (disabled user, scope) is no failed attempt. */
async function grantUserScope(
  deps: PasswordGrantServices,
  request: GrantRequest,
  user: User,
  attempt: LoginAttempt,
): Promise<{ scope: string[]; workspace: WorkspaceGrant | undefined }> {
  try {
    if (user.disabled) throw invalidGrant('this user is disabled')
    const workspace = await workspaceOf(deps, user.tenantId, user.id, request.params.workspace)
    const authority = workspace ? workspace.roleScopes : user.scopes
    const what = workspace ? "this user's role in the workspace" : 'this user'
    return { scope: grantScope(request.scope, intersectScopes(request.client.scopes, authority), what), workspace }
  } catch (err) {
    await attempt.release().catch(() => undefined)
    throw err
  }
}

/** Hashes of another bcrypt cost keep working, and are re-hashed at the configured cost now. Returns the hash in force. */
async function upgradeHash(deps: PasswordGrantServices, user: User, password: string): Promise<string> {
  if (bcryptCost(user.passwordHash) === deps.passwords.cost) return user.passwordHash
  try {
    const upgraded = await deps.passwords.hash(password)
    return (await deps.store.users.replacePasswordHash(user.tenantId, user.id, user.passwordHash, upgraded))
      ? upgraded
      : user.passwordHash
  } catch {
    // The login stands; the next one tries again.
    return user.passwordHash
  }
}

/** The login's refresh-token family, when the client may refresh: its first token, and its id (`sid`). */
// Only while the user is as the login found them: a disable or a new password that commits while this login
// was in bcrypt has already ended the user's logins, and would miss a family written after it.
async function startFamily(
  deps: PasswordGrantServices,
  request: GrantRequest,
  user: User,
  passwordHash: string,
  scope: readonly string[],
): Promise<{ refreshToken: string; familyId: string } | undefined> {
  const { client, now, audience } = request
  // A refresh token is only useful to a client that may use the refresh_token grant.
  if (!client.grantTypes.includes('refresh_token')) return undefined
  const refreshToken = randomSecret()
  try {
    const { family } = await deps.store.refreshTokens.createFamily(
      {
        clientId: client.clientId,
        userId: user.id,
        scope,
        audience,
        absoluteExpiresAt: new Date(now + deps.config.refreshTokenTtl * 1000),
        tokenExpiresAt: new Date(now + deps.config.refreshTokenIdleTtl * 1000),
        tokenHash: sha256(refreshToken),
        whileUser: { passwordHash },
        ...refreshBinding(request),
      },
      new Date(now),
    )
    return { refreshToken, familyId: family.id }
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict')
      throw invalidGrant('the user was disabled or given a new password during the login')
    throw err
  }
}

export const createPasswordGrant = (deps: PasswordGrantServices): Grant => ({
  grantType: PASSWORD_GRANT,
  parameters: { required: ['username', 'password'], optional: ['workspace'] },
  async handler(request) {
    const { client, params } = request
    grantScope(request.scope, client.scopes, 'this client')
    const attempt = await reserveLoginAttempt({
      deps,
      tenantId: tenantOf(client),
      username: params.username!,
      ip: request.ip,
      actor: `client:${client.clientId}`,
    })
    const user = await verifyPassword(deps, request, attempt)
    const { scope, workspace } = await grantUserScope(deps, request, user, attempt)
    await attempt.succeeded()
    const passwordHash = await upgradeHash(deps, user, params.password!)
    // A family that keeps the requested scope (workspace.ts) keeps the identity scopes granted now only: a refresh
    // treats them as held by every user, so one this login was refused would come with its first refresh, a scope
    // not originally granted (RFC 6749 §6).
    const familyScope = familyKeepsRequestedScope(client, params.workspace)
      ? (request.scope ?? client.scopes).filter((name) => !IDENTITY_SCOPES.includes(name) || scope.includes(name))
      : scope
    const family = await startFamily(deps, request, user, passwordHash, familyScope)
    return {
      subject: user.id,
      scope,
      audience: request.audience,
      tenantId: user.tenantId,
      ...(workspace ? { workspaceId: workspace.workspaceId } : {}),
      ...(family ? { refreshToken: family.refreshToken, claims: { sid: family.familyId } } : {}),
    }
  },
})
