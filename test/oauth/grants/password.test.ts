// The password grant (src/oauth/grants/password.ts) as a unit, with fake services that record every call and an
// injected clock: the client's scope first, the login throttle around the comparison (../login-attempts.ts: a
// wrong password, an unknown username and a password past bcrypt's 72 bytes are failures; a right password that is
// refused, or one that could not be checked, gives its reservation back; a login forgets the username's failures),
// the scope a user gets (their own, or their role's in a workspace), the re-hash of another bcrypt cost, and the
// refresh-token family: which scope it keeps, its lifetimes, its DPoP binding (RFC 9449 §5), and a user changed
// during the login. Through the token endpoint: test/oauth/token-grants.test.ts, token-password.test.ts,
// tenant-login-throttle.test.ts.
import t from 'tap'
import { OAuthError } from '../../../src/errors.ts'
import type { GrantRequest } from '../../../src/oauth/grants/grant.ts'
import { createPasswordGrant, PASSWORD_GRANT, type PasswordGrantServices } from '../../../src/oauth/grants/password.ts'
import { sha256 } from '../../../src/security/secrets.ts'
import type { Client } from '../../../src/store/clients.ts'
import { StoreError } from '../../../src/store/errors.ts'
import type { Failure, Reservation, ReserveResult, ThrottlePolicy } from '../../../src/store/login-throttle.ts'
import { DEFAULT_TENANT_ID } from '../../../src/store/tenants.ts'
import type { User } from '../../../src/store/users.ts'
import { clientRow } from '../../support/client-row.ts'
import { recordingLoginThrottle, recordingLoginWaiters, recordingWorkspaces } from '../../support/recording-fakes.ts'

/** When the request arrived; the server clock (the throttle's time) reads a little later. */
const NOW = 1_800_000_000_000
const SERVER_NOW = NOW + 7
const TTL = 86_400
const IDLE_TTL = 3600
const AUDIENCE = 'https://api.example'
const IP = '192.0.2.1'
const RIGHT = 'correct horse battery staple'
const COST = 10
const HASH = `$2b$10$${'h'.repeat(53)}`
const OLD_COST_HASH = `$2b$05$${'o'.repeat(53)}`
const UPGRADED = `$2b$10$${'u'.repeat(53)}`
const DUMMY = `$2b$10$${'d'.repeat(53)}`
const USER_POLICY: ThrottlePolicy = { window: 900, lockout: 600, maxFailures: 5 }
const IP_POLICY: ThrottlePolicy = { window: 900, lockout: 600, maxFailures: 50 }
const WINDOW_START = new Date(NOW - 60_000)
const AT = new Date(SERVER_NOW)

const USER_KEY = `user:${sha256('ada')}`
const TENANT_USER_KEY = `user:tenant-a:${sha256('ada')}`
const IP_KEY = `ip:${IP}`
const reservation = (key: string): Reservation => ({ key, windowStart: WINDOW_START })

const client = (extra: Partial<Client> = {}) =>
  clientRow({
    clientId: 'app',
    grantTypes: ['password', 'refresh_token'],
    scopes: ['openid', 'read', 'write', 'admin'],
    ...extra,
  })

const user = (extra: Partial<User> = {}): User => ({
  id: 'user-1',
  tenantId: DEFAULT_TENANT_ID,
  username: 'ada',
  passwordHash: HASH,
  scopes: ['read', 'write'],
  disabled: false,
  email: null,
  emailVerified: false,
  name: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...extra,
})

type Failing = 'findByUsername' | 'verify' | 'hash' | 'replacePasswordHash' | 'createFamily' | 'release'

interface Setup {
  /** The user `ada` of the tenant `found.tenantId` (none: unknown everywhere). */
  found?: User | undefined
  /** The password that matches the user's hash. */
  password?: string
  /** What reserving each throttle key answers (default: admitted). */
  reserve?: Record<string, ReserveResult>
  /** What a failure of each key answers (default: one failure, no lock). */
  failures?: Record<string, Failure>
  /** What replacePasswordHash answers: false when the hash changed meanwhile. */
  replaced?: boolean
  /** Workspaces by tenant, then by id or slug. */
  workspaces?: Record<string, Record<string, string>>
  /** The role's scopes by `tenant/user/workspace`. */
  roles?: Record<string, string[]>
  /** Calls that throw this error. */
  errors?: Partial<Record<Failing, Error>>
}

function setup(options: Setup = {}) {
  const calls: unknown[][] = []
  const found = 'found' in options ? options.found : user()
  const fails = async (name: Failing) => {
    const err = options.errors?.[name]
    if (err) throw err
  }
  const deps = {
    config: {
      loginFailureWindow: 900,
      loginLockout: 600,
      loginMaxFailuresPerUser: 5,
      loginMaxFailuresPerIp: 50,
      loginWaitTimeout: 0,
      refreshTokenTtl: TTL,
      refreshTokenIdleTtl: IDLE_TTL,
    },
    now: () => SERVER_NOW,
    passwords: {
      cost: COST,
      async verify(password: string, hash: string) {
        calls.push(['passwords.verify', password, hash])
        await fails('verify')
        return found !== undefined && hash === found.passwordHash && password === (options.password ?? RIGHT)
      },
      async hash(password: string) {
        calls.push(['passwords.hash', password])
        await fails('hash')
        return UPGRADED
      },
      async dummyHash() {
        calls.push(['passwords.dummyHash'])
        return DUMMY
      },
    },
    loginWaiters: recordingLoginWaiters(calls),
    store: {
      loginThrottle: recordingLoginThrottle(calls, { ...options, reservation }, (name) => fails(name as Failing)),
      users: {
        async findByUsername(tenantId: string, username: string) {
          calls.push(['users.findByUsername', tenantId, username])
          await fails('findByUsername')
          return found && found.tenantId === tenantId && found.username === username ? found : undefined
        },
        async replacePasswordHash(tenantId: string, id: string, oldHash: string, newHash: string) {
          calls.push(['users.replacePasswordHash', tenantId, id, oldHash, newHash])
          await fails('replacePasswordHash')
          return options.replaced ?? true
        },
      },
      refreshTokens: {
        async createFamily(input: unknown, at: Date) {
          calls.push(['refreshTokens.createFamily', input, at])
          await fails('createFamily')
          return { family: { id: 'fam-1' }, token: { id: 'tok-1' } }
        },
      },
      audit: {
        async record(event: unknown, at: Date) {
          calls.push(['audit.record', event, at])
        },
      },
      tenants: recordingWorkspaces(calls, options),
    },
  }
  const grant = createPasswordGrant(deps as unknown as PasswordGrantServices)
  return { grant, calls }
}

const request = (extra: Partial<GrantRequest> = {}): GrantRequest => ({
  client: client(),
  authMethod: 'client_secret_basic',
  params: { username: 'ada', password: RIGHT },
  scope: undefined,
  resource: undefined,
  audience: AUDIENCE,
  now: NOW,
  ip: IP,
  dpopJkt: undefined,
  ...extra,
})

/** The result, or the refusal's status, error, description and headers (an OAuthError; anything else rethrown). */
async function outcome(promise: Promise<unknown>) {
  try {
    return { result: await promise }
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return { status: err.statusCode, error: err.error, description: err.description, headers: err.headers }
  }
}

/** What a promise rejects with, to be compared by identity: the error itself, not an OAuthError made of it. */
async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('resolved, though a rejection was expected')
}

const refused = (error: string, description: string) => ({ status: 400, error, description, headers: {} })
const WRONG = refused('invalid_grant', 'the username or password is wrong')

// The throttle's calls (../login-attempts.ts), by how the attempt ends.
const reserved = (userKey = USER_KEY) => [
  ['throttle.reserve', userKey, USER_POLICY, AT],
  ['throttle.reserve', IP_KEY, IP_POLICY, AT],
]
const succeeded = (userKey = USER_KEY) => [
  ['throttle.forget', reservation(userKey), AT],
  ['throttle.release', reservation(IP_KEY), AT],
  ['loginWaiters.wake', userKey],
  ['loginWaiters.wake', IP_KEY],
]
const released = (userKey = USER_KEY) => [
  ['throttle.release', reservation(userKey), AT],
  ['throttle.release', reservation(IP_KEY), AT],
  ['loginWaiters.wake', userKey],
  ['loginWaiters.wake', IP_KEY],
]
const failed = (userKey = USER_KEY) => [
  ['throttle.fail', reservation(userKey), USER_POLICY, AT],
  ['throttle.fail', reservation(IP_KEY), IP_POLICY, AT],
  ['loginWaiters.wake', userKey],
  ['loginWaiters.wake', IP_KEY],
]
const lookup = (tenantId = DEFAULT_TENANT_ID) => ['users.findByUsername', tenantId, 'ada']
const compared = (password = RIGHT, hash = HASH) => ['passwords.verify', password, hash]

/** The family a login starts (the token's hash is the returned refresh token's). */
const family = (refreshToken: unknown, extra: Record<string, unknown> = {}) => [
  'refreshTokens.createFamily',
  {
    clientId: 'app',
    userId: 'user-1',
    scope: ['read', 'write'],
    audience: AUDIENCE,
    absoluteExpiresAt: new Date(NOW + TTL * 1000),
    tokenExpiresAt: new Date(NOW + IDLE_TTL * 1000),
    tokenHash: sha256(String(refreshToken)),
    whileUser: { passwordHash: HASH },
    ...extra,
  },
  new Date(NOW),
]

/** A login's result; its refresh token is random, so the caller passes the one it got. */
const loggedIn = (refreshToken: unknown, extra: Record<string, unknown> = {}) => ({
  result: {
    subject: 'user-1',
    scope: ['read', 'write'],
    audience: AUDIENCE,
    tenantId: DEFAULT_TENANT_ID,
    refreshToken,
    claims: { sid: 'fam-1' },
    ...extra,
  },
})

const tokenOf = (got: { result?: unknown }) => (got.result as { refreshToken?: string } | undefined)?.refreshToken

t.test('the grant type and the parameters it reads', async (t) => {
  const { grant } = setup()
  t.equal(grant.grantType, 'password')
  t.equal(PASSWORD_GRANT, 'password')
  t.strictSame(grant.parameters, { required: ['username', 'password'], optional: ['workspace'] })
})

t.test('the right password: a login, its refresh-token family, the username forgotten by the throttle', async (t) => {
  const { grant, calls } = setup()
  const got = await outcome(grant.handler(request()))
  const refreshToken = tokenOf(got)
  t.match(refreshToken, /^[A-Za-z0-9_-]{43}$/, '256 random bits')
  t.strictSame(got, loggedIn(refreshToken))
  t.strictSame(calls, [...reserved(), lookup(), compared(), ...succeeded(), family(refreshToken)])

  const second = await outcome(setup().grant.handler(request()))
  t.not(tokenOf(second), refreshToken, 'every login its own refresh token')

  const noRefresh = setup()
  t.strictSame(
    await outcome(noRefresh.grant.handler(request({ client: client({ grantTypes: ['password'] }) }))),
    { result: { subject: 'user-1', scope: ['read', 'write'], audience: AUDIENCE, tenantId: DEFAULT_TENANT_ID } },
    'a client without the refresh_token grant: no refresh token, no family, no sid',
  )
  t.strictSame(noRefresh.calls, [...reserved(), lookup(), compared(), ...succeeded()])
})

t.test("the client's scope is checked before the attempt counts", async (t) => {
  const { grant, calls } = setup()
  t.strictSame(
    await outcome(grant.handler(request({ scope: ['read', 'delete'] }))),
    refused('invalid_scope', "this client may not have the scope 'delete'"),
  )
  t.strictSame(calls, [], 'nothing reserved, nothing compared')
})

t.test('what a user with the right password gets: their scopes within the client, as requested', async (t) => {
  const as = async (scope: string[] | undefined, found = user()) => {
    const { grant, calls } = setup({ found })
    const got = await outcome(grant.handler(request({ scope })))
    return { got, calls, refreshToken: tokenOf(got) }
  }
  const narrowed = await as(['write'])
  t.strictSame(narrowed.got, loggedIn(narrowed.refreshToken, { scope: ['write'] }))
  t.strictSame(narrowed.calls, [
    ...reserved(),
    lookup(),
    compared(),
    ...succeeded(),
    family(narrowed.refreshToken, { scope: ['write'] }),
  ])

  const beyond = await as(['read', 'admin'])
  t.strictSame(
    beyond.got,
    refused('invalid_scope', "this user may not have the scope 'admin'"),
    "a scope of the client's the user lacks",
  )
  t.strictSame(beyond.calls, [...reserved(), lookup(), compared(), ...released()], 'no failure: given back')

  const openid = await as(['openid'])
  t.strictSame(
    openid.got,
    refused('invalid_scope', "this user may not have the scope 'openid'"),
    "the password grant grants no identity scope the user's list lacks",
  )

  const none = await as(undefined, user({ scopes: ['delete'] }))
  t.strictSame(none.got, loggedIn(none.refreshToken, { scope: [] }), 'nothing in common: an empty scope')
  t.strictSame(none.calls.at(-1), family(none.refreshToken, { scope: [] }))
})

t.test('a disabled user: refused whatever the password, and only a wrong password is a failure', async (t) => {
  const right = setup({ found: user({ disabled: true }) })
  t.strictSame(await outcome(right.grant.handler(request())), refused('invalid_grant', 'this user is disabled'))
  t.strictSame(right.calls, [...reserved(), lookup(), compared(), ...released()])

  const wrong = setup({ found: user({ disabled: true }) })
  t.strictSame(
    await outcome(wrong.grant.handler(request({ params: { username: 'ada', password: 'guess' } }))),
    WRONG,
    'a wrong password says nothing of the account',
  )
  t.strictSame(wrong.calls, [...reserved(), lookup(), compared('guess'), ...failed()])
})

t.test('failures: a wrong password, an unknown username, a password past 72 bytes', async (t) => {
  const wrong = setup()
  t.strictSame(await outcome(wrong.grant.handler(request({ params: { username: 'ada', password: 'guess' } }))), WRONG)
  t.strictSame(wrong.calls, [...reserved(), lookup(), compared('guess'), ...failed()])

  const unknown = setup({ found: undefined })
  t.strictSame(await outcome(unknown.grant.handler(request())), WRONG, 'the same answer')
  t.strictSame(
    unknown.calls,
    [...reserved(), lookup(), ['passwords.dummyHash'], compared(RIGHT, DUMMY), ...failed()],
    'compared against the dummy hash, so that it costs what a wrong password costs',
  )

  const otherTenant = setup({ found: user({ tenantId: 'tenant-b' }) })
  t.strictSame(
    await outcome(otherTenant.grant.handler(request({ client: client({ tenantId: 'tenant-a' }) }))),
    WRONG,
    "another tenant's user is unknown to this client",
  )
  t.strictSame(otherTenant.calls, [
    ...reserved(TENANT_USER_KEY),
    lookup('tenant-a'),
    ['passwords.dummyHash'],
    compared(RIGHT, DUMMY),
    ...failed(TENANT_USER_KEY),
  ])

  // 36 two-byte characters: 72 bytes, what bcrypt reads; one more byte and it would compare only a prefix.
  const longest = 'é'.repeat(36)
  const atLimit = setup({ password: longest })
  const got = await outcome(atLimit.grant.handler(request({ params: { username: 'ada', password: longest } })))
  t.strictSame(got, loggedIn(tokenOf(got)), '72 bytes are compared')
  t.strictSame(atLimit.calls.slice(0, 4), [...reserved(), lookup(), compared(longest)])

  const tooLong = `${longest}a`
  const overLimit = setup({ password: tooLong })
  t.strictSame(
    await outcome(overLimit.grant.handler(request({ params: { username: 'ada', password: tooLong } }))),
    WRONG,
    '73 bytes (37 characters) are refused, though the hash would match them',
  )
  t.strictSame(overLimit.calls, [...reserved(), lookup(), ...failed()], 'not compared')

  const unknownTooLong = setup({ found: undefined })
  t.strictSame(
    await outcome(unknownTooLong.grant.handler(request({ params: { username: 'ada', password: tooLong } }))),
    WRONG,
  )
  t.strictSame(unknownTooLong.calls, [...reserved(), lookup(), ...failed()], 'not even the dummy hash is made')

  const locking = setup({
    failures: { [USER_KEY]: { failures: 5, lockedUntil: new Date(SERVER_NOW + 600_000) } },
  })
  t.strictSame(await outcome(locking.grant.handler(request({ params: { username: 'ada', password: 'guess' } }))), WRONG)
  t.strictSame(
    locking.calls,
    [
      ...reserved(),
      lookup(),
      compared('guess'),
      ['throttle.fail', reservation(USER_KEY), USER_POLICY, AT],
      ['throttle.fail', reservation(IP_KEY), IP_POLICY, AT],
      ['loginWaiters.wake', USER_KEY],
      ['loginWaiters.wake', IP_KEY],
      ['loginWaiters.wake', USER_KEY, true],
      [
        'audit.record',
        {
          type: 'login.throttled',
          actor: 'client:app',
          subject: 'ada',
          ip: IP,
          details: { by: 'username', failures: 5, lockedUntil: new Date(SERVER_NOW + 600_000).toISOString() },
          tenantId: DEFAULT_TENANT_ID,
        },
        AT,
      ],
    ],
    'the failure that locks the username wakes its waiters and is audited',
  )
})

t.test('login throttling: a locked key is refused before anything is compared', async (t) => {
  const lockedUntil = new Date(SERVER_NOW + 120_500)
  const userLocked = setup({ reserve: { [USER_KEY]: { outcome: 'locked', lockedUntil } } })
  const locked = {
    status: 429,
    error: 'too_many_requests',
    description: 'too many failed logins; try again later',
    headers: { 'retry-after': '121' },
  }
  t.strictSame(await outcome(userLocked.grant.handler(request())), locked, 'even for the right password')
  t.strictSame(userLocked.calls, [
    ...reserved(),
    ['throttle.release', reservation(IP_KEY), AT],
    ['loginWaiters.wake', IP_KEY],
  ])

  const ipLocked = setup({ reserve: { [IP_KEY]: { outcome: 'locked', lockedUntil } } })
  t.strictSame(await outcome(ipLocked.grant.handler(request())), locked, 'the address locked')
  t.strictSame(
    ipLocked.calls,
    [...reserved(), ['throttle.release', reservation(USER_KEY), AT], ['loginWaiters.wake', USER_KEY]],
    "a request refused for its address does not count against its username, and the user isn't looked up",
  )

  const busy = setup({ reserve: { [IP_KEY]: { outcome: 'busy' } } })
  t.strictSame(
    await outcome(busy.grant.handler(request())),
    {
      status: 429,
      error: 'too_many_requests',
      description: 'too many logins at once; try again shortly',
      headers: { 'retry-after': '1' },
    },
    'a key full of attempts in flight past LOGIN_WAIT_TIMEOUT (0 here)',
  )
  t.strictSame(busy.calls, [
    ...reserved(),
    ['throttle.release', reservation(USER_KEY), AT],
    ['loginWaiters.wake', USER_KEY],
  ])

  const tenant = setup({
    found: user({ tenantId: 'tenant-a' }),
    reserve: { [USER_KEY]: { outcome: 'locked', lockedUntil } },
  })
  const got = await outcome(tenant.grant.handler(request({ client: client({ tenantId: 'tenant-a' }) })))
  t.strictSame(
    got,
    loggedIn(tokenOf(got), { tenantId: 'tenant-a' }),
    "a lock of the default tenant's username does not lock another tenant's",
  )
  t.strictSame(tenant.calls.slice(0, 3), [...reserved(TENANT_USER_KEY), lookup('tenant-a')])
})

t.test('a comparison that could not be made gives the attempt back and fails as it did', async (t) => {
  for (const name of ['findByUsername', 'verify'] as const) {
    const failure = new StoreError('unavailable', `${name} failed`)
    const { grant, calls } = setup({ errors: { [name]: failure } })
    t.equal(await thrown(grant.handler(request())), failure, `${name}: the same error`)
    t.strictSame(
      calls,
      [...reserved(), lookup(), ...(name === 'verify' ? [compared()] : []), ...released()],
      `${name}: released, no failure counted`,
    )
  }
  const failure = new Error('the worker pool failed')
  const { grant, calls } = setup({ errors: { verify: failure, release: new Error('and the database too') } })
  t.equal(await thrown(grant.handler(request())), failure, 'a release that fails does not hide the error')
  t.strictSame(calls, [
    ...reserved(),
    lookup(),
    compared(),
    ['throttle.release', reservation(USER_KEY), AT],
    ['throttle.release', reservation(IP_KEY), AT],
  ])

  const scopeRelease = setup({ errors: { release: new Error('the database failed') } })
  t.strictSame(
    await outcome(scopeRelease.grant.handler(request({ scope: ['admin'] }))),
    refused('invalid_scope', "this user may not have the scope 'admin'"),
    'nor does it hide a refusal',
  )
})

t.test("a workspace: the user's role there stands for their scopes", async (t) => {
  const options = (found = user()): Setup => ({
    found,
    workspaces: { [found.tenantId]: { design: 'ws-1', ops: 'ws-2' } },
    roles: { [`${found.tenantId}/user-1/ws-1`]: ['read', 'admin'] },
  })
  const as = async (scope: string[] | undefined, workspace: string, found = user(), requestClient = client()) => {
    const { grant, calls } = setup(options(found))
    const params = { username: 'ada', password: RIGHT, workspace }
    const got = await outcome(grant.handler(request({ scope, params, client: requestClient })))
    return { got, calls, refreshToken: tokenOf(got) }
  }
  const inWorkspace = [
    ['workspaces.find', DEFAULT_TENANT_ID, 'design'],
    ['memberships.find', DEFAULT_TENANT_ID, 'user-1', 'ws-1'],
  ]

  const all = await as(undefined, 'design')
  t.strictSame(all.got, loggedIn(all.refreshToken, { scope: ['read', 'admin'], workspaceId: 'ws-1' }))
  t.strictSame(
    all.calls,
    [
      ...reserved(),
      lookup(),
      compared(),
      ...inWorkspace,
      ...succeeded(),
      family(all.refreshToken, { scope: ['read', 'write', 'admin'] }),
    ],
    "the role's scopes within the client's; the family keeps the client's but the identity scopes not granted now, for the next refresh to narrow",
  )

  const requested = await as(['admin'], 'design')
  t.strictSame(requested.got, loggedIn(requested.refreshToken, { scope: ['admin'], workspaceId: 'ws-1' }))
  t.strictSame(requested.calls.at(-1), family(requested.refreshToken, { scope: ['admin'] }), 'or the requested scope')

  const beyond = await as(['write'], 'design')
  t.strictSame(
    beyond.got,
    refused('invalid_scope', "this user's role in the workspace may not have the scope 'write'"),
    'a scope the user holds tenant-wide but not in this role',
  )
  t.strictSame(beyond.calls, [...reserved(), lookup(), compared(), ...inWorkspace, ...released()])

  const unknown = await as(undefined, 'nope')
  t.strictSame(unknown.got, refused('invalid_target', "no workspace 'nope' in this client's tenant"))
  t.strictSame(
    (await as(undefined, `${'w'.repeat(64)}tail`)).got,
    refused('invalid_target', `no workspace '${'w'.repeat(64)}' in this client's tenant`),
    'an unknown workspace is named by its first 64 characters',
  )
  t.strictSame(unknown.calls, [
    ...reserved(),
    lookup(),
    compared(),
    ['workspaces.find', DEFAULT_TENANT_ID, 'nope'],
    ...released(),
  ])

  const notMember = await as(undefined, 'ops')
  t.strictSame(notMember.got, refused('invalid_target', 'the user is not a member of this workspace'))
  t.strictSame(notMember.calls, [
    ...reserved(),
    lookup(),
    compared(),
    ['workspaces.find', DEFAULT_TENANT_ID, 'ops'],
    ['memberships.find', DEFAULT_TENANT_ID, 'user-1', 'ws-2'],
    ...released(),
  ])

  const tenantUser = user({ tenantId: 'tenant-a' })
  const inTenant = await as(undefined, 'design', tenantUser, client({ tenantId: 'tenant-a' }))
  t.strictSame(
    inTenant.got,
    loggedIn(inTenant.refreshToken, { scope: ['read', 'admin'], workspaceId: 'ws-1', tenantId: 'tenant-a' }),
  )
  t.strictSame(inTenant.calls.slice(3, 6), [
    compared(),
    ['workspaces.find', 'tenant-a', 'design'],
    ['memberships.find', 'tenant-a', 'user-1', 'ws-1'],
  ])

  const disabled = await as(undefined, 'design', user({ disabled: true }))
  t.strictSame(disabled.got, refused('invalid_grant', 'this user is disabled'))
  t.strictSame(disabled.calls, [...reserved(), lookup(), compared(), ...released()], 'no workspace is looked up')
})

t.test("a tenant's own client: the family keeps the requested scope, the token gets the user's", async (t) => {
  const tenantClient = client({ tenantId: 'tenant-a' })
  const found = user({ tenantId: 'tenant-a', scopes: ['read'] })
  const as = async (scope: string[] | undefined) => {
    const { grant, calls } = setup({ found })
    const got = await outcome(grant.handler(request({ scope, client: tenantClient })))
    return { got, calls, refreshToken: tokenOf(got) }
  }
  const all = await as(undefined)
  t.strictSame(all.got, loggedIn(all.refreshToken, { scope: ['read'], tenantId: 'tenant-a' }))
  t.strictSame(all.calls, [
    ...reserved(TENANT_USER_KEY),
    lookup('tenant-a'),
    compared(),
    ...succeeded(TENANT_USER_KEY),
    // openid is not kept: the login was refused it (the user does not hold it), so a refresh must not grant it.
    family(all.refreshToken, { scope: ['read', 'write', 'admin'] }),
  ])
  const requested = await as(['openid', 'read'])
  t.strictSame(
    requested.got,
    refused('invalid_scope', "this user may not have the scope 'openid'"),
    'a scope beyond the user is refused all the same',
  )
  const narrowed = await as(['read'])
  t.strictSame(narrowed.got, loggedIn(narrowed.refreshToken, { scope: ['read'], tenantId: 'tenant-a' }))
  t.strictSame(narrowed.calls.at(-1), family(narrowed.refreshToken, { scope: ['read'] }))
  // A user who holds openid: granted now, so kept.
  const withOpenid = user({ tenantId: 'tenant-a', scopes: ['openid', 'read'] })
  const { grant, calls } = setup({ found: withOpenid })
  const got = await outcome(grant.handler(request({ scope: undefined, client: tenantClient })))
  t.strictSame(got, loggedIn(tokenOf(got), { scope: ['openid', 'read'], tenantId: 'tenant-a' }))
  t.strictSame(calls.at(-1), family(tokenOf(got), { scope: ['openid', 'read', 'write', 'admin'] }))
})

t.test("RFC 9449 §5: a public client's family is bound to the key of its DPoP proof", async (t) => {
  const publicClient = client({ isPublic: true, secretHash: null })
  const as = async (requestClient: Client, dpopJkt: string | undefined) => {
    const { grant, calls } = setup()
    const got = await outcome(grant.handler(request({ client: requestClient, dpopJkt, authMethod: 'none' })))
    const refreshToken = tokenOf(got)
    return {
      got,
      created: calls.at(-1),
      expected: (extra: Record<string, unknown> = {}) => family(refreshToken, extra),
      refreshToken,
    }
  }
  const bound = await as(publicClient, 'jkt-1')
  t.strictSame(bound.got, loggedIn(bound.refreshToken))
  t.strictSame(bound.created, bound.expected({ dpopJkt: 'jkt-1' }))
  const unproven = await as(publicClient, undefined)
  t.strictSame(unproven.got, loggedIn(unproven.refreshToken))
  t.strictSame(unproven.created, unproven.expected(), 'no proof: an unbound family')
  const confidential = await as(client(), 'jkt-1')
  t.strictSame(confidential.got, loggedIn(confidential.refreshToken))
  t.strictSame(
    confidential.created,
    confidential.expected(),
    "a confidential client's family: bound by its authentication already",
  )
})

t.test('another bcrypt cost: re-hashed at the configured one, the family guarded by the hash in force', async (t) => {
  const as = async (options: Setup) => {
    const { grant, calls } = setup({ found: user({ passwordHash: OLD_COST_HASH }), ...options })
    const got = await outcome(grant.handler(request()))
    t.strictSame(got, loggedIn(tokenOf(got)))
    return { calls, refreshToken: tokenOf(got) }
  }
  const upgraded = await as({})
  t.strictSame(upgraded.calls, [
    ...reserved(),
    lookup(),
    compared(RIGHT, OLD_COST_HASH),
    ...succeeded(),
    ['passwords.hash', RIGHT],
    ['users.replacePasswordHash', DEFAULT_TENANT_ID, 'user-1', OLD_COST_HASH, UPGRADED],
    family(upgraded.refreshToken, { whileUser: { passwordHash: UPGRADED } }),
  ])

  const changed = await as({ replaced: false })
  t.strictSame(
    changed.calls.slice(-2),
    [
      ['users.replacePasswordHash', DEFAULT_TENANT_ID, 'user-1', OLD_COST_HASH, UPGRADED],
      family(changed.refreshToken, { whileUser: { passwordHash: OLD_COST_HASH } }),
    ],
    'a hash changed meanwhile is not replaced; the family is guarded by the one the login verified',
  )

  const hashFailed = await as({ errors: { hash: new Error('the worker pool failed') } })
  t.strictSame(
    hashFailed.calls.slice(-2),
    [['passwords.hash', RIGHT], family(hashFailed.refreshToken, { whileUser: { passwordHash: OLD_COST_HASH } })],
    'the login stands when hashing fails; the next one tries again',
  )

  const writeFailed = await as({ errors: { replacePasswordHash: new StoreError('unavailable', 'down') } })
  t.strictSame(
    writeFailed.calls.slice(-2),
    [
      ['users.replacePasswordHash', DEFAULT_TENANT_ID, 'user-1', OLD_COST_HASH, UPGRADED],
      family(writeFailed.refreshToken, { whileUser: { passwordHash: OLD_COST_HASH } }),
    ],
    'and when the write fails',
  )
})

t.test('a user disabled or given a new password during the login', async (t) => {
  const conflict = setup({ errors: { createFamily: new StoreError('conflict', 'the user has changed') } })
  t.strictSame(
    await outcome(conflict.grant.handler(request())),
    refused('invalid_grant', 'the user was disabled or given a new password during the login'),
  )
  t.strictSame(conflict.calls.slice(0, -1), [...reserved(), lookup(), compared(), ...succeeded()])
  t.equal(conflict.calls.at(-1)?.[0], 'refreshTokens.createFamily')

  for (const failure of [
    new StoreError('unavailable', 'down'),
    new StoreError('not_found', 'gone'),
    new Error('conflict'),
  ]) {
    const { grant } = setup({ errors: { createFamily: failure } })
    t.equal(await thrown(grant.handler(request())), failure, `${failure.message}: the store's error as it was`)
  }
})
