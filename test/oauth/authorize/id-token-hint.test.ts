// The id_token_hint of RP-initiated logout (src/oauth/authorize/id-token-hint.ts) as a unit: hints signed at test
// time with keys made here, checked against a keyring that records which kids it was asked for. Valid: one of
// our published keys in its own algorithm, typ JWT, our issuer exactly, a client as audience, the user as subject
// (RP-Initiated Logout 1.0 §2: expired or not). Unverifiable: a kid we do not publish (treated as no hint).
// Invalid: everything else, each on both sides of its boundary (the size limit, the typ, the algorithm, the key,
// the payload's shape, the issuer, the audience, the subject). Through the routes: test/oauth/logout.test.ts,
// logout-hint.test.ts.
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { CompactSign } from 'jose'
import t from 'tap'
import type { SigningAlgorithm } from '../../../src/config.ts'
import { checkIdTokenHint } from '../../../src/oauth/authorize/id-token-hint.ts'

const ISSUER = 'https://auth.example/base'
const LIMIT = 8192

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const ed = generateKeyPairSync('ed25519')
/** Not ours: the same kinds of keys, never published. */
const strangerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const strangerEd = generateKeyPairSync('ed25519')
const ps = generateKeyPairSync('rsa', { modulusLength: 2048 })

/** Our published keys by kid. The RSA key is published for RS256 only; kids of every length sign the size tests. */
const PUBLISHED: Record<string, { key: KeyObject; alg: SigningAlgorithm }> = {
  'rs-1': { key: rsa.publicKey, alg: 'RS256' },
  'ps-1': { key: ps.publicKey, alg: 'PS256' },
  'es-1': { key: ec.publicKey, alg: 'ES256' },
  'ed-1': { key: ed.publicKey, alg: 'EdDSA' },
  'ed-12': { key: ed.publicKey, alg: 'EdDSA' },
  'ed-123': { key: ed.publicKey, alg: 'EdDSA' },
  'ed-1234': { key: ed.publicKey, alg: 'EdDSA' },
}

function setup() {
  const calls: unknown[][] = []
  const keyring = {
    verifier(kid: string) {
      calls.push(['keyring.verifier', kid])
      return PUBLISHED[String(kid)]
    },
  }
  return { keyring, calls, check: (token: string, issuer = ISSUER) => checkIdTokenHint(keyring, token, issuer) }
}

const PRIVATE: Record<string, KeyObject> = {
  'rs-1': rsa.privateKey,
  'ps-1': ps.privateKey,
  'es-1': ec.privateKey,
  'ed-1': ed.privateKey,
}

/** A compact JWS of `payload` (JSON text as is) under `header`, signed with `key`. */
function jws(header: Record<string, unknown>, payload: string, key: KeyObject): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader(header as { alg: string }).sign(key)
}

const CLAIMS = {
  iss: ISSUER,
  sub: 'user-1',
  aud: 'web',
  exp: 1_800_000_300,
  iat: 1_800_000_000,
  auth_time: 1_799_999_880,
  sid: 'session-1',
}

/** An ID token as we issue it: kid `kid`, in its published algorithm, typ JWT. */
function idToken(claims: Record<string, unknown> = CLAIMS, kid = 'rs-1', header: Record<string, unknown> = {}) {
  const alg = PUBLISHED[kid]?.alg ?? 'RS256'
  return jws({ alg, typ: 'JWT', kid, ...header }, JSON.stringify(claims), PRIVATE[kid] ?? rsa.privateKey)
}

const valid = { outcome: 'valid', clientId: 'web', subject: 'user-1', sessionId: 'session-1' }
const invalid = { outcome: 'invalid' }
const unverifiable = { outcome: 'unverifiable' }

t.test('a hint of ours, in each algorithm', async (t) => {
  for (const kid of ['rs-1', 'ps-1', 'es-1', 'ed-1']) {
    const { check, calls } = setup()
    t.strictSame(await check(await idToken(CLAIMS, kid)), valid, `${PUBLISHED[kid]!.alg}: its client, user, session`)
    t.strictSame(calls, [['keyring.verifier', kid]], 'the key it names, asked once')
  }
})

t.test('RP-Initiated Logout §2: an expired ID token is still a hint', async (t) => {
  const { check } = setup()
  t.strictSame(await check(await idToken({ ...CLAIMS, iat: 978_307_200, exp: 978_307_500 })), valid, 'from 2001')
  t.strictSame(await check(await idToken({ ...CLAIMS, nbf: 4_102_444_800 })), valid, 'not before 2100: not read')
  t.strictSame(
    await check(await idToken({ iss: ISSUER, aud: 'web', sub: 'user-1' })),
    { ...valid, sessionId: undefined },
    'without exp or iat either: only iss, aud and sub are asked for',
  )
})

t.test('the session: a string sid, else none', async (t) => {
  const { check } = setup()
  const { sid: _, ...withoutSid } = CLAIMS
  t.strictSame(await check(await idToken(withoutSid)), { ...valid, sessionId: undefined }, 'no sid')
  t.strictSame(await check(await idToken({ ...CLAIMS, sid: 42 })), { ...valid, sessionId: undefined }, 'a number')
  t.strictSame(await check(await idToken({ ...CLAIMS, sid: null })), { ...valid, sessionId: undefined }, 'null')
  t.strictSame(await check(await idToken({ ...CLAIMS, sid: ['session-1'] })), { ...valid, sessionId: undefined })
  t.strictSame(await check(await idToken({ ...CLAIMS, sid: '' })), { ...valid, sessionId: '' }, 'an empty string')
})

t.test('the issuer, audience and subject', async (t) => {
  const { check, calls } = setup()
  const cases: [Record<string, unknown>, string][] = [
    [{ ...CLAIMS, iss: 'https://other.example' }, 'another issuer'],
    [{ ...CLAIMS, iss: `${ISSUER}/` }, 'our issuer with a trailing slash: not exactly ours'],
    [{ ...CLAIMS, iss: 'https://AUTH.example/base' }, 'nor in another case'],
    [{ ...CLAIMS, iss: undefined }, 'no issuer'],
    [{ ...CLAIMS, iss: [ISSUER] }, 'our issuer in an array'],
    [{ ...CLAIMS, aud: ['web'] }, 'an audience array (we issue ID tokens to one client)'],
    [{ ...CLAIMS, aud: undefined }, 'no audience'],
    [{ ...CLAIMS, aud: 7 }, 'a number as audience'],
    [{ ...CLAIMS, sub: undefined }, 'no subject'],
    [{ ...CLAIMS, sub: 1 }, 'a number as subject'],
    [{ ...CLAIMS, sub: null }, 'null as subject'],
  ]
  for (const [claims, what] of cases) t.strictSame(await check(await idToken(claims)), invalid, what)
  t.equal(calls.length, cases.length, 'each read its key')
  t.strictSame(
    await check(await idToken(CLAIMS), 'https://other.example'),
    invalid,
    "a hint of ours is not another issuer's",
  )
  t.strictSame(await check(await idToken({ ...CLAIMS, aud: 'api', sub: 'u' })), {
    outcome: 'valid',
    clientId: 'api',
    subject: 'u',
    sessionId: 'session-1',
  })
})

t.test('the payload must be a JSON object', async (t) => {
  const { check, calls } = setup()
  const signed = (payload: string) => jws({ alg: 'RS256', typ: 'JWT', kid: 'rs-1' }, payload, rsa.privateKey)
  for (const payload of ['null', '[]', `[${JSON.stringify(CLAIMS)}]`, '42', 'true', '"iss"', '{', ''])
    t.strictSame(await check(await signed(payload)), invalid, `payload ${payload || '(empty)'}`)
  t.equal(calls.length, 8)
})

t.test('the header: typ JWT, a kid we publish, its own algorithm', async (t) => {
  const { check, calls } = setup()
  t.strictSame(await check(await idToken(CLAIMS, 'rs-1', { typ: 'at+jwt' })), invalid, 'an access token is no hint')
  t.strictSame(await check(await idToken(CLAIMS, 'rs-1', { typ: 'jwt' })), invalid, 'typ exactly JWT')
  t.strictSame(await check(await idToken(CLAIMS, 'rs-1', { typ: undefined })), invalid, 'no typ')
  t.strictSame(calls, [], 'none of them looks a key up')

  t.strictSame(await check(await idToken(CLAIMS, 'gone-1')), unverifiable, 'a kid we no longer publish')
  t.strictSame(calls, [['keyring.verifier', 'gone-1']])
  calls.length = 0
  t.strictSame(await check(await idToken(CLAIMS, 'rs-1', { kid: undefined })), unverifiable, 'no kid')
  t.strictSame(await check(await idToken(CLAIMS, 'rs-1', { kid: 1 })), unverifiable, 'a number as kid')
  t.strictSame(await check(await idToken(CLAIMS, 'rs-1', { kid: ['rs-1'] })), unverifiable, 'an array as kid')
  t.strictSame(calls, [], 'a kid that is not a string is not looked up')

  t.strictSame(
    await check(await jws({ alg: 'PS256', typ: 'JWT', kid: 'rs-1' }, JSON.stringify(CLAIMS), rsa.privateKey)),
    invalid,
    'our RS256 key, signing PS256: not the algorithm it is published for',
  )
  t.strictSame(
    await check(await jws({ alg: 'RS256', typ: 'JWT', kid: 'ps-1' }, JSON.stringify(CLAIMS), ps.privateKey)),
    invalid,
    'our PS256 key, signing RS256',
  )
  t.strictSame(
    await check(await jws({ alg: 'EdDSA', typ: 'JWT', kid: 'es-1' }, JSON.stringify(CLAIMS), ed.privateKey)),
    invalid,
    "another algorithm under an ES256 key's kid",
  )
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'rs-1' })).toString('base64url')}.${Buffer.from(JSON.stringify(CLAIMS)).toString('base64url')}.`
  t.strictSame(await check(unsigned), invalid, 'alg none')
})

t.test('the signature: by the key the hint names', async (t) => {
  const { check, calls } = setup()
  t.strictSame(
    await check(await jws({ alg: 'RS256', typ: 'JWT', kid: 'rs-1' }, JSON.stringify(CLAIMS), strangerRsa.privateKey)),
    invalid,
    "another RSA key under our key's kid",
  )
  t.strictSame(
    await check(await jws({ alg: 'EdDSA', typ: 'JWT', kid: 'ed-1' }, JSON.stringify(CLAIMS), strangerEd.privateKey)),
    invalid,
    'another Ed25519 key',
  )
  const [header, , signature] = (await idToken()).split('.')
  const forged = Buffer.from(JSON.stringify({ ...CLAIMS, sub: 'admin' })).toString('base64url')
  t.strictSame(await check(`${header}.${forged}.${signature}`), invalid, 'a payload changed after signing')
  t.strictSame(await check(`${header}.${forged}.`), invalid, 'no signature')
  t.equal(calls.length, 4)
})

t.test('not a JWS', async (t) => {
  const { check, calls } = setup()
  for (const token of ['', 'abc', 'a.b.c', '..', `${Buffer.from('[]').toString('base64url')}.e30.c2ln`])
    t.strictSame(await check(token), invalid, JSON.stringify(token))
  t.strictSame(calls, [])
})

/** A valid hint of exactly `length` characters: its claims padded, its kid of the length that makes it fit. */
async function hintOfLength(length: number): Promise<string> {
  // Base64url makes 4 characters of 3 bytes: the claims' length is about 3/4 of what is left.
  for (let pad = Math.floor(((length - 500) * 3) / 4); pad < (length * 3) / 4; pad++)
    for (const kid of ['ed-1', 'ed-12', 'ed-123', 'ed-1234']) {
      const token = await jws(
        { alg: 'EdDSA', typ: 'JWT', kid },
        JSON.stringify({ ...CLAIMS, pad: 'x'.repeat(pad) }),
        ed.privateKey,
      )
      if (token.length === length) return token
    }
  throw new Error(`no hint of ${length} characters`)
}

t.test('the size limit: 8192 characters', async (t) => {
  const { check, calls } = setup()
  const atLimit = await hintOfLength(LIMIT)
  const overLimit = await hintOfLength(LIMIT + 1)
  t.equal(atLimit.length, 8192)
  t.equal(overLimit.length, 8193)
  t.strictSame(await check(atLimit), valid, 'exactly at the limit: checked')
  t.equal(calls.length, 1)
  calls.length = 0
  t.strictSame(await check(overLimit), invalid, 'one character more: refused without a look at its key')
  t.strictSame(calls, [])
})
