// The signed-assertion verifier (security/jwt-assertion.ts) on its own: each rule of RFC 7523 §3 (and the
// single-string audience of its successor draft) refuses the assertion that breaks it, and nothing else.
// Through the token endpoint: test/oauth/private-key-jwt.test.ts.
import { createHash, createHmac, generateKeyPairSync, KeyObject, sign as nodeSign } from 'node:crypto'
import {
  base64url,
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose'
import t, { type Test } from 'tap'
import { AssertionError, ASSERTION_ALGORITHMS, verifyJwtAssertion } from '../../src/security/jwt-assertion.ts'
import type { ReplayCache } from '../../src/security/replay-cache.ts'

const NOW = Date.parse('2030-01-01T00:00:00Z')
const now = Math.floor(NOW / 1000)
const ISSUER = 'https://portcullis.test'
const CLIENT = 'service'
const SKEW = 30

function memoryCache(): ReplayCache & { seen: Map<string, Date> } {
  const seen = new Map<string, Date>()
  return {
    seen,
    async remember(namespace, jti, expiresAt) {
      const key = `${namespace}:${jti}`
      if (seen.has(key)) return false
      seen.set(key, expiresAt)
      return true
    },
  }
}

const keys = {
  RS256: await generateKeyPair('RS256', { extractable: true }),
  PS256: await generateKeyPair('PS256', { extractable: true }),
  ES256: await generateKeyPair('ES256', { extractable: true }),
  EdDSA: await generateKeyPair('Ed25519', { extractable: true }),
}
const publicJwk = async (alg: keyof typeof keys, kid: string): Promise<JWK> => ({
  ...(await exportJWK(keys[alg].publicKey)),
  kid,
  alg,
})
const jwks = { keys: await Promise.all((Object.keys(keys) as (keyof typeof keys)[]).map((alg) => publicJwk(alg, alg))) }

let counter = 0
const claims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: CLIENT,
  sub: CLIENT,
  aud: ISSUER,
  exp: now + 60,
  iat: now,
  jti: `jti-${++counter}`,
  ...overrides,
})

/** Signs `payload` as is (a claim set to undefined is left out). */
async function sign(payload: JWTPayload, alg: keyof typeof keys = 'RS256', key: CryptoKey = keys[alg].privateKey) {
  const clean = Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined))
  return new SignJWT(clean).setProtectedHeader({ alg, kid: alg }).sign(key)
}

function options(cache = memoryCache(), overrides: Partial<Parameters<typeof verifyJwtAssertion>[1]> = {}) {
  return {
    getKey: createLocalJWKSet(jwks),
    issuer: CLIENT,
    subject: CLIENT,
    audience: ISSUER,
    clockSkewSeconds: SKEW,
    replay: { cache, namespace: 'client_assertion' as const },
    now: () => NOW,
    ...overrides,
  }
}

async function refused(t: Test, jwt: string, reason: RegExp, opts = options()) {
  const err = await verifyJwtAssertion(jwt, opts).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.type(err, AssertionError, 'refused with an AssertionError')
  t.match((err as AssertionError | undefined)?.reason, reason)
}

/** An assertion whose header names `headerAlg`, signed by the key registered (kid) as `alg`. */
async function signAs(headerAlg: string, alg: keyof typeof keys, payload = claims(), kid: string | undefined = alg) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: headerAlg, ...(kid === undefined ? {} : { kid }) })
    .sign(keys[alg].privateKey)
}

t.test('an assertion signed with each allowed algorithm is accepted once', async (t) => {
  t.same(ASSERTION_ALGORITHMS, ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'])
  for (const alg of ASSERTION_ALGORITHMS) {
    const cache = memoryCache()
    // Ed25519 (RFC 9864) by the Ed25519 key registered with alg EdDSA.
    const jwt = alg === 'Ed25519' ? await signAs('Ed25519', 'EdDSA') : await sign(claims(), alg)
    const payload = await verifyJwtAssertion(jwt, options(cache))
    t.equal(payload.sub, CLIENT, alg)
    t.equal(cache.seen.size, 1, `${alg}: its jti is recorded`)
    t.equal([...cache.seen.values()][0]!.getTime(), (now + 60 + SKEW) * 1000, 'until exp plus the allowance')
    await refused(t, jwt, /already used/, options(cache))
  }
})

t.test(
  'EdDSA and Ed25519 name one algorithm: either name verifies with a key registered under the other',
  async (t) => {
    const asEd25519 = { keys: [{ ...(await publicJwk('EdDSA', 'ed')), alg: 'Ed25519' }] }
    const registeredAs = (set: { keys: JWK[] }) => options(memoryCache(), { getKey: createLocalJWKSet(set) })
    t.ok(await verifyJwtAssertion(await signAs('EdDSA', 'EdDSA', claims(), 'ed'), registeredAs(asEd25519)), 'EdDSA')
    t.ok(await verifyJwtAssertion(await signAs('Ed25519', 'EdDSA', claims(), 'ed'), registeredAs(asEd25519)), 'Ed25519')
    const noKid = await signAs('Ed25519', 'EdDSA', claims(), undefined)
    t.ok(await verifyJwtAssertion(noKid, options()), 'without a kid, the one Ed25519 key of the set')
    // The other name finds an Ed25519 key only: an RSA or P-256 key never verifies an Ed25519 assertion.
    await refused(t, await signAs('Ed25519', 'EdDSA', claims(), 'ES256'), /ERR_JWKS_NO_MATCHING_KEY/)
    const rsaOnly = registeredAs({ keys: [await publicJwk('RS256', 'rsa')] })
    await refused(t, await signAs('Ed25519', 'EdDSA', claims(), 'rsa'), /ERR_JWKS_NO_MATCHING_KEY/, rsaOnly)
    await refused(t, await signAs('Ed25519', 'EdDSA', claims({ iss: 'other' }), 'ed'), /iss/, registeredAs(asEd25519))
    // Ed448 is not accepted under either name.
    const [, body, signature] = (await signAs('EdDSA', 'EdDSA')).split('.')
    const ed448 = `${base64url.encode(JSON.stringify({ alg: 'Ed448', kid: 'EdDSA' }))}.${body}.${signature}`
    await refused(t, ed448, /alg "Ed448" is not one of/)
  },
)

t.test('the audience is one string equal to an accepted value', async (t) => {
  await refused(t, await sign(claims({ aud: [ISSUER] })), /aud must be a single string/)
  await refused(t, await sign(claims({ aud: [ISSUER, 'https://other.example'] })), /aud must be a single string/)
  await refused(t, await sign(claims({ aud: `${ISSUER}/oauth/token` })), /aud .* is not accepted/)
  await refused(t, await sign(claims({ aud: 'https://other.example' })), /aud .* is not accepted/)
  await refused(t, await sign(claims({ aud: undefined })), /aud must be a single string/)
  const both = options(memoryCache(), { audience: [ISSUER, `${ISSUER}/oauth/token`] })
  t.ok(await verifyJwtAssertion(await sign(claims({ aud: `${ISSUER}/oauth/token` })), both), 'a listed alternative')
  await refused(t, await sign(claims({ aud: [ISSUER, `${ISSUER}/oauth/token`] })), /single string/, both)
})

t.test('iss and sub must be the expected values', async (t) => {
  await refused(t, await sign(claims({ iss: 'other' })), /iss/)
  await refused(t, await sign(claims({ iss: undefined })), /iss/)
  await refused(t, await sign(claims({ sub: 'other' })), /sub/)
  await refused(t, await sign(claims({ sub: undefined })), /sub/)
})

t.test('exp is required, in the future (within the allowance) and at most five minutes ahead', async (t) => {
  await refused(t, await sign(claims({ exp: undefined })), /"exp" claim/)
  await refused(t, await sign(claims({ exp: now - SKEW - 1 })), /ERR_JWT_EXPIRED/)
  t.ok(await verifyJwtAssertion(await sign(claims({ exp: now - SKEW + 1 })), options()), 'expired within the skew')
  t.ok(await verifyJwtAssertion(await sign(claims({ exp: now + 300 + SKEW })), options()), 'at the limit')
  await refused(t, await sign(claims({ exp: now + 300 + SKEW + 1 })), /more than 300 s ahead/)
  await refused(t, await sign(claims({ exp: now + 86_400 })), /more than 300 s ahead/)
  await refused(t, await sign(claims({ exp: String(now + 60) as never })), /"exp" claim/)
})

t.test('nbf and iat may not be in the future beyond the allowance', async (t) => {
  await refused(t, await sign(claims({ nbf: now + SKEW + 5 })), /nbf/)
  t.ok(await verifyJwtAssertion(await sign(claims({ nbf: now + SKEW - 5 })), options()))
  await refused(t, await sign(claims({ iat: now + SKEW + 5 })), /iat is in the future/)
  t.ok(await verifyJwtAssertion(await sign(claims({ iat: undefined })), options()), 'iat is optional')
})

t.test('jti is required and is recorded only for an assertion that passed every other check', async (t) => {
  await refused(t, await sign(claims({ jti: undefined })), /jti is required/)
  await refused(t, await sign(claims({ jti: '' })), /jti is required/)
  await refused(t, await sign(claims({ jti: 'x'.repeat(1025) })), /longer than/)
  const cache = memoryCache()
  const jti = 'not-yet-used'
  const other = await generateKeyPair('RS256')
  await refused(t, await sign(claims({ jti }), 'RS256', other.privateKey), /signature/, options(cache))
  await refused(t, await sign(claims({ jti, aud: 'https://other.example' })), /aud/, options(cache))
  t.equal(cache.seen.size, 0, 'a forged or misdirected assertion burns no jti')
  t.ok(await verifyJwtAssertion(await sign(claims({ jti })), options(cache)), 'the genuine one is accepted')
  const again = memoryCache()
  t.ok(await verifyJwtAssertion(await sign(claims({ jti: 'shared' })), options(again)))
  const another = options(again, { issuer: 'another', subject: 'another' })
  t.ok(
    await verifyJwtAssertion(await sign(claims({ jti: 'shared', iss: 'another', sub: 'another' })), another),
    "one issuer's jti does not block another's",
  )
  t.equal(again.seen.size, 2)
})

t.test('alg none, HMAC with the public key and a key of another type are refused', async (t) => {
  const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${base64url.encode(JSON.stringify(claims()))}.`
  await refused(t, unsigned, /alg "none" is not one of/)
  const pem = await exportSPKI(keys.RS256.publicKey)
  const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid: 'RS256' }))
  const body = base64url.encode(JSON.stringify(claims()))
  for (const secret of [pem, JSON.stringify(jwks.keys[0])]) {
    const mac = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url')
    await refused(t, `${header}.${body}.${mac}`, /alg "HS256" is not one of/)
    await refused(t, `${header}.${body}.${mac}`, /HS256/, options(memoryCache(), { getKey: jwks.keys[0]! }))
  }
  // ES256 in the header, an RSA key registered under that kid: no key fits.
  const rsaOnly = createLocalJWKSet({ keys: [{ ...jwks.keys[0]!, kid: 'ES256', alg: undefined }] })
  await refused(
    t,
    await sign(claims(), 'ES256'),
    /ERR_JWKS_NO_MATCHING_KEY/,
    options(memoryCache(), { getKey: rsaOnly }),
  )
  // A single key given directly: its type and what it was imported or registered for are checked against the
  // algorithm.
  await refused(
    t,
    await sign(claims(), 'ES256'),
    /^the key is for RSASSA-PKCS1-v1_5 \(verify\), not for verifying ES256$/,
    options(memoryCache(), { getKey: keys.RS256.publicKey }),
  )
  await refused(
    t,
    await sign(claims(), 'PS256'),
    /^the key's "alg" is RS256, not PS256$/,
    options(memoryCache(), { getKey: { ...jwks.keys[0]! } }),
  )
  await refused(t, 'not.a.jwt', /not a JWT/)
  await refused(t, 'garbage', /not a JWT/)
})

t.test('an unknown kid is refused', async (t) => {
  const jwt = await new SignJWT(claims())
    .setProtectedHeader({ alg: 'RS256', kid: 'rotated' })
    .sign(keys.RS256.privateKey)
  await refused(t, jwt, /ERR_JWKS_NO_MATCHING_KEY/)
})

t.test('boundaries: iat exactly at the allowance and a jti of exactly 1024 characters are accepted', async (t) => {
  t.ok(await verifyJwtAssertion(await sign(claims({ iat: now + SKEW })), options()), 'iat = now + skew')
  await refused(t, await sign(claims({ iat: now + SKEW + 1 })), /^iat is in the future$/)
  t.ok(await verifyJwtAssertion(await sign(claims({ jti: 'x'.repeat(1024) })), options()), '1024 characters')
  await refused(t, await sign(claims({ jti: 'y'.repeat(1025) })), /^jti is longer than 1024 characters$/)
})

t.test('an audience given as one string is compared whole, never as a substring', async (t) => {
  // String.prototype.includes would accept any part of the issuer URL.
  await refused(t, await sign(claims({ aud: ISSUER.slice(0, -1) })), /^aud ".*" is not accepted$/)
  await refused(t, await sign(claims({ aud: 'portcullis' })), /^aud "portcullis" is not accepted$/)
  await refused(t, await sign(claims({ aud: '' })), /^aud "" is not accepted$/)
})

t.test(
  'the replay key is SHA-256 of the issuer, a newline and the jti, base64url (stored: it must not change)',
  async (t) => {
    const cache = memoryCache()
    const key = (issuer: string, jti: string) =>
      `client_assertion:${createHash('sha256').update(`${issuer}\n${jti}`).digest('base64url')}`
    t.ok(
      await verifyJwtAssertion(
        await sign(claims({ jti: 'c', iss: 'ab', sub: 'ab' })),
        options(cache, { issuer: 'ab', subject: 'ab' }),
      ),
    )
    t.same([...cache.seen.keys()], [key('ab', 'c')])
    // Without the separator, issuer "a" with jti "bc" would collide with issuer "ab" with jti "c".
    t.ok(
      await verifyJwtAssertion(
        await sign(claims({ jti: 'bc', iss: 'a', sub: 'a' })),
        options(cache, { issuer: 'a', subject: 'a' }),
      ),
      'another issuer whose issuer and jti run together the same is not a replay',
    )
    t.same([...cache.seen.keys()], [key('ab', 'c'), key('a', 'bc')])
  },
)

t.test('the refusal is an AssertionError with a stable code, its reason in the message', async (t) => {
  const err = await verifyJwtAssertion('garbage', options()).catch((e: unknown) => e)
  t.type(err, AssertionError)
  const refusal = err as AssertionError
  t.equal(refusal.name, 'AssertionError')
  t.equal(refusal.code, 'ERR_ASSERTION_REFUSED')
  t.equal(refusal.reason, 'not a JWT: Invalid Token or Protected Header formatting')
  t.equal(refusal.message, `assertion refused: ${refusal.reason}`)
  const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${base64url.encode(JSON.stringify(claims()))}.`
  await refused(t, unsigned, /^alg "none" is not one of RS256, PS256, ES256, EdDSA, Ed25519$/)
})

t.test('a key lookup that fails with a plain error is refused with its message as the reason', async (t) => {
  const failing = options(memoryCache(), {
    getKey: async () => {
      throw new Error('key set unavailable')
    },
  })
  await refused(t, await sign(claims()), /^key set unavailable$/, failing)
})

t.test('the key must fit the algorithm, in type, size and what it is registered for', async (t) => {
  const jwt = await sign(claims())
  const direct = (getKey: unknown) => options(memoryCache(), { getKey: getKey as never })
  t.ok(await verifyJwtAssertion(jwt, direct(KeyObject.from(keys.RS256.publicKey))), 'a node:crypto public key')
  t.ok(await verifyJwtAssertion(await sign(claims()), direct(jwks.keys[0]!)), 'a JWK')
  await refused(
    t,
    await sign(claims()),
    /^the key is a private key, not a public one$/,
    direct(KeyObject.from(keys.RS256.privateKey)),
  )
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
  // jose will not sign with a key under 2048 bits: signed by hand.
  const input = `${base64url.encode(JSON.stringify({ alg: 'RS256' }))}.${base64url.encode(JSON.stringify(claims()))}`
  const weak = `${input}.${nodeSign('sha256', Buffer.from(input), small.privateKey).toString('base64url')}`
  await refused(t, weak, /^a rsa key cannot verify RS256$/, direct(small.publicKey))
  await refused(t, await sign(claims()), /not for verifying signatures/, direct({ ...jwks.keys[0]!, use: 'enc' }))
  await refused(
    t,
    await sign(claims()),
    /not for verifying signatures/,
    direct({ ...jwks.keys[0]!, key_ops: ['encrypt'] }),
  )
  await refused(t, await sign(claims()), /^the key is not an asymmetric public key$/, direct(new Uint8Array(32)))
})

t.test('a JWS extension (crit), a fourth segment and claims of the wrong types are refused', async (t) => {
  // Validly signed, by hand (jose will not sign a crit it does not know): refused for the extension alone.
  const input = `${base64url.encode(JSON.stringify({ alg: 'RS256', kid: 'RS256', crit: ['x'], x: 1 }))}.${base64url.encode(JSON.stringify(claims()))}`
  const signature = nodeSign('sha256', Buffer.from(input), KeyObject.from(keys.RS256.privateKey)).toString('base64url')
  await refused(t, `${input}.${signature}`, /^crit is not supported/)
  await refused(t, `${await sign(claims())}.extra`, /not a JWT/)
  await refused(t, await sign(claims({ nbf: 'soon' as never })), /"nbf" claim must be a number/)
  await refused(t, await sign(claims({ iat: 'now' as never })), /"iat" claim must be a number/)
  const array = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'RS256' }).sign(keys.RS256.privateKey)
  const [h, , sig] = array.split('.')
  await refused(t, `${h}.${base64url.encode('[1]')}.${sig}`, /signature verification failed/)
})
