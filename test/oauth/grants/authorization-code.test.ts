// The authorization_code grant (src/oauth/grants/authorization-code.ts) as a unit, with a fake store that records
// every call and an injected `now`: the code's binding to its client, expiry, redirect URI, PKCE verifier,
// resource and DPoP key (RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 8707, RFC 9449 §10), each on both sides of its
// boundary; the user and scope checks made inside the redemption; the workspace read before it; the redemption
// written (refresh family, its expiries and DPoP binding); the sign-in handed to the ID token; and a replay, which
// ends the login the first redemption started. Through the routes: test/oauth/authorize.test.ts, oidc.test.ts,
// dpop.test.ts.
import { createHash } from 'node:crypto'
import t, { type Test } from 'tap'
import { OAuthError } from '../../../src/errors.ts'
import { AUTHORIZATION_CODE_GRANT, createAuthorizationCodeGrant } from '../../../src/oauth/grants/authorization-code.ts'
import type { GrantRequest } from '../../../src/oauth/grants/grant.ts'
import { sha256 } from '../../../src/security/secrets.ts'
import type { AuthorizationCode, RedeemableCode, Redemption } from '../../../src/store/authorization-codes/index.ts'
import type { Client } from '../../../src/store/clients.ts'
import { idTime } from '../../../src/store/ids.ts'
import { ANY_TENANT } from '../../../src/store/tenant-scope.ts'
import { DEFAULT_TENANT_ID } from '../../../src/store/tenants.ts'
import { clientRow } from '../../support/client-row.ts'

const NOW = 1_800_000_000_000
const CODE = 'the-authorization-code'
const CODE_HASH = sha256(CODE)
const REDIRECT = 'https://app.example/callback'
const AUDIENCE = 'https://api.example'
const TENANT = 'tenant-7'
const CONFIG = { refreshTokenTtl: 86_400, refreshTokenIdleTtl: 3_600, accessTokenTtl: 300, clockSkew: 30 }
/** Every character class of RFC 7636 §4.1's alphabet, 43 characters. */
const VERIFIER = 'AZaz09-._~'.repeat(5).slice(0, 43)
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url')
const AUTH_TIME = new Date(NOW - 120_000)
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const SECRET = /^[A-Za-z0-9_-]{43}$/

const code = (extra: Partial<AuthorizationCode> = {}): AuthorizationCode => ({
  id: 'code-1',
  clientId: 'web',
  userId: 'user-1',
  sessionId: 'session-1',
  redirectUri: REDIRECT,
  redirectUriSent: true,
  codeChallenge: s256(VERIFIER),
  scope: ['openid', 'read', 'write'],
  audience: AUDIENCE,
  nonce: 'nonce-1',
  authTime: AUTH_TIME,
  expiresAt: new Date(NOW + 60_000),
  usedAt: null,
  familyId: null,
  dpopJkt: null,
  createdAt: new Date(NOW - 60_000),
  ...extra,
})

const client = (extra: Partial<Client> = {}): Client =>
  clientRow({
    clientId: 'web',
    tenantId: DEFAULT_TENANT_ID,
    grantTypes: ['authorization_code'],
    scopes: ['openid', 'read', 'write'],
    redirectUris: [REDIRECT],
    ...extra,
  })

const found = (extra: Partial<RedeemableCode> = {}): RedeemableCode => ({
  code: code(),
  user: { id: 'user-1', disabled: false, scopes: ['read'] },
  session: { amr: ['pwd', 'otp'] },
  ...extra,
})

const request = (extra: Partial<GrantRequest> = {}): GrantRequest => ({
  client: client(),
  authMethod: 'client_secret_basic',
  params: { code: CODE, redirect_uri: REDIRECT, code_verifier: VERIFIER },
  scope: undefined,
  resource: undefined,
  audience: 'https://default.example',
  now: NOW,
  ip: '203.0.113.9',
  dpopJkt: undefined,
  ...extra,
})

interface Options {
  /** What the redemption reads: a code to decide on, none, or a used one. */
  redeem?:
    | { outcome: 'redeemed'; found: RedeemableCode }
    | { outcome: 'unknown' }
    | { outcome: 'used'; code: AuthorizationCode }
  /** What the read before the redemption finds (only when a workspace is named). */
  byHash?: AuthorizationCode
  /** Workspace id or slug → its id; user id → the role's scopes there. */
  workspaces?: Record<string, string>
  roles?: Record<string, string[]>
}

function setup(options: Options = {}) {
  const calls: unknown[][] = []
  /** What each redemption's decide() returned (it throws to refuse). */
  const decided: Redemption[] = []
  const redeem = options.redeem ?? { outcome: 'redeemed', found: found() }
  const deps = {
    config: CONFIG,
    store: {
      authorizationCodes: {
        async findByHash(scope: unknown, hash: string) {
          calls.push(['authorizationCodes.findByHash', scope, hash])
          return options.byHash
        },
        async redeem(scope: unknown, hash: string, decide: (found: RedeemableCode) => Redemption, now: Date) {
          calls.push(['authorizationCodes.redeem', scope, hash, now])
          if (redeem.outcome !== 'redeemed') return redeem
          const redemption = decide(redeem.found)
          decided.push(redemption)
          return { outcome: 'redeemed', found: redeem.found, redemption }
        },
      },
      audit: {
        async record(event: unknown, now: Date) {
          calls.push(['audit.record', event, now])
        },
      },
      refreshTokens: {
        async revokeFamily(scope: unknown, familyId: string, reason: string, now: Date) {
          calls.push(['refreshTokens.revokeFamily', scope, familyId, reason, now])
          return true
        },
      },
      revokedTokens: {
        async revoke(jti: string, expiresAt: Date, now: Date) {
          calls.push(['revokedTokens.revoke', jti, expiresAt, now])
        },
      },
      tenants: {
        workspaces: {
          async find(tenantId: string, idOrSlug: string) {
            calls.push(['tenants.workspaces.find', tenantId, idOrSlug])
            const id = options.workspaces?.[idOrSlug]
            return id === undefined ? undefined : { id }
          },
        },
        memberships: {
          async find(tenantId: string, userId: string, workspaceId: string) {
            calls.push(['tenants.memberships.find', tenantId, userId, workspaceId])
            const scopes = options.roles?.[userId]
            return scopes === undefined ? undefined : { role: { scopes } }
          },
        },
      },
    },
    revocations: {
      add(jti: string, expiresAt: Date) {
        calls.push(['revocations.add', jti, expiresAt])
      },
    },
  }
  return { grant: createAuthorizationCodeGrant(deps as never), calls, decided }
}

/** The refusal, whole; or what the handler resolved to (which fails the comparison). */
async function outcome(promise: Promise<unknown>) {
  try {
    return { resolved: await promise }
  } catch (err) {
    if (!(err instanceof OAuthError) || err.constructor !== OAuthError) throw err
    return { status: err.statusCode, error: err.error, description: err.description, headers: err.headers }
  }
}

const refused = (error: string, description: string) => ({ status: 400, error, description, headers: {} })
const redeemCall = ['authorizationCodes.redeem', ANY_TENANT, CODE_HASH, new Date(NOW)]
const findCall = ['authorizationCodes.findByHash', ANY_TENANT, CODE_HASH]

/** The login id the redemption made: a UUIDv7 of `now`, recorded on the code and carried as `sid`. */
function checkFamilyId(t: Test, familyId: unknown) {
  t.match(familyId, UUID_V7, 'the login id is a UUIDv7')
  t.equal(idTime(familyId as string), NOW, 'made at the request time')
}

t.test("the grant's contract", async (t) => {
  const { grant } = setup()
  t.equal(AUTHORIZATION_CODE_GRANT, 'authorization_code')
  t.equal(grant.grantType, 'authorization_code')
  t.strictSame(grant.parameters, { required: ['code'], optional: ['redirect_uri', 'code_verifier', 'workspace'] })
})

t.test('a code redeemed by its client, without a refresh token', async (t) => {
  const { grant, calls, decided } = setup()
  const result = await grant.handler(request())
  const sid = result.claims?.sid
  checkFamilyId(t, sid)
  t.strictSame(
    result,
    {
      subject: 'user-1',
      scope: ['openid', 'read'],
      audience: AUDIENCE,
      claims: { sid },
      signIn: { sessionId: 'session-1', authTime: AUTH_TIME, nonce: 'nonce-1', amr: ['pwd', 'otp'] },
    },
    "the code's scope within the client's and the user's (with the identity scopes), for the code's audience",
  )
  t.strictSame(decided, [{ familyId: sid, scope: ['openid', 'read'] }], 'no refresh family without refresh_token')
  t.strictSame(calls, [redeemCall], 'no workspace named: the code is not read before its redemption')
})

t.test('a client allowed refresh_token gets one, and the login its refresh family', async (t) => {
  const { grant, calls, decided } = setup()
  const result = await grant.handler(
    request({ client: client({ grantTypes: ['authorization_code', 'refresh_token'] }) }),
  )
  const sid = result.claims?.sid
  const refreshToken = result.refreshToken
  checkFamilyId(t, sid)
  t.match(refreshToken, SECRET, '256 random bits, base64url')
  t.strictSame(result, {
    subject: 'user-1',
    scope: ['openid', 'read'],
    audience: AUDIENCE,
    refreshToken,
    claims: { sid },
    signIn: { sessionId: 'session-1', authTime: AUTH_TIME, nonce: 'nonce-1', amr: ['pwd', 'otp'] },
  })
  t.strictSame(decided, [
    {
      familyId: sid,
      scope: ['openid', 'read'],
      refresh: {
        scope: ['openid', 'read'],
        audience: AUDIENCE,
        absoluteExpiresAt: new Date(NOW + 86_400_000),
        tokenExpiresAt: new Date(NOW + 3_600_000),
        tokenHash: sha256(refreshToken as string),
      },
    },
  ])
  t.strictSame(calls, [redeemCall])

  const again = await grant.handler(
    request({ client: client({ grantTypes: ['authorization_code', 'refresh_token'] }) }),
  )
  t.not(again.refreshToken, refreshToken, 'each redemption its own refresh token')
  t.not(again.claims?.sid, sid, 'and its own login id')
})

t.test('the scope granted, and the one a refresh family keeps', async (t) => {
  const withRefresh = (extra: Partial<Client> = {}) =>
    client({ grantTypes: ['authorization_code', 'refresh_token'], ...extra })

  const narrowed = setup({
    redeem: {
      outcome: 'redeemed',
      found: found({ user: { id: 'user-1', disabled: false, scopes: ['read', 'write'] } }),
    },
  })
  const result = await narrowed.grant.handler(request({ client: withRefresh({ scopes: ['openid', 'write'] }) }))
  t.strictSame(
    result.scope,
    ['openid', 'write'],
    'a scope taken from the client since the authorization is not granted',
  )
  t.strictSame(
    narrowed.decided[0]?.refresh?.scope,
    ['openid', 'write'],
    "the default tenant's client: the granted scope",
  )

  const tenants = setup()
  const tenantResult = await tenants.grant.handler(request({ client: withRefresh({ tenantId: TENANT }) }))
  t.strictSame(tenantResult.scope, ['openid', 'read'], "the user's scopes limit what is granted")
  t.strictSame(
    tenants.decided[0]?.refresh?.scope,
    ['openid', 'read', 'write'],
    "a tenant's own client: the family keeps the consented scope, limited at each refresh",
  )

  const identityOnly = setup({
    redeem: { outcome: 'redeemed', found: found({ user: { id: 'user-1', disabled: false, scopes: [] } }) },
  })
  const identity = await identityOnly.grant.handler(request())
  t.strictSame(
    identity.scope,
    ['openid'],
    'without a workspace, a user holding none of the consented authority still gets the identity scopes',
  )
})

t.test('the sign-in the ID token is made from', async (t) => {
  const noSession = setup({
    redeem: {
      outcome: 'redeemed',
      found: found({ code: code({ sessionId: null, nonce: null }), session: undefined }),
    },
  })
  const result = await noSession.grant.handler(request())
  t.strictSame(result.signIn, { sessionId: null, authTime: AUTH_TIME, nonce: null }, 'no session: no methods read')

  const sessionGone = setup({ redeem: { outcome: 'redeemed', found: found({ session: undefined }) } })
  t.strictSame(
    (await sessionGone.grant.handler(request())).signIn,
    { sessionId: 'session-1', authTime: AUTH_TIME, nonce: 'nonce-1', amr: [] },
    'a session the janitor deleted: no methods',
  )

  const withSession = setup({ redeem: { outcome: 'redeemed', found: found({ session: { amr: ['pwd'] } }) } })
  t.strictSame((await withSession.grant.handler(request())).signIn, {
    sessionId: 'session-1',
    authTime: AUTH_TIME,
    nonce: 'nonce-1',
    amr: ['pwd'],
  })
})

t.test("RFC 9449 §5: a public client's refresh tokens are bound to its proof's key", async (t) => {
  const redeemed = async (extra: Partial<Client>, dpopJkt: string | undefined) => {
    const { grant, decided } = setup()
    await grant.handler(
      request({ client: client({ grantTypes: ['authorization_code', 'refresh_token'], ...extra }), dpopJkt }),
    )
    const refresh = decided[0]?.refresh
    return refresh && 'dpopJkt' in refresh ? { dpopJkt: refresh.dpopJkt } : {}
  }
  t.strictSame(await redeemed({ isPublic: true, secretHash: null }, 'jkt-1'), { dpopJkt: 'jkt-1' })
  t.strictSame(await redeemed({ isPublic: true, secretHash: null }, undefined), {}, 'no proof: unbound')
  t.strictSame(await redeemed({}, 'jkt-1'), {}, 'a confidential client: bound by its authentication already')
})

t.test('an unknown code', async (t) => {
  const { grant, calls } = setup({ redeem: { outcome: 'unknown' } })
  t.strictSame(await outcome(grant.handler(request())), refused('invalid_grant', 'the authorization code is invalid'))
  t.strictSame(calls, [redeemCall])
})

t.test('a replayed code ends the login its first redemption started (RFC 6749 §4.1.2)', async (t) => {
  const replayError = refused(
    'invalid_grant',
    'the authorization code was already used; the tokens issued from it have been revoked',
  )

  const used = code({ usedAt: new Date(NOW - 5_000), familyId: 'family-1' })
  const withFamily = setup({ redeem: { outcome: 'used', code: used } })
  t.strictSame(await outcome(withFamily.grant.handler(request())), replayError)
  const revocationExpiry = new Date(NOW + (300 + 30) * 1000)
  t.strictSame(withFamily.calls, [
    redeemCall,
    ['revokedTokens.revoke', 'grant:family-1', revocationExpiry, new Date(NOW)],
    ['revocations.add', 'grant:family-1', revocationExpiry],
    ['refreshTokens.revokeFamily', ANY_TENANT, 'family-1', 'replay_detected', new Date(NOW)],
    [
      'audit.record',
      {
        tenantId: DEFAULT_TENANT_ID,
        type: 'authorization_code.replay_detected',
        actor: 'client:web',
        subject: 'user:user-1',
        ip: '203.0.113.9',
        details: { codeId: 'code-1', familyId: 'family-1' },
      },
      new Date(NOW),
    ],
  ])

  const withoutFamily = setup({ redeem: { outcome: 'used', code: code({ usedAt: new Date(NOW - 5_000) }) } })
  t.strictSame(await outcome(withoutFamily.grant.handler(request())), replayError)
  t.strictSame(
    withoutFamily.calls,
    [
      redeemCall,
      [
        'audit.record',
        {
          tenantId: DEFAULT_TENANT_ID,
          type: 'authorization_code.replay_detected',
          actor: 'client:web',
          subject: 'user:user-1',
          ip: '203.0.113.9',
          details: { codeId: 'code-1', familyId: null },
        },
        new Date(NOW),
      ],
    ],
    'a code used without a login (a concurrent winner that issued nothing): only the audit event',
  )

  const otherClient = setup({ redeem: { outcome: 'used', code: used } })
  const thief = request({ client: client({ clientId: 'other', tenantId: TENANT }), ip: '198.51.100.1' })
  t.strictSame(await outcome(otherClient.grant.handler(thief)), replayError, 'whoever presents it')
  t.strictSame(otherClient.calls.slice(1, 4), withFamily.calls.slice(1, 4), "any tenant's login")
  t.strictSame(otherClient.calls.at(-1), [
    'audit.record',
    {
      tenantId: TENANT,
      type: 'authorization_code.replay_detected',
      actor: 'client:other',
      subject: 'user:user-1',
      ip: '198.51.100.1',
      details: { codeId: 'code-1', familyId: 'family-1' },
    },
    new Date(NOW),
  ])
})

/** The handler's answer to a code read as `codeExtra`, for `requestExtra`; and the store calls it made. */
async function redeemWith(codeExtra: Partial<AuthorizationCode>, requestExtra: Partial<GrantRequest> = {}) {
  const { grant, calls, decided } = setup({ redeem: { outcome: 'redeemed', found: found({ code: code(codeExtra) }) } })
  const answer = await outcome(grant.handler(request(requestExtra)))
  return { answer: 'resolved' in answer ? 'redeemed' : answer, calls, decided: decided.length }
}

const refusedInRedemption = (error: string, description: string) => ({
  answer: refused(error, description),
  calls: [redeemCall],
  decided: 0,
})
const accepted = { answer: 'redeemed', calls: [redeemCall], decided: 1 }

t.test('the client the code was issued to', async (t) => {
  t.strictSame(await redeemWith({}), accepted)
  t.strictSame(
    await redeemWith({ clientId: 'other' }),
    refusedInRedemption('invalid_grant', 'the authorization code was issued to another client'),
  )
})

t.test('expiry, at the millisecond', async (t) => {
  const expired = refusedInRedemption('invalid_grant', 'the authorization code has expired')
  t.strictSame(await redeemWith({ expiresAt: new Date(NOW - 1) }), expired, 'a millisecond before now')
  t.strictSame(await redeemWith({ expiresAt: new Date(NOW) }), expired, 'at now: expired')
  t.strictSame(await redeemWith({ expiresAt: new Date(NOW + 1) }), accepted, 'a millisecond after now')
})

t.test('redirect_uri (RFC 6749 §4.1.3)', async (t) => {
  const mismatch = refusedInRedemption(
    'invalid_grant',
    'redirect_uri does not match the one of the authorization request',
  )
  const params = (redirectUri?: string) => ({
    params: {
      code: CODE,
      code_verifier: VERIFIER,
      ...(redirectUri === undefined ? {} : { redirect_uri: redirectUri }),
    },
  })
  const other = `${REDIRECT}/other`
  t.strictSame(await redeemWith({ redirectUriSent: true }, params(REDIRECT)), accepted, 'sent there, repeated here')
  t.strictSame(await redeemWith({ redirectUriSent: true }, params()), mismatch, 'sent there: required here')
  t.strictSame(await redeemWith({ redirectUriSent: true }, params(other)), mismatch, 'sent there, another here')
  t.strictSame(await redeemWith({ redirectUriSent: false }, params()), accepted, 'not sent there: not required')
  t.strictSame(
    await redeemWith({ redirectUriSent: false }, params(REDIRECT)),
    accepted,
    'not sent there, the same here',
  )
  t.strictSame(await redeemWith({ redirectUriSent: false }, params(other)), mismatch, 'not sent there, another here')
})

t.test('the PKCE verifier (RFC 7636 §4.1, §4.6; S256)', async (t) => {
  const mismatch = refusedInRedemption('invalid_grant', 'code_verifier does not match the code_challenge')
  /** The code's challenge made from `verifier` itself: only its syntax can refuse it. */
  const own = (verifier: string) =>
    redeemWith(
      { codeChallenge: s256(verifier) },
      { params: { code: CODE, redirect_uri: REDIRECT, code_verifier: verifier } },
    )

  t.strictSame(await own('a'.repeat(42)), mismatch, '42 characters: too short')
  t.strictSame(await own('a'.repeat(43)), accepted, '43 characters')
  t.strictSame(await own(VERIFIER), accepted, 'every character class of the alphabet')
  t.strictSame(await own('Z'.repeat(128)), accepted, '128 characters')
  t.strictSame(await own('Z'.repeat(129)), mismatch, '129 characters: too long')
  t.strictSame(await own(`+${'a'.repeat(43)}`), mismatch, 'a character outside the alphabet, first')
  t.strictSame(await own(`${'a'.repeat(43)}+`), mismatch, 'last')
  t.strictSame(await own(`${'a'.repeat(21)} ${'a'.repeat(21)}`), mismatch, 'in the middle')
  t.strictSame(await own('='.repeat(43)), mismatch, 'nothing but characters outside it')

  t.strictSame(
    await redeemWith({}, { params: { code: CODE, redirect_uri: REDIRECT, code_verifier: 'b'.repeat(43) } }),
    mismatch,
    'a well-formed verifier of another challenge',
  )
  t.strictSame(
    await redeemWith({}, { params: { code: CODE, redirect_uri: REDIRECT } }),
    refusedInRedemption('invalid_grant', 'code_verifier is required: the authorization request had a code_challenge'),
    'none: the downgrade of RFC 9700 §4.8.2',
  )
})

t.test('the resource (RFC 8707)', async (t) => {
  t.strictSame(await redeemWith({}, { resource: undefined }), accepted, 'none named')
  t.strictSame(await redeemWith({}, { resource: AUDIENCE }), accepted, "the code's audience")
  t.strictSame(
    await redeemWith({}, { resource: 'https://other.example' }),
    refusedInRedemption('invalid_target', 'the authorization code was not granted this resource'),
  )
})

t.test('the DPoP key of the authorization request (RFC 9449 §10)', async (t) => {
  t.strictSame(await redeemWith({ dpopJkt: null }, { dpopJkt: undefined }), accepted, 'unbound, no proof')
  t.strictSame(await redeemWith({ dpopJkt: null }, { dpopJkt: 'jkt-1' }), accepted, 'unbound, a proof')
  t.strictSame(await redeemWith({ dpopJkt: 'jkt-1' }, { dpopJkt: 'jkt-1' }), accepted, 'bound, proved with its key')
  t.strictSame(
    await redeemWith({ dpopJkt: 'jkt-1' }, { dpopJkt: undefined }),
    refusedInRedemption(
      'invalid_grant',
      'the authorization code is bound to a DPoP key (dpop_jkt): send a DPoP proof made with it',
    ),
    'bound, no proof',
  )
  t.strictSame(
    await redeemWith({ dpopJkt: 'jkt-1' }, { dpopJkt: 'jkt-2' }),
    refusedInRedemption(
      'invalid_grant',
      'the DPoP proof was made with another key than the dpop_jkt of the authorization request',
    ),
    'bound, proved with another key',
  )
})

t.test("the code's user", async (t) => {
  const disabled = refusedInRedemption('invalid_grant', 'this user is disabled')
  const withUser = async (user: RedeemableCode['user']) => {
    const { grant, calls, decided } = setup({ redeem: { outcome: 'redeemed', found: found({ user }) } })
    const answer = await outcome(grant.handler(request()))
    return { answer: 'resolved' in answer ? 'redeemed' : answer, calls, decided: decided.length }
  }
  t.strictSame(await withUser(undefined), disabled, 'deleted since')
  t.strictSame(await withUser({ id: 'user-1', disabled: true, scopes: ['read'] }), disabled, 'disabled since')
  t.strictSame(await withUser({ id: 'user-1', disabled: false, scopes: ['read'] }), accepted)
})

t.test('a workspace named on the token request', async (t) => {
  const params = { code: CODE, redirect_uri: REDIRECT, code_verifier: VERIFIER, workspace: 'team' }
  const member = { workspaces: { team: 'ws-1' }, roles: { 'user-1': ['write'] } }
  const workspaceCalls = [
    findCall,
    ['tenants.workspaces.find', DEFAULT_TENANT_ID, 'team'],
    ['tenants.memberships.find', DEFAULT_TENANT_ID, 'user-1', 'ws-1'],
  ]

  t.test("the user's role there stands for their scopes", async (t) => {
    const { grant, calls, decided } = setup({ ...member, byHash: code() })
    const result = await grant.handler(
      request({ client: client({ grantTypes: ['authorization_code', 'refresh_token'] }), params }),
    )
    const sid = result.claims?.sid
    checkFamilyId(t, sid)
    t.strictSame(result, {
      subject: 'user-1',
      scope: ['openid', 'write'],
      audience: AUDIENCE,
      refreshToken: result.refreshToken,
      claims: { sid },
      workspaceId: 'ws-1',
      signIn: { sessionId: 'session-1', authTime: AUTH_TIME, nonce: 'nonce-1', amr: ['pwd', 'otp'] },
    })
    t.match(result.refreshToken, SECRET)
    t.strictSame(calls, [...workspaceCalls, redeemCall], 'the code is read and checked before the workspace')
    t.strictSame(
      decided[0]?.refresh?.scope,
      ['openid', 'read', 'write'],
      'the family keeps the consented scope: each refresh names its workspace',
    )
  })

  t.test("a tenant's client looks in its own tenant", async (t) => {
    const { grant, calls } = setup({ ...member, byHash: code() })
    await grant.handler(request({ client: client({ tenantId: TENANT }), params }))
    t.strictSame(calls, [
      findCall,
      ['tenants.workspaces.find', TENANT, 'team'],
      ['tenants.memberships.find', TENANT, 'user-1', 'ws-1'],
      redeemCall,
    ])
  })

  t.test('a role granting none of the consented authority', async (t) => {
    const { grant, calls } = setup({ workspaces: { team: 'ws-1' }, roles: { 'user-1': [] }, byHash: code() })
    t.strictSame(
      await outcome(grant.handler(request({ params }))),
      refused('invalid_scope', "this user's role in the workspace grants none of the authorized scopes"),
    )
    t.strictSame(calls, [...workspaceCalls, redeemCall])

    const identityOnly = setup({
      workspaces: { team: 'ws-1' },
      roles: { 'user-1': [] },
      byHash: code({ scope: ['openid'] }),
      redeem: { outcome: 'redeemed', found: found({ code: code({ scope: ['openid'] }) }) },
    })
    const result = await identityOnly.grant.handler(request({ params }))
    t.strictSame(
      [result.scope, result.workspaceId],
      [['openid'], 'ws-1'],
      'a login that consented to no authority at all is not refused for granting none',
    )
  })

  t.test("a workspace unknown, or not the user's", async (t) => {
    const unknown = setup({ ...member, byHash: code() })
    t.strictSame(
      await outcome(unknown.grant.handler(request({ params: { ...params, workspace: 'elsewhere' } }))),
      refused('invalid_target', "no workspace 'elsewhere' in this client's tenant"),
    )
    t.strictSame(
      unknown.calls,
      [findCall, ['tenants.workspaces.find', DEFAULT_TENANT_ID, 'elsewhere']],
      'the code stays unused',
    )

    const notMember = setup({ workspaces: { team: 'ws-1' }, byHash: code() })
    t.strictSame(
      await outcome(notMember.grant.handler(request({ params }))),
      refused('invalid_target', 'the user is not a member of this workspace'),
    )
    t.strictSame(notMember.calls, workspaceCalls)
  })

  t.test('a code that would be refused anyway learns nothing of the workspaces', async (t) => {
    const { grant, calls } = setup({ ...member, byHash: code({ clientId: 'other' }) })
    t.strictSame(
      await outcome(grant.handler(request({ params }))),
      refused('invalid_grant', 'the authorization code was issued to another client'),
    )
    t.strictSame(calls, [findCall])
  })

  t.test('an unknown code: no workspace read, and no redemption without its check', async (t) => {
    const { grant, calls, decided } = setup({ ...member })
    t.strictSame(
      await outcome(grant.handler(request({ params }))),
      refused('invalid_grant', 'the authorization code is invalid'),
      'unknown when read, found unused by the redemption: not the code read',
    )
    t.strictSame(calls, [findCall, redeemCall])
    t.strictSame(decided, [])
  })

  t.test('a used code: no workspace read, the redemption answers the replay', async (t) => {
    const used = code({ clientId: 'other', usedAt: new Date(NOW - 1_000) })
    const { grant, calls } = setup({ ...member, byHash: used, redeem: { outcome: 'used', code: used } })
    t.strictSame(
      await outcome(grant.handler(request({ params }))),
      refused('invalid_grant', 'the authorization code was already used; the tokens issued from it have been revoked'),
      "not its binding's refusal: the replay's",
    )
    t.strictSame(calls, [
      findCall,
      redeemCall,
      [
        'audit.record',
        {
          tenantId: DEFAULT_TENANT_ID,
          type: 'authorization_code.replay_detected',
          actor: 'client:web',
          subject: 'user:user-1',
          ip: '203.0.113.9',
          details: { codeId: 'code-1', familyId: null },
        },
        new Date(NOW),
      ],
    ])
  })
})
