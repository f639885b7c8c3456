// Brute-force protection of password logins (RFC 6749 §4.3.2: the endpoint MUST be protected against brute
// force): every attempt counts against its username and its client address in the database (every instance
// sees the same counts; store/login-throttle.ts), and a key whose confirmed failures reached its limit is
// answered 429 with Retry-After, even for the right password.
//
// A username is unique only within its tenant, so it counts within the tenant of the client that logs it in
// (a client logs in only its own tenant's users): failures at `alice` of one tenant never lock out `alice` of
// another. The default tenant's key is the one from before tenants, so a lock in force at the upgrade holds.
//
// The attempt is reserved (counted as in flight) before the password is compared, and admitted only while the
// key's failures plus its attempts in flight are under the limit: were it counted after, every guess sent
// while the first ones were still in bcrypt would be compared, and a lockout of N failures would allow a burst
// as large as the rate limit. So within a window at most LOGIN_MAX_FAILURES_PER_USER wrong guesses at one
// username are compared, however many arrive at once, on however many instances. Only a confirmed failure
// locks: an attempt that finds the key full of attempts in flight is not refused but waits (woken at once when
// an attempt on this instance ends, polling the database for the others) until one ends, then reserves again:
// admitted, or 429 if the key was locked meanwhile; past LOGIN_WAIT_TIMEOUT, 429 with a short Retry-After. So
// a service account or an office behind one address logging in many times at once is slowed to the limit's
// pace, not refused. The username is reserved before the address (a first try asks both at once), and an
// attempt never waits for its username while it holds its address: no two attempts can wait for each other.
// Then the attempt ends one of three ways:
// - failed (wrong password, unknown username, a password longer than bcrypt reads): it becomes a failure,
//   and the failure that reaches a limit locks that key (audited as `login.throttled`, once per lock);
// - released (the password was right but the login is refused, or it could not be checked): it is given
//   back, so it counts as it did before reservations, not at all;
// - succeeded: the username's failures are forgotten, while the address's reservation is only given back,
//   so one known-good account cannot wipe the count of a password-spraying address.
// An address counts as its client-address.ts key (an IPv6 client by its /64, as the rate limit counts it).
import type { Services } from '../services.js'
import { sha256 } from '../security/secrets.js'
import type { Failure, Reservation, ReserveResult, ThrottlePolicy } from '../store/login-throttle.js'
import { addressKey } from './client-address.js'
import { tooManyRequests } from '../errors.js'
import { DEFAULT_TENANT_ID } from '../store/tenants.js'

export interface LoginAttempt {
  /** The password was wrong: the attempt counts as a failure; the locks it set are audited. */
  failed(): Promise<void>
  /** The attempt was not a failure, but no login either: its reservations are given back. */
  release(): Promise<void>
  /** A successful login: the username's failures are forgotten, the address counts as before the attempt. */
  succeeded(): Promise<void>
}

export interface LoginAttemptInput {
  deps: Pick<Services, 'config' | 'store' | 'now' | 'loginWaiters'>
  /** The tenant the username is looked up in (the client's): the username's counter and audit events are its. */
  tenantId: string
  username: string
  /** The client address as the request has it (audited as is; counted by its addressKey). */
  ip: string
  /** Who asks, for the audit log (e.g. `client:<id>`). */
  actor: string
}

type Scope = 'username' | 'ip'

const LOCKED = 'too many failed logins; try again later'
const CROWDED = 'too many logins at once; try again shortly'
/** How often a waiting login asks the database, for attempts that end on other instances (jittered). */
const POLL_MS = { min: 100, max: 250 }

/**
 * The throttle key of `username` in `tenantId`: `user:<hash>` in the default tenant (as before tenants),
 * `user:<tenant id>:<hash>` in any other. Tenant ids are UUIDs and hashes hex, so no two keys can meet.
 */
export const usernameKey = (tenantId: string, username: string) =>
  tenantId === DEFAULT_TENANT_ID ? `user:${sha256(username)}` : `user:${tenantId}:${sha256(username)}`

/** Reserves the attempt for the username and the address, waiting while either is busy; 429 when locked. */
export async function reserveLoginAttempt(input: LoginAttemptInput): Promise<LoginAttempt> {
  const { deps, tenantId, username, ip, actor } = input
  const { config, store, loginWaiters: waiters } = deps
  const throttle = store.loginThrottle
  const common = { window: config.loginFailureWindow, lockout: config.loginLockout }
  const keys: Record<Scope, string> = { username: usernameKey(tenantId, username), ip: `ip:${addressKey(ip)}` }
  const policies: Record<Scope, ThrottlePolicy> = {
    username: { ...common, maxFailures: config.loginMaxFailuresPerUser },
    ip: { ...common, maxFailures: config.loginMaxFailuresPerIp },
  }
  const waitUntil = performance.now() + config.loginWaitTimeout * 1000
  const reserve = (scope: Scope) => throttle.reserve(keys[scope], policies[scope], new Date(deps.now()))
  const giveBack = async (scope: Scope, reservation: Reservation | undefined) => {
    if (!reservation) return
    await throttle.release(reservation, new Date(deps.now()))
    waiters.wake(keys[scope])
  }
  /** Waits while `scope`'s key is busy, then reserves it: admitted, or the reason it was not. */
  const whenFree = async (scope: Scope, first: ReserveResult): Promise<ReserveResult> => {
    let result = first
    while (result.outcome === 'busy') {
      const left = waitUntil - performance.now()
      if (left <= 0) break
      await waiters.wait(keys[scope], Math.min(left, POLL_MS.min + Math.random() * (POLL_MS.max - POLL_MS.min)))
      result = await reserve(scope)
    }
    return result
  }
  const refusal = (result: Exclude<ReserveResult, { outcome: 'admitted' }>) =>
    result.outcome === 'locked'
      ? tooManyRequests(LOCKED, (result.lockedUntil.getTime() - deps.now()) / 1000)
      : tooManyRequests(CROWDED, 1)

  // Both at once first: the usual case, one round trip per key.
  const first = await Promise.allSettled([reserve('username'), reserve('ip')])
  const admitted = first.map((result) =>
    result.status === 'fulfilled' && result.value.outcome === 'admitted' ? result.value.reservation : undefined,
  )
  let [byUsername, byIp] = admitted
  const failure = first.find((result) => result.status === 'rejected')
  const locked = first.flatMap((result) =>
    result.status === 'fulfilled' && result.value.outcome === 'locked' ? [result.value] : [],
  )
  if (failure || locked.length > 0) {
    // The database failed, or a key is locked: what was reserved is given back (a request refused for its
    // address does not count against its username), as far as the database lets us.
    await Promise.all([giveBack('username', byUsername), giveBack('ip', byIp)]).catch(() => undefined)
    if (failure) throw failure.reason
    throw refusal(locked.reduce((latest, lock) => (lock.lockedUntil > latest.lockedUntil ? lock : latest)))
  }
  if (!byUsername || !byIp) {
    try {
      // The username before the address: holding the address while waiting for the username could leave two
      // attempts each waiting for the other's key.
      let ipFirst: ReserveResult = byIp ? { outcome: 'admitted', reservation: byIp } : { outcome: 'busy' }
      if (!byUsername) {
        await giveBack('ip', byIp)
        byIp = undefined
        const result = await whenFree('username', { outcome: 'busy' })
        if (result.outcome !== 'admitted') throw refusal(result)
        byUsername = result.reservation
        ipFirst = await reserve('ip')
      }
      const result = await whenFree('ip', ipFirst)
      if (result.outcome !== 'admitted') throw refusal(result)
      byIp = result.reservation
    } catch (err) {
      await giveBack('username', byUsername).catch(() => undefined)
      throw err
    }
  }
  const reservations: Record<Scope, Reservation> = { username: byUsername, ip: byIp }

  const fail = async (scope: Scope) => {
    const at = new Date(deps.now())
    const failure = await throttle
      .fail(reservations[scope], policies[scope], at)
      .finally(() => waiters.wake(keys[scope]))
    if (failure?.lockedUntil) {
      waiters.wake(keys[scope], true)
      await audit(scope, failure, at)
    }
  }
  const audit = async (by: Scope, failure: Failure, at: Date) => {
    const details = { by, failures: failure.failures, lockedUntil: failure.lockedUntil!.toISOString() }
    await store.audit.record(
      { type: 'login.throttled', actor, subject: username.slice(0, 255), ip, details, tenantId },
      at,
    )
  }
  return {
    async failed() {
      await Promise.all([fail('username'), fail('ip')])
    },
    async release() {
      await Promise.all([giveBack('username', reservations.username), giveBack('ip', reservations.ip)])
    },
    async succeeded() {
      const forgotten = throttle
        .forget(reservations.username, new Date(deps.now()))
        .finally(() => waiters.wake(keys.username))
      await Promise.all([forgotten, giveBack('ip', reservations.ip)])
    },
  }
}
