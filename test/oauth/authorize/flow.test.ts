// The authorization endpoint's decisions (src/oauth/authorize/flow.ts) as units, with a fake store that records
// every call and an injected `now`: which cookie names a signed-in user (an enabled one, in the session's tenant),
// whether the session is good enough for the request (the client's tenant, prompt=login, max_age: OpenID Connect
// Core §3.1.2.1, each on both sides of its boundary), the scope the user gets, whether the consent covers it
// (prompt=consent, prompt=none: login_required and consent_required, Core §3.1.2.6), and the rows written for a
// session, a pending request and a code (RFC 6749 §4.1.2). Through the routes: test/oauth/authorize.test.ts,
// oidc.test.ts.
import t from 'tap'
import { OAuthError } from '../../../src/errors.ts'
import {
  PENDING_TTL_MS,
  type SignedIn,
  findBrowserSession,
  findPending,
  findSignedIn,
  issueCode,
  keepPending,
  nextStep,
  startSession,
} from '../../../src/oauth/authorize/flow.ts'
import { type AuthorizationRequest, RedirectError } from '../../../src/oauth/authorize/request.ts'
import { sha256 } from '../../../src/security/secrets.ts'
import type { Client } from '../../../src/store/clients.ts'
import type { Consent } from '../../../src/store/consents.ts'
import type { Session } from '../../../src/store/sessions.ts'
import { ANY_TENANT } from '../../../src/store/tenant-scope.ts'
import { DEFAULT_TENANT_ID } from '../../../src/store/tenants.ts'
import type { User } from '../../../src/store/users.ts'
import { clientRow } from '../../support/client-row.ts'

const NOW = 1_800_000_000_000
const REQUESTED_AT = NOW - 30_000
const TENANT = 'tenant-7'
const REDIRECT = 'https://app.example/callback'
const COOKIE = 'the-session-cookie'
const CONFIG = { sessionTtl: 86_400, sessionIdleTtl: 3_600, authorizationCodeTtl: 60 }
const SECRET = /^[A-Za-z0-9_-]{43}$/

const session = (extra: Partial<Session> = {}): Session => ({
  id: 'session-1',
  tenantId: DEFAULT_TENANT_ID,
  userId: 'user-1',
  authTime: new Date(NOW - 120_000),
  amr: ['pwd'],
  lastSeenAt: new Date(NOW - 60_000),
  idleExpiresAt: new Date(NOW + 3_600_000),
  expiresAt: new Date(NOW + 86_400_000),
  revokedAt: null,
  createdAt: new Date(NOW - 120_000),
  ...extra,
})

const user = (extra: Partial<User> = {}): User => ({
  id: 'user-1',
  tenantId: DEFAULT_TENANT_ID,
  username: 'alice',
  passwordHash: 'hash',
  scopes: ['read'],
  disabled: false,
  email: null,
  emailVerified: false,
  name: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...extra,
})

const signedIn = (sessionExtra: Partial<Session> = {}, userExtra: Partial<User> = {}): SignedIn => ({
  session: session(sessionExtra),
  user: user(userExtra),
})

const client = (extra: Partial<Client> = {}): Client =>
  clientRow({
    clientId: 'web',
    grantTypes: ['authorization_code'],
    scopes: ['openid', 'read', 'write'],
    redirectUris: [REDIRECT],
    ...extra,
  })

const authorization = (extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  clientId: 'web',
  redirectUri: REDIRECT,
  responseMode: 'query',
  state: 'state-1',
  redirectUriSent: true,
  scope: ['openid', 'read'],
  scopeSent: true,
  resource: undefined,
  audience: 'https://api.example',
  codeChallenge: 'c'.repeat(43),
  nonce: 'nonce-1',
  prompt: [],
  maxAge: undefined,
  loginHint: undefined,
  requestedAt: REQUESTED_AT,
  ...extra,
})

const consent = (scopes: string[]): Consent => ({
  id: 'consent-1',
  tenantId: DEFAULT_TENANT_ID,
  userId: 'user-1',
  clientId: 'web',
  scopes,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  revokedAt: null,
})

interface Options {
  /** What each store read finds. */
  session?: Session
  user?: User
  consent?: Consent
  pending?: unknown
}

function setup(options: Options = {}) {
  const calls: unknown[][] = []
  const deps = {
    config: CONFIG,
    now: () => NOW,
    store: {
      sessions: {
        async findActiveByHash(scope: unknown, hash: string, now: Date) {
          calls.push(['sessions.findActiveByHash', scope, hash, now])
          return options.session
        },
        async create(input: Record<string, unknown>, now: Date) {
          calls.push(['sessions.create', input, now])
          return session({ id: 'session-new' })
        },
        async touch(scope: unknown, id: string, idleExpiresAt: Date, now: Date) {
          calls.push(['sessions.touch', scope, id, idleExpiresAt, now])
          return true
        },
      },
      users: {
        async findById(scope: unknown, id: string) {
          calls.push(['users.findById', scope, id])
          return options.user
        },
      },
      consents: {
        async findActive(scope: unknown, userId: string, clientId: string) {
          calls.push(['consents.findActive', scope, userId, clientId])
          return options.consent
        },
      },
      authorizationRequests: {
        async create(input: Record<string, unknown>, now: Date) {
          calls.push(['authorizationRequests.create', input, now])
          return { id: 'pending-1' }
        },
        async findPendingByHash(hash: string, now: Date) {
          calls.push(['authorizationRequests.findPendingByHash', hash, now])
          return options.pending
        },
      },
      authorizationCodes: {
        async create(input: Record<string, unknown>, now: Date) {
          calls.push(['authorizationCodes.create', input, now])
          return { id: 'code-1' }
        },
      },
    },
  }
  return { deps: deps as never, calls }
}

/** The next step; or the error redirect, whole (its target is the request, to answer at its redirect URI). */
async function outcome(promise: Promise<unknown>) {
  try {
    return { next: await promise }
  } catch (err) {
    if (!(err instanceof RedirectError) || err.error.constructor !== OAuthError) throw err
    return {
      target: err.target,
      error: err.error.error,
      description: err.error.description,
      status: err.error.statusCode,
      message: err.message,
    }
  }
}

const redirected = (request: AuthorizationRequest, error: string, description: string) => ({
  target: request,
  error,
  description,
  status: 400,
  message: description,
})
const loginRequired = (request: AuthorizationRequest) =>
  redirected(request, 'login_required', 'the user is not signed in')
const consentRequired = (request: AuthorizationRequest) =>
  redirected(request, 'consent_required', 'the user has not consented to this request')
const consentCall = ['consents.findActive', DEFAULT_TENANT_ID, 'user-1', 'web']

t.test('findSignedIn: the session the cookie names, of an enabled user', async (t) => {
  for (const cookie of [undefined, '']) {
    const { deps, calls } = setup({ session: session(), user: user() })
    t.equal(await findSignedIn(deps, cookie, NOW), undefined, `cookie ${JSON.stringify(cookie)}: nobody`)
    t.strictSame(calls, [], 'nothing is looked up')
  }

  const lookup = ['sessions.findActiveByHash', ANY_TENANT, sha256(COOKIE), new Date(NOW)]
  const none = setup({ user: user() })
  t.equal(await findSignedIn(none.deps, COOKIE, NOW), undefined, 'no session in force')
  t.strictSame(none.calls, [lookup], 'by the cookie hash, in any tenant, at `now`; no user read')

  const tenantSession = session({ tenantId: TENANT, userId: 'user-9' })
  const tenantUser = user({ id: 'user-9', tenantId: TENANT })
  const found = setup({ session: tenantSession, user: tenantUser })
  t.strictSame(await findSignedIn(found.deps, COOKIE, NOW), { session: tenantSession, user: tenantUser })
  t.strictSame(found.calls, [lookup, ['users.findById', TENANT, 'user-9']], "the user read in the session's tenant")

  const gone = setup({ session: tenantSession })
  t.equal(await findSignedIn(gone.deps, COOKIE, NOW), undefined, 'a deleted user: nobody')
  t.strictSame(gone.calls, [lookup, ['users.findById', TENANT, 'user-9']])

  const disabled = setup({ session: tenantSession, user: user({ id: 'user-9', tenantId: TENANT, disabled: true }) })
  t.equal(await findSignedIn(disabled.deps, COOKIE, NOW), undefined, 'a disabled user: nobody')
  t.strictSame(disabled.calls, [lookup, ['users.findById', TENANT, 'user-9']])
})

t.test(
  "findBrowserSession: the cookie's session whoever its user is, for a cookie of at most 128 characters",
  async (t) => {
    const atLimit = 'a'.repeat(128)
    const found = setup({ session: session() })
    t.strictSame(await findBrowserSession(found.deps, atLimit, NOW), session(), '128 characters: looked up')
    t.strictSame(found.calls, [['sessions.findActiveByHash', ANY_TENANT, sha256(atLimit), new Date(NOW)]])

    for (const cookie of [undefined, '', 'a'.repeat(129)]) {
      const { deps, calls } = setup({ session: session() })
      t.equal(await findBrowserSession(deps, cookie, NOW), undefined, `a cookie of ${cookie?.length} characters: none`)
      t.strictSame(calls, [], 'nothing is looked up')
    }

    const none = setup()
    t.equal(await findBrowserSession(none.deps, COOKIE, NOW), undefined, 'no session in force')
    t.strictSame(none.calls, [['sessions.findActiveByHash', ANY_TENANT, sha256(COOKIE), new Date(NOW)]])
  },
)

t.test('startSession: a 256-bit cookie, stored as its hash, with both expiries', async (t) => {
  const { deps, calls } = setup()
  const tenantUser = user({ id: 'user-9', tenantId: TENANT })
  const started = await startSession(deps, tenantUser, ['pwd', 'otp'], NOW)
  t.match(started.cookie, SECRET, '256 random bits, base64url')
  t.strictSame(started, { cookie: started.cookie, session: session({ id: 'session-new' }) }, 'the row the store made')
  t.strictSame(calls, [
    [
      'sessions.create',
      {
        idHash: sha256(started.cookie),
        tenantId: TENANT,
        userId: 'user-9',
        authTime: new Date(NOW),
        amr: ['pwd', 'otp'],
        idleExpiresAt: new Date(NOW + 3_600_000),
        expiresAt: new Date(NOW + 86_400_000),
      },
      new Date(NOW),
    ],
  ])
  t.not((await startSession(deps, tenantUser, [], NOW)).cookie, started.cookie, 'each session its own cookie')
})

t.test(
  'nextStep: no session, or one of another tenant, asks for a login (login_required for prompt=none)',
  async (t) => {
    const none = authorization({ prompt: ['none'] })
    for (const [what, who] of [
      ['no session', undefined],
      ["another tenant's user", signedIn({ tenantId: TENANT }, { tenantId: TENANT })],
    ] as const) {
      const { deps, calls } = setup({ consent: consent(['openid', 'read']) })
      t.strictSame(
        await outcome(nextStep(deps, authorization(), client(), who, NOW)),
        { next: { step: 'login' } },
        what,
      )
      t.strictSame(await outcome(nextStep(deps, none, client(), who, NOW)), loginRequired(none), `${what}, prompt=none`)
      t.strictSame(calls, [], 'no consent read')
    }

    const tenantClient = client({ tenantId: TENANT })
    const tenantUser = signedIn({ tenantId: TENANT }, { tenantId: TENANT })
    const own = setup({ consent: consent(['openid', 'read']) })
    t.strictSame(
      await outcome(nextStep(own.deps, authorization(), tenantClient, tenantUser, NOW)),
      { next: { step: 'code', scope: ['openid', 'read'], signedIn: tenantUser } },
      "the tenant's own client: its user is signed in",
    )
    t.strictSame(own.calls, [['consents.findActive', TENANT, 'user-1', 'web']], "the consent read in the user's tenant")
    const defaultUser = setup({ consent: consent(['openid', 'read']) })
    t.strictSame(
      await outcome(nextStep(defaultUser.deps, authorization(), tenantClient, signedIn(), NOW)),
      { next: { step: 'login' } },
      "a default tenant's user for a tenant's client",
    )
  },
)

t.test('nextStep: prompt=login needs a login at or after the request (Core §3.1.2.1)', async (t) => {
  const login = authorization({ prompt: ['login'] })
  const atRequest = signedIn({ authTime: new Date(REQUESTED_AT) })
  const { deps } = setup({ consent: consent(['openid', 'read']) })
  t.strictSame(
    await outcome(nextStep(deps, login, client(), atRequest, NOW)),
    { next: { step: 'code', scope: ['openid', 'read'], signedIn: atRequest } },
    'a login at the very millisecond of the request',
  )
  t.strictSame(
    await outcome(nextStep(deps, login, client(), signedIn({ authTime: new Date(REQUESTED_AT - 1) }), NOW)),
    { next: { step: 'login' } },
    'a login one millisecond before it',
  )
  const older = signedIn({ authTime: new Date(REQUESTED_AT - 1) })
  t.strictSame(
    await outcome(nextStep(deps, authorization(), client(), older, NOW)),
    { next: { step: 'code', scope: ['openid', 'read'], signedIn: older } },
    'without prompt=login, the same login is good',
  )
})

t.test('nextStep: max_age bounds the age of the login, inclusive (Core §3.1.2.1)', async (t) => {
  const { deps } = setup({ consent: consent(['openid', 'read']) })
  const maxAge = authorization({ maxAge: 300 })
  const exactly = signedIn({ authTime: new Date(NOW - 300_000) })
  t.strictSame(
    await outcome(nextStep(deps, maxAge, client(), exactly, NOW)),
    { next: { step: 'code', scope: ['openid', 'read'], signedIn: exactly } },
    'a login exactly max_age old',
  )
  const older = signedIn({ authTime: new Date(NOW - 300_001) })
  t.strictSame(
    await outcome(nextStep(deps, maxAge, client(), older, NOW)),
    { next: { step: 'login' } },
    'one millisecond older',
  )
  const none = authorization({ maxAge: 300, prompt: ['none'] })
  t.strictSame(await outcome(nextStep(deps, none, client(), older, NOW)), loginRequired(none), 'prompt=none')

  const zero = authorization({ maxAge: 0 })
  const justNow = signedIn({ authTime: new Date(NOW) })
  t.strictSame(
    await outcome(nextStep(deps, zero, client(), justNow, NOW)),
    { next: { step: 'code', scope: ['openid', 'read'], signedIn: justNow } },
    'max_age=0: a login at this very millisecond',
  )
  t.strictSame(
    await outcome(nextStep(deps, zero, client(), signedIn({ authTime: new Date(NOW - 1) }), NOW)),
    { next: { step: 'login' } },
    'max_age=0: any earlier login',
  )

  const ancient = signedIn({ authTime: new Date(0) })
  t.strictSame(
    await outcome(nextStep(deps, authorization(), client(), ancient, NOW)),
    { next: { step: 'code', scope: ['openid', 'read'], signedIn: ancient } },
    'no max_age: a login of any age',
  )
})

t.test("nextStep: the scope the user gets is within the user's scopes and the identity scopes", async (t) => {
  const { deps } = setup({ consent: consent(['openid', 'profile', 'read', 'write']) })
  const who = signedIn()
  const unsent = authorization({ scope: ['openid', 'profile', 'read', 'write'], scopeSent: false })
  t.strictSame(
    await outcome(nextStep(deps, unsent, client(), who, NOW)),
    { next: { step: 'code', scope: ['openid', 'profile', 'read'], signedIn: who } },
    "no scope sent: the client's scopes the user holds, identity scopes included",
  )
  const sent = authorization({ scope: ['openid', 'write', 'admin'] })
  t.strictSame(
    await outcome(nextStep(deps, sent, client(), who, NOW)),
    redirected(sent, 'invalid_scope', "this user may not have the scope 'write', 'admin'"),
    'a scope sent: all of it, or invalid_scope to the redirect URI',
  )
  const idle = authorization({ scope: ['write'], scopeSent: false })
  t.strictSame(
    await outcome(nextStep(deps, idle, client(), who, NOW)),
    { next: { step: 'code', scope: [], signedIn: who } },
    'nothing of the client that the user holds: an empty scope, covered by any consent',
  )
  const noConsent = setup()
  t.strictSame(
    await outcome(nextStep(noConsent.deps, idle, client(), who, NOW)),
    { next: { step: 'consent', scope: [], signedIn: who } },
    'but not without one',
  )

  const broken = signedIn({}, { scopes: undefined as never })
  const failed = await nextStep(deps, unsent, client(), broken, NOW).then(
    () => undefined,
    (err: unknown) => err,
  )
  t.equal((failed as Error).constructor, TypeError, 'a failure that is not an OAuthError is no error redirect')
})

t.test('nextStep: a first-party client needs no consent', async (t) => {
  const firstParty = client({ firstParty: true })
  const who = signedIn({ authTime: new Date(REQUESTED_AT) })
  for (const prompt of [[], ['none'], ['consent'], ['login', 'consent']] as const) {
    const { deps, calls } = setup()
    t.strictSame(
      await outcome(nextStep(deps, authorization({ prompt: [...prompt] }), firstParty, who, NOW)),
      { next: { step: 'code', scope: ['openid', 'read'], signedIn: who } },
      `prompt=${prompt.join(' ')}`,
    )
    t.strictSame(calls, [], 'no consent read')
  }
})

t.test('nextStep: a consent covering the scope issues the code; otherwise the consent page', async (t) => {
  const who = signedIn()
  const code = { next: { step: 'code', scope: ['openid', 'read'], signedIn: who } }
  const page = { next: { step: 'consent', scope: ['openid', 'read'], signedIn: who } }
  const cases = [
    ['exactly the scope', consent(['openid', 'read']), [], code],
    ['more than the scope', consent(['read', 'write', 'openid']), [], code],
    ['all but one scope', consent(['openid', 'write']), [], page],
    ['no consent', undefined, [], page],
    ['a covering consent, prompt=consent', consent(['openid', 'read']), ['consent'], page],
    ['a covering consent, prompt=login consent', consent(['openid', 'read']), ['login', 'consent'], page],
    ['a covering consent, prompt=login', consent(['openid', 'read']), ['login'], code],
  ] as const
  for (const [what, found, prompt, expected] of cases) {
    const { deps, calls } = setup({ consent: found })
    const fresh = prompt.length > 0 ? signedIn({ authTime: new Date(REQUESTED_AT) }) : who
    const expectedNow = { next: { ...expected.next, signedIn: fresh } }
    t.strictSame(
      await outcome(nextStep(deps, authorization({ prompt: [...prompt] }), client(), fresh, NOW)),
      expectedNow,
      what,
    )
    t.strictSame(calls, [consentCall], "the user's consent to this client, in the user's tenant")
  }

  const none = authorization({ prompt: ['none'] })
  for (const [what, found] of [
    ['no consent', undefined],
    ['all but one scope', consent(['openid'])],
  ] as const) {
    const { deps, calls } = setup({ consent: found })
    t.strictSame(await outcome(nextStep(deps, none, client(), who, NOW)), consentRequired(none), `prompt=none, ${what}`)
    t.strictSame(calls, [consentCall])
  }
  const covered = setup({ consent: consent(['openid', 'read']) })
  t.strictSame(await outcome(nextStep(covered.deps, none, client(), who, NOW)), code, 'prompt=none, covered')
})

t.test('keepPending: the request kept under a 256-bit id, stored hashed, for PENDING_TTL_MS', async (t) => {
  t.equal(PENDING_TTL_MS, 600_000, 'ten minutes')
  const request = authorization()
  const { deps, calls } = setup()
  const id = await keepPending(deps, request, NOW)
  t.match(id, SECRET, '256 random bits, base64url')
  const withSession = await keepPending(deps, request, NOW, 'session-1')
  t.not(withSession, id, 'each its own id')
  t.strictSame(calls, [
    [
      'authorizationRequests.create',
      { idHash: sha256(id), clientId: 'web', request, sessionId: undefined, expiresAt: new Date(NOW + 600_000) },
      new Date(NOW),
    ],
    [
      'authorizationRequests.create',
      {
        idHash: sha256(withSession),
        clientId: 'web',
        request,
        sessionId: 'session-1',
        expiresAt: new Date(NOW + 600_000),
      },
      new Date(NOW),
    ],
  ])
})

t.test('findPending: by the hash of an id of at most 128 characters', async (t) => {
  const pending = { id: 'pending-1', request: authorization() }
  const atLimit = 'p'.repeat(128)
  const found = setup({ pending })
  t.equal(await findPending(found.deps, atLimit, NOW), pending, '128 characters: looked up')
  t.strictSame(found.calls, [['authorizationRequests.findPendingByHash', sha256(atLimit), new Date(NOW)]])

  for (const id of [undefined, '', 'p'.repeat(129)]) {
    const { deps, calls } = setup({ pending })
    t.equal(await findPending(deps, id, NOW), undefined, `an id of ${id?.length} characters: none`)
    t.strictSame(calls, [], 'nothing is looked up')
  }

  const unknown = setup()
  t.equal(await findPending(unknown.deps, 'p', NOW), undefined, 'unknown, used or expired')
  t.strictSame(unknown.calls, [['authorizationRequests.findPendingByHash', sha256('p'), new Date(NOW)]])
})

t.test('issueCode: a 256-bit code stored as its hash with the request, and the session kept alive', async (t) => {
  const who = signedIn({ id: 'session-9', tenantId: TENANT }, { id: 'user-9', tenantId: TENANT })
  const scope = ['openid', 'read']
  const row = (code: string, extra: Record<string, unknown>) => [
    'authorizationCodes.create',
    {
      tenantId: TENANT,
      codeHash: sha256(code),
      clientId: 'web',
      userId: 'user-9',
      sessionId: 'session-9',
      redirectUri: REDIRECT,
      redirectUriSent: false,
      codeChallenge: 'c'.repeat(43),
      scope,
      audience: 'https://api.example',
      authTime: new Date(NOW - 120_000),
      expiresAt: new Date(NOW + 60_000),
      ...extra,
    },
    new Date(NOW),
  ]
  const touch = ['sessions.touch', TENANT, 'session-9', new Date(NOW + 3_600_000), new Date(NOW)]

  const bound = setup()
  const code = await issueCode(
    bound.deps,
    authorization({ redirectUriSent: false, dpopJkt: 'j'.repeat(43) }),
    who,
    scope,
    NOW,
  )
  t.match(code, SECRET, '256 random bits, base64url')
  t.strictSame(bound.calls, [row(code, { nonce: 'nonce-1', dpopJkt: 'j'.repeat(43) }), touch])
  const stored = bound.calls[0]![1] as { scope: string[] }
  t.not(stored.scope, scope, 'a copy of the scope')

  const unbound = setup()
  const other = await issueCode(
    unbound.deps,
    authorization({ redirectUriSent: false, nonce: undefined }),
    who,
    scope,
    NOW,
  )
  t.not(other, code, 'each its own code')
  t.strictSame(unbound.calls, [row(other, { nonce: null, dpopJkt: null }), touch], 'no nonce, no DPoP key: null')
})
