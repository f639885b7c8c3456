// Brute-force protection of password logins (RFC 6749 §4.3.2: the endpoint MUST be protected against brute
// force): every attempt counts against its username and its client address in the database (every instance
// sees the same counts; store/login-throttle.ts), and a key over its limit is answered 429 with Retry-After,
// even for the right password.
//
// The attempt is counted (reserved) before the password is compared, and refused there when either key is
// locked: were it counted after, every guess sent while the first ones were still in bcrypt would be
// compared, and a lockout of N failures would allow a burst as large as the rate limit. So within a window
// exactly LOGIN_MAX_FAILURES_PER_USER guesses at one username are compared, however many arrive at once.
// Then the attempt ends one of three ways:
// - failed (wrong password, unknown username, a password longer than bcrypt reads): it stays counted, and a
//   lock its reservation set is audited (`login.throttled`, once per lock);
// - released (the password was right but the login is refused, or it could not be checked): it is given
//   back, lock included, so it counts as it did before reservations, not at all;
// - succeeded: the username's failures are forgotten, while the address's reservation is only given back,
//   so one known-good account cannot wipe the count of a password-spraying address.
// An address counts as its client-address.ts key (an IPv6 client by its /64, as the rate limit counts it).
import type { RouteDeps } from '../app.js'
import { sha256 } from '../security/secrets.js'
import type { Reservation, ReserveResult } from '../store/login-throttle.js'
import { addressKey } from './client-address.js'
import { tooManyRequests } from './errors.js'

export interface LoginAttempt {
  /** The password was wrong: the attempt stays counted; the locks it set are audited. */
  failed(): Promise<void>
  /** The attempt was not a failure, but no login either: its reservations are given back. */
  release(): Promise<void>
  /** A successful login: the username's failures are forgotten, the address counts as before the attempt. */
  succeeded(): Promise<void>
}

export interface LoginAttemptInput {
  deps: Pick<RouteDeps, 'config' | 'store'>
  username: string
  /** The client address as the request has it (audited as is; counted by its addressKey). */
  ip: string
  /** Milliseconds. */
  now: number
  /** Who asks, for the audit log (e.g. `client:<id>`). */
  actor: string
}

type Scope = 'username' | 'ip'

/** Reserves the attempt for the username and the address at once; 429 when either is locked. */
export async function reserveLoginAttempt(input: LoginAttemptInput): Promise<LoginAttempt> {
  const { deps, username, ip, now, actor } = input
  const { config, store } = deps
  const at = new Date(now)
  const window = config.loginFailureWindow
  const lockout = config.loginLockout
  const keys: Record<Scope, string> = { username: `user:${sha256(username)}`, ip: `ip:${addressKey(ip)}` }
  const results = await Promise.allSettled([
    store.loginThrottle.reserve(keys.username, { maxFailures: config.loginMaxFailuresPerUser, window, lockout }, at),
    store.loginThrottle.reserve(keys.ip, { maxFailures: config.loginMaxFailuresPerIp, window, lockout }, at),
  ])
  const [byUsername, byIp] = results.map((result) => (result.status === 'fulfilled' && result.value.admitted ? result.value.reservation : undefined))
  const releaseAll = async () => {
    await Promise.all([byUsername, byIp].map((reservation) => (reservation ? store.loginThrottle.release(reservation, at) : undefined)))
  }
  if (!byUsername || !byIp) {
    // Refused, or the database failed: what was reserved is given back (a request refused for its address
    // does not count against its username), as far as the database lets us.
    await releaseAll().catch(() => undefined)
    const failure = results.find((result) => result.status === 'rejected')
    if (failure) throw failure.reason
    throw tooManyRequests('too many failed logins; try again later', (latestLock(results) - now) / 1000)
  }

  const audit = async (by: Scope, reservation: Reservation) => {
    if (!reservation.lockedUntil) return
    const details = { by, failures: reservation.failures, lockedUntil: reservation.lockedUntil.toISOString() }
    await store.audit.record({ type: 'login.throttled', actor, subject: username.slice(0, 255), ip, details }, at)
  }
  return {
    async failed() {
      await audit('username', byUsername)
      await audit('ip', byIp)
    },
    release: releaseAll,
    async succeeded() {
      await Promise.all([store.loginThrottle.reset(keys.username), store.loginThrottle.release(byIp, at)])
    },
  }
}

function latestLock(results: readonly PromiseSettledResult<ReserveResult>[]): number {
  const locks = results.flatMap((result) => (result.status === 'fulfilled' && !result.value.admitted ? [result.value.lockedUntil.getTime()] : []))
  return Math.max(...locks)
}
