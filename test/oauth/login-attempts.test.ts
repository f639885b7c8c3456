// The login throttle (src/oauth/login-attempts.ts) as a unit, with a fake throttle store, audit log and waiter
// list that record every call, an injected clock, and performance.now() and Math.random() pinned so that every
// wait is exact: the keys (a username within its tenant, an address by its /64), the two reservations of a first
// try, a locked key (429 with the Retry-After of the latest lock, what was reserved given back), a database
// error, a busy key waited for (the username before the address) until LOGIN_WAIT_TIMEOUT, and the three ends
// of an attempt (failed, with the locks it sets audited; released; succeeded). Through the token endpoint:
// test/oauth/token-password.test.ts, tenant-login-throttle.test.ts.
import t from 'tap'
import { OAuthError } from '../../src/errors.ts'
import { type LoginAttemptInput, reserveLoginAttempt, usernameKey } from '../../src/oauth/login-attempts.ts'
import { sha256 } from '../../src/security/secrets.ts'
import type { Failure, Reservation, ReserveResult, ThrottlePolicy } from '../../src/store/login-throttle.ts'
import { DEFAULT_TENANT_ID } from '../../src/store/tenants.ts'

/** The server clock (the throttle's time). */
const NOW = 1_800_000_000_000
const AT = new Date(NOW)
const IP = '192.0.2.1'
const USER_POLICY: ThrottlePolicy = { window: 900, lockout: 600, maxFailures: 5 }
const IP_POLICY: ThrottlePolicy = { window: 900, lockout: 600, maxFailures: 50 }
const USER_KEY = `user:${sha256('ada')}`
const IP_KEY = `ip:${IP}`
const LOCKED = 'too many failed logins; try again later'
const CROWDED = 'too many logins at once; try again shortly'
/** With Math.random() at 0.5, a poll waits 100 + 0.5 × (250 − 100) ms. */
const POLL = 175
const DOWN = new Error('database unavailable')

const held = (key: string, windowStart = new Date(NOW - 60_000)): Reservation => ({ key, windowStart })
const admitted = (key: string, windowStart?: Date): ReserveResult => ({
  outcome: 'admitted',
  reservation: held(key, windowStart),
})
const BUSY: ReserveResult = { outcome: 'busy' }
const lockedFor = (ms: number): ReserveResult => ({ outcome: 'locked', lockedUntil: new Date(NOW + ms) })

// performance.now() (the wait's deadline) reads `perf.now`, which each wait advances by its timeout.
const perf = { now: 0 }
const realPerformanceNow = performance.now
const realRandom = Math.random
performance.now = () => perf.now
Math.random = () => 0.5
t.teardown(() => {
  performance.now = realPerformanceNow
  Math.random = realRandom
})

interface Setup {
  tenantId?: string
  username?: string
  ip?: string
  /** What reserving each key answers, in turn (the last one repeats); default: admitted. */
  reserve?: Record<string, (ReserveResult | Error)[]>
  /** What a failure of each key answers (default: one failure, no lock). */
  failures?: Record<string, Failure | undefined>
  /** release() throws this. */
  releaseError?: Error
  /** LOGIN_WAIT_TIMEOUT, seconds. */
  waitTimeout?: number
}

function setup(options: Setup = {}) {
  perf.now = 0
  const calls: unknown[][] = []
  const asked: Record<string, number> = {}
  const deps = {
    config: {
      loginFailureWindow: 900,
      loginLockout: 600,
      loginMaxFailuresPerUser: 5,
      loginMaxFailuresPerIp: 50,
      loginWaitTimeout: options.waitTimeout ?? 0,
    },
    now: () => NOW,
    loginWaiters: {
      async wait(key: string, ms: number) {
        calls.push(['loginWaiters.wait', key, ms])
        // A wait that cannot end (no deadline, or a poll of no time) fails the test instead of hanging it.
        if (calls.filter(([name]) => name === 'loginWaiters.wait').length > 10) throw new Error('waits forever')
        perf.now += ms
      },
      wake(...args: unknown[]) {
        calls.push(['loginWaiters.wake', ...args])
      },
      waiting: () => 0,
    },
    store: {
      loginThrottle: {
        async reserve(key: string, policy: ThrottlePolicy, at: Date): Promise<ReserveResult> {
          calls.push(['throttle.reserve', key, policy, at])
          const answers = options.reserve?.[key] ?? [admitted(key)]
          const n = asked[key] ?? 0
          asked[key] = n + 1
          const answer = answers[Math.min(n, answers.length - 1)]!
          if (answer instanceof Error) throw answer
          return answer
        },
        async release(reservation: Reservation, at: Date) {
          calls.push(['throttle.release', reservation, at])
          if (options.releaseError) throw options.releaseError
        },
        async fail(reservation: Reservation, policy: ThrottlePolicy, at: Date): Promise<Failure | undefined> {
          calls.push(['throttle.fail', reservation, policy, at])
          const failures = options.failures ?? {}
          return reservation.key in failures ? failures[reservation.key] : { failures: 1, lockedUntil: undefined }
        },
        async forget(reservation: Reservation, at: Date) {
          calls.push(['throttle.forget', reservation, at])
        },
      },
      audit: {
        async record(event: unknown, at: Date) {
          calls.push(['audit.record', event, at])
        },
      },
    },
  }
  const input: LoginAttemptInput = {
    deps: deps as unknown as LoginAttemptInput['deps'],
    tenantId: options.tenantId ?? DEFAULT_TENANT_ID,
    username: options.username ?? 'ada',
    ip: options.ip ?? IP,
    actor: 'client:app',
  }
  return { attempt: () => reserveLoginAttempt(input), calls }
}

/** The attempt, or the refusal whole (an OAuthError; anything else rethrown). */
async function outcome(promise: Promise<unknown>) {
  try {
    await promise
    return 'reserved'
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return {
      class: err.constructor.name,
      status: err.statusCode,
      error: err.error,
      description: err.description,
      headers: err.headers,
    }
  }
}

/** What a promise rejects with, compared by identity. */
async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('resolved, though a rejection was expected')
}

const refused = (description: string, retryAfter: string) => ({
  class: 'OAuthError',
  status: 429,
  error: 'too_many_requests',
  description,
  headers: { 'retry-after': retryAfter },
})

const reserve = (key: string) => ['throttle.reserve', key, key === IP_KEY ? IP_POLICY : USER_POLICY, AT]
const release = (key: string, reservation = held(key)) => ['throttle.release', reservation, AT]
const wake = (key: string) => ['loginWaiters.wake', key]
const wait = (key: string, ms: number) => ['loginWaiters.wait', key, ms]
const FIRST_TRY = [reserve(USER_KEY), reserve(IP_KEY)]

t.test('usernameKey: the default tenant keeps the key from before tenants; any other has its own', async (t) => {
  t.strictSame(usernameKey(DEFAULT_TENANT_ID, 'ada'), USER_KEY)
  t.strictSame(usernameKey('tenant-a', 'ada'), `user:tenant-a:${sha256('ada')}`)
})

t.test('both keys free: one reservation each, and the three ends of the attempt', async (t) => {
  await t.test('succeeded: the username forgotten, the address given back', async (t) => {
    const { attempt, calls } = setup()
    const login = await attempt()
    t.strictSame(calls, FIRST_TRY)
    calls.length = 0
    await login.succeeded()
    t.strictSame(calls, [['throttle.forget', held(USER_KEY), AT], release(IP_KEY), wake(USER_KEY), wake(IP_KEY)])
  })
  await t.test('released: both given back', async (t) => {
    const { attempt, calls } = setup()
    const login = await attempt()
    calls.length = 0
    await login.release()
    t.strictSame(calls, [release(USER_KEY), release(IP_KEY), wake(USER_KEY), wake(IP_KEY)])
  })
  await t.test('failed, one short of each limit: counted, nothing locked or audited', async (t) => {
    const { attempt, calls } = setup({
      failures: {
        [USER_KEY]: { failures: 4, lockedUntil: undefined },
        [IP_KEY]: { failures: 49, lockedUntil: undefined },
      },
    })
    const login = await attempt()
    calls.length = 0
    await login.failed()
    t.strictSame(calls, [
      ['throttle.fail', held(USER_KEY), USER_POLICY, AT],
      ['throttle.fail', held(IP_KEY), IP_POLICY, AT],
      wake(USER_KEY),
      wake(IP_KEY),
    ])
  })
  await t.test('failed, reservations no longer counted (their window restarted): nothing to audit', async (t) => {
    const { attempt, calls } = setup({ failures: { [USER_KEY]: undefined, [IP_KEY]: undefined } })
    const login = await attempt()
    calls.length = 0
    await login.failed()
    t.strictSame(calls, [
      ['throttle.fail', held(USER_KEY), USER_POLICY, AT],
      ['throttle.fail', held(IP_KEY), IP_POLICY, AT],
      wake(USER_KEY),
      wake(IP_KEY),
    ])
  })
})

t.test('failed at each limit: every waiter woken, and each lock audited', async (t) => {
  const userLock = new Date(NOW + 600_000)
  const ipLock = new Date(NOW + 600_000)
  const { attempt, calls } = setup({
    failures: { [USER_KEY]: { failures: 5, lockedUntil: userLock }, [IP_KEY]: { failures: 50, lockedUntil: ipLock } },
  })
  const login = await attempt()
  calls.length = 0
  await login.failed()
  const event = (by: string, failures: number, lockedUntil: Date) => ({
    type: 'login.throttled',
    actor: 'client:app',
    subject: 'ada',
    ip: IP,
    details: { by, failures, lockedUntil: lockedUntil.toISOString() },
    tenantId: DEFAULT_TENANT_ID,
  })
  t.strictSame(calls, [
    ['throttle.fail', held(USER_KEY), USER_POLICY, AT],
    ['throttle.fail', held(IP_KEY), IP_POLICY, AT],
    wake(USER_KEY),
    wake(IP_KEY),
    ['loginWaiters.wake', USER_KEY, true],
    ['audit.record', event('username', 5, userLock), AT],
    ['loginWaiters.wake', IP_KEY, true],
    ['audit.record', event('ip', 50, ipLock), AT],
  ])
})

t.test("another tenant's username, an IPv6 address and a long username: keys and audit", async (t) => {
  const username = 'u'.repeat(300)
  const userKey = `user:tenant-a:${sha256(username)}`
  const ipKey = 'ip:2001:db8:1:2::'
  const lockedUntil = new Date(NOW + 600_000)
  const { attempt, calls } = setup({
    tenantId: 'tenant-a',
    username,
    ip: '2001:db8:1:2:a:b:c:d',
    failures: { [userKey]: { failures: 5, lockedUntil }, [ipKey]: { failures: 2, lockedUntil: undefined } },
  })
  const login = await attempt()
  t.strictSame(calls, [
    ['throttle.reserve', userKey, USER_POLICY, AT],
    ['throttle.reserve', ipKey, IP_POLICY, AT],
  ])
  calls.length = 0
  await login.failed()
  t.strictSame(calls, [
    ['throttle.fail', held(userKey), USER_POLICY, AT],
    ['throttle.fail', held(ipKey), IP_POLICY, AT],
    wake(userKey),
    wake(ipKey),
    ['loginWaiters.wake', userKey, true],
    [
      'audit.record',
      {
        type: 'login.throttled',
        actor: 'client:app',
        subject: 'u'.repeat(255),
        ip: '2001:db8:1:2:a:b:c:d',
        details: { by: 'username', failures: 5, lockedUntil: lockedUntil.toISOString() },
        tenantId: 'tenant-a',
      },
      AT,
    ],
  ])
})

t.test('a locked username: 429 until its lock ends, the address given back, no wait', async (t) => {
  const cases: [number, string][] = [
    [600_000, '600'],
    [599_001, '600'],
    [600_001, '601'],
    [1_001, '2'],
    [1_000, '1'],
    [1, '1'],
  ]
  for (const [ms, retryAfter] of cases) {
    const { attempt, calls } = setup({ reserve: { [USER_KEY]: [lockedFor(ms)] }, waitTimeout: 10 })
    t.strictSame(await outcome(attempt()), refused(LOCKED, retryAfter), `locked for ${ms} ms`)
    t.strictSame(calls, [...FIRST_TRY, release(IP_KEY), wake(IP_KEY)])
  }
})

t.test('a locked address: 429, the username given back', async (t) => {
  const { attempt, calls } = setup({ reserve: { [IP_KEY]: [lockedFor(300_000)] }, waitTimeout: 10 })
  t.strictSame(await outcome(attempt()), refused(LOCKED, '300'))
  t.strictSame(calls, [...FIRST_TRY, release(USER_KEY), wake(USER_KEY)])
})

t.test('both keys locked: the Retry-After of the lock that ends last', async (t) => {
  const cases: [number, number, string][] = [
    [600_000, 300_000, '600'],
    [300_000, 600_000, '600'],
    [300_000, 300_001, '301'],
    [300_001, 300_000, '301'],
    [300_000, 300_000, '300'],
  ]
  for (const [user, ip, retryAfter] of cases) {
    const { attempt, calls } = setup({ reserve: { [USER_KEY]: [lockedFor(user)], [IP_KEY]: [lockedFor(ip)] } })
    t.strictSame(await outcome(attempt()), refused(LOCKED, retryAfter), `username ${user} ms, address ${ip} ms`)
    t.strictSame(calls, FIRST_TRY)
  }
})

t.test('a locked key and one busy: 429 at once, nothing to give back', async (t) => {
  const { attempt, calls } = setup({
    reserve: { [USER_KEY]: [BUSY], [IP_KEY]: [lockedFor(60_000)] },
    waitTimeout: 10,
  })
  t.strictSame(await outcome(attempt()), refused(LOCKED, '60'))
  t.strictSame(calls, FIRST_TRY)
})

t.test('the database failing at the first try: its error, what was reserved given back', async (t) => {
  await t.test('at the username', async (t) => {
    const { attempt, calls } = setup({ reserve: { [USER_KEY]: [DOWN] }, waitTimeout: 10 })
    t.equal(await thrown(attempt()), DOWN)
    t.strictSame(calls, [...FIRST_TRY, release(IP_KEY), wake(IP_KEY)])
  })
  await t.test('at the address', async (t) => {
    const { attempt, calls } = setup({ reserve: { [IP_KEY]: [DOWN] }, waitTimeout: 10 })
    t.equal(await thrown(attempt()), DOWN)
    t.strictSame(calls, [...FIRST_TRY, release(USER_KEY), wake(USER_KEY)])
  })
  await t.test('at the address, the username locked: the error wins', async (t) => {
    const { attempt, calls } = setup({ reserve: { [USER_KEY]: [lockedFor(60_000)], [IP_KEY]: [DOWN] } })
    t.equal(await thrown(attempt()), DOWN)
    t.strictSame(calls, FIRST_TRY)
  })
  await t.test('and again at the give-back: the first error', async (t) => {
    const other = new Error('still unavailable')
    const { attempt, calls } = setup({ reserve: { [USER_KEY]: [DOWN] }, releaseError: other })
    t.equal(await thrown(attempt()), DOWN)
    t.strictSame(calls, [...FIRST_TRY, release(IP_KEY)])
  })
  await t.test('a lock and a failing give-back: the 429', async (t) => {
    const { attempt, calls } = setup({ reserve: { [IP_KEY]: [lockedFor(60_000)] }, releaseError: DOWN })
    t.strictSame(await outcome(attempt()), refused(LOCKED, '60'))
    t.strictSame(calls, [...FIRST_TRY, release(USER_KEY)])
  })
})

t.test('a busy username: the address given back, the username waited for first', async (t) => {
  await t.test('no time to wait (the deadline is now): 429 with Retry-After 1', async (t) => {
    const { attempt, calls } = setup({ reserve: { [USER_KEY]: [BUSY, admitted(USER_KEY)] } })
    t.strictSame(await outcome(attempt()), refused(CROWDED, '1'))
    t.strictSame(calls, [...FIRST_TRY, release(IP_KEY), wake(IP_KEY)])
  })
  await t.test('freed after one poll: the new reservations are the ones that end', async (t) => {
    const later = new Date(NOW)
    const { attempt, calls } = setup({
      reserve: { [USER_KEY]: [BUSY, admitted(USER_KEY, later)], [IP_KEY]: [admitted(IP_KEY), admitted(IP_KEY, later)] },
      waitTimeout: 10,
    })
    const login = await attempt()
    t.strictSame(calls, [
      ...FIRST_TRY,
      release(IP_KEY),
      wake(IP_KEY),
      wait(USER_KEY, POLL),
      reserve(USER_KEY),
      reserve(IP_KEY),
    ])
    calls.length = 0
    await login.release()
    t.strictSame(calls, [
      release(USER_KEY, held(USER_KEY, later)),
      release(IP_KEY, held(IP_KEY, later)),
      wake(USER_KEY),
      wake(IP_KEY),
    ])
  })
  await t.test('locked meanwhile: 429 with its Retry-After', async (t) => {
    const { attempt, calls } = setup({
      reserve: { [USER_KEY]: [BUSY, BUSY, lockedFor(600_000)] },
      waitTimeout: 10,
    })
    t.strictSame(await outcome(attempt()), refused(LOCKED, '600'))
    t.strictSame(calls, [
      ...FIRST_TRY,
      release(IP_KEY),
      wake(IP_KEY),
      wait(USER_KEY, POLL),
      reserve(USER_KEY),
      wait(USER_KEY, POLL),
      reserve(USER_KEY),
    ])
  })
  await t.test('freed, then the address locked: 429, the username given back', async (t) => {
    const { attempt, calls } = setup({
      reserve: { [USER_KEY]: [BUSY, admitted(USER_KEY)], [IP_KEY]: [admitted(IP_KEY), lockedFor(120_000)] },
      waitTimeout: 10,
    })
    t.strictSame(await outcome(attempt()), refused(LOCKED, '120'))
    t.strictSame(calls, [
      ...FIRST_TRY,
      release(IP_KEY),
      wake(IP_KEY),
      wait(USER_KEY, POLL),
      reserve(USER_KEY),
      reserve(IP_KEY),
      release(USER_KEY),
      wake(USER_KEY),
    ])
  })
  await t.test('freed, then the database failing at the address: its error, the username given back', async (t) => {
    const { attempt, calls } = setup({
      reserve: { [USER_KEY]: [BUSY, admitted(USER_KEY)], [IP_KEY]: [admitted(IP_KEY), DOWN] },
      waitTimeout: 10,
    })
    t.equal(await thrown(attempt()), DOWN)
    t.strictSame(calls, [
      ...FIRST_TRY,
      release(IP_KEY),
      wake(IP_KEY),
      wait(USER_KEY, POLL),
      reserve(USER_KEY),
      reserve(IP_KEY),
      release(USER_KEY),
      wake(USER_KEY),
    ])
  })
})

t.test('a busy address: the username kept while the address is waited for', async (t) => {
  await t.test('freed after two polls', async (t) => {
    const { attempt, calls } = setup({ reserve: { [IP_KEY]: [BUSY, BUSY, admitted(IP_KEY)] }, waitTimeout: 10 })
    const login = await attempt()
    t.strictSame(calls, [...FIRST_TRY, wait(IP_KEY, POLL), reserve(IP_KEY), wait(IP_KEY, POLL), reserve(IP_KEY)])
    calls.length = 0
    await login.succeeded()
    t.strictSame(calls, [['throttle.forget', held(USER_KEY), AT], release(IP_KEY), wake(USER_KEY), wake(IP_KEY)])
  })
  await t.test('busy until the deadline: polls, the last one cut to the time left, then 429', async (t) => {
    const { attempt, calls } = setup({ reserve: { [IP_KEY]: [BUSY] }, waitTimeout: 0.3 })
    t.strictSame(await outcome(attempt()), refused(CROWDED, '1'))
    t.strictSame(calls, [
      ...FIRST_TRY,
      wait(IP_KEY, POLL),
      reserve(IP_KEY),
      wait(IP_KEY, 300 - POLL),
      reserve(IP_KEY),
      release(USER_KEY),
      wake(USER_KEY),
    ])
  })
  await t.test('one millisecond left: a wait of one millisecond', async (t) => {
    const { attempt, calls } = setup({ reserve: { [IP_KEY]: [BUSY] }, waitTimeout: 0.001 })
    t.strictSame(await outcome(attempt()), refused(CROWDED, '1'))
    t.strictSame(calls, [...FIRST_TRY, wait(IP_KEY, 1), reserve(IP_KEY), release(USER_KEY), wake(USER_KEY)])
  })
})
