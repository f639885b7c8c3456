// Delegated login and consent (src/oauth/authorize/delegation.ts) as a unit, with a fake store that records every
// call and an injected clock: the binding cookie (its name and attributes by the issuer's scheme, the value a
// browser keeps or is given), the start (the pending request kept or made, the session attached for a consent,
// the challenge stored as its hash, the URL of the login or consent app), the admin API's look-up of an open
// challenge (length cap, expiry on both sides, answered, request or client gone), the user a login app names, the
// answer recorded once, and the verifier taken once by the browser that started the request. Through the routes:
// test/oauth/delegated-login.test.ts.
import t from 'tap'
import { OAuthError } from '../../../src/errors.ts'
import {
  answerChallenge,
  bindingCookieName,
  bindingCookieOptions,
  browserBinding,
  type DelegatedAnswer,
  findOpenChallenge,
  findSubject,
  REJECT_ERRORS,
  startDelegation,
  takeAnswer,
} from '../../../src/oauth/authorize/delegation.ts'
import type { AuthorizationRequest } from '../../../src/oauth/authorize/request.ts'
import { sha256 } from '../../../src/security/secrets.ts'
import type { PendingAuthorization } from '../../../src/store/authorization-requests.ts'
import type { Challenge, ChallengeKind } from '../../../src/store/challenges.ts'
import type { Client } from '../../../src/store/clients.ts'
import type { Session } from '../../../src/store/sessions.ts'
import { ANY_TENANT } from '../../../src/store/tenant-scope.ts'
import { DEFAULT_TENANT_ID } from '../../../src/store/tenants.ts'
import type { User } from '../../../src/store/users.ts'
import { clientRow } from '../../support/client-row.ts'

/** The request's time (what the routes pass); the services' clock reads a little later. */
const NOW = 1_800_000_000_000
const SERVER_NOW = NOW + 7
const TTL_MS = 10 * 60 * 1000
const ISSUER = 'https://auth.example/base'
const LOGIN_URL = 'https://login.example/sign-in?tenant=acme'
const CONSENT_URL = 'https://login.example/consent'
const SECRET = /^[A-Za-z0-9_-]{43}$/
/** A binding cookie as /oauth/authorize sets it: 43 characters of base64url, every kind of them. */
const BROWSER = 'AZaz09-_'.repeat(6).slice(0, 43)
const CHALLENGE = 'the-login-challenge'
const VERIFIER = 'the-verifier'

const authorization: AuthorizationRequest = {
  clientId: 'web',
  redirectUri: 'https://app.example/callback',
  responseMode: 'query',
  state: 'xyz',
  redirectUriSent: true,
  scope: ['openid', 'read'],
  scopeSent: true,
  resource: undefined,
  audience: 'https://api.example',
  codeChallenge: 'c'.repeat(43),
  nonce: undefined,
  prompt: [],
  maxAge: undefined,
  loginHint: undefined,
  requestedAt: NOW - 1000,
}

const pendingRequest = (extra: Partial<PendingAuthorization<AuthorizationRequest>> = {}) => ({
  id: 'request-1',
  clientId: 'web',
  request: authorization,
  sessionId: null,
  expiresAt: new Date(NOW + 300_000),
  usedAt: null,
  createdAt: new Date(NOW - 300_000),
  ...extra,
})

const client = (extra: Partial<Client> = {}) =>
  clientRow({ clientId: 'web', tenantId: 'tenant-7', grantTypes: ['authorization_code'], ...extra })

const accepted: DelegatedAnswer = { accepted: true, userId: 'user-1', remember: true }

const challengeRow = (extra: Partial<Challenge<DelegatedAnswer>> = {}): Challenge<DelegatedAnswer> => ({
  id: 'challenge-1',
  kind: 'login',
  browserHash: sha256(BROWSER),
  requestId: 'request-1',
  clientId: 'web',
  sessionId: null,
  userId: null,
  scope: ['openid', 'read'],
  answer: null,
  answeredAt: null,
  usedAt: null,
  expiresAt: new Date(SERVER_NOW + 1),
  createdAt: new Date(NOW - 300_000),
  ...extra,
})

const user = (extra: Partial<User> = {}): User => ({
  id: 'user-1',
  tenantId: 'tenant-7',
  username: 'ada',
  passwordHash: 'x',
  scopes: ['read'],
  disabled: false,
  email: null,
  emailVerified: false,
  name: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...extra,
})

const session: Session = {
  id: 'session-1',
  tenantId: 'tenant-7',
  userId: 'user-1',
  authTime: new Date(NOW - 60_000),
  amr: ['pwd'],
  lastSeenAt: new Date(NOW - 60_000),
  idleExpiresAt: new Date(NOW + 3_600_000),
  expiresAt: new Date(NOW + 86_400_000),
  revokedAt: null,
  createdAt: new Date(NOW - 60_000),
}

interface Options {
  /** What findByChallengeHash finds (whatever the hash). */
  found?: Challenge<DelegatedAnswer>
  /** What findAnsweredByVerifierHash finds (whatever the hash). */
  answered?: Challenge<DelegatedAnswer>
  /** What findPendingById finds. */
  pending?: PendingAuthorization<AuthorizationRequest>
  client?: Client
  /** What the store's answer() and use() report: false when another request was first. */
  answer?: boolean
  use?: boolean
  /** The user findByIdOrUsername finds. */
  user?: User
}

function setup(options: Options = {}) {
  const calls: unknown[][] = []
  const deps = {
    config: { issuer: ISSUER, loginUrl: LOGIN_URL, consentUrl: CONSENT_URL },
    now: () => SERVER_NOW,
    store: {
      authorizationRequests: {
        async create(row: { clientId: string; request: unknown; sessionId?: string; expiresAt: Date }, at: Date) {
          calls.push(['authorizationRequests.create', row, at])
          return pendingRequest({ id: 'request-new', sessionId: row.sessionId ?? null, expiresAt: row.expiresAt })
        },
        async attachSession(id: string, sessionId: string) {
          calls.push(['authorizationRequests.attachSession', id, sessionId])
        },
        async findPendingById(id: string, at: Date) {
          calls.push(['authorizationRequests.findPendingById', id, at])
          return options.pending
        },
      },
      challenges: {
        async create(input: unknown, at: Date) {
          calls.push(['challenges.create', input, at])
        },
        async findByChallengeHash(kind: ChallengeKind, hash: string) {
          calls.push(['challenges.findByChallengeHash', kind, hash])
          return options.found
        },
        async answer(id: string, answer: DelegatedAnswer, verifierHash: string, at: Date) {
          calls.push(['challenges.answer', id, answer, verifierHash, at])
          return options.answer ?? true
        },
        async findAnsweredByVerifierHash(kind: ChallengeKind, hash: string, at: Date) {
          calls.push(['challenges.findAnsweredByVerifierHash', kind, hash, at])
          return options.answered
        },
        async use(id: string, at: Date) {
          calls.push(['challenges.use', id, at])
          return options.use ?? true
        },
      },
      clients: {
        async findById(scope: unknown, clientId: string) {
          calls.push(['clients.findById', scope, clientId])
          return options.client
        },
      },
      users: {
        async findByIdOrUsername(tenantId: string, subject: string) {
          calls.push(['users.findByIdOrUsername', tenantId, subject])
          return options.user
        },
      },
    },
  }
  return { deps: deps as never, calls }
}

/** The refusal, whole; or what the call resolved to (which fails the comparison). */
async function outcome(promise: Promise<unknown>) {
  try {
    return { resolved: await promise }
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return {
      status: err.statusCode,
      error: err.error,
      description: err.description,
      headers: err.headers,
      details: err.details,
    }
  }
}

const refusal = (status: number, error: string, description: string) => ({
  status,
  error,
  description,
  headers: {},
  details: undefined,
})
const gone = (kind: ChallengeKind) =>
  refusal(404, 'not_found', `no ${kind} request has this challenge, or it has expired`)
const answeredAlready = (kind: ChallengeKind) => refusal(409, 'conflict', `this ${kind} request was already answered`)

t.test('the errors an app may answer with', async (t) => {
  t.strictSame(REJECT_ERRORS, ['access_denied', 'login_required', 'consent_required', 'temporarily_unavailable'])
})

t.test('the binding cookie: __Host- and Secure behind https, a plain cookie behind http', async (t) => {
  t.equal(bindingCookieName({ issuer: 'https://auth.example' }), '__Host-portcullis-binding')
  t.equal(bindingCookieName({ issuer: 'http://localhost:3000' }), 'portcullis-binding')
  t.equal(bindingCookieName({ issuer: 'http://auth.example/https:' }), 'portcullis-binding', 'the scheme, not the end')
  t.strictSame(bindingCookieOptions({ issuer: 'https://auth.example' }), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: true,
    maxAge: 600,
  })
  t.strictSame(bindingCookieOptions({ issuer: 'http://localhost:3000' }), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: false,
    maxAge: 600,
  })
})

t.test('a browser keeps a well-formed binding, and gets a new one otherwise', async (t) => {
  t.strictSame(browserBinding(BROWSER), { value: BROWSER, isNew: false })
  t.strictSame(browserBinding('_'.repeat(43)), { value: '_'.repeat(43), isNew: false })
  const refused = {
    none: undefined,
    empty: '',
    '42 characters': BROWSER.slice(0, 42),
    '44 characters': `${BROWSER}A`,
    'a character before': `A${BROWSER}`,
    'one character': 'A',
    'one character outside base64url': `${BROWSER.slice(0, 42)}+`,
    'padding at the end': `${BROWSER.slice(0, 42)}=`,
    'a newline at the end': `${BROWSER}\n`,
    'every character outside base64url': '.'.repeat(43),
  }
  const given = new Set<string>()
  for (const [name, cookie] of Object.entries(refused)) {
    const binding = browserBinding(cookie)
    t.match(binding.value, SECRET, `${name}: a new 256-bit value`)
    t.strictSame(binding, { value: binding.value, isNew: true }, `${name}: new`)
    given.add(binding.value)
  }
  t.equal(given.size, Object.keys(refused).length, 'each new value is its own')
})

t.test('a login for a request not kept yet: the pending request is made, then the challenge', async (t) => {
  const { deps, calls } = setup()
  const location = await startDelegation(
    deps,
    {
      kind: 'login',
      request: authorization,
      pending: undefined,
      browser: BROWSER,
      signedIn: { session, user: user() },
      scope: ['openid', 'read'],
    },
    NOW,
  )
  const url = new URL(location)
  const challenge = url.searchParams.get('login_challenge') ?? ''
  t.match(challenge, SECRET)
  t.equal(location, `${LOGIN_URL}&login_challenge=${challenge}`, 'added to the query LOGIN_URL has')
  const made = calls[0]?.[1] as { idHash: string }
  t.match(made.idHash, SECRET)
  t.strictSame(calls, [
    [
      'authorizationRequests.create',
      {
        idHash: made.idHash,
        clientId: 'web',
        request: authorization,
        sessionId: undefined,
        expiresAt: new Date(NOW + TTL_MS),
      },
      new Date(NOW),
    ],
    [
      'challenges.create',
      {
        kind: 'login',
        challengeHash: sha256(challenge),
        browserHash: sha256(BROWSER),
        requestId: 'request-new',
        clientId: 'web',
        sessionId: 'session-1',
        userId: 'user-1',
        scope: ['openid', 'read'],
        expiresAt: new Date(NOW + TTL_MS),
      },
      new Date(NOW),
    ],
  ])
})

t.test('a consent for a request not kept yet: the pending request keeps the session that logged in', async (t) => {
  const { deps, calls } = setup()
  const location = await startDelegation(
    deps,
    {
      kind: 'consent',
      request: authorization,
      pending: undefined,
      browser: BROWSER,
      signedIn: { session, user: user() },
      scope: ['read'],
    },
    NOW,
  )
  const challenge = new URL(location).searchParams.get('consent_challenge') ?? ''
  t.match(challenge, SECRET)
  t.equal(location, `${CONSENT_URL}?consent_challenge=${challenge}`)
  const made = calls[0]?.[1] as { idHash: string }
  t.strictSame(calls, [
    [
      'authorizationRequests.create',
      {
        idHash: made.idHash,
        clientId: 'web',
        request: authorization,
        sessionId: 'session-1',
        expiresAt: new Date(NOW + TTL_MS),
      },
      new Date(NOW),
    ],
    [
      'challenges.create',
      {
        kind: 'consent',
        challengeHash: sha256(challenge),
        browserHash: sha256(BROWSER),
        requestId: 'request-new',
        clientId: 'web',
        sessionId: 'session-1',
        userId: 'user-1',
        scope: ['read'],
        expiresAt: new Date(NOW + TTL_MS),
      },
      new Date(NOW),
    ],
  ])
})

t.test('a login with no one signed in: no session, no user', async (t) => {
  const { deps, calls } = setup()
  const location = await startDelegation(
    deps,
    { kind: 'login', request: authorization, pending: undefined, browser: BROWSER, signedIn: undefined, scope: [] },
    NOW,
  )
  const challenge = new URL(location).searchParams.get('login_challenge') ?? ''
  const made = calls[0]?.[1] as { idHash: string }
  t.strictSame(calls, [
    [
      'authorizationRequests.create',
      {
        idHash: made.idHash,
        clientId: 'web',
        request: authorization,
        sessionId: undefined,
        expiresAt: new Date(NOW + TTL_MS),
      },
      new Date(NOW),
    ],
    [
      'challenges.create',
      {
        kind: 'login',
        challengeHash: sha256(challenge),
        browserHash: sha256(BROWSER),
        requestId: 'request-new',
        clientId: 'web',
        sessionId: null,
        userId: null,
        scope: [],
        expiresAt: new Date(NOW + TTL_MS),
      },
      new Date(NOW),
    ],
  ])
})

t.test('a request already kept: no new one; a consent attaches its session, a login does not', async (t) => {
  const pending = pendingRequest()
  const challengeCall = (kind: ChallengeKind, challenge: string, signedIn: boolean) => [
    'challenges.create',
    {
      kind,
      challengeHash: sha256(challenge),
      browserHash: sha256(BROWSER),
      requestId: 'request-1',
      clientId: 'web',
      sessionId: signedIn ? 'session-1' : null,
      userId: signedIn ? 'user-1' : null,
      scope: ['read'],
      expiresAt: pending.expiresAt,
    },
    new Date(NOW),
  ]
  const start = async (kind: ChallengeKind, signedIn: boolean) => {
    const { deps, calls } = setup()
    const location = await startDelegation(
      deps,
      {
        kind,
        request: authorization,
        pending,
        browser: BROWSER,
        signedIn: signedIn ? { session, user: user() } : undefined,
        scope: ['read'],
      },
      NOW,
    )
    return { calls, challenge: new URL(location).searchParams.get(`${kind}_challenge`) ?? '' }
  }

  const consent = await start('consent', true)
  t.strictSame(consent.calls, [
    ['authorizationRequests.attachSession', 'request-1', 'session-1'],
    challengeCall('consent', consent.challenge, true),
  ])
  const anonymousConsent = await start('consent', false)
  t.strictSame(anonymousConsent.calls, [challengeCall('consent', anonymousConsent.challenge, false)])
  const login = await start('login', true)
  t.strictSame(login.calls, [challengeCall('login', login.challenge, true)])
  t.not(consent.challenge, login.challenge, 'each start its own challenge')
})

t.test('an open challenge: found by its hash, with its request and its client of any tenant', async (t) => {
  const { deps, calls } = setup({ found: challengeRow(), pending: pendingRequest(), client: client() })
  t.strictSame(await outcome(findOpenChallenge(deps, 'login', CHALLENGE)), {
    resolved: { challenge: challengeRow(), pending: pendingRequest(), client: client() },
  })
  t.strictSame(calls, [
    ['challenges.findByChallengeHash', 'login', sha256(CHALLENGE)],
    ['authorizationRequests.findPendingById', 'request-1', new Date(SERVER_NOW)],
    ['clients.findById', ANY_TENANT, 'web'],
  ])
})

t.test('a challenge of 128 characters is looked up; a longer one is unknown without a look-up', async (t) => {
  const longest = 'x'.repeat(128)
  const found = setup({ found: challengeRow(), pending: pendingRequest(), client: client() })
  t.strictSame(await outcome(findOpenChallenge(found.deps, 'consent', longest)), {
    resolved: { challenge: challengeRow(), pending: pendingRequest(), client: client() },
  })
  t.strictSame(found.calls, [
    ['challenges.findByChallengeHash', 'consent', sha256(longest)],
    ['authorizationRequests.findPendingById', 'request-1', new Date(SERVER_NOW)],
    ['clients.findById', ANY_TENANT, 'web'],
  ])

  const tooLong = setup({ found: challengeRow(), pending: pendingRequest(), client: client() })
  t.strictSame(await outcome(findOpenChallenge(tooLong.deps, 'consent', `${longest}x`)), gone('consent'))
  t.strictSame(tooLong.calls, [])
})

t.test('a challenge is open until the instant it expires', async (t) => {
  const open = setup({
    found: challengeRow({ expiresAt: new Date(SERVER_NOW + 1) }),
    pending: pendingRequest(),
    client: client(),
  })
  t.strictSame(await outcome(findOpenChallenge(open.deps, 'login', CHALLENGE)), {
    resolved: {
      challenge: challengeRow({ expiresAt: new Date(SERVER_NOW + 1) }),
      pending: pendingRequest(),
      client: client(),
    },
  })
  for (const expiresAt of [new Date(SERVER_NOW), new Date(SERVER_NOW - 1)]) {
    const expired = setup({ found: challengeRow({ expiresAt }), pending: pendingRequest(), client: client() })
    t.strictSame(await outcome(findOpenChallenge(expired.deps, 'login', CHALLENGE)), gone('login'), `${expiresAt}`)
    t.strictSame(expired.calls, [['challenges.findByChallengeHash', 'login', sha256(CHALLENGE)]])
  }
})

t.test('an unknown challenge is not found', async (t) => {
  const { deps, calls } = setup({ pending: pendingRequest(), client: client() })
  t.strictSame(await outcome(findOpenChallenge(deps, 'login', CHALLENGE)), gone('login'))
  t.strictSame(calls, [['challenges.findByChallengeHash', 'login', sha256(CHALLENGE)]])
})

t.test('an answered challenge is a conflict', async (t) => {
  const { deps, calls } = setup({
    found: challengeRow({ kind: 'consent', answer: accepted, answeredAt: new Date(NOW) }),
    pending: pendingRequest(),
    client: client(),
  })
  t.strictSame(await outcome(findOpenChallenge(deps, 'consent', CHALLENGE)), answeredAlready('consent'))
  t.strictSame(calls, [['challenges.findByChallengeHash', 'consent', sha256(CHALLENGE)]])
})

t.test('a challenge whose request or client is gone is not found', async (t) => {
  const noRequest = setup({ found: challengeRow(), client: client() })
  t.strictSame(await outcome(findOpenChallenge(noRequest.deps, 'login', CHALLENGE)), gone('login'))
  t.strictSame(
    noRequest.calls,
    [
      ['challenges.findByChallengeHash', 'login', sha256(CHALLENGE)],
      ['authorizationRequests.findPendingById', 'request-1', new Date(SERVER_NOW)],
    ],
    'no client looked up for a request that is gone',
  )

  const noClient = setup({ found: challengeRow(), pending: pendingRequest() })
  t.strictSame(await outcome(findOpenChallenge(noClient.deps, 'login', CHALLENGE)), gone('login'))
  t.strictSame(noClient.calls, [
    ['challenges.findByChallengeHash', 'login', sha256(CHALLENGE)],
    ['authorizationRequests.findPendingById', 'request-1', new Date(SERVER_NOW)],
    ['clients.findById', ANY_TENANT, 'web'],
  ])
})

t.test("the user a login app names: an enabled one of the client's tenant", async (t) => {
  const found = setup({ user: user() })
  t.strictSame(await outcome(findSubject(found.deps, client(), 'ada')), { resolved: user() })
  t.strictSame(found.calls, [['users.findByIdOrUsername', 'tenant-7', 'ada']])

  const byDefault = setup({ user: user({ tenantId: DEFAULT_TENANT_ID }) })
  t.strictSame(await outcome(findSubject(byDefault.deps, { tenantId: undefined }, 'user-1')), {
    resolved: user({ tenantId: DEFAULT_TENANT_ID }),
  })
  t.strictSame(byDefault.calls, [['users.findByIdOrUsername', DEFAULT_TENANT_ID, 'user-1']], 'no tenant: the default')

  const refused = {
    status: 400,
    error: 'invalid_request',
    description: 'subject: no enabled user has this id or username',
    headers: {},
    details: [{ field: 'subject', message: 'no enabled user has this id or username' }],
  }
  const unknown = setup()
  t.strictSame(await outcome(findSubject(unknown.deps, client(), 'nobody')), refused)
  t.strictSame(unknown.calls, [['users.findByIdOrUsername', 'tenant-7', 'nobody']])
  const disabled = setup({ user: user({ disabled: true }) })
  t.strictSame(await outcome(findSubject(disabled.deps, client(), 'ada')), refused)
  t.strictSame(disabled.calls, [['users.findByIdOrUsername', 'tenant-7', 'ada']])
})

t.test('an answer is recorded with the hash of a new verifier, which the redirect_to carries', async (t) => {
  for (const kind of ['login', 'consent'] as const) {
    const { deps, calls } = setup()
    const answer: DelegatedAnswer = { accepted: false, error: 'access_denied', description: 'no' }
    const redirect = await answerChallenge(deps, challengeRow({ kind }), answer)
    const verifier = new URL(redirect).searchParams.get(`${kind}_verifier`) ?? ''
    t.match(verifier, SECRET)
    t.equal(redirect, `${ISSUER}/oauth/authorize/continue?${kind}_verifier=${verifier}`)
    t.strictSame(calls, [['challenges.answer', 'challenge-1', answer, sha256(verifier), new Date(SERVER_NOW)]])
  }
})

t.test('an answer the store refuses (another came first, or it expired) is a conflict', async (t) => {
  const { deps, calls } = setup({ answer: false })
  t.strictSame(
    await outcome(answerChallenge(deps, challengeRow({ kind: 'consent' }), accepted)),
    answeredAlready('consent'),
  )
  const verifierHash = calls[0]?.[3] as string
  t.match(verifierHash, SECRET)
  t.strictSame(calls, [['challenges.answer', 'challenge-1', accepted, verifierHash, new Date(SERVER_NOW)]])
})

const answeredRow = () => challengeRow({ answer: accepted, answeredAt: new Date(NOW - 1000) })

t.test('a verifier brought by the browser that started the request is taken once', async (t) => {
  const { deps, calls } = setup({ answered: answeredRow(), pending: pendingRequest(), client: client() })
  t.strictSame(await takeAnswer(deps, 'login', VERIFIER, BROWSER, NOW), {
    outcome: 'taken',
    challenge: answeredRow(),
    answer: accepted,
    pending: pendingRequest(),
    client: client(),
  })
  t.strictSame(calls, [
    ['challenges.findAnsweredByVerifierHash', 'login', sha256(VERIFIER), new Date(NOW)],
    ['authorizationRequests.findPendingById', 'request-1', new Date(NOW)],
    ['clients.findById', ANY_TENANT, 'web'],
    ['challenges.use', 'challenge-1', new Date(NOW)],
  ])
})

t.test('a verifier of 128 characters is looked up; none, or a longer one, is unknown without a look-up', async (t) => {
  const longest = 'v'.repeat(128)
  const found = setup({ answered: answeredRow(), pending: pendingRequest(), client: client() })
  t.strictSame(await takeAnswer(found.deps, 'consent', longest, BROWSER, NOW), {
    outcome: 'taken',
    challenge: answeredRow(),
    answer: accepted,
    pending: pendingRequest(),
    client: client(),
  })
  t.strictSame(found.calls, [
    ['challenges.findAnsweredByVerifierHash', 'consent', sha256(longest), new Date(NOW)],
    ['authorizationRequests.findPendingById', 'request-1', new Date(NOW)],
    ['clients.findById', ANY_TENANT, 'web'],
    ['challenges.use', 'challenge-1', new Date(NOW)],
  ])

  for (const verifier of [`${longest}v`, undefined]) {
    const { deps, calls } = setup({ answered: answeredRow(), pending: pendingRequest(), client: client() })
    t.strictSame(await takeAnswer(deps, 'login', verifier, BROWSER, NOW), { outcome: 'unknown' }, `${verifier}`)
    t.strictSame(calls, [])
  }
})

t.test('an unknown verifier, or one of a challenge without an answer, is unknown', async (t) => {
  for (const answered of [undefined, challengeRow()]) {
    const { deps, calls } = setup({ answered, pending: pendingRequest(), client: client() })
    t.strictSame(await takeAnswer(deps, 'login', VERIFIER, BROWSER, NOW), { outcome: 'unknown' })
    t.strictSame(calls, [['challenges.findAnsweredByVerifierHash', 'login', sha256(VERIFIER), new Date(NOW)]])
  }
})

t.test('a browser without the binding of the request uses nothing up', async (t) => {
  for (const binding of [undefined, '', `${BROWSER.slice(0, 42)}B`]) {
    const { deps, calls } = setup({ answered: answeredRow(), pending: pendingRequest(), client: client() })
    t.strictSame(await takeAnswer(deps, 'login', VERIFIER, binding, NOW), { outcome: 'other_browser' }, `${binding}`)
    t.strictSame(calls, [['challenges.findAnsweredByVerifierHash', 'login', sha256(VERIFIER), new Date(NOW)]])
  }
})

t.test('a verifier whose request or client is gone, or that another request used first, is unknown', async (t) => {
  const find = ['challenges.findAnsweredByVerifierHash', 'login', sha256(VERIFIER), new Date(NOW)]
  const findRequest = ['authorizationRequests.findPendingById', 'request-1', new Date(NOW)]
  const findClient = ['clients.findById', ANY_TENANT, 'web']

  const noRequest = setup({ answered: answeredRow(), client: client() })
  t.strictSame(await takeAnswer(noRequest.deps, 'login', VERIFIER, BROWSER, NOW), { outcome: 'unknown' })
  t.strictSame(noRequest.calls, [find, findRequest], 'no client looked up, nothing used up')

  const noClient = setup({ answered: answeredRow(), pending: pendingRequest() })
  t.strictSame(await takeAnswer(noClient.deps, 'login', VERIFIER, BROWSER, NOW), { outcome: 'unknown' })
  t.strictSame(noClient.calls, [find, findRequest, findClient], 'nothing used up')

  const usedFirst = setup({ answered: answeredRow(), pending: pendingRequest(), client: client(), use: false })
  t.strictSame(await takeAnswer(usedFirst.deps, 'login', VERIFIER, BROWSER, NOW), { outcome: 'unknown' })
  t.strictSame(usedFirst.calls, [find, findRequest, findClient, ['challenges.use', 'challenge-1', new Date(NOW)]])
})
