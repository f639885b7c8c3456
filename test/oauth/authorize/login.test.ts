// The login page's password check (src/oauth/authorize/login.ts) as a unit, with fake services that record every
// call and an injected clock: the throttle around the comparison (../login-attempts.ts: reserved per username in
// the client's tenant and per address; a wrong password, an unknown username and a password past bcrypt's 72 bytes
// are failures; a right password of a disabled user, or a check that failed, gives the reservations back; a login
// forgets the username's failures), a lock or a crowd answered as `throttled` with its Retry-After, any other
// failure passed on, and the audit of each outcome. Through the page: test/oauth/authorize.test.ts,
// test/oauth/tenant-login-throttle.test.ts.
import t from 'tap'
import { OAuthError, temporarilyUnavailable } from '../../../src/errors.ts'
import { checkLogin, type LoginOutcome } from '../../../src/oauth/authorize/login.ts'
import { sha256 } from '../../../src/security/secrets.ts'
import type { Failure, Reservation, ReserveResult, ThrottlePolicy } from '../../../src/store/login-throttle.ts'
import type { User } from '../../../src/store/users.ts'
import { recordingLoginThrottle, recordingLoginWaiters } from '../../support/recording-fakes.ts'

const NOW = 1_800_000_000_000
const TENANT = 'tenant-7'
const IP = '192.0.2.1'
const RIGHT = 'correct horse battery staple'
const HASH = `$2b$10$${'h'.repeat(53)}`
const DUMMY = `$2b$10$${'d'.repeat(53)}`
const USER_POLICY: ThrottlePolicy = { window: 900, lockout: 600, maxFailures: 5 }
const IP_POLICY: ThrottlePolicy = { window: 900, lockout: 600, maxFailures: 50 }
const WINDOW_START = new Date(NOW - 60_000)
const AT = new Date(NOW)

const keyOf = (username: string) => `user:${TENANT}:${sha256(username)}`
const USER_KEY = keyOf('ada')
const IP_KEY = `ip:${IP}`
const reservation = (key: string): Reservation => ({ key, windowStart: WINDOW_START })

const user = (extra: Partial<User> = {}): User => ({
  id: 'user-1',
  tenantId: TENANT,
  username: 'ada',
  passwordHash: HASH,
  scopes: ['read'],
  disabled: false,
  email: null,
  emailVerified: false,
  name: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...extra,
})

type Failing = 'reserve' | 'findByUsername' | 'verify' | 'dummyHash' | 'release'

interface Setup {
  /** The user of the tenant (none: unknown). */
  found?: User | undefined
  /** The password that matches the user's hash. */
  password?: string
  /** What reserving each throttle key answers (default: admitted). */
  reserve?: Record<string, ReserveResult>
  /** What a failure of each key answers (default: one failure, no lock). */
  failures?: Record<string, Failure>
  /** Calls that throw this error. */
  errors?: Partial<Record<Failing, unknown>>
}

function setup(options: Setup = {}) {
  const calls: unknown[][] = []
  const found = 'found' in options ? options.found : user()
  const fails = async (name: Failing) => {
    if (options.errors && name in options.errors) throw options.errors[name]
  }
  const deps = {
    config: {
      loginFailureWindow: 900,
      loginLockout: 600,
      loginMaxFailuresPerUser: 5,
      loginMaxFailuresPerIp: 50,
      loginWaitTimeout: 0,
    },
    now: () => NOW,
    passwords: {
      async verify(password: string, hash: string) {
        calls.push(['passwords.verify', password, hash])
        await fails('verify')
        return found !== undefined && hash === found.passwordHash && password === (options.password ?? RIGHT)
      },
      async dummyHash() {
        calls.push(['passwords.dummyHash'])
        await fails('dummyHash')
        return DUMMY
      },
    },
    loginWaiters: recordingLoginWaiters(calls),
    store: {
      loginThrottle: recordingLoginThrottle(calls, { ...options, reservation }, fails),
      users: {
        async findByUsername(tenantId: string, username: string) {
          calls.push(['users.findByUsername', tenantId, username])
          await fails('findByUsername')
          return found && found.tenantId === tenantId && found.username === username ? found : undefined
        },
      },
      audit: {
        async record(event: unknown, at: Date) {
          calls.push(['audit.record', event, at])
        },
      },
    },
  }
  return { deps: deps as never, calls }
}

const input = (extra: { username?: string; password?: string } = {}) => ({
  username: 'ada',
  password: RIGHT,
  ip: IP,
  clientId: 'web',
  tenantId: TENANT,
  ...extra,
})

/** What checkLogin answered, or the error it threw, whole. */
async function outcome(promise: Promise<LoginOutcome>) {
  try {
    return { resolved: await promise }
  } catch (err) {
    return { rejected: err }
  }
}

const reserved = (key = USER_KEY) => [
  ['throttle.reserve', key, USER_POLICY, AT],
  ['throttle.reserve', IP_KEY, IP_POLICY, AT],
]
const failedAttempt = (key = USER_KEY) => [
  ['throttle.fail', reservation(key), USER_POLICY, AT],
  ['throttle.fail', reservation(IP_KEY), IP_POLICY, AT],
  ['loginWaiters.wake', key],
  ['loginWaiters.wake', IP_KEY],
]
const releasedAttempt = (key = USER_KEY) => [
  ['throttle.release', reservation(key), AT],
  ['throttle.release', reservation(IP_KEY), AT],
  ['loginWaiters.wake', key],
  ['loginWaiters.wake', IP_KEY],
]
const auditFailed = (subject = 'ada') => [
  'audit.record',
  { type: 'login.failed', actor: 'client:web', subject, ip: IP, details: { via: 'login_page' }, tenantId: TENANT },
  AT,
]

t.test('the right password: the user, the username forgotten, the address given back, audited', async (t) => {
  const { deps, calls } = setup()
  t.strictSame(await outcome(checkLogin(deps, input())), { resolved: { outcome: 'succeeded', user: user() } })
  t.strictSame(calls, [
    ...reserved(),
    ['users.findByUsername', TENANT, 'ada'],
    ['passwords.verify', RIGHT, HASH],
    ['throttle.forget', reservation(USER_KEY), AT],
    ['throttle.release', reservation(IP_KEY), AT],
    ['loginWaiters.wake', USER_KEY],
    ['loginWaiters.wake', IP_KEY],
    [
      'audit.record',
      {
        type: 'login.succeeded',
        actor: 'client:web',
        subject: 'user:user-1',
        ip: IP,
        details: { via: 'login_page' },
        tenantId: TENANT,
      },
      AT,
    ],
  ])
})

t.test('a wrong password: a failure, audited under the username typed', async (t) => {
  const { deps, calls } = setup()
  t.strictSame(await outcome(checkLogin(deps, input({ password: 'wrong' }))), { resolved: { outcome: 'failed' } })
  t.strictSame(calls, [
    ...reserved(),
    ['users.findByUsername', TENANT, 'ada'],
    ['passwords.verify', 'wrong', HASH],
    ...failedAttempt(),
    auditFailed(),
  ])
})

t.test('an unknown username: compared against the dummy hash, the same failure', async (t) => {
  const { deps, calls } = setup()
  t.strictSame(await outcome(checkLogin(deps, input({ username: 'eve' }))), { resolved: { outcome: 'failed' } })
  t.strictSame(calls, [
    ...reserved(keyOf('eve')),
    ['users.findByUsername', TENANT, 'eve'],
    ['passwords.dummyHash'],
    ['passwords.verify', RIGHT, DUMMY],
    ...failedAttempt(keyOf('eve')),
    auditFailed('eve'),
  ])
})

t.test('a disabled user: the right password gives the attempt back, a wrong one is a failure', async (t) => {
  const right = setup({ found: user({ disabled: true }) })
  t.strictSame(await outcome(checkLogin(right.deps, input())), { resolved: { outcome: 'failed' } })
  t.strictSame(right.calls, [
    ...reserved(),
    ['users.findByUsername', TENANT, 'ada'],
    ['passwords.verify', RIGHT, HASH],
    ...releasedAttempt(),
    auditFailed(),
  ])

  const wrong = setup({ found: user({ disabled: true }) })
  t.strictSame(await outcome(checkLogin(wrong.deps, input({ password: 'wrong' }))), { resolved: { outcome: 'failed' } })
  t.strictSame(wrong.calls, [
    ...reserved(),
    ['users.findByUsername', TENANT, 'ada'],
    ['passwords.verify', 'wrong', HASH],
    ...failedAttempt(),
    auditFailed(),
  ])
})

t.test("a password of 72 bytes is compared; one byte more is a failure without bcrypt's truncation", async (t) => {
  for (const password of ['p'.repeat(72), 'é'.repeat(36)]) {
    const { deps, calls } = setup({ password })
    t.strictSame(await outcome(checkLogin(deps, input({ password }))), {
      resolved: { outcome: 'succeeded', user: user() },
    })
    t.strictSame(calls.slice(2, 4), [
      ['users.findByUsername', TENANT, 'ada'],
      ['passwords.verify', password, HASH],
    ])
  }
  for (const password of ['p'.repeat(73), `${'é'.repeat(36)}p`, 'é'.repeat(37)]) {
    const { deps, calls } = setup({ password })
    t.strictSame(await outcome(checkLogin(deps, input({ password }))), { resolved: { outcome: 'failed' } })
    t.strictSame(calls, [...reserved(), ['users.findByUsername', TENANT, 'ada'], ...failedAttempt(), auditFailed()])
  }
})

t.test('the audit keeps 255 characters of a long username; the throttle counts the whole of it', async (t) => {
  const username = `${'u'.repeat(254)}vw`
  const { deps, calls } = setup()
  t.strictSame(await outcome(checkLogin(deps, input({ username }))), { resolved: { outcome: 'failed' } })
  t.strictSame(calls, [
    ...reserved(keyOf(username)),
    ['users.findByUsername', TENANT, username],
    ['passwords.dummyHash'],
    ['passwords.verify', RIGHT, DUMMY],
    ...failedAttempt(keyOf(username)),
    auditFailed(`${'u'.repeat(254)}v`),
  ])
})

t.test('a locked key: throttled with the Retry-After of the lock, nothing compared', async (t) => {
  const { deps, calls } = setup({
    reserve: { [USER_KEY]: { outcome: 'locked', lockedUntil: new Date(NOW + 41_200) } },
  })
  t.strictSame(await outcome(checkLogin(deps, input())), { resolved: { outcome: 'throttled', retryAfter: 42 } })
  t.strictSame(calls, [...reserved(), ['throttle.release', reservation(IP_KEY), AT], ['loginWaiters.wake', IP_KEY]])
})

t.test('a crowded key, with no time to wait (LOGIN_WAIT_TIMEOUT 0): throttled for a second', async (t) => {
  const { deps, calls } = setup({ reserve: { [IP_KEY]: { outcome: 'busy' } } })
  t.strictSame(await outcome(checkLogin(deps, input())), { resolved: { outcome: 'throttled', retryAfter: 1 } })
  t.strictSame(calls, [...reserved(), ['throttle.release', reservation(USER_KEY), AT], ['loginWaiters.wake', USER_KEY]])
})

t.test('a 429 without Retry-After is throttled for a second', async (t) => {
  const { deps, calls } = setup({ errors: { reserve: new OAuthError('too_many_requests', 'slow down', 429) } })
  t.strictSame(await outcome(checkLogin(deps, input())), { resolved: { outcome: 'throttled', retryAfter: 1 } })
  t.strictSame(calls, reserved())
})

t.test('any other failure to reserve is passed on, nothing compared or audited', async (t) => {
  const unavailable = temporarilyUnavailable(false, 5)
  const plain = new Error('database is locked')
  const looksLike429 = Object.assign(new Error('not ours'), { statusCode: 429, headers: { 'retry-after': '9' } })
  for (const error of [unavailable, plain, looksLike429]) {
    const { deps, calls } = setup({ errors: { reserve: error } })
    t.equal((await outcome(checkLogin(deps, input()))).rejected, error, `${error.message}: the same error`)
    t.strictSame(calls, reserved())
  }
})

t.test('a check that fails gives the attempt back and passes the error on', async (t) => {
  const error = new Error('worker crashed')
  const byStage = {
    findByUsername: [['users.findByUsername', TENANT, 'ada']],
    verify: [
      ['users.findByUsername', TENANT, 'ada'],
      ['passwords.verify', RIGHT, HASH],
    ],
  } as const
  for (const [stage, checked] of Object.entries(byStage)) {
    const { deps, calls } = setup({ errors: { [stage]: error } })
    const result = await outcome(checkLogin(deps, input()))
    t.equal(result.rejected, error, `${stage}: the same error`)
    t.strictSame(calls, [...reserved(), ...checked, ...releasedAttempt()], stage)
  }

  const { deps, calls } = setup({ found: undefined, errors: { dummyHash: error } })
  t.equal((await outcome(checkLogin(deps, input()))).rejected, error, 'dummyHash: the same error')
  t.strictSame(calls, [
    ...reserved(),
    ['users.findByUsername', TENANT, 'ada'],
    ['passwords.dummyHash'],
    ...releasedAttempt(),
  ])
})

t.test('a check that fails and cannot give the attempt back passes on the first error', async (t) => {
  const error = new Error('worker crashed')
  const { deps, calls } = setup({ errors: { verify: error, release: new Error('database gone') } })
  t.equal((await outcome(checkLogin(deps, input()))).rejected, error)
  t.strictSame(calls, [
    ...reserved(),
    ['users.findByUsername', TENANT, 'ada'],
    ['passwords.verify', RIGHT, HASH],
    ['throttle.release', reservation(USER_KEY), AT],
    ['throttle.release', reservation(IP_KEY), AT],
  ])
})
