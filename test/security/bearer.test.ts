// Bearer authentication (src/security/bearer.ts) as a unit, with fakes for what it asks: which credential a
// request presents (RFC 6750 §2.1, X-API-Key, RFC 9449 §7's DPoP scheme), the exact principal each credential
// becomes, the exact refusal of each bad one (status, error, description, challenge), and what is counted in
// an access key's usage. Through the routes: test/admin/auth.test.ts, test/oauth/userinfo.test.ts, dpop.test.ts.
import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { OAuthError } from '../../src/errors.ts'
import type { VerifiedAccessToken } from '../../src/keys/access-token.ts'
import type { AccessKeyVerification } from '../../src/security/access-keys.ts'
import { createBearerAuthenticator, type Principal } from '../../src/security/bearer.ts'
import { DPOP_ALGORITHMS } from '../../src/security/dpop.ts'
import { DEFAULT_TENANT_ID } from '../../src/store/tenants.ts'

const ISSUER = 'https://auth.example/base'
const NOW = 1_800_000_000_000
const KEY = `pcl_${'a'.repeat(16)}_${'s'.repeat(43)}`
const USER_KEY = `pcl_${'u'.repeat(16)}_${'s'.repeat(43)}`
const WORKSPACE_KEY = `pcl_${'w'.repeat(16)}_${'s'.repeat(43)}`
const REVOKED_KEY = `pcl_${'r'.repeat(16)}_${'s'.repeat(43)}`
const UNKNOWN_KEY = `pcl_${'n'.repeat(16)}_${'s'.repeat(43)}`

const claims = (extra: Partial<VerifiedAccessToken> & Record<string, unknown> = {}): VerifiedAccessToken =>
  ({
    iss: ISSUER,
    sub: 'user-1',
    aud: ISSUER,
    client_id: 'app',
    scope: 'read  admin',
    jti: 'jti-1',
    iat: 1_799_999_000,
    exp: 1_800_000_300,
    ...extra,
  }) as VerifiedAccessToken

const tokens: Record<string, VerifiedAccessToken> = {
  'jwt.plain': claims(),
  'jwt.other-audience': claims({ aud: 'https://api.example' }),
  'jwt.audiences': claims({ aud: ['https://api.example', ISSUER] }),
  'jwt.revoked': claims({ jti: 'revoked' }),
  'jwt.tenant': claims({ tenant_id: 'tenant-7', workspace_id: 'ws-3', access_key_id: 'key-9' }),
  'jwt.odd': claims({ scope: 42, tenant_id: 7, workspace_id: 8, access_key_id: 9, cnf: 'x' } as never),
  'jwt.no-scope': claims({ scope: undefined } as never),
  'jwt.bound': claims({ cnf: { jkt: 'thumbprint-1' } }),
  'jwt.bound-odd': claims({ cnf: { jkt: 5 } } as never),
  'jwt.bound-null': claims({ cnf: null } as never),
}

const key = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  tenantId: 'tenant-k',
  workspaceId: null,
  ...extra,
})
const keys: Record<string, AccessKeyVerification> = {
  [KEY]: { ok: true, key: key('key-a') as never, owner: null, sub: 'access_key:key-a', scopes: ['admin'] },
  [USER_KEY]: {
    ok: true,
    key: key('key-u') as never,
    owner: { id: 'owner-1' } as never,
    sub: 'owner-1',
    scopes: ['keys:write'],
  },
  [WORKSPACE_KEY]: {
    ok: true,
    key: key('key-w', { workspaceId: 'ws-1' }) as never,
    owner: null,
    sub: 'access_key:key-w',
    scopes: [],
  },
  [REVOKED_KEY]: { ok: false, reason: 'revoked', keyId: 'key-r' },
}

/** `dpopResult`: what the proof check answers (null: no proof). */
function setup(dpopResult: { jkt: string } | null = { jkt: 'thumbprint-1' }) {
  const counted: [string, string, string][] = []
  const dpopChecks: unknown[] = []
  const keyChecks: string[] = []
  const tokenChecks: string[] = []
  const bearer = createBearerAuthenticator({
    config: { issuer: ISSUER },
    now: () => NOW,
    accessTokens: {
      async verify(token) {
        tokenChecks.push(token)
        return tokens[token]
      },
    },
    accessKeys: {
      async verify(presented: string) {
        keyChecks.push(presented)
        return keys[presented] ?? { ok: false, reason: 'unknown' }
      },
    } as never,
    dpop: {
      async verify(_raw, check, at) {
        dpopChecks.push({ check, at })
        return (dpopResult ?? undefined) as never
      },
    },
    isRevoked: (revocable) => revocable.jti === 'revoked',
    usage: { count: (kind, id, what) => void counted.push([kind, id, what]) },
  })
  return { bearer, counted, dpopChecks, keyChecks, tokenChecks }
}

const request = (headers: Record<string, string | string[]>, extra: Record<string, unknown> = {}) =>
  ({ headers, method: 'GET', url: '/v1/me?page=2', raw: {}, ...extra }) as unknown as FastifyRequest

/** The refusal's status, error, description and headers; or the principal. */
async function outcome(promise: Promise<unknown>) {
  try {
    return { principal: await promise }
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return { status: err.statusCode, error: err.error, description: err.description, headers: err.headers }
  }
}

const dpopChallenge = (code: string, description: string) =>
  `DPoP algs="${DPOP_ALGORITHMS.join(' ')}", error="${code}", error_description="${description}"`
const invalid = {
  status: 401,
  error: 'invalid_token',
  description: 'the access token or access key is invalid, expired or revoked',
  headers: {
    'www-authenticate':
      'Bearer realm="portcullis", error="invalid_token", error_description="the access token or access key is invalid, expired or revoked"',
  },
}
const dpopToken = (description: string) => ({
  status: 401,
  error: 'invalid_token',
  description,
  headers: { 'www-authenticate': dpopChallenge('invalid_token', description) },
})

const jwtPrincipal = (extra: Partial<Principal> = {}): Principal => ({
  kind: 'jwt',
  sub: 'user-1',
  scopes: ['read', 'admin'],
  clientId: 'app',
  tenantId: DEFAULT_TENANT_ID,
  jti: 'jti-1',
  exp: 1_800_000_300,
  ...extra,
})

t.test('which credential a request presents', async (t) => {
  const { bearer, keyChecks, tokenChecks } = setup()
  const as = (headers: Record<string, string | string[]>) => outcome(bearer.authenticate(request(headers)))

  t.same(await as({ authorization: 'Bearer jwt.plain' }), { principal: jwtPrincipal() })
  for (const spelling of ['bearer jwt.plain', 'BEARER  jwt.plain', 'Bearer\tjwt.plain \t ', 'Bearer jwt.plain   '])
    t.same(await as({ authorization: spelling }), { principal: jwtPrincipal() }, JSON.stringify(spelling))

  const missing = {
    status: 401,
    error: 'invalid_token',
    description: 'authentication is required',
    headers: { 'www-authenticate': `Bearer realm="portcullis", DPoP algs="${DPOP_ALGORITHMS.join(' ')}"` },
  }
  t.same(await as({}), missing, 'nothing presented')
  t.same(await as({ authorization: 'Basic YTpi' }), missing, 'another scheme is no Bearer credential')
  t.same(await as({ authorization: 'Bearer' }), missing, 'a scheme without a token')
  t.same(await as({ 'x-api-key': '   ' }), missing, 'a blank X-API-Key is none')
  t.same(await as({ authorization: 'Bearer a b' }), invalid, 'two words: an invalid credential, not a missing one')
  t.same(await as({ authorization: 'Bearer  \ta b' }), invalid, 'and after several spaces or tabs')
  t.same(await as({ authorization: 'NotBearer jwt.plain' }), missing, 'the scheme is the whole first word')
  t.same(await as({ authorization: 'XBearer a b' }), missing)
  t.same(await as({ authorization: 'Bearer x'.padEnd(8200, 'x') }), invalid, 'longer than 8,192 characters')
  t.same(await as({ authorization: `Bearer ${'x'.repeat(8192)}` }), invalid, 'exactly 8,192: looked up, unknown')
  t.same(tokenChecks.at(-1), 'x'.repeat(8192))
  t.same(
    await as({ authorization: 'Bearer jwt.plain', 'x-api-key': KEY }),
    {
      status: 400,
      error: 'invalid_request',
      description: 'send one credential: Authorization: Bearer or X-API-Key, not both',
      headers: {},
    },
    'RFC 6750 §2: one method per request',
  )
  t.same(await as({ 'x-api-key': [KEY, KEY] }), {
    status: 400,
    error: 'invalid_request',
    description: 'X-API-Key must be sent once',
    headers: {},
  })

  keyChecks.length = 0
  tokenChecks.length = 0
  t.same(
    await as({ 'x-api-key': ` ${KEY} ` }),
    {
      principal: {
        kind: 'access_key',
        sub: 'access_key:key-a',
        scopes: ['admin'],
        keyId: 'key-a',
        tenantId: 'tenant-k',
      },
    },
    'X-API-Key, trimmed',
  )
  t.same(await as({ 'x-api-key': 'jwt.plain' }), invalid, 'X-API-Key carries access keys only, never a JWT')
  t.same(tokenChecks, [], 'so the JWT is not even verified')
  t.same(await as({ authorization: `Bearer ${KEY}` }), {
    principal: { kind: 'access_key', sub: 'access_key:key-a', scopes: ['admin'], keyId: 'key-a', tenantId: 'tenant-k' },
  })
  t.same(keyChecks, [KEY, KEY])
})

t.test('the principal a JWT becomes', async (t) => {
  const { bearer } = setup()
  const of = (token: string) => bearer.verify(token)
  t.same(await of('jwt.plain'), jwtPrincipal(), 'scopes split on spaces, empty ones dropped; the default tenant')
  t.same(await of('jwt.audiences'), jwtPrincipal(), 'the issuer among several audiences')
  t.equal(await of('jwt.other-audience'), undefined, "a token for another resource server is not for the issuer's API")
  t.equal(await of('jwt.revoked'), undefined, 'a revoked token')
  t.equal(await of('jwt.unknown'), undefined, 'one the verifier refuses')
  t.equal(await of(''), undefined, 'an empty credential')
  t.same(
    await of('jwt.tenant'),
    jwtPrincipal({ tenantId: 'tenant-7', workspaceId: 'ws-3', accessKeyId: 'key-9' }),
    "a tenant's token names its tenant, workspace and the key it was exchanged from",
  )
  t.same(await of('jwt.odd'), jwtPrincipal({ scopes: [] }), 'claims of the wrong type are ignored')
  t.same(await of('jwt.no-scope'), jwtPrincipal({ scopes: [] }), 'no scope claim: no scopes')
  t.same(await of('jwt.bound'), jwtPrincipal({ jkt: 'thumbprint-1' }), 'a DPoP-bound token carries its thumbprint')
  t.same(await of('jwt.bound-odd'), jwtPrincipal(), 'a cnf without a string jkt binds nothing')
  t.same(await of('jwt.bound-null'), jwtPrincipal())
  for (const token of ['jwt.plain', 'jwt.bound-odd', 'jwt.odd'])
    t.same(
      Object.keys((await of(token)) ?? {}),
      ['kind', 'sub', 'scopes', 'clientId', 'tenantId', 'jti', 'exp'],
      `${token}: no member for what the token does not carry`,
    )
  const { bearer: counting, tokenChecks, keyChecks } = setup()
  t.equal(await counting.verify(''), undefined)
  t.equal(await counting.verify('x'.repeat(8193)), undefined)
  t.equal(await counting.verify(`pcl_${'x'.repeat(8189)}`), undefined)
  t.same([tokenChecks, keyChecks], [[], []], 'an empty credential, or one over 8,192 characters, is not looked up')
})

t.test('the principal an access key becomes', async (t) => {
  const { bearer, counted } = setup()
  t.same(await bearer.verify(USER_KEY), {
    kind: 'access_key',
    sub: 'owner-1',
    scopes: ['keys:write'],
    keyId: 'key-u',
    tenantId: 'tenant-k',
    userId: 'owner-1',
  })
  t.same(await bearer.verify(WORKSPACE_KEY), {
    kind: 'access_key',
    sub: 'access_key:key-w',
    scopes: [],
    keyId: 'key-w',
    tenantId: 'tenant-k',
    workspaceId: 'ws-1',
  })
  t.equal(await bearer.verify(REVOKED_KEY), undefined)
  t.equal(await bearer.verify(UNKNOWN_KEY), undefined)
  t.same(counted, [], 'verify() alone (introspection of a key) counts nothing')
})

t.test('an access key presented as the credential: its refusal and its calls are counted', async (t) => {
  const { bearer, counted } = setup()
  t.same(await outcome(bearer.authenticate(request({ 'x-api-key': REVOKED_KEY }))), invalid)
  t.same(await outcome(bearer.authenticate(request({ 'x-api-key': UNKNOWN_KEY }))), invalid)
  t.same(counted, [['access_key', 'key-r', 'refused']], 'a refused key that exists; an unknown one has no id')

  counted.length = 0
  const admin = bearer.requireScope('admin')
  const first = request({ 'x-api-key': KEY })
  await admin(first, {} as never)
  t.same(first.principal, {
    kind: 'access_key',
    sub: 'access_key:key-a',
    scopes: ['admin'],
    keyId: 'key-a',
    tenantId: 'tenant-k',
  })
  t.same(counted, [['access_key', 'key-a', 'api']], 'an allowed call is counted as api')
  await admin(first, {} as never)
  t.same(counted, [['access_key', 'key-a', 'api']], 'once per request, by the hook that authenticated it')

  const refused = request({ 'x-api-key': USER_KEY })
  t.same(await outcome(bearer.requireScope('admin', 'introspect')(refused, {} as never)), {
    status: 403,
    error: 'insufficient_scope',
    description: "this request needs the scope 'admin introspect'",
    headers: { 'www-authenticate': 'Bearer realm="portcullis", error="insufficient_scope", scope="admin introspect"' },
  })
  t.same(counted.at(-1), ['access_key', 'key-u', 'refused'], 'a call without the scope is counted as refused')

  const either = request({ 'x-api-key': KEY })
  await bearer.requireScope('introspect', 'admin')(either, {} as never)
  t.equal(either.principal?.keyId, 'key-a', 'one of the scopes named is enough')

  const anyScope = request({ 'x-api-key': WORKSPACE_KEY })
  await bearer.requireScope()(anyScope, {} as never)
  t.equal(anyScope.principal?.keyId, 'key-w', 'no scope named: any valid credential')
  t.same(counted.at(-1), ['access_key', 'key-w', 'api'])

  counted.length = 0
  const jwt = request({ authorization: 'Bearer jwt.plain' })
  await bearer.requireScope('read')(jwt, {} as never)
  t.same(jwt.principal, jwtPrincipal())
  t.same(counted, [], "a JWT's calls are not an access key's")
  t.same(await outcome(bearer.requireScope('write')(request({ authorization: 'Bearer jwt.plain' }), {} as never)), {
    status: 403,
    error: 'insufficient_scope',
    description: "this request needs the scope 'write'",
    headers: { 'www-authenticate': 'Bearer realm="portcullis", error="insufficient_scope", scope="write"' },
  })
})

t.test('RFC 9449 §7: the DPoP scheme', async (t) => {
  const { bearer, dpopChecks } = setup()
  const as = (authorization: string, extra: Record<string, unknown> = {}) =>
    outcome(bearer.authenticate(request({ authorization }, extra)))

  t.same(await as('DPoP jwt.bound', { method: 'POST' }), { principal: jwtPrincipal({ jkt: 'thumbprint-1' }) })
  t.same(
    dpopChecks,
    [
      {
        check: { method: 'POST', url: `${ISSUER}/v1/me`, accessToken: 'jwt.bound', resource: true },
        at: NOW,
      },
    ],
    "the proof is checked against the method, the issuer's URI of the path without its query, and the token",
  )
  dpopChecks.length = 0
  t.same(await as('dpop jwt.bound', { url: '/v1/me' }), { principal: jwtPrincipal({ jkt: 'thumbprint-1' }) })
  t.equal((dpopChecks[0] as { check: { url: string } }).check.url, `${ISSUER}/v1/me`, 'a path without a query')

  const scheme = dpopToken('the DPoP scheme takes a DPoP-bound access token')
  t.same(await as('DPoP a b'), scheme, 'not a single token')
  t.same(await as(`DPoP ${KEY}`), scheme, 'an access key is never DPoP-bound')
  t.same(await as(`DPoP ${'x'.repeat(8193)}`), scheme, 'longer than 8,192 characters')
  t.same(
    await as(`DPoP ${'x'.repeat(8192)}`),
    dpopToken('the access token is invalid, expired or revoked'),
    'exactly 8,192: its proof is checked, then the token',
  )
  t.same(await as('DPoP jwt.plain'), dpopToken('the access token is not bound to the key of the DPoP proof'))
  t.same(await as('DPoP jwt.unknown'), dpopToken('the access token is invalid, expired or revoked'))
  t.same(await as('DPoP jwt.revoked'), dpopToken('the access token is invalid, expired or revoked'))
  t.same(
    await as('Bearer jwt.bound'),
    dpopToken('a DPoP-bound access token must be sent with the DPoP scheme and a proof'),
    '§7.2: a bound token is never accepted as a Bearer token',
  )

  const other = setup({ jkt: 'thumbprint-2' })
  t.same(
    await outcome(other.bearer.authenticate(request({ authorization: 'DPoP jwt.bound' }))),
    dpopToken('the access token is not bound to the key of the DPoP proof'),
    "a proof made with another key than the token's",
  )
  const none = setup(null)
  const description = 'a DPoP proof (the DPoP header) is required with the DPoP scheme'
  t.same(await outcome(none.bearer.authenticate(request({ authorization: 'DPoP jwt.bound' }))), {
    status: 401,
    error: 'invalid_dpop_proof',
    description,
    headers: { 'www-authenticate': dpopChallenge('invalid_dpop_proof', description) },
  })
  t.same(none.tokenChecks, [], 'the token is not verified without a proof')
})

t.test('without a usage counter, keys are authenticated and refused all the same', async (t) => {
  const bearer = createBearerAuthenticator({
    config: { issuer: ISSUER },
    now: () => NOW,
    accessTokens: { verify: async () => undefined },
    accessKeys: { verify: async (presented: string) => keys[presented] ?? { ok: false, reason: 'unknown' } } as never,
    dpop: { verify: async () => undefined },
    isRevoked: () => false,
  })
  t.same(await outcome(bearer.authenticate(request({ 'x-api-key': REVOKED_KEY }))), invalid)
  const allowed = request({ 'x-api-key': KEY })
  await bearer.requireScope('admin')(allowed, {} as never)
  t.equal(allowed.principal?.keyId, 'key-a')
})
