// OpenID Connect ID tokens (src/oauth/id-token.ts) as units: the algorithm a client's ID tokens are signed in
// (Registration §2: RS256 by default), at_hash (Core §3.1.3.6: the left half of the SHA-256 of the access token,
// SHA-512 for Ed25519), the claims of a signed ID token (Core §2: iss, sub, aud, exp, iat, auth_time, nonce, sid,
// amr) verified with the public half of a key made here, and when a token response gets one at all (an `openid`
// grant from a browser sign-in), with a keyring and a session store that record their calls. Through the routes:
// test/oauth/oidc.test.ts, id-token-signing-alg.test.ts.
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { compactVerify } from 'jose'
import t, { type Test } from 'tap'
import type { SigningAlgorithm } from '../../src/config.ts'
import { OAuthError } from '../../src/errors.ts'
import { compactSigner } from '../../src/keys/jws.ts'
import type { SigningKeyHandle } from '../../src/keys/keyring.ts'
import type { GrantResult } from '../../src/oauth/grants/grant.ts'
import {
  atHash,
  clientIdTokenAlgorithm,
  defaultIdTokenAlgorithm,
  idTokenFor,
  type IdTokenClaims,
  OPENID_SCOPE,
  signIdToken,
} from '../../src/oauth/id-token.ts'
import { DEFAULT_TENANT_ID } from '../../src/store/tenants.ts'

const ISSUER = 'https://auth.example/base'
/** A request time with a millisecond part: `iat` is its floor in seconds. */
const NOW = 1_800_000_000_999
const AUTH_TIME = new Date(1_799_999_880_999)
const ACCESS_TOKEN = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y'
/** Core §A.3's example: the at_hash of ACCESS_TOKEN for RS256. */
const SPEC_AT_HASH = '77QmUPtjPfzWtF2AnpK9RQ'
/** The left half (32 bytes) of ACCESS_TOKEN's SHA-512. */
const EDDSA_AT_HASH = 'q7nS86GgvvFaZkzALLWqJYaJIKw2wCDAVfCAsm5CrBM'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function keyPair(alg: SigningAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 })
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    case 'EdDSA':
      return generateKeyPairSync('ed25519')
  }
}

const ALGORITHMS: SigningAlgorithm[] = ['RS256', 'PS256', 'ES256', 'EdDSA']
const pairs = new Map(ALGORITHMS.map((alg) => [alg, keyPair(alg)]))
const handles = new Map<SigningAlgorithm, SigningKeyHandle>(
  ALGORITHMS.map((alg) => {
    const { privateKey } = pairs.get(alg)!
    return [alg, { kid: `kid-${alg}`, alg, privateKey, signer: compactSigner(alg, privateKey) }]
  }),
)

/** A keyring holding one active key per algorithm; `calls` records each signingKey(alg). */
function keyring() {
  const calls: unknown[][] = []
  return {
    calls,
    keyring: {
      signingKey(alg?: SigningAlgorithm) {
        calls.push(['keyring.signingKey', alg])
        return handles.get(alg ?? 'RS256')!
      },
    },
  }
}

/** The token's protected header and payload, when its signature verifies with the public key of `alg`. */
async function verified(token: string, alg: SigningAlgorithm) {
  const { payload, protectedHeader } = await compactVerify(token, pairs.get(alg)!.publicKey, { algorithms: [alg] })
  const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
  return { header: protectedHeader, claims }
}

/** The payload with its random `jti` checked (a UUID) and replaced, for comparing whole. */
async function claimsOf(t: Test, token: string, alg: SigningAlgorithm) {
  const { header, claims } = await verified(token, alg)
  t.strictSame(header, { alg, typ: 'JWT', kid: `kid-${alg}` }, `${alg}: typ JWT (never at+jwt), the key's kid`)
  t.match(claims.jti, UUID, 'a random jti')
  return { ...claims, jti: 'JTI' }
}

const idClaims = (extra: Partial<IdTokenClaims> = {}): IdTokenClaims => ({
  issuer: ISSUER,
  subject: 'user-1',
  clientId: 'web',
  issuedAt: 1_800_000_000,
  expiresAt: 1_800_000_300,
  authTime: AUTH_TIME,
  nonce: 'nonce-1',
  accessToken: ACCESS_TOKEN,
  sessionId: 'session-1',
  amr: ['pwd', 'otp'],
  alg: 'RS256',
  ...extra,
})

/** The refusal, whole. */
function refusal(fn: () => unknown) {
  try {
    return { returned: fn() }
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return { status: err.statusCode, error: err.error, description: err.description, headers: err.headers }
  }
}

t.test('the default algorithm: RS256 when configured (Registration §2), else the first configured', async (t) => {
  t.equal(OPENID_SCOPE, 'openid')
  t.equal(defaultIdTokenAlgorithm({ signingAlgorithms: ['ES256', 'RS256'] }), 'RS256', 'RS256 even when not first')
  t.equal(defaultIdTokenAlgorithm({ signingAlgorithms: ['RS256'] }), 'RS256')
  t.equal(defaultIdTokenAlgorithm({ signingAlgorithms: ['ES256', 'EdDSA'] }), 'ES256', 'no RSA key: the first')
  t.equal(defaultIdTokenAlgorithm({ signingAlgorithms: ['EdDSA', 'PS256'] }), 'EdDSA', 'PS256 is not RS256')
})

t.test("a client's ID token algorithm", async (t) => {
  const config = { signingAlgorithms: ['ES256', 'RS256', 'EdDSA'] as SigningAlgorithm[] }
  const client = (scopes: string[], idTokenSignedResponseAlg: string | null) => ({ scopes, idTokenSignedResponseAlg })

  t.equal(clientIdTokenAlgorithm(client(['openid', 'read'], null), config), 'RS256', 'none registered: the default')
  t.equal(
    clientIdTokenAlgorithm(client(['openid'], null), { signingAlgorithms: ['EdDSA', 'ES256'] }),
    'EdDSA',
    'none registered, no RS256 configured: the first configured',
  )
  t.equal(clientIdTokenAlgorithm(client(['openid'], 'EdDSA'), config), 'EdDSA', 'a registered, configured one')
  t.equal(clientIdTokenAlgorithm(client(['read', 'openid'], 'ES256'), config), 'ES256')

  t.strictSame(
    refusal(() => clientIdTokenAlgorithm(client(['read'], null), config)),
    { returned: undefined },
    'a client not registered for openid never gets an ID token',
  )
  t.strictSame(
    refusal(() => clientIdTokenAlgorithm(client([], 'PS256'), config)),
    { returned: undefined },
    'nor is refused for an algorithm it would never be signed in',
  )
  t.strictSame(
    refusal(() => clientIdTokenAlgorithm(client(['openid'], 'PS256'), config)),
    {
      status: 400,
      error: 'unauthorized_client',
      description:
        "this client's id_token_signed_response_alg PS256 is not among the server's signing algorithms (ES256, RS256, EdDSA)",
      headers: {},
    },
    'a registered algorithm since dropped from SIGNING_ALGORITHMS: refused, not signed in another',
  )
  t.strictSame(
    refusal(() => clientIdTokenAlgorithm(client(['openid'], 'HS256'), config)).error,
    'unauthorized_client',
    'nor an algorithm the server never supports',
  )
})

t.test('at_hash (Core §3.1.3.6): the left half of the hash of the access token', async (t) => {
  t.equal(atHash(ACCESS_TOKEN), SPEC_AT_HASH, "Core's example; RS256 by default")
  for (const alg of ['RS256', 'PS256', 'ES256'] as const)
    t.equal(atHash(ACCESS_TOKEN, alg), SPEC_AT_HASH, `${alg}: SHA-256, 16 of its 32 bytes (22 characters)`)
  t.equal(atHash(ACCESS_TOKEN, 'EdDSA'), EDDSA_AT_HASH, 'EdDSA (Ed25519): SHA-512, 32 of its 64 bytes (43 characters)')

  const sha256 = createHash('sha256').update('other').digest()
  const sha512 = createHash('sha512').update('other').digest()
  t.equal(atHash('other', 'ES256'), sha256.subarray(0, 16).toString('base64url'))
  t.not(atHash('other', 'ES256'), sha256.subarray(0, 15).toString('base64url'), 'not 15 bytes')
  t.not(atHash('other', 'ES256'), sha256.subarray(0, 17).toString('base64url'), 'nor 17')
  t.equal(atHash('other', 'EdDSA'), sha512.subarray(0, 32).toString('base64url'))
  t.not(atHash('other', 'EdDSA'), sha512.subarray(0, 31).toString('base64url'), 'not 31 bytes')
  t.not(atHash('other', 'EdDSA'), sha512.subarray(0, 33).toString('base64url'), 'nor 33')
})

t.test('a signed ID token: every claim, in every algorithm', async (t) => {
  for (const alg of ALGORITHMS) {
    const { keyring: ring, calls } = keyring()
    const token = await signIdToken(ring, idClaims({ alg }))
    t.strictSame(
      await claimsOf(t, token, alg),
      {
        iss: ISSUER,
        sub: 'user-1',
        aud: 'web',
        exp: 1_800_000_300,
        iat: 1_800_000_000,
        auth_time: 1_799_999_880,
        at_hash: alg === 'EdDSA' ? EDDSA_AT_HASH : SPEC_AT_HASH,
        jti: 'JTI',
        nonce: 'nonce-1',
        sid: 'session-1',
        amr: ['pwd', 'otp'],
      },
      `${alg}: auth_time in whole seconds, rounded down`,
    )
    t.strictSame(calls, [['keyring.signingKey', alg]], "the active key of the client's algorithm")
  }

  const { keyring: ring } = keyring()
  const first = await verified(await signIdToken(ring, idClaims()), 'RS256')
  const second = await verified(await signIdToken(ring, idClaims()), 'RS256')
  t.not(first.claims.jti, second.claims.jti, 'each token its own jti')
})

t.test('the optional claims: nonce, sid and amr only when known', async (t) => {
  const { keyring: ring } = keyring()
  const base = {
    iss: ISSUER,
    sub: 'user-1',
    aud: 'web',
    exp: 1_800_000_300,
    iat: 1_800_000_000,
    auth_time: 1_799_999_880,
    at_hash: SPEC_AT_HASH,
    jti: 'JTI',
  }
  const signed = async (extra: Partial<IdTokenClaims>) => claimsOf(t, await signIdToken(ring, idClaims(extra)), 'RS256')

  t.strictSame(
    await signed({ nonce: null, sessionId: null, amr: undefined }),
    base,
    'no nonce (a refresh: Core §12.2), no session, methods unknown',
  )
  t.strictSame(await signed({ nonce: null, sessionId: null, amr: [] }), base, 'no methods: no amr, not an empty one')
  t.strictSame(await signed({ nonce: '', sessionId: null, amr: ['pwd'] }), { ...base, nonce: '', amr: ['pwd'] })
  t.strictSame(await signed({ nonce: null, sessionId: 'session-2', amr: undefined }), { ...base, sid: 'session-2' })
  t.strictSame(
    await signed({ nonce: null, sessionId: null, amr: ['hwk'], authTime: new Date(1_799_999_880_000) }),
    { ...base, amr: ['hwk'] },
    'an auth_time on a whole second',
  )
})

/** The token-endpoint side: a keyring and a session store that record their calls. */
function setup(sessions: Record<string, { amr: string[] }> = {}) {
  const { keyring: ring, calls } = keyring()
  const deps = {
    config: { issuer: ISSUER },
    keyring: ring,
    store: {
      sessions: {
        async findById(tenantId: string, id: string) {
          calls.push(['sessions.findById', tenantId, id])
          return sessions[`${tenantId}/${id}`]
        },
      },
    },
  }
  return { deps: deps as never, calls }
}

const client = { clientId: 'web', tenantId: 'tenant-7' }
const ACCESS = { token: ACCESS_TOKEN, expiresAt: 1_800_000_300 }
const result = (extra: Partial<GrantResult> = {}): GrantResult => ({
  subject: 'user-1',
  scope: ['openid', 'read'],
  audience: 'https://api.example',
  signIn: { sessionId: 'session-1', authTime: AUTH_TIME, nonce: 'nonce-1', amr: ['pwd'] },
  ...extra,
})
const expected = {
  iss: ISSUER,
  sub: 'user-1',
  aud: 'web',
  exp: 1_800_000_300,
  iat: 1_800_000_000,
  auth_time: 1_799_999_880,
  at_hash: SPEC_AT_HASH,
  jti: 'JTI',
  nonce: 'nonce-1',
  sid: 'session-1',
}

t.test('a token response gets an ID token only for openid from a browser sign-in', async (t) => {
  const noSignIn = setup()
  t.equal(
    await idTokenFor(noSignIn.deps, client, result({ signIn: undefined }), ACCESS, NOW, 'RS256'),
    undefined,
    'not a browser sign-in (client_credentials, password)',
  )
  t.strictSame(noSignIn.calls, [], 'nothing read, nothing signed')

  const noOpenid = setup()
  t.equal(
    await idTokenFor(noOpenid.deps, client, result({ scope: ['read', 'openid-x'] }), ACCESS, NOW, 'RS256'),
    undefined,
    'openid not granted (another scope that starts like it is not it)',
  )
  t.strictSame(noOpenid.calls, [])

  const noOpenidNoMethods = setup()
  t.equal(
    await idTokenFor(
      noOpenidNoMethods.deps,
      client,
      result({ scope: ['read'], signIn: { sessionId: 'session-1', authTime: AUTH_TIME, nonce: null } }),
      ACCESS,
      NOW,
      'RS256',
    ),
    undefined,
  )
  t.strictSame(noOpenidNoMethods.calls, [], 'not even the session is read')
})

t.test("the methods: the grant's, else the session's", async (t) => {
  const read = setup({ 'tenant-7/session-1': { amr: ['other'] } })
  const token = await idTokenFor(read.deps, client, result(), ACCESS, NOW, 'ES256')
  t.strictSame(
    await claimsOf(t, token!, 'ES256'),
    { ...expected, amr: ['pwd'] },
    "the grant read them: its methods, the client's algorithm, iat the request time in whole seconds",
  )
  t.strictSame(read.calls, [['keyring.signingKey', 'ES256']], 'the session is not read again')

  const grantReadNone = setup({ 'tenant-7/session-1': { amr: ['other'] } })
  const none = await idTokenFor(
    grantReadNone.deps,
    client,
    result({ signIn: { sessionId: 'session-1', authTime: AUTH_TIME, nonce: 'nonce-1', amr: [] } }),
    ACCESS,
    NOW,
    'RS256',
  )
  t.strictSame(await claimsOf(t, none!, 'RS256'), expected, 'a session without methods: no amr')
  t.strictSame(grantReadNone.calls, [['keyring.signingKey', 'RS256']])

  const unread = setup({ 'tenant-7/session-1': { amr: ['pwd', 'otp'] } })
  const fromSession = await idTokenFor(
    unread.deps,
    client,
    result({ signIn: { sessionId: 'session-1', authTime: AUTH_TIME, nonce: 'nonce-1' } }),
    ACCESS,
    NOW,
    'EdDSA',
  )
  t.strictSame(
    await claimsOf(t, fromSession!, 'EdDSA'),
    { ...expected, at_hash: EDDSA_AT_HASH, amr: ['pwd', 'otp'] },
    "not read by the grant: the session's, read in the client's tenant",
  )
  t.strictSame(unread.calls, [
    ['sessions.findById', 'tenant-7', 'session-1'],
    ['keyring.signingKey', 'EdDSA'],
  ])

  const defaultTenant = setup({ [`${DEFAULT_TENANT_ID}/session-1`]: { amr: ['pwd'] } })
  const inDefault = await idTokenFor(
    defaultTenant.deps,
    { clientId: 'web' },
    result({ signIn: { sessionId: 'session-1', authTime: AUTH_TIME, nonce: 'nonce-1' } }),
    ACCESS,
    NOW,
    'RS256',
  )
  t.strictSame(await claimsOf(t, inDefault!, 'RS256'), { ...expected, amr: ['pwd'] })
  t.strictSame(
    defaultTenant.calls,
    [
      ['sessions.findById', DEFAULT_TENANT_ID, 'session-1'],
      ['keyring.signingKey', 'RS256'],
    ],
    "a client without a tenant: the default tenant's session",
  )

  const gone = setup({ 'tenant-7/session-2': { amr: ['pwd'] } })
  const sessionGone = await idTokenFor(
    gone.deps,
    client,
    result({ signIn: { sessionId: 'session-1', authTime: AUTH_TIME, nonce: 'nonce-1' } }),
    ACCESS,
    NOW,
    'RS256',
  )
  t.strictSame(await claimsOf(t, sessionGone!, 'RS256'), expected, 'a session since deleted: methods unknown')
  t.strictSame(gone.calls, [
    ['sessions.findById', 'tenant-7', 'session-1'],
    ['keyring.signingKey', 'RS256'],
  ])

  const sessionless = setup({ 'tenant-7/null': { amr: ['pwd'] } })
  const withoutSession = await idTokenFor(
    sessionless.deps,
    client,
    result({ signIn: { sessionId: null, authTime: AUTH_TIME, nonce: null } }),
    ACCESS,
    NOW,
    'RS256',
  )
  const { nonce: _nonce, sid: _sid, ...bare } = expected
  t.strictSame(await claimsOf(t, withoutSession!, 'RS256'), bare, 'no session: no sid, no amr, no lookup')
  t.strictSame(sessionless.calls, [['keyring.signingKey', 'RS256']])
})
