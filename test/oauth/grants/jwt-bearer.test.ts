// The JWT bearer grant (src/oauth/grants/jwt-bearer.ts, RFC 7523 §2.1) as a unit, with a fake access-key
// verifier and replay cache and the request's own `now`: the key id an assertion names (not a JWT, no iss, an
// empty, non-string or too long one), every resolution of the key (unknown, refused, no algorithm), the one
// algorithm a key verifies, what verifyJwtAssertion is given (issuer, subject and audience, the clock skew, the
// 5-minute lifetime, the replay namespace and key, the request's time), the exact answer and its logged reason,
// the key's use recorded only after a good signature, the scope, the claims and expiry of the token, and the
// usage field. Assertions are signed with jose at test time. Through the routes: test/oauth/jwt-bearer.test.ts.
import t, { type Test } from 'tap'
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { SignJWT, UnsecuredJWT, type JWK } from 'jose'
import type { Config } from '../../../src/config.ts'
import { OAuthError } from '../../../src/errors.ts'
import type { GrantRequest, TokenUsage } from '../../../src/oauth/grants/grant.ts'
import { createJwtBearerGrant, JWT_BEARER_GRANT } from '../../../src/oauth/grants/jwt-bearer.ts'
import type { KeyPairResolution } from '../../../src/security/access-keys.ts'
import { AssertionError } from '../../../src/security/jwt-assertion.ts'
import type { ReplayNamespace } from '../../../src/security/replay-cache.ts'
import type { AccessKey } from '../../../src/store/access-keys.ts'
import { StoreError } from '../../../src/store/index.ts'
import { clientRow } from '../../support/client-row.ts'
import { accessKeyRow } from '../../support/access-key-row.ts'

const ISSUER = 'https://auth.example/base'
const AUDIENCE = 'https://api.example'
const NOW = 1_800_000_000_000
const SECONDS = NOW / 1000
const SKEW = 30
const REFUSED = 'the assertion is invalid, or its access key is unknown, revoked or expired'

/** A 16-character key id. */
const idOf = (name: string) => `k${name.padStart(15, '0')}`
const SERVICE = idOf('service')
const USER = idOf('user')
const RSA_PS = idOf('rsaps')
const RSA_RS = idOf('rsars')
const ED = idOf('ed')
const NO_ALG = idOf('noalg')
const REVOKED = idOf('revoked')
const SECRET_KEY = idOf('secret')
const STRANGER = idOf('stranger')

const accessKey = (id: string, extra: Partial<AccessKey> = {}): AccessKey =>
  accessKeyRow(
    {
      id,
      kind: 'key_pair',
      publicKeyThumbprint: `thumbprint-${id}`,
      publicKeyAlg: 'ES256',
      scopes: ['deploy', 'admin', 'read'],
      ...extra,
    },
    new Date(NOW - 86_400_000),
  )

interface Signer {
  id: string
  alg: string
  privateKey: KeyObject
  publicJwk: JWK
}

/** A key id with its algorithm, private key (a KeyObject: jose signs with it under any algorithm of its type) and stored public JWK. */
function signer(id: string, alg: string, pair: { publicKey: KeyObject; privateKey: KeyObject }): Signer {
  return { id, alg, privateKey: pair.privateKey, publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), alg } }
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const es = signer(SERVICE, 'ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }))
const user = signer(USER, 'ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }))
// One RSA key pair, registered twice: once for PS256, once for RS256.
const rsaPs = signer(RSA_PS, 'PS256', rsa)
const rsaRs = signer(RSA_RS, 'RS256', rsa)
const ed = signer(ED, 'EdDSA', generateKeyPairSync('ed25519'))
const stranger = signer(STRANGER, 'ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }))
const noAlg = { ...es, id: NO_ALG }

const userKey = accessKey(USER, { userId: 'user-1', scopes: ['read', 'write'], expiresAt: new Date(NOW + 90_000) })
const owner = { id: 'user-1', username: 'rosa', scopes: ['read', 'write'], disabled: false }
const resolutions: Record<string, KeyPairResolution> = {
  [SERVICE]: {
    ok: true,
    key: accessKey(SERVICE),
    owner: null,
    sub: `access_key:${SERVICE}`,
    scopes: ['deploy', 'admin', 'read'],
    publicKey: es.publicJwk,
  },
  [USER]: { ok: true, key: userKey, owner, sub: 'user-1', scopes: ['read', 'write'], publicKey: user.publicJwk },
  [RSA_PS]: {
    ok: true,
    key: accessKey(RSA_PS, { publicKeyAlg: 'PS256' }),
    owner: null,
    sub: `access_key:${RSA_PS}`,
    scopes: ['read'],
    publicKey: rsaPs.publicJwk,
  },
  [RSA_RS]: {
    ok: true,
    key: accessKey(RSA_RS, { publicKeyAlg: 'RS256' }),
    owner: null,
    sub: `access_key:${RSA_RS}`,
    scopes: ['read'],
    publicKey: rsaRs.publicJwk,
  },
  [ED]: {
    ok: true,
    key: accessKey(ED, { publicKeyAlg: 'EdDSA' }),
    owner: null,
    sub: `access_key:${ED}`,
    scopes: ['read'],
    publicKey: ed.publicJwk,
  },
  [NO_ALG]: {
    ok: true,
    key: accessKey(NO_ALG, { publicKeyAlg: null }),
    owner: null,
    sub: `access_key:${NO_ALG}`,
    scopes: ['read'],
    publicKey: { ...es.publicJwk, alg: undefined },
  },
  // The stranger's id resolves to the service key's public key: its assertions are signed with another key.
  [STRANGER]: {
    ok: true,
    key: accessKey(STRANGER),
    owner: null,
    sub: `access_key:${STRANGER}`,
    scopes: ['read'],
    publicKey: es.publicJwk,
  },
  [REVOKED]: { ok: false, reason: 'revoked' },
  [SECRET_KEY]: { ok: false, reason: 'not_key_pair' },
}

type Call = ['resolveKeyPair', string] | ['remember', ReplayNamespace, string, string] | ['recordUse', AccessKey]

/** A grant over fakes that record every call in order; `replay` answers the replay cache (or throws). */
function setup() {
  const calls: Call[] = []
  const replay: { answer: boolean | Error } = { answer: true }
  const grant = createJwtBearerGrant({
    config: { issuer: ISSUER, clockSkew: SKEW } as Config,
    accessKeys: {
      async resolveKeyPair(id: string) {
        calls.push(['resolveKeyPair', id])
        return resolutions[id] ?? { ok: false, reason: 'unknown' }
      },
      recordUse(key: AccessKey) {
        calls.push(['recordUse', key])
      },
    } as never,
    replayCache: {
      async remember(namespace, jti, expiresAt) {
        calls.push(['remember', namespace, jti, expiresAt.toISOString()])
        if (replay.answer instanceof Error) throw replay.answer
        return replay.answer
      },
    },
  })
  return { grant, calls, replay }
}

const client = clientRow({
  clientId: 'signer-app',
  tenantId: 'tenant-1',
  grantTypes: [JWT_BEARER_GRANT],
  scopes: ['read', 'write', 'deploy'],
})

const request = (assertion: string, extra: Partial<GrantRequest> = {}): GrantRequest => ({
  client,
  authMethod: 'client_secret_basic',
  params: { assertion },
  scope: undefined,
  resource: undefined,
  audience: AUDIENCE,
  now: NOW,
  ip: '192.0.2.1',
  dpopJkt: undefined,
  usage: {},
  ...extra,
})

let jtis = 0
/** An assertion as RFC 7523 §3 asks for it, signed by `key`; `claims` overrides (undefined removes a claim). */
async function assertion(
  key: Pick<Signer, 'id' | 'alg' | 'privateKey'>,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const payload = Object.fromEntries(
    Object.entries({
      iss: key.id,
      sub: key.id,
      aud: ISSUER,
      iat: SECONDS,
      exp: SECONDS + 120,
      jti: `jti-${++jtis}`,
      ...claims,
    }).filter(([, value]) => value !== undefined),
  )
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, ...header }).sign(key.privateKey)
}

/** An unsigned JWT with these claims (only its iss is ever read). */
const unsigned = (claims: Record<string, unknown>) => new UnsecuredJWT(claims).encode()

/** The replay cache's key of a jti: SHA-256 of `<key id>\n<jti>`, base64url. */
const replayKey = (keyId: string, jti: string) =>
  createHash('sha256').update(keyId).update('\n').update(jti).digest('base64url')
const remembered = (keyId: string, jti: string, exp: number): Call => [
  'remember',
  'jwt_bearer',
  replayKey(keyId, jti),
  new Date((exp + SKEW) * 1000).toISOString(),
]
const jtiOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).jti as string

/** The result; or the refusal's status, error, description and cause (an AssertionError's reason). */
async function outcome<T>(promise: Promise<T>) {
  try {
    return { result: await promise }
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    const cause = err.cause instanceof AssertionError ? { reason: err.cause.reason } : err.cause
    return { status: err.statusCode, error: err.error, description: err.description, cause }
  }
}

const refused = (reason: string) => ({
  status: 400,
  error: 'invalid_grant',
  description: REFUSED,
  cause: { reason },
})
const invalidScope = (description: string) => ({
  status: 400,
  error: 'invalid_scope',
  description,
  cause: undefined,
})

t.test('the grant type and the one parameter it reads', async (t) => {
  const { grant } = setup()
  t.equal(grant.grantType, 'urn:ietf:params:oauth:grant-type:jwt-bearer')
  t.equal(JWT_BEARER_GRANT, grant.grantType)
  t.strictSame(grant.parameters, { required: ['assertion'], optional: [] })
})

t.test("a service key's assertion: the key's sub and scopes within the client's, its use recorded", async (t) => {
  const { grant, calls } = setup()
  const jwt = await assertion(es)
  const usage: TokenUsage = { clientId: 'signer-app' }
  t.strictSame(await outcome(grant.handler(request(jwt, { usage }))), {
    result: {
      subject: `access_key:${SERVICE}`,
      scope: ['deploy', 'read'],
      audience: AUDIENCE,
      claims: { access_key_id: SERVICE },
    },
  })
  t.strictSame(calls, [
    ['resolveKeyPair', SERVICE],
    remembered(SERVICE, jtiOf(jwt), SECONDS + 120),
    ['recordUse', accessKey(SERVICE)],
  ])
  t.strictSame(usage, { clientId: 'signer-app', accessKeyId: SERVICE })
})

t.test("a user's key: the user's sub and username, and the token expires with the key", async (t) => {
  const { grant, calls } = setup()
  const jwt = await assertion(user)
  t.strictSame(await outcome(grant.handler(request(jwt))), {
    result: {
      subject: 'user-1',
      scope: ['read', 'write'],
      audience: AUDIENCE,
      claims: { access_key_id: USER, username: 'rosa' },
      notAfter: NOW + 90_000,
    },
  })
  t.strictSame(calls, [['resolveKeyPair', USER], remembered(USER, jtiOf(jwt), SECONDS + 120), ['recordUse', userKey]])
})

t.test('without a usage record to fill in, a good and a refused assertion answer the same', async (t) => {
  const { grant } = setup()
  const { usage: _, ...withoutUsage } = request('')
  t.strictSame(await outcome(grant.handler({ ...withoutUsage, params: { assertion: await assertion(es) } })), {
    result: {
      subject: `access_key:${SERVICE}`,
      scope: ['deploy', 'read'],
      audience: AUDIENCE,
      claims: { access_key_id: SERVICE },
    },
  })
  const revoked = await assertion({ ...es, id: REVOKED })
  t.strictSame(
    await outcome(grant.handler({ ...withoutUsage, params: { assertion: revoked } })),
    refused(`access key ${REVOKED}: revoked`),
  )
  t.strictSame(
    await outcome(grant.handler({ ...withoutUsage, params: { assertion: await assertion(es) }, scope: ['admin'] })),
    invalidScope("this client may not have the scope 'admin'"),
  )
})

t.test(
  'scope narrows the token; beyond the client or the key is invalid_scope, after the use is recorded',
  async (t) => {
    const { grant, calls } = setup()
    const as = async (scope: string[]) => outcome(grant.handler(request(await assertion(es), { scope })))
    t.strictSame((await as(['read'])).result, {
      subject: `access_key:${SERVICE}`,
      scope: ['read'],
      audience: AUDIENCE,
      claims: { access_key_id: SERVICE },
    })
    t.strictSame((await as(['read', 'deploy'])).result?.scope, ['read', 'deploy'], "in the request's order")
    t.strictSame(await as(['admin']), invalidScope("this client may not have the scope 'admin'"), 'the key has it')
    t.strictSame(
      await as(['write', 'read']),
      invalidScope("this access key may not have the scope 'write'"),
      'the client has it, the key not',
    )
    t.strictSame(await as(['other', 'write']), invalidScope("this client may not have the scope 'other'"))
    t.strictSame(
      calls.filter(([name]) => name === 'recordUse'),
      Array.from({ length: 5 }, () => ['recordUse', accessKey(SERVICE)]),
      'every signature was good: every use recorded',
    )
  },
)

t.test('the token is for the audience the request selected; resource and the client do not change it', async (t) => {
  const { grant } = setup()
  const publicClient = clientRow({ ...client, isPublic: true, secretHash: null })
  const result = await grant.handler(
    request(await assertion(es), {
      client: publicClient,
      authMethod: 'none',
      resource: 'https://other.example',
      audience: 'https://other.example',
    }),
  )
  t.strictSame(result, {
    subject: `access_key:${SERVICE}`,
    scope: ['deploy', 'read'],
    audience: 'https://other.example',
    claims: { access_key_id: SERVICE },
  })
})

t.test('an assertion that is not a JWT, or names no key, is refused before any lookup', async (t) => {
  const { grant, calls } = setup()
  const as = async (jwt: string) => {
    const usage: TokenUsage = {}
    const answer = await outcome(grant.handler(request(jwt, { usage })))
    t.strictSame(usage, {}, 'no key is counted')
    return answer
  }
  t.strictSame(await as('not-a-jwt'), refused('the assertion is not a JWT'))
  t.strictSame(await as(''), refused('the assertion is not a JWT'))
  t.strictSame(await as('a.b.c'), refused('the assertion is not a JWT'))
  const noKey = refused('iss does not name an access key')
  t.strictSame(await as(unsigned({ sub: SERVICE })), noKey, 'no iss')
  t.strictSame(await as(unsigned({ iss: '' })), noKey, 'an empty iss')
  t.strictSame(await as(unsigned({ iss: 5 })), noKey, 'a number')
  t.strictSame(await as(unsigned({ iss: [SERVICE] })), noKey, 'an array')
  t.strictSame(await as(unsigned({ iss: 'k'.repeat(65) })), noKey, '65 characters')
  t.strictSame(calls, [])
  t.strictSame(await as(unsigned({ iss: 'k'.repeat(64) })), refused(`access key ${'k'.repeat(64)}: unknown`))
  t.strictSame(await as(unsigned({ iss: 'x' })), refused('access key x: unknown'), 'one character')
  t.strictSame(calls, [
    ['resolveKeyPair', 'k'.repeat(64)],
    ['resolveKeyPair', 'x'],
  ])
})

t.test('a key that does not resolve: refused with its reason; counted unless it is unknown', async (t) => {
  const { grant, calls } = setup()
  const as = async (id: string) => {
    const usage: TokenUsage = { clientId: 'signer-app' }
    const answer = await outcome(grant.handler(request(await assertion({ ...es, id }), { usage })))
    return { answer, usage }
  }
  t.strictSame(await as(idOf('unknown')), {
    answer: refused(`access key ${idOf('unknown')}: unknown`),
    usage: { clientId: 'signer-app' },
  })
  t.strictSame(await as(REVOKED), {
    answer: refused(`access key ${REVOKED}: revoked`),
    usage: { clientId: 'signer-app', accessKeyId: REVOKED },
  })
  t.strictSame(await as(SECRET_KEY), {
    answer: refused(`access key ${SECRET_KEY}: not_key_pair`),
    usage: { clientId: 'signer-app', accessKeyId: SECRET_KEY },
  })
  t.strictSame(calls, [
    ['resolveKeyPair', idOf('unknown')],
    ['resolveKeyPair', REVOKED],
    ['resolveKeyPair', SECRET_KEY],
  ])
})

t.test('a stored key without an algorithm verifies nothing', async (t) => {
  const { grant, calls } = setup()
  const usage: TokenUsage = {}
  t.strictSame(
    await outcome(grant.handler(request(await assertion(noAlg), { usage }))),
    refused(`access key ${NO_ALG} has no algorithm`),
  )
  t.strictSame(usage, { accessKeyId: NO_ALG })
  t.strictSame(calls, [['resolveKeyPair', NO_ALG]])
})

t.test("only the key's own algorithm: RS256 and PS256 apart, EdDSA under both its names", async (t) => {
  const { grant, calls } = setup()
  const as = async (key: Pick<Signer, 'id' | 'alg' | 'privateKey'>) => {
    const usage: TokenUsage = {}
    const answer = await outcome(grant.handler(request(await assertion(key), { usage })))
    t.strictSame(usage, { accessKeyId: key.id }, 'counted, verified or not')
    return answer
  }
  const read = (id: string) => ({
    result: { subject: `access_key:${id}`, scope: ['read'], audience: AUDIENCE, claims: { access_key_id: id } },
  })
  t.strictSame(await as(rsaPs), read(RSA_PS))
  t.strictSame(await as(rsaRs), read(RSA_RS))
  t.strictSame(await as(ed), read(ED))
  t.strictSame(await as({ ...ed, alg: 'Ed25519' }), read(ED), 'RFC 9864: Ed25519 is EdDSA')
  t.strictSame(
    await as({ ...rsaPs, alg: 'RS256' }),
    refused(`access key ${RSA_PS}: assertion refused: alg RS256 is not the key's PS256`),
    'a PS256 key does not verify RS256, even signed with its own private key',
  )
  t.strictSame(
    await as({ ...rsaRs, alg: 'PS256' }),
    refused(`access key ${RSA_RS}: assertion refused: alg PS256 is not the key's RS256`),
  )
  t.strictSame(
    await as({ ...rsaRs, id: SERVICE }),
    refused(`access key ${SERVICE}: assertion refused: alg RS256 is not the key's ES256`),
    'an RSA signature for an EC key',
  )
  t.strictSame(
    await as({ ...ed, id: SERVICE }),
    refused(`access key ${SERVICE}: assertion refused: alg EdDSA is not the key's ES256`),
  )
  t.strictSame(
    await as({ ...stranger, id: STRANGER }),
    refused(`access key ${STRANGER}: ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed`),
    'the right algorithm, another key',
  )
  t.strictSame(
    calls.filter(([name]) => name === 'recordUse'),
    [RSA_PS, RSA_RS, ED, ED].map((id) => ['recordUse', resolutions[id]!.ok && resolutions[id]!.key]),
    'a use is recorded for a good signature only',
  )
  t.equal(calls.filter(([name]) => name === 'remember').length, 4, 'a jti is remembered for a good signature only')
})

t.test("what the assertion is checked against: the key's id, the issuer, the request's time", async (t) => {
  const { grant, calls } = setup()
  const as = async (claims: Record<string, unknown>, now = NOW) =>
    outcome(grant.handler(request(await assertion(es, claims), { now })))
  const good = {
    result: {
      subject: `access_key:${SERVICE}`,
      scope: ['deploy', 'read'],
      audience: AUDIENCE,
      claims: { access_key_id: SERVICE },
    },
  }
  const why = (reason: string) => refused(`access key ${SERVICE}: ${reason}`)
  t.strictSame(await as({ sub: STRANGER }), why(`sub "${STRANGER}" is not the expected`), 'sub another key')
  t.strictSame(await as({ sub: undefined }), why('sub undefined is not the expected'))
  t.strictSame(await as({ aud: AUDIENCE }), why(`aud "${AUDIENCE}" is not accepted`), 'not the issuer')
  t.strictSame(await as({ aud: `${ISSUER}/oauth/token` }), why(`aud "${ISSUER}/oauth/token" is not accepted`))
  t.strictSame(await as({ aud: [ISSUER] }), why('aud must be a single string'))
  t.strictSame(await as({ jti: undefined }), why('jti is required'))

  // RFC 7523 §3 item 4: exp at most 5 minutes ahead, plus the configured clock skew.
  t.strictSame(await as({ exp: SECONDS + 300 + SKEW, jti: 'longest' }), good, 'exp exactly 300 s + skew ahead')
  t.strictSame(await as({ exp: SECONDS + 301 + SKEW }), why('exp is more than 300 s ahead'), 'one second more')
  t.strictSame(await as({ exp: SECONDS - SKEW + 1, jti: 'oldest' }), good, 'expired, within the skew')
  t.strictSame(
    await as({ exp: SECONDS - SKEW }),
    why('ERR_JWT_EXPIRED: "exp" claim timestamp check failed'),
    'expired beyond the skew',
  )
  t.strictSame(await as({ iat: SECONDS + SKEW, jti: 'early' }), good, 'iat in the future, within the skew')
  t.strictSame(await as({ iat: SECONDS + SKEW + 1 }), why('iat is in the future'), 'beyond it')
  // The request's time, not the wall clock: an assertion made for a time an hour away is judged at that time.
  const later = NOW + 3_600_000
  t.strictSame(
    await as({ iat: SECONDS + 3600, exp: SECONDS + 3600 + 60, jti: 'later' }, later),
    good,
    "judged at the request's time",
  )
  t.strictSame(await as({ exp: SECONDS + 60 }, later), why('ERR_JWT_EXPIRED: "exp" claim timestamp check failed'))
  t.strictSame(
    calls.filter(([name]) => name === 'remember'),
    [
      remembered(SERVICE, 'longest', SECONDS + 300 + SKEW),
      remembered(SERVICE, 'oldest', SECONDS - SKEW + 1),
      remembered(SERVICE, 'early', SECONDS + 120),
      remembered(SERVICE, 'later', SECONDS + 3600 + 60),
    ],
    'the accepted ones, kept until their exp plus the skew',
  )
})

t.test('a replayed jti is refused and no use is recorded; an unavailable replay cache fails as it is', async (t) => {
  const { grant, calls, replay } = setup()
  const jwt = await assertion(es, { jti: 'once' })
  replay.answer = false
  const usage: TokenUsage = {}
  t.strictSame(
    await outcome(grant.handler(request(jwt, { usage }))),
    refused(`access key ${SERVICE}: jti was already used (a replay)`),
  )
  t.strictSame(usage, { accessKeyId: SERVICE })
  t.strictSame(calls, [['resolveKeyPair', SERVICE], remembered(SERVICE, 'once', SECONDS + 120)])

  const unavailable = new StoreError('unavailable', 'the replay cache (Redis) is unavailable')
  replay.answer = unavailable
  calls.length = 0
  const thrown = await grant.handler(request(jwt)).then(
    () => undefined,
    (err: unknown) => err,
  )
  t.equal(thrown, unavailable, 'the StoreError itself, not an invalid_grant')
  t.strictSame(calls, [['resolveKeyPair', SERVICE], remembered(SERVICE, 'once', SECONDS + 120)])
})

t.test('every refusal is one OAuthError whose cause is an AssertionError for the log', async (t: Test) => {
  const { grant } = setup()
  const err = await grant.handler(request(await assertion({ ...es, id: REVOKED }))).then(
    () => undefined,
    (err: unknown) => err,
  )
  t.ok(err instanceof OAuthError)
  const oauth = err as OAuthError
  t.strictSame(oauth.toJSON(), { error: 'invalid_grant', error_description: REFUSED })
  t.equal(oauth.statusCode, 400)
  t.ok(oauth.cause instanceof AssertionError)
  t.equal((oauth.cause as AssertionError).reason, `access key ${REVOKED}: revoked`)
  t.equal((oauth.cause as AssertionError).code, 'ERR_ASSERTION_REFUSED')
})
