// password (RFC 6749 §4.3): a user's username and password, for clients registered for this grant only
// (RFC 9700 §2.4 deprecates it; see the README for when to prefer another grant).
//
// Brute force: failures are counted per username and per client IP in the database (every instance sees
// them); a key over its limit is locked and answered 429 with Retry-After, even for the right password.
// A successful login resets the username's counter; the IP's counter runs out with its window, so one
// known-good account cannot be used to wipe the count of a password-spraying address.
// Timing: an unknown username is compared against a dummy hash, so it costs what a wrong password costs.
import { bcryptCost, MAX_PASSWORD_BYTES } from '../../security/passwords.js'
import { randomSecret, sha256 } from '../../security/secrets.js'
import type { User } from '../../store/users.js'
import { invalidGrant, tooManyRequests } from '../errors.js'
import { grantScope, intersectScopes } from '../scope.js'
import type { Grant, GrantRequest, TokenDeps } from './index.js'

const WRONG_CREDENTIALS = 'the username or password is wrong'

interface ThrottleKeys {
  user: string
  ip: string
}

const throttleKeys = (username: string, ip: string): ThrottleKeys => ({ user: `user:${sha256(username)}`, ip: `ip:${ip}` })

async function refuseWhileLocked(deps: TokenDeps, keys: ThrottleKeys, now: number): Promise<string[]> {
  const state = await deps.store.loginThrottle.check([keys.user, keys.ip], new Date(now))
  if (state.lockedUntil) throw tooManyRequests('too many failed logins; try again later', (state.lockedUntil.getTime() - now) / 1000)
  return state.counted
}

async function recordFailure(request: GrantRequest, keys: ThrottleKeys): Promise<void> {
  const { deps, now, ip, params } = request
  const { config, store } = deps
  const at = new Date(now)
  const window = config.loginFailureWindow
  const lockout = config.loginLockout
  const [user, address] = await Promise.all([
    store.loginThrottle.recordFailure(keys.user, { maxFailures: config.loginMaxFailuresPerUser, window, lockout }, at),
    store.loginThrottle.recordFailure(keys.ip, { maxFailures: config.loginMaxFailuresPerIp, window, lockout }, at),
  ])
  const locks = [
    ...(user.lockedUntil ? [{ by: 'username', failures: user.failures, lockedUntil: user.lockedUntil.toISOString() }] : []),
    ...(address.lockedUntil ? [{ by: 'ip', failures: address.failures, lockedUntil: address.lockedUntil.toISOString() }] : []),
  ]
  for (const lock of locks) {
    await store.audit.record({ type: 'login.throttled', actor: `client:${request.client.clientId}`, subject: params.username!.slice(0, 255), ip, details: lock }, at)
  }
}

/** The user whose password this is; anything else records a failure and is invalid_grant. */
async function verifyPassword(request: GrantRequest, keys: ThrottleKeys): Promise<User> {
  const { deps, params } = request
  const password = params.password!
  const user = await deps.store.users.findByUsername(params.username!)
  // bcrypt reads 72 bytes at most: a longer password is refused rather than matched on its prefix.
  const comparable = Buffer.byteLength(password) <= MAX_PASSWORD_BYTES
  const matches = comparable && (await deps.passwords.verify(password, user?.passwordHash ?? (await deps.passwords.dummyHash())))
  if (!user || !matches) {
    await recordFailure(request, keys)
    throw invalidGrant(WRONG_CREDENTIALS)
  }
  if (user.disabled) throw invalidGrant('this user is disabled')
  return user
}

/** Hashes of another bcrypt cost keep working, and are re-hashed at the configured cost now. */
async function upgradeHash(deps: TokenDeps, user: User, password: string): Promise<void> {
  if (bcryptCost(user.passwordHash) === deps.passwords.cost) return
  try {
    await deps.store.users.replacePasswordHash(user.id, user.passwordHash, await deps.passwords.hash(password))
  } catch {
    // The login stands; the next one tries again.
  }
}

/** The login's refresh-token family, when the client may refresh: its first token, and its id (`sid`). */
async function startFamily(request: GrantRequest, user: User, scope: readonly string[]): Promise<{ refreshToken: string; familyId: string } | undefined> {
  const { client, deps, now, audience } = request
  // A refresh token is only useful to a client that may use the refresh_token grant.
  if (!client.grantTypes.includes('refresh_token')) return undefined
  const refreshToken = randomSecret()
  const { family } = await deps.store.refreshTokens.createFamily(
    { clientId: client.clientId, userId: user.id, scope, audience, absoluteExpiresAt: new Date(now + deps.config.refreshTokenTtl * 1000), tokenExpiresAt: new Date(now + deps.config.refreshTokenIdleTtl * 1000), tokenHash: sha256(refreshToken) },
    new Date(now),
  )
  return { refreshToken, familyId: family.id }
}

export const passwordGrant: Grant = {
  grantType: 'password',
  parameters: { required: ['username', 'password'], optional: [] },
  async handler(request) {
    const { client, deps, params, now } = request
    grantScope(request.scope, client.scopes, 'this client')
    const keys = throttleKeys(params.username!, request.ip)
    const counted = await refuseWhileLocked(deps, keys, now)
    const user = await verifyPassword(request, keys)
    const allowed = intersectScopes(client.scopes, user.scopes)
    const scope = grantScope(request.scope, allowed, 'this user')
    if (counted.includes(keys.user)) await deps.store.loginThrottle.reset(keys.user)
    await upgradeHash(deps, user, params.password!)
    const family = await startFamily(request, user, scope)
    return { subject: user.id, scope, audience: request.audience, ...(family ? { refreshToken: family.refreshToken, claims: { sid: family.familyId } } : {}) }
  },
}
