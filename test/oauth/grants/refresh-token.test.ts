// The refresh_token grant (src/oauth/grants/refresh-token.ts) as a unit, with fake services that record every call
// and an injected clock: the successor of a token (HMAC of its hash under a key derived from the master key), what
// makes a token unusable (unknown, another client's, revoked, expired to the millisecond, its user disabled), the
// DPoP binding of a family (RFC 9449 §5), scope narrowing (RFC 6749 §6) against the client, the user and their
// role in a workspace, the login's audience (RFC 8707), rotation and its race, the reuse grace window, the
// concurrency tolerance and replay detection (RFC 9700 §4.14), and the sign-in an ID token is made from.
// Through the token endpoint: test/oauth/token-grants.test.ts, token-concurrency.test.ts, dpop.test.ts.
import t from 'tap'
import { OAuthError } from '../../../src/errors.ts'
import type { GrantRequest } from '../../../src/oauth/grants/grant.ts'
import {
  createRefreshTokenGrant,
  REFRESH_TOKEN_GRANT,
  type RefreshTokenGrantServices,
} from '../../../src/oauth/grants/refresh-token.ts'
import { sha256 } from '../../../src/security/secrets.ts'
import type { Client } from '../../../src/store/clients.ts'
import type { RefreshFamily, RefreshToken, RefreshTokenRecord } from '../../../src/store/refresh-tokens/index.ts'
import type { Session } from '../../../src/store/sessions.ts'
import { ANY_TENANT } from '../../../src/store/tenant-scope.ts'
import { DEFAULT_TENANT_ID } from '../../../src/store/tenants.ts'
import { clientRow } from '../../support/client-row.ts'
import { recordingWorkspaces } from '../../support/recording-fakes.ts'

/** When the request arrived (the grant's time of everything); the server clock reads a little later. */
const NOW = 1_800_000_000_000
const SERVER_NOW = NOW + 7
const IDLE_TTL = 3600
const ACCESS_TOKEN_TTL = 300
const CLOCK_SKEW = 30
const AUDIENCE = 'https://api.example'
const OTHER_AUDIENCE = 'https://other.example'
const MASTER_KEY = Buffer.alloc(32, 7)
const PRESENTED = 'rt-presented'
const PARENT_HASH = sha256(PRESENTED)
/**
 * HMAC-SHA256(HKDF-SHA256(MASTER_KEY, salt '', info 'portcullis/refresh-token-successor/v1', 32), PARENT_HASH),
 * base64url: a fixed vector, so that a change of the derivation (which would break every retry in flight) shows.
 */
const SUCCESSOR = 'wn2SvpgwwVh-ScY6FyPZIpAEIWfML-OhKZvIHlDjf50'
const FAMILY_SCOPE = ['openid', 'read', 'write']
const USED_AT_GRACE = 30

const client = (extra: Partial<Client> = {}) =>
  clientRow({
    clientId: 'app',
    grantTypes: ['password', 'refresh_token'],
    scopes: ['openid', 'read', 'write', 'admin'],
    ...extra,
  })

const record = (
  extra: {
    token?: Partial<RefreshToken>
    family?: Partial<RefreshFamily>
    user?: Partial<RefreshTokenRecord['user']>
  } = {},
): RefreshTokenRecord => ({
  token: {
    id: 'tok-1',
    tokenHash: PARENT_HASH,
    familyId: 'fam-1',
    parentId: 'tok-0',
    // Unlike the family's, so that the rotation shows which one the successor gets.
    scope: ['read'],
    expiresAt: new Date(NOW + 60_000),
    usedAt: null,
    revokedAt: null,
    createdAt: new Date(NOW - 60_000),
    ...extra.token,
  },
  family: {
    id: 'fam-1',
    tenantId: DEFAULT_TENANT_ID,
    clientId: 'app',
    userId: 'user-1',
    scope: FAMILY_SCOPE,
    audience: AUDIENCE,
    absoluteExpiresAt: new Date(NOW + 86_400_000),
    revokedAt: null,
    revokedReason: null,
    sessionId: null,
    dpopJkt: null,
    createdAt: new Date(NOW - 3_600_000),
    ...extra.family,
  },
  user: { id: 'user-1', username: 'ada', disabled: false, scopes: ['read', 'write'], ...extra.user },
})

const session = (extra: Partial<Session> = {}): Session => ({
  id: 'sess-1',
  tenantId: DEFAULT_TENANT_ID,
  userId: 'user-1',
  authTime: new Date(NOW - 7_200_000),
  amr: ['pwd', 'otp'],
  lastSeenAt: new Date(NOW - 60_000),
  idleExpiresAt: new Date(NOW + 60_000),
  expiresAt: new Date(NOW + 86_400_000),
  revokedAt: null,
  createdAt: new Date(NOW - 7_200_000),
  ...extra,
})

interface Setup {
  /** What the presented token's hash finds (PARENT_HASH only). */
  found?: RefreshTokenRecord | undefined
  /** REFRESH_TOKEN_REUSE_GRACE, seconds. */
  grace?: number
  rotated?: 'rotated' | 'already_used'
  /** What revokeFamily answers: true when this call revoked the family. */
  revokedNow?: boolean
  audiences?: string[]
  /** Workspaces by tenant, then by id or slug. */
  workspaces?: Record<string, Record<string, string>>
  /** The role's scopes by `tenant/user/workspace`. */
  roles?: Record<string, string[]>
  sessions?: Session[]
  masterKey?: Buffer
}

function setup(options: Setup = {}) {
  const calls: unknown[][] = []
  const found = 'found' in options ? options.found : record()
  const deps = {
    config: {
      refreshTokenReuseGrace: options.grace ?? 0,
      refreshTokenIdleTtl: IDLE_TTL,
      audiences: options.audiences ?? [AUDIENCE, OTHER_AUDIENCE],
      accessTokenTtl: ACCESS_TOKEN_TTL,
      clockSkew: CLOCK_SKEW,
    },
    now: () => SERVER_NOW,
    masterKey: options.masterKey ?? MASTER_KEY,
    revocations: {
      add(jti: string, expiresAt: Date) {
        calls.push(['revocations.add', jti, expiresAt])
      },
    },
    store: {
      refreshTokens: {
        async findByHash(scope: unknown, tokenHash: string) {
          calls.push(['refreshTokens.findByHash', scope, tokenHash])
          return tokenHash === PARENT_HASH ? found : undefined
        },
        async rotate(rotation: unknown, at: Date) {
          calls.push(['refreshTokens.rotate', rotation, at])
          return options.rotated ?? 'rotated'
        },
        async revokeFamily(scope: unknown, familyId: string, reason: string, at: Date) {
          calls.push(['refreshTokens.revokeFamily', scope, familyId, reason, at])
          return options.revokedNow ?? true
        },
      },
      revokedTokens: {
        async revoke(jti: string, expiresAt: Date, at: Date) {
          calls.push(['revokedTokens.revoke', jti, expiresAt, at])
        },
      },
      audit: {
        async record(event: unknown, at: Date) {
          calls.push(['audit.record', event, at])
        },
      },
      tenants: recordingWorkspaces(calls, options),
      sessions: {
        async findById(scope: unknown, id: string) {
          calls.push(['sessions.findById', scope, id])
          return options.sessions?.find((s) => s.id === id && s.tenantId === scope)
        },
      },
    },
  }
  const grant = createRefreshTokenGrant(deps as unknown as RefreshTokenGrantServices)
  return { grant, calls }
}

const request = (extra: Partial<GrantRequest> = {}): GrantRequest => ({
  client: client(),
  authMethod: 'client_secret_basic',
  params: { refresh_token: PRESENTED },
  scope: undefined,
  resource: undefined,
  // The client's default audience: the grant keeps the login's instead.
  audience: 'https://default.example',
  now: NOW,
  ip: '192.0.2.1',
  dpopJkt: undefined,
  ...extra,
})

/** The result, or the refusal's class check, status, error, description and headers. */
async function outcome(promise: Promise<unknown>) {
  try {
    return { result: await promise }
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return { status: err.statusCode, error: err.error, description: err.description, headers: err.headers }
  }
}

const refused = (error: string, description: string) => ({ status: 400, error, description, headers: {} })
const invalidGrant = (description: string) => refused('invalid_grant', description)

const issued = (extra: Record<string, unknown> = {}) => ({
  result: {
    subject: 'user-1',
    scope: FAMILY_SCOPE,
    audience: AUDIENCE,
    refreshToken: SUCCESSOR,
    claims: { sid: 'fam-1' },
    ...extra,
  },
})

const lookup = (hash = PARENT_HASH) => ['refreshTokens.findByHash', ANY_TENANT, hash]
const rotation = (expiresAt = new Date(NOW + IDLE_TTL * 1000)) => [
  'refreshTokens.rotate',
  { parentId: 'tok-1', familyId: 'fam-1', successorHash: sha256(SUCCESSOR), scope: FAMILY_SCOPE, expiresAt },
  new Date(SERVER_NOW),
]

t.test('the grant type and the parameters it reads', async (t) => {
  const { grant } = setup()
  t.equal(grant.grantType, 'refresh_token')
  t.equal(REFRESH_TOKEN_GRANT, 'refresh_token')
  t.strictSame(grant.parameters, { required: ['refresh_token'], optional: ['workspace'] })
})

t.test("an unused token rotates: its successor, with the login's scope, audience and sid", async (t) => {
  const { grant, calls } = setup()
  t.strictSame(await outcome(grant.handler(request())), issued())
  t.strictSame(
    calls,
    [lookup(), rotation()],
    "looked up in any tenant by its hash; the successor's idle lifetime starts at the request, with the family's scope, written at the server's time",
  )

  const again = setup()
  t.strictSame(await outcome(again.grant.handler(request())), issued(), 'the successor is deterministic, per app')
  const otherKey = setup({ masterKey: Buffer.alloc(32, 8) })
  const other = (await otherKey.grant.handler(request())).refreshToken
  t.not(other, SUCCESSOR, 'and depends on the master key')
  t.match(other, /^[A-Za-z0-9_-]{43}$/)

  const capped = setup({ found: record({ family: { absoluteExpiresAt: new Date(NOW + IDLE_TTL * 1000 - 1) } }) })
  t.strictSame(await outcome(capped.grant.handler(request())), issued())
  t.strictSame(
    capped.calls,
    [lookup(), rotation(new Date(NOW + IDLE_TTL * 1000 - 1))],
    "the successor never outlives the login's absolute lifetime",
  )
})

t.test('what makes a token unusable is refused before anything is written', async (t) => {
  const unknown = setup()
  t.strictSame(
    await outcome(unknown.grant.handler(request({ params: { refresh_token: 'not-issued' } }))),
    invalidGrant('the refresh token is invalid'),
  )
  t.strictSame(unknown.calls, [lookup(sha256('not-issued'))])

  const cases: [string, RefreshTokenRecord, string][] = [
    [
      "another client's token",
      record({ family: { clientId: 'other-app' } }),
      'the refresh token was issued to another client',
    ],
    [
      'a revoked family',
      record({ family: { revokedAt: new Date(NOW - 1), revokedReason: 'revoked' } }),
      'the refresh token has been revoked',
    ],
    ['a revoked token', record({ token: { revokedAt: new Date(NOW - 1) } }), 'the refresh token has been revoked'],
    [
      'a family whose absolute lifetime ends at the request',
      record({ family: { absoluteExpiresAt: new Date(NOW) } }),
      'the refresh token has expired',
    ],
    [
      'a token whose idle lifetime ends at the request',
      record({ token: { expiresAt: new Date(NOW) } }),
      'the refresh token has expired',
    ],
    ['a disabled user', record({ user: { disabled: true } }), 'this user is disabled'],
    [
      'a bound family presented without a proof',
      record({ family: { dpopJkt: 'jkt-1' } }),
      'the refresh token is bound to a DPoP key: send a DPoP proof made with it',
    ],
  ]
  for (const [name, found, description] of cases) {
    const { grant, calls } = setup({ found })
    t.strictSame(await outcome(grant.handler(request())), invalidGrant(description), name)
    t.strictSame(calls, [lookup()], `${name}: nothing written`)
  }

  const inTime = setup({
    found: record({ family: { absoluteExpiresAt: new Date(NOW + 1) }, token: { expiresAt: new Date(NOW + 1) } }),
  })
  t.strictSame(await outcome(inTime.grant.handler(request())), issued(), 'one millisecond before both ends')
  t.strictSame(inTime.calls, [lookup(), rotation(new Date(NOW + 1))])
})

t.test('RFC 9449 §5: a family bound to a DPoP key is refreshed only with a proof of that key', async (t) => {
  const bound = record({ family: { dpopJkt: 'jkt-1' } })
  const publicClient = client({ isPublic: true, secretHash: null })
  const as = async (found: RefreshTokenRecord, dpopJkt: string | undefined) => {
    const { grant, calls } = setup({ found })
    return {
      outcome: await outcome(grant.handler(request({ client: publicClient, authMethod: 'none', dpopJkt }))),
      calls,
    }
  }
  t.strictSame(await as(bound, undefined), {
    outcome: invalidGrant('the refresh token is bound to a DPoP key: send a DPoP proof made with it'),
    calls: [lookup()],
  })
  t.strictSame(await as(bound, 'jkt-2'), {
    outcome: invalidGrant('the refresh token is bound to another DPoP key'),
    calls: [lookup()],
  })
  t.strictSame(await as(bound, 'jkt-1'), { outcome: issued(), calls: [lookup(), rotation()] }, 'the same key')
  t.strictSame(
    await as(record(), 'jkt-1'),
    { outcome: issued(), calls: [lookup(), rotation()] },
    'an unbound family with a proof: the access token is bound, the family stays as it was',
  )
  t.strictSame(await as(record(), undefined), { outcome: issued(), calls: [lookup(), rotation()] })
})

t.test('scope: the request narrows the login, never widens it; what was taken since is not granted', async (t) => {
  const as = async (scope: string[] | undefined, found = record(), requestClient = client()) => {
    const { grant, calls } = setup({ found })
    return { outcome: await outcome(grant.handler(request({ scope, client: requestClient }))), calls }
  }
  t.strictSame(await as(['read']), { outcome: issued({ scope: ['read'] }), calls: [lookup(), rotation()] })
  t.strictSame(
    await as(['write', 'openid']),
    { outcome: issued({ scope: ['write', 'openid'] }), calls: [lookup(), rotation()] },
    "the request's order",
  )
  t.strictSame(
    await as(['read', 'admin']),
    {
      outcome: refused('invalid_scope', "this refresh token may not have the scope 'admin'"),
      calls: [lookup()],
    },
    "a scope of the client's beyond the login",
  )
  const lostWrite = record({ user: { scopes: ['read'] } })
  t.strictSame(
    await as(undefined, lostWrite),
    { outcome: issued({ scope: ['openid', 'read'] }), calls: [lookup(), rotation()] },
    "a scope taken from the user is dropped; openid is every user's",
  )
  t.strictSame(
    await as(['read', 'write'], lostWrite),
    { outcome: issued({ scope: ['read'] }), calls: [lookup(), rotation()] },
    'even when requested: dropped, not refused, outside a workspace',
  )
  t.strictSame(
    await as(undefined, record(), client({ scopes: ['openid', 'read'] })),
    { outcome: issued({ scope: ['openid', 'read'] }), calls: [lookup(), rotation()] },
    'a scope taken from the client is dropped',
  )
  t.strictSame(
    await as(undefined, record({ user: { scopes: [] } }), client({ scopes: ['read'] })),
    { outcome: issued({ scope: [] }), calls: [lookup(), rotation()] },
    'nothing left: an empty scope, the refresh token still rotates with the login scope',
  )
})

t.test("a workspace: the user's role there stands for their scopes, in the client's tenant", async (t) => {
  const tenantClient = client({ tenantId: 'tenant-a' })
  const inTenant = record({ family: { tenantId: 'tenant-a' } })
  const options: Setup = {
    found: inTenant,
    workspaces: { 'tenant-a': { design: 'ws-1', ops: 'ws-2' } },
    roles: { 'tenant-a/user-1/ws-1': ['read'] },
  }
  const as = async (scope: string[] | undefined, workspace: string, requestClient = tenantClient) => {
    const { grant, calls } = setup(options)
    const params = { refresh_token: PRESENTED, workspace }
    return { outcome: await outcome(grant.handler(request({ scope, params, client: requestClient }))), calls }
  }
  const found = ['workspaces.find', 'tenant-a', 'design']
  const member = ['memberships.find', 'tenant-a', 'user-1', 'ws-1']

  t.strictSame(await as(undefined, 'design'), {
    outcome: issued({ scope: ['openid', 'read'], workspaceId: 'ws-1' }),
    calls: [lookup(), found, member, rotation()],
  })
  t.strictSame(
    await as(['openid', 'read'], 'design'),
    {
      outcome: issued({ scope: ['openid', 'read'], workspaceId: 'ws-1' }),
      calls: [lookup(), found, member, rotation()],
    },
    'the identity scopes and the role',
  )
  t.strictSame(
    await as(['read', 'write'], 'design'),
    {
      outcome: refused('invalid_scope', "this user's role in the workspace may not have the scope 'write'"),
      calls: [lookup(), found, member],
    },
    'a requested scope beyond the role is refused, though the user holds it tenant-wide',
  )
  t.strictSame(
    await as(['admin'], 'design'),
    {
      outcome: refused('invalid_scope', "this refresh token may not have the scope 'admin'"),
      calls: [lookup(), found, member],
    },
    'beyond the login first',
  )
  t.strictSame(await as(undefined, 'nope'), {
    outcome: refused('invalid_target', "no workspace 'nope' in this client's tenant"),
    calls: [lookup(), ['workspaces.find', 'tenant-a', 'nope']],
  })
  t.strictSame(await as(undefined, 'ops'), {
    outcome: refused('invalid_target', 'the user is not a member of this workspace'),
    calls: [lookup(), ['workspaces.find', 'tenant-a', 'ops'], ['memberships.find', 'tenant-a', 'user-1', 'ws-2']],
  })
  t.strictSame(
    await as(undefined, 'design', client()),
    {
      outcome: refused('invalid_target', "no workspace 'design' in this client's tenant"),
      calls: [lookup(), ['workspaces.find', DEFAULT_TENANT_ID, 'design']],
    },
    "another tenant's workspace is looked up in the client's tenant, and is unknown there",
  )
})

t.test("the audience: the login's, if the client may still have it (RFC 8707)", async (t) => {
  const as = async (resource: string | undefined, options: Setup = {}, requestClient = client()) => {
    const { grant, calls } = setup(options)
    return { outcome: await outcome(grant.handler(request({ resource, client: requestClient }))), calls }
  }
  t.strictSame(await as(AUDIENCE), { outcome: issued(), calls: [lookup(), rotation()] }, 'the same resource')
  t.strictSame(await as(OTHER_AUDIENCE), {
    outcome: refused('invalid_target', 'the refresh token was not granted this resource'),
    calls: [lookup()],
  })
  t.strictSame(
    await as(undefined, { audiences: [OTHER_AUDIENCE] }),
    {
      outcome: refused('invalid_target', "resource 'https://api.example' is not a registered audience"),
      calls: [lookup()],
    },
    'an audience removed from the configuration since the login',
  )
  t.strictSame(
    await as(undefined, {}, client({ audiences: [OTHER_AUDIENCE] })),
    {
      outcome: refused('invalid_target', "this client may not request tokens for 'https://api.example'"),
      calls: [lookup()],
    },
    "an audience removed from the client's list",
  )
  t.strictSame(await as(undefined, {}, client({ audiences: [OTHER_AUDIENCE, AUDIENCE] })), {
    outcome: issued(),
    calls: [lookup(), rotation()],
  })
})

t.test('a rotation lost to a concurrent request', async (t) => {
  const withoutGrace = setup({ rotated: 'already_used' })
  t.strictSame(
    await outcome(withoutGrace.grant.handler(request())),
    invalidGrant('the refresh token has just been used by another request'),
    'without a grace window: refused, and the family lives on',
  )
  t.strictSame(withoutGrace.calls, [lookup(), rotation()])

  const withGrace = setup({ rotated: 'already_used', grace: 1 })
  t.strictSame(await outcome(withGrace.grant.handler(request())), issued(), "with one: the winner's successor")
  t.strictSame(withGrace.calls, [lookup(), rotation()])
})

t.test('a used token: the grace window, the concurrency tolerance, then a replay', async (t) => {
  const usedAt = (sinceUse: number) => record({ token: { usedAt: new Date(NOW - sinceUse) } })
  const replayed = (sinceUse: number, revokedNow = true) => {
    const revokedUntil = new Date(NOW + (ACCESS_TOKEN_TTL + CLOCK_SKEW) * 1000)
    return [
      lookup(),
      ['revokedTokens.revoke', 'grant:fam-1', revokedUntil, new Date(NOW)],
      ['revocations.add', 'grant:fam-1', revokedUntil],
      ['refreshTokens.revokeFamily', DEFAULT_TENANT_ID, 'fam-1', 'replay_detected', new Date(NOW)],
      ...(revokedNow
        ? [
            [
              'audit.record',
              {
                tenantId: DEFAULT_TENANT_ID,
                type: 'refresh_token.replay_detected',
                actor: 'client:app',
                subject: 'user:user-1',
                ip: '192.0.2.1',
                details: { familyId: 'fam-1', tokenId: 'tok-1', usedAt: new Date(NOW - sinceUse).toISOString() },
              },
              new Date(NOW),
            ],
          ]
        : []),
    ]
  }
  const replay = invalidGrant('the refresh token was already used; every token of this login has been revoked')
  const concurrent = invalidGrant('the refresh token has just been used by another request')
  const as = async (sinceUse: number, grace: number, revokedNow = true) => {
    const { grant, calls } = setup({ found: usedAt(sinceUse), grace, revokedNow })
    return { outcome: await outcome(grant.handler(request())), calls }
  }

  const grace = USED_AT_GRACE * 1000
  t.strictSame(
    await as(grace, USED_AT_GRACE),
    { outcome: issued(), calls: [lookup()] },
    'used exactly the grace window ago: the same successor again, nothing written',
  )
  t.strictSame(await as(0, USED_AT_GRACE), { outcome: issued(), calls: [lookup()] })
  t.strictSame(
    await as(-500, USED_AT_GRACE),
    { outcome: issued(), calls: [lookup()] },
    'used after this request arrived (it was in flight beside the winner)',
  )
  t.strictSame(
    await as(grace + 1, USED_AT_GRACE),
    { outcome: replay, calls: replayed(grace + 1) },
    'one millisecond after the window: a replay ends the login, its access tokens first',
  )

  t.strictSame(await as(0, 0), { outcome: concurrent, calls: [lookup()] }, 'no window: used at the same instant')
  t.strictSame(await as(999, 0), { outcome: concurrent, calls: [lookup()] }, 'within the concurrency tolerance')
  t.strictSame(await as(-500, 0), { outcome: concurrent, calls: [lookup()] }, 'used after this request arrived')
  t.strictSame(await as(1000, 0), { outcome: replay, calls: replayed(1000) }, 'at the tolerance: a replay')
  t.strictSame(
    await as(1000, 0, false),
    { outcome: replay, calls: replayed(1000, false) },
    'a family another replay has just revoked: refused alike, audited once, by that one',
  )

  const tenantReplay = setup({
    found: record({ token: { usedAt: new Date(NOW - 5000) }, family: { tenantId: 'tenant-a' } }),
  })
  t.strictSame(
    await outcome(tenantReplay.grant.handler(request({ client: client({ tenantId: 'tenant-a' }), ip: '2001:db8::1' }))),
    replay,
  )
  t.strictSame(
    tenantReplay.calls.slice(3),
    [
      ['refreshTokens.revokeFamily', 'tenant-a', 'fam-1', 'replay_detected', new Date(NOW)],
      [
        'audit.record',
        {
          tenantId: 'tenant-a',
          type: 'refresh_token.replay_detected',
          actor: 'client:app',
          subject: 'user:user-1',
          ip: '2001:db8::1',
          details: { familyId: 'fam-1', tokenId: 'tok-1', usedAt: new Date(NOW - 5000).toISOString() },
        },
        new Date(NOW),
      ],
    ],
    "a tenant's login is revoked and audited in its tenant",
  )
})

t.test('the sign-in of a browser login, for the ID token of its refreshes', async (t) => {
  const browser = record({ family: { sessionId: 'sess-1' } })
  const as = async (found: RefreshTokenRecord, scope: string[] | undefined, sessions = [session()]) => {
    const { grant, calls } = setup({ found, sessions })
    return { outcome: await outcome(grant.handler(request({ scope }))), calls }
  }
  const read = ['sessions.findById', DEFAULT_TENANT_ID, 'sess-1']
  t.strictSame(await as(browser, undefined), {
    outcome: issued({
      signIn: { sessionId: 'sess-1', authTime: new Date(NOW - 7_200_000), nonce: null, amr: ['pwd', 'otp'] },
    }),
    calls: [lookup(), rotation(), read],
  })
  t.strictSame(
    await as(browser, undefined, []),
    { outcome: issued(), calls: [lookup(), rotation(), read] },
    'the session row is gone: no sign-in (its login time is no longer known)',
  )
  t.strictSame(
    await as(browser, undefined, [session({ tenantId: 'tenant-a' })]),
    { outcome: issued(), calls: [lookup(), rotation(), read] },
    "the session is read in the family's tenant",
  )
  t.strictSame(
    await as(browser, ['read']),
    { outcome: issued({ scope: ['read'] }), calls: [lookup(), rotation()] },
    'no openid in the scope: no ID token, the session is not read',
  )
  t.strictSame(
    await as(record(), undefined),
    { outcome: issued(), calls: [lookup(), rotation()] },
    'a login of another grant has no session',
  )
})
