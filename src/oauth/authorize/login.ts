// The login page's password check: the same brute-force protection as the password grant (per username and
// per client address, shared by every instance; ../login-attempts.ts), bcrypt on the worker pool, an unknown
// username compared against a dummy hash, and one answer for an unknown username and a wrong password.
import type { Services } from '../../services.js'
import { OAuthError } from '../../errors.js'
import { MAX_PASSWORD_BYTES } from '../../security/passwords.js'
import type { User } from '../../store/users.js'
import { reserveLoginAttempt, type LoginAttempt } from '../login-attempts.js'

export type LoginDeps = Pick<Services, 'config' | 'store' | 'now' | 'passwords' | 'loginWaiters'>

export type LoginOutcome =
  | { outcome: 'succeeded'; user: User }
  | { outcome: 'failed' }
  /** Locked or crowded: retry after this many seconds. */
  | { outcome: 'throttled'; retryAfter: number }

/** Checks a username and password typed on the login page, and audits the outcome. */
export async function checkLogin(
  deps: LoginDeps,
  /**
   * `tenantId`: the client's; a client signs in only users of its own tenant, and the username's failures
   * count within it (../login-attempts.ts).
   */
  input: { username: string; password: string; ip: string; clientId: string; tenantId: string },
): Promise<LoginOutcome> {
  const { store } = deps
  const actor = `client:${input.clientId}`
  const { tenantId } = input
  let attempt: LoginAttempt
  try {
    attempt = await reserveLoginAttempt({ deps, tenantId, username: input.username, ip: input.ip, actor })
  } catch (err) {
    if (err instanceof OAuthError && err.statusCode === 429)
      return { outcome: 'throttled', retryAfter: Number(err.headers['retry-after'] ?? 1) }
    throw err
  }
  let user: User | undefined
  let matches: boolean
  try {
    user = await store.users.findByUsername(tenantId, input.username)
    const comparable = Buffer.byteLength(input.password) <= MAX_PASSWORD_BYTES
    matches =
      comparable &&
      (await deps.passwords.verify(input.password, user?.passwordHash ?? (await deps.passwords.dummyHash())))
  } catch (err) {
    await attempt.release().catch(() => undefined)
    throw err
  }
  const at = new Date(deps.now())
  // A disabled user with the right password is told no more than a wrong password would tell.
  if (!user || !matches || user.disabled) {
    if (user?.disabled && matches) await attempt.release()
    else await attempt.failed()
    await store.audit.record(
      {
        type: 'login.failed',
        actor,
        subject: input.username.slice(0, 255),
        ip: input.ip,
        details: { via: 'login_page' },
        tenantId,
      },
      at,
    )
    return { outcome: 'failed' }
  }
  await attempt.succeeded()
  await store.audit.record(
    {
      type: 'login.succeeded',
      actor,
      subject: `user:${user.id}`,
      ip: input.ip,
      details: { via: 'login_page' },
      tenantId,
    },
    at,
  )
  return { outcome: 'succeeded', user }
}
