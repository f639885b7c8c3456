// DPoP proofs (src/security/dpop.ts) as a unit, with a fake replay cache and fixed clocks: each check of RFC 9449
// §4.3 on both sides of its boundary (one header, one JWT of at most 8,192 characters, typ, the alg allowlist and
// the key each alg needs, a public jwk, the signature, jti/htm/htu/iat, the iat window and skew, ath), the server
// nonces of §8 and their windows, what the replay cache is asked and what its answers (seen, a failure) do, and
// the exact refusal in each mode: 400 at the token endpoint, 401 with a DPoP challenge at a protected resource.
// Through the routes: test/security/dpop-proof.test.ts (each check at the token endpoint and the admin API),
// test/security/dpop-replay.test.ts (one proof sent to two instances), test/oauth/dpop.test.ts (real clients).
import { constants, createHash, createHmac, generateKeyPairSync, hkdfSync, type KeyObject, sign } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import t, { type Test } from 'tap'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { OAuthError } from '../../src/errors.ts'
import {
  accessTokenHash,
  createDpopVerifier,
  DPOP_ALGORITHMS,
  type DpopCheck,
  type DpopProof,
  type DpopReplayCache,
  jwkThumbprint,
  normalizeHttpUri,
} from '../../src/security/dpop.ts'

/** The first millisecond of a nonce window (windows of 300 s). */
const NOW = 1_800_000_000_000
const NOW_S = NOW / 1000
const WINDOW = NOW / 300_000
const SKEW = 30
const MAX_AGE = 100
const MASTER_KEY = Buffer.alloc(32, 7)
const TOKEN_URL = 'https://auth.example/oauth/token'
const TOKEN: DpopCheck = { method: 'POST', url: TOKEN_URL }
const ACCESS_TOKEN = 'access-token-1'
const API: DpopCheck = {
  method: 'GET',
  url: 'https://api.example/v1/things?page=2',
  accessToken: ACCESS_TOKEN,
  resource: true,
}
const API_HTU = 'https://api.example/v1/things'
const CHALLENGE = 'DPoP algs="RS256 PS256 ES256 EdDSA Ed25519"'
const ALG_REFUSED = 'the DPoP proof must be signed with one of RS256, PS256, ES256, EdDSA, Ed25519'
const NOT_SIGNED = 'the DPoP proof signature does not verify with its jwk'
const NONCE_DESCRIPTION = 'the DPoP proof must carry the nonce of the DPoP-Nonce header'

// ---- keys: one pair of each kind, generated once ----

type Signer = (input: Buffer) => Buffer
interface Key {
  alg: string
  jwk: JWK
  /** RFC 7638 thumbprint, computed by jose. */
  jkt: string
  sign: Signer
}
const pkcs1 =
  (key: KeyObject): Signer =>
  (input) =>
    sign('sha256', input, key)
const pss =
  (key: KeyObject, saltLength = 32): Signer =>
  (input) =>
    sign('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength })
const p1363 =
  (key: KeyObject): Signer =>
  (input) =>
    sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' })
/** ECDSA with SHA-256, DER-encoded: what node:crypto verifies with no options. */
const der = pkcs1
const pure =
  (key: KeyObject): Signer =>
  (input) =>
    sign(null, input, key)

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const rsaSmall = generateKeyPairSync('rsa', { modulusLength: 1024 })
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const ed25519 = generateKeyPairSync('ed25519')
const ed448 = generateKeyPairSync('ed448')
const otherP256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })

async function keyOf(
  alg: string,
  pair: { publicKey: KeyObject; privateKey: KeyObject },
  signer: (key: KeyObject) => Signer,
): Promise<Key> {
  const jwk = pair.publicKey.export({ format: 'jwk' }) as JWK
  return { alg, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256'), sign: signer(pair.privateKey) }
}

const RS256 = await keyOf('RS256', rsa, pkcs1)
const PS256 = await keyOf('PS256', rsa, pss)
const ES256 = await keyOf('ES256', p256, p1363)
const EDDSA = await keyOf('EdDSA', ed25519, pure)
const EDDSA_448 = await keyOf('EdDSA', ed448, pure)
const ED25519 = await keyOf('Ed25519', ed25519, pure)
const OTHER_ES256 = await keyOf('ES256', otherP256, p1363)

// ---- proofs ----

const b64 = (text: string) => Buffer.from(text).toString('base64url')
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url')

let serial = 0
interface ProofOptions {
  /** Members replacing or adding to typ, alg and jwk (undefined removes one). */
  header?: Record<string, unknown>
  /** Members replacing or adding to jti, htm, htu and iat (undefined removes one). */
  claims?: Record<string, unknown>
  /** The header or the claims as raw text instead. */
  headerText?: string
  claimsText?: string
  /** Another signer than the key's own. */
  signer?: Signer
}
function withoutUndefined(object: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined))
}
function proof(key: Key, options: ProofOptions = {}): string {
  const header = withoutUndefined({ typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk, ...options.header })
  const claims = withoutUndefined({
    jti: `jti-${++serial}`,
    htm: 'POST',
    htu: TOKEN_URL,
    iat: NOW_S,
    ...options.claims,
  })
  const input = `${b64(options.headerText ?? JSON.stringify(header))}.${b64(options.claimsText ?? JSON.stringify(claims))}`
  return `${input}.${(options.signer ?? key.sign)(Buffer.from(input)).toString('base64url')}`
}
const claimsOf = (made: string) =>
  JSON.parse(Buffer.from(made.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string; iat: number }

/** A valid Ed25519 proof exactly `length` characters long (a pad claim, and a pad header member for the rest). */
function proofOfLength(length: number): string {
  for (let extra = 0; extra < 4; extra++) {
    const pad = (n: number) => proof(ED25519, { header: { pad: 'h'.repeat(extra) }, claims: { pad: 'p'.repeat(n) } })
    const start = Math.max(0, Math.floor(((length - pad(0).length) * 3) / 4) - 8)
    for (let n = start; n < start + 16; n++) {
      const made = pad(n)
      if (made.length === length) return made
    }
  }
  throw new Error(`no proof of ${length} characters`)
}

// ---- the verifier and its fakes ----

/** A replay cache that records what it is asked and answers new (true), seen (false) or fails. */
function fakeReplayCache() {
  const failure = new Error('the replay cache is unavailable')
  const cache = {
    answer: 'new' as 'new' | 'seen' | 'fail',
    calls: [] as [string, string, Date][],
    failure,
    async remember(namespace: 'dpop', jti: string, expiresAt: Date) {
      cache.calls.push([namespace, jti, expiresAt])
      if (cache.answer === 'fail') throw failure
      return cache.answer === 'new'
    },
  }
  return cache satisfies DpopReplayCache
}

function setup(options: { nonces?: boolean; masterKey?: Buffer } = {}) {
  const replay = fakeReplayCache()
  const dpop = createDpopVerifier({
    config: { clockSkew: SKEW, dpopProofMaxAge: MAX_AGE, dpopNonces: options.nonces ?? false },
    masterKey: options.masterKey ?? MASTER_KEY,
    replay,
  })
  return { dpop, replay }
}

/** A request with these DPoP headers (alternately spelled DPoP and dpop), among others of 4 and 10 characters. */
const request = (...proofs: string[]) =>
  ({
    rawHeaders: [
      'Host',
      'auth.example',
      ...proofs.flatMap((value, i) => [i % 2 === 0 ? 'DPoP' : 'dpop', value]),
      'DPoP-Nonce',
      'x',
      'Date',
      'today',
    ],
    headers: {},
  }) as unknown as IncomingMessage

type Outcome =
  | { accepted: DpopProof | undefined }
  | { status: number; error: string; description: string; headers: Readonly<Record<string, string>> }

/** The proof, or the refusal's status, error, description and headers (anything else is rethrown). */
async function outcome(promise: Promise<DpopProof | undefined>): Promise<Outcome> {
  try {
    return { accepted: await promise }
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return { status: err.statusCode, error: err.error, description: err.description, headers: err.headers }
  }
}

function refused(description: string, resource = false): Outcome {
  return resource
    ? {
        status: 401,
        error: 'invalid_dpop_proof',
        description,
        headers: {
          'www-authenticate': `${CHALLENGE}, error="invalid_dpop_proof", error_description="${description}"`,
        },
      }
    : { status: 400, error: 'invalid_dpop_proof', description, headers: {} }
}

function nonceRefused(nonce: string, resource = false): Outcome {
  return resource
    ? {
        status: 401,
        error: 'use_dpop_nonce',
        description: NONCE_DESCRIPTION,
        headers: {
          'www-authenticate': `${CHALLENGE}, error="use_dpop_nonce", error_description="${NONCE_DESCRIPTION}"`,
          'dpop-nonce': nonce,
        },
      }
    : { status: 400, error: 'use_dpop_nonce', description: NONCE_DESCRIPTION, headers: { 'dpop-nonce': nonce } }
}

/** The nonce of a window, made here from the design (HMAC-SHA256 of the window under an HKDF key). */
function nonceOf(window: number, masterKey = MASTER_KEY): string {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'portcullis/dpop-nonce/v1', 32))
  const stamp = Buffer.alloc(8)
  stamp.writeBigUInt64BE(BigInt(window))
  const mac = createHmac('sha256', key).update(stamp).digest().subarray(0, 16)
  return Buffer.concat([stamp, mac]).toString('base64url')
}

/** What the replay cache must be asked for a proof accepted with `key`. */
const remembered = (key: Key, made: string): [string, string, Date] => {
  const { jti, iat } = claimsOf(made)
  return ['dpop', sha256(`${key.jkt}\n${jti}`), new Date((iat + MAX_AGE + SKEW) * 1000 + 1000)]
}

/**
 * Each case refused with its description at the token endpoint (400) and at a protected resource (401 and the
 * challenge), with nothing remembered.
 */
async function refusedInBothModes(
  t: Test,
  cases: [name: string, proofs: () => string | string[], description: string][],
) {
  for (const [check, resource] of [
    [TOKEN, false],
    [{ ...TOKEN, resource: true }, true],
  ] as const) {
    const { dpop, replay } = setup()
    for (const [name, make, description] of cases) {
      const made = make()
      const proofs = Array.isArray(made) ? made : [made]
      t.strictSame(
        await outcome(dpop.verify(request(...proofs), check, NOW)),
        refused(description, resource),
        `${name} (${resource ? 'resource' : 'token endpoint'})`,
      )
    }
    t.strictSame(replay.calls, [], 'a refused proof is not remembered')
  }
}

// ---- the exported helpers ----

t.test('the allowlist, ath, RFC 7638 thumbprints', async (t) => {
  t.strictSame(DPOP_ALGORITHMS, ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'])
  t.equal(accessTokenHash(ACCESS_TOKEN), createHash('sha256').update(ACCESS_TOKEN, 'ascii').digest('base64url'))
  t.equal(accessTokenHash(''), '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU')

  for (const key of [RS256, ES256, EDDSA, EDDSA_448])
    t.equal(jwkThumbprint(key.jwk), key.jkt, `${key.alg} ${key.jwk.kty}`)
  // Members outside the required ones are left out, and the order of the members does not matter.
  const { x, y, crv, kty } = ES256.jwk
  t.equal(jwkThumbprint({ y, x, kty, crv, alg: 'ES256', use: 'sig', kid: 'k-1' }), ES256.jkt)
  t.equal(jwkThumbprint({ ...EDDSA.jwk, y: 'ignored' }), EDDSA.jkt)
  t.equal(jwkThumbprint({ ...RS256.jwk, d: 'ignored' }), RS256.jkt)
  // RFC 7638 §3.1's example.
  t.equal(
    jwkThumbprint({
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    }),
    'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
  )
  // A required member missing, or not a string; a kty without thumbprint members.
  t.equal(jwkThumbprint({ kty, crv, x }), undefined, 'EC without y')
  t.equal(jwkThumbprint({ kty, crv, x, y: 5 }), undefined, 'EC with a numeric y')
  t.equal(jwkThumbprint({ kty: 'RSA', n: RS256.jwk.n }), undefined, 'RSA without e')
  t.equal(jwkThumbprint({ kty: 'OKP', x: EDDSA.jwk.x }), undefined, 'OKP without crv')
  t.equal(jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' }), undefined, 'oct')
  t.equal(jwkThumbprint({ crv, x, y }), undefined, 'no kty')
  t.equal(jwkThumbprint({ kty: 'XYZ', crv: 'Ed25519', x }), undefined, 'an unknown kty with the members of OKP')
})

t.test('normalizeHttpUri: RFC 3986 §6.2.2 and §6.2.3, query and fragment dropped', async (t) => {
  const cases: [string, string | undefined][] = [
    ['https://auth.example/oauth/token', 'https://auth.example/oauth/token'],
    ['http://auth.example/oauth/token', 'http://auth.example/oauth/token'],
    ['HTTPS://Auth.EXAMPLE:443/a/./b/../c?x=1#f', 'https://auth.example/a/c'],
    ['http://auth.example:80', 'http://auth.example/'],
    ['https://auth.example:80/x', 'https://auth.example:80/x'],
    ['http://auth.example:8080/x', 'http://auth.example:8080/x'],
    ['https://auth.example/x?', 'https://auth.example/x'],
    ['https://auth.example/x#', 'https://auth.example/x'],
    ['https://auth.example/x/', 'https://auth.example/x/'],
    // A trailing dot is another host name for the comparison.
    ['https://auth.example./x', 'https://auth.example./x'],
    ['http://BÜCHER.example/', 'http://xn--bcher-kva.example/'],
    // Percent-encodings: those of unreserved characters decoded (each kind), the others in upper case.
    ['https://auth.example/%41%5A%61%7a%30%39%2d%2e%5f%7e%7E', 'https://auth.example/AZaz09-._~~'],
    ['https://auth.example/%2f%2F%c3%a9%25%20%3a', 'https://auth.example/%2F%2F%C3%A9%25%20%3A'],
    ['https://auth.example/é x', 'https://auth.example/%C3%A9%20x'],
    ['https://auth.example/%zz%4g%', 'https://auth.example/%zz%4g%'],
    ['https://auth.example/%2541', 'https://auth.example/%2541'],
    ['https://auth.example/a/%2e%2E/b', 'https://auth.example/b'],
    // Not an absolute http(s) URI, or one with user information.
    ['/oauth/token', undefined],
    ['not a uri', undefined],
    ['', undefined],
    ['ftp://auth.example/x', undefined],
    ['file:///etc/passwd', undefined],
    ['wss://auth.example/x', undefined],
    ['https://user@auth.example/x', undefined],
    ['https://:secret@auth.example/x', undefined],
    ['https://user:secret@auth.example/x', undefined],
  ]
  for (const [value, normal] of cases) t.equal(normalizeHttpUri(value), normal, JSON.stringify(value))
})

// ---- accepted proofs ----

t.test('without a DPoP header there is no proof, and nothing is remembered', async (t) => {
  const { dpop, replay } = setup({ nonces: true })
  t.strictSame(await outcome(dpop.verify(request(), TOKEN, NOW)), { accepted: undefined })
  t.strictSame(await outcome(dpop.verify(request(), API, NOW)), { accepted: undefined })
  const withOthers = {
    rawHeaders: ['Host', 'x', 'DPoPs', 'y', 'dpo', 'z', 'X-DPoP', 'w', 'DPoP-Nonce', 'n'],
  } as unknown as IncomingMessage
  t.strictSame(await outcome(dpop.verify(withOthers, TOKEN, NOW)), { accepted: undefined })
  t.strictSame(replay.calls, [])
})

t.test('a valid proof of each allowed algorithm: the thumbprint of its key, remembered once', async (t) => {
  for (const key of [RS256, PS256, ES256, EDDSA, EDDSA_448, ED25519]) {
    const { dpop, replay } = setup()
    const made = proof(key)
    t.strictSame(await outcome(dpop.verify(request(made), TOKEN, NOW)), { accepted: { jkt: key.jkt } }, key.alg)
    t.strictSame(replay.calls, [remembered(key, made)], `${key.alg}: the replay cache is asked once`)
    t.strictSame(
      await outcome(dpop.verify(request(made), { ...TOKEN, resource: true }, NOW)),
      { accepted: { jkt: key.jkt } },
      `${key.alg} at a resource without an access token`,
    )
  }
})

t.test(
  'accepted: white space around the header, the jwk with use sig and its alg, any ath at the token endpoint',
  async (t) => {
    const { dpop, replay } = setup()
    const accepted = { accepted: { jkt: ES256.jkt } }
    const spaced = ` \t${proof(ES256)}\t `
    t.strictSame(await outcome(dpop.verify(request(spaced), TOKEN, NOW)), accepted, 'white space trimmed')
    t.strictSame(replay.calls, [remembered(ES256, spaced.trim())])
    const jwk = { ...ES256.jwk, use: 'sig', alg: 'ES256', kid: 'k-1', key_ops: ['verify'] }
    t.strictSame(await outcome(dpop.verify(request(proof(ES256, { header: { jwk } })), TOKEN, NOW)), accepted)
    t.strictSame(
      await outcome(dpop.verify(request(proof(ES256, { header: { jwk: { ...ES256.jwk, use: 'sig' } } })), TOKEN, NOW)),
      accepted,
      'use sig without alg',
    )
    t.strictSame(
      await outcome(
        dpop.verify(request(proof(ES256, { header: { jwk: { ...ES256.jwk, alg: 'ES256' } } })), TOKEN, NOW),
      ),
      accepted,
      'alg without use',
    )
    for (const ath of ['whatever', 5, null])
      t.strictSame(
        await outcome(dpop.verify(request(proof(ES256, { claims: { ath } })), TOKEN, NOW)),
        accepted,
        `ath ${ath} is not looked at without an access token`,
      )
    t.strictSame(
      await outcome(dpop.verify(request(proof(ES256, { header: { kid: 'k', x5: 1 } })), TOKEN, NOW)),
      accepted,
      'other header members',
    )
  },
)

t.test('a proof of at most 8,192 characters', async (t) => {
  const { dpop } = setup()
  const longest = proofOfLength(8192)
  t.equal(longest.length, 8192)
  t.strictSame(await outcome(dpop.verify(request(longest), TOKEN, NOW)), { accepted: { jkt: ED25519.jkt } })
  const longer = proofOfLength(8193)
  t.equal(longer.length, 8193)
  t.strictSame(await outcome(dpop.verify(request(longer), TOKEN, NOW)), refused('the DPoP header must be one JWT'))
  t.strictSame(
    await outcome(dpop.verify(request(` ${proofOfLength(8192)} `), TOKEN, NOW)),
    { accepted: { jkt: ED25519.jkt } },
    'counted without the white space around it',
  )
})

t.test('one verifier, many keys: each proof is checked with the key in its own header', async (t) => {
  const { dpop } = setup()
  for (const key of [ES256, OTHER_ES256, RS256, PS256, EDDSA, ED25519, ES256, PS256, RS256, EDDSA_448])
    t.strictSame(await outcome(dpop.verify(request(proof(key)), TOKEN, NOW)), { accepted: { jkt: key.jkt } }, key.alg)
  // The keys are known to the verifier now: a signature by another one is still refused.
  t.strictSame(
    await outcome(dpop.verify(request(proof(ES256, { signer: OTHER_ES256.sign })), TOKEN, NOW)),
    refused(NOT_SIGNED),
  )
  t.strictSame(
    await outcome(dpop.verify(request(proof(PS256, { signer: RS256.sign })), TOKEN, NOW)),
    refused(NOT_SIGNED),
    'an RS256 signature under PS256 with the same key',
  )
  t.strictSame(
    await outcome(dpop.verify(request(proof(RS256, { signer: PS256.sign })), TOKEN, NOW)),
    refused(NOT_SIGNED),
    'a PS256 signature under RS256 with the same key',
  )
})

// ---- refusals, at the token endpoint and at a resource ----

t.test('the header: one DPoP header, one JWT', async (t) => {
  const good = proof(ES256)
  const [h, p, s] = good.split('.') as [string, string, string]
  await refusedInBothModes(t, [
    ['two DPoP headers', () => [proof(ES256), proof(ES256)], 'send one DPoP header'],
    ['three DPoP headers', () => [proof(ES256), proof(ES256), proof(ES256)], 'send one DPoP header'],
    ['not a JWT', () => 'not-a-jwt', 'the DPoP header must be one JWT'],
    ['empty', () => '', 'the DPoP header must be one JWT'],
    ['blank', () => '   ', 'the DPoP header must be one JWT'],
    ['four segments', () => `${good}.${s}`, 'the DPoP header must be one JWT'],
    ['a segment before', () => `${h}.${good}`, 'the DPoP header must be one JWT'],
    ['two segments', () => `${h}.${p}`, 'the DPoP header must be one JWT'],
    ['an empty signature (alg none)', () => `${h}.${p}.`, 'the DPoP header must be one JWT'],
    ['an empty header', () => `.${p}.${s}`, 'the DPoP header must be one JWT'],
    ['an empty payload', () => `${h}..${s}`, 'the DPoP header must be one JWT'],
    ['base64 padding', () => `${good}=`, 'the DPoP header must be one JWT'],
    ['base64, not base64url', () => `${h}.${p}.${s}+/`, 'the DPoP header must be one JWT'],
    ['white space inside', () => `${h}. ${p}.${s}`, 'the DPoP header must be one JWT'],
    ['longer than 8,192 characters', () => proofOfLength(8193), 'the DPoP header must be one JWT'],
    ['three segments that are not a JWT', () => 'a.b.c', 'the DPoP proof is not a JWT'],
    ['a header that is not JSON', () => proof(ES256, { headerText: 'not json' }), 'the DPoP proof is not a JWT'],
    ['a header that is a JSON array', () => proof(ES256, { headerText: '[]' }), 'the DPoP proof is not a JWT'],
  ])
})

const CRIT = 'the DPoP proof must not carry crit: no JWS extension is understood here'

t.test('typ dpop+jwt, an allowlisted asymmetric alg, no crit', async (t) => {
  const secret = Buffer.from('a-shared-secret-anyone-can-read-in-the-header')
  const hmac: Signer = (input) => createHmac('sha256', secret).update(input).digest()
  await refusedInBothModes(t, [
    ['typ JWT', () => proof(ES256, { header: { typ: 'JWT' } }), 'the DPoP proof must have typ dpop+jwt'],
    ['no typ', () => proof(ES256, { header: { typ: undefined } }), 'the DPoP proof must have typ dpop+jwt'],
    [
      'typ application/dpop+jwt',
      () => proof(ES256, { header: { typ: 'application/dpop+jwt' } }),
      'the DPoP proof must have typ dpop+jwt',
    ],
    ['alg none', () => proof(ES256, { header: { alg: 'none' } }), ALG_REFUSED],
    [
      'HS256 with the secret in the header',
      () =>
        proof(ES256, { header: { alg: 'HS256', jwk: { kty: 'oct', k: secret.toString('base64url') } }, signer: hmac }),
      ALG_REFUSED,
    ],
    [
      'RS512',
      () => proof(RS256, { header: { alg: 'RS512' }, signer: (input) => sign('sha512', input, rsa.privateKey) }),
      ALG_REFUSED,
    ],
    ['ES384', () => proof(ES256, { header: { alg: 'ES384' } }), ALG_REFUSED],
    ['es256 in lower case', () => proof(ES256, { header: { alg: 'es256' } }), ALG_REFUSED],
    ['no alg', () => proof(ES256, { header: { alg: undefined } }), ALG_REFUSED],
    ['a numeric alg', () => proof(ES256, { header: { alg: 256 } }), ALG_REFUSED],
    // RFC 7515 §4.1.11: a critical extension not understood is a refusal, whichever it is.
    ['crit', () => proof(ES256, { header: { crit: ['urn:example:ext'], 'urn:example:ext': 1 } }), CRIT],
    ['crit b64', () => proof(ES256, { header: { crit: ['b64'], b64: false } }), CRIT],
    ['crit empty', () => proof(ES256, { header: { crit: [] } }), CRIT],
  ])
})

t.test('each allowed alg needs its kind of key', async (t) => {
  const jwkOf = (pair: { publicKey: KeyObject }) => pair.publicKey.export({ format: 'jwk' }) as JWK
  // Each signature is one node:crypto would verify with the key if the alg's check of the key were skipped.
  const mismatch = (alg: string, pair: { publicKey: KeyObject; privateKey: KeyObject }, signer: Signer) => () =>
    proof(ES256, { header: { alg, jwk: jwkOf(pair) }, signer })
  await refusedInBothModes(t, [
    ['RS256 with a 1024-bit RSA key', mismatch('RS256', rsaSmall, pkcs1(rsaSmall.privateKey)), NOT_SIGNED],
    ['PS256 with a 1024-bit RSA key', mismatch('PS256', rsaSmall, pss(rsaSmall.privateKey)), NOT_SIGNED],
    ['RS256 with an EC key', mismatch('RS256', p256, der(p256.privateKey)), NOT_SIGNED],
    ['PS256 with an EC key', mismatch('PS256', p256, der(p256.privateKey)), NOT_SIGNED],
    ['RS256 with an Ed25519 key', mismatch('RS256', ed25519, pure(ed25519.privateKey)), NOT_SIGNED],
    ['ES256 with a P-384 key', mismatch('ES256', p384, p1363(p384.privateKey)), NOT_SIGNED],
    ['ES256 with an RSA key', mismatch('ES256', rsa, pkcs1(rsa.privateKey)), NOT_SIGNED],
    ['ES256 with an Ed25519 key', mismatch('ES256', ed25519, pure(ed25519.privateKey)), NOT_SIGNED],
    ['EdDSA with an EC key', mismatch('EdDSA', p256, pure(p256.privateKey)), NOT_SIGNED],
    ['EdDSA with an RSA key', mismatch('EdDSA', rsa, pure(rsa.privateKey)), NOT_SIGNED],
    ['Ed25519 with an Ed448 key', mismatch('Ed25519', ed448, pure(ed448.privateKey)), NOT_SIGNED],
    ['Ed25519 with an EC key', mismatch('Ed25519', p256, pure(p256.privateKey)), NOT_SIGNED],
    ['ES256 signed in DER', () => proof(ES256, { signer: der(p256.privateKey) }), NOT_SIGNED],
    ['PS256 with a salt of 64 octets', () => proof(PS256, { signer: pss(rsa.privateKey, 64) }), NOT_SIGNED],
  ])
})

t.test('the jwk: present, an object, public, for signing with the alg', async (t) => {
  const { d } = p256.privateKey.export({ format: 'jwk' })
  const carry = 'the DPoP proof must carry its public key in the jwk header'
  const isPublic = 'the jwk of the DPoP proof must be a public key'
  const forSigning = 'the jwk of the DPoP proof is not for signing with its alg (use, key_ops, alg)'
  await refusedInBothModes(t, [
    ['no jwk', () => proof(ES256, { header: { jwk: undefined } }), carry],
    ['jwk null', () => proof(ES256, { header: { jwk: null } }), carry],
    ['jwk an array', () => proof(ES256, { header: { jwk: [] } }), carry],
    ['jwk a string', () => proof(ES256, { header: { jwk: JSON.stringify(ES256.jwk) } }), carry],
    ['jwk a number', () => proof(ES256, { header: { jwk: 5 } }), carry],
    ['the private key (d)', () => proof(ES256, { header: { jwk: { ...ES256.jwk, d } } }), isPublic],
    ['an RSA prime (p)', () => proof(RS256, { header: { jwk: { ...RS256.jwk, p: 'AQAB' } } }), isPublic],
    ['a symmetric key (k)', () => proof(ES256, { header: { jwk: { ...ES256.jwk, k: 'c2VjcmV0' } } }), isPublic],
    ['d even when empty', () => proof(ES256, { header: { jwk: { ...ES256.jwk, d: '' } } }), isPublic],
    // Every private member on its own (RFC 7518 §6.3.2, §6.4; RFC 8037 §2), not only d, p and k.
    ...['q', 'dp', 'dq', 'qi', 'oth', 'priv'].map((member): [string, () => string, string] => [
      `a private member ${member} alone`,
      () => proof(RS256, { header: { jwk: { ...RS256.jwk, [member]: 'AQAB' } } }),
      isPublic,
    ]),
    ['key_ops encrypt', () => proof(ES256, { header: { jwk: { ...ES256.jwk, key_ops: ['encrypt'] } } }), forSigning],
    [
      'key_ops verify and sign',
      () => proof(ES256, { header: { jwk: { ...ES256.jwk, key_ops: ['verify', 'sign'] } } }),
      forSigning,
    ],
    ['key_ops a string', () => proof(ES256, { header: { jwk: { ...ES256.jwk, key_ops: 'verify' } } }), forSigning],
    ['use enc', () => proof(ES256, { header: { jwk: { ...ES256.jwk, use: 'enc' } } }), forSigning],
    [
      'use enc, alg right',
      () => proof(ES256, { header: { jwk: { ...ES256.jwk, use: 'enc', alg: 'ES256' } } }),
      forSigning,
    ],
    ['use null', () => proof(ES256, { header: { jwk: { ...ES256.jwk, use: null } } }), forSigning],
    ['another alg', () => proof(ES256, { header: { jwk: { ...ES256.jwk, alg: 'ES384' } } }), forSigning],
    [
      'another alg, use sig',
      () => proof(ES256, { header: { jwk: { ...ES256.jwk, use: 'sig', alg: 'RS256' } } }),
      forSigning,
    ],
    ['an empty object', () => proof(ES256, { header: { jwk: {} } }), NOT_SIGNED],
    ['kty oct without k', () => proof(ES256, { header: { jwk: { kty: 'oct' } } }), NOT_SIGNED],
    ['an unknown kty', () => proof(ES256, { header: { jwk: { ...ES256.jwk, kty: 'XYZ' } } }), NOT_SIGNED],
    ['a numeric y', () => proof(ES256, { header: { jwk: { ...ES256.jwk, y: 5 } } }), NOT_SIGNED],
    ['without y', () => proof(ES256, { header: { jwk: { ...ES256.jwk, y: undefined } } }), NOT_SIGNED],
    ['a point off the curve', () => proof(ES256, { header: { jwk: { ...ES256.jwk, y: ES256.jwk.x } } }), NOT_SIGNED],
  ])
})

t.test('the signature is by the key of the header', async (t) => {
  // The signature's first character changed: it carries six bits of the signature (the last one may carry only
  // padding bits, which the decoder drops, so changing it could leave the signature as it was).
  const flip = (made: string) => {
    const at = made.lastIndexOf('.') + 1
    return `${made.slice(0, at)}${made[at] === 'A' ? 'B' : 'A'}${made.slice(at + 1)}`
  }
  await refusedInBothModes(t, [
    ['signed by another key', () => proof(ES256, { signer: OTHER_ES256.sign }), NOT_SIGNED],
    ['a signature altered', () => flip(proof(ES256)), NOT_SIGNED],
    ['an Ed25519 signature altered', () => flip(proof(ED25519)), NOT_SIGNED],
    ['an RS256 signature altered', () => flip(proof(RS256)), NOT_SIGNED],
    ['a signature of one octet', () => `${proof(ES256).split('.').slice(0, 2).join('.')}.AA`, NOT_SIGNED],
    [
      'the claims changed after signing',
      () => {
        const [h, , s] = proof(ES256).split('.')
        return `${h}.${b64(JSON.stringify({ jti: 'j', htm: 'POST', htu: TOKEN_URL, iat: NOW_S }))}.${s}`
      },
      NOT_SIGNED,
    ],
  ])
})

t.test('the claims: a JSON object with jti, htm, htu and iat', async (t) => {
  const notObject = 'the DPoP proof claims are not a JSON object'
  const jti = 'the DPoP proof needs a jti (at most 256 characters)'
  const iat = 'the DPoP proof needs iat'
  await refusedInBothModes(t, [
    ['claims not JSON', () => proof(ES256, { claimsText: 'not json' }), notObject],
    ['claims an array', () => proof(ES256, { claimsText: '[]' }), notObject],
    ['claims null', () => proof(ES256, { claimsText: 'null' }), notObject],
    ['claims a number', () => proof(ES256, { claimsText: '5' }), notObject],
    ['claims a string', () => proof(ES256, { claimsText: '"jti"' }), notObject],
    ['claims blank', () => proof(ES256, { claimsText: ' ' }), notObject],
    ['no jti', () => proof(ES256, { claims: { jti: undefined } }), jti],
    ['an empty jti', () => proof(ES256, { claims: { jti: '' } }), jti],
    ['a numeric jti', () => proof(ES256, { claims: { jti: 5 } }), jti],
    ['a jti of 257 characters', () => proof(ES256, { claims: { jti: 'x'.repeat(257) } }), jti],
    ['no htm', () => proof(ES256, { claims: { htm: undefined } }), 'the DPoP proof needs htm'],
    ['a numeric htm', () => proof(ES256, { claims: { htm: 5 } }), 'the DPoP proof needs htm'],
    ['no htu', () => proof(ES256, { claims: { htu: undefined } }), 'the DPoP proof needs htu'],
    ['htu an object', () => proof(ES256, { claims: { htu: { href: TOKEN_URL } } }), 'the DPoP proof needs htu'],
    ['no iat', () => proof(ES256, { claims: { iat: undefined } }), iat],
    ['iat a string', () => proof(ES256, { claims: { iat: String(NOW_S) } }), iat],
    ['iat null', () => proof(ES256, { claims: { iat: null } }), iat],
    [
      'iat 1e400 (Infinity)',
      () => proof(ES256, { claimsText: `{"jti":"j","htm":"POST","htu":"${TOKEN_URL}","iat":1e400}` }),
      iat,
    ],
    [
      'iat -1e400 (-Infinity)',
      () => proof(ES256, { claimsText: `{"jti":"j","htm":"POST","htu":"${TOKEN_URL}","iat":-1e400}` }),
      iat,
    ],
  ])
  const { dpop } = setup()
  t.strictSame(
    await outcome(dpop.verify(request(proof(ES256, { claims: { jti: 'x'.repeat(256) } })), TOKEN, NOW)),
    { accepted: { jkt: ES256.jkt } },
    'a jti of 256 characters',
  )
  t.strictSame(
    await outcome(dpop.verify(request(proof(ES256, { claims: { jti: 'é'.repeat(256) } })), TOKEN, NOW)),
    { accepted: { jkt: ES256.jkt } },
    'counted in characters, not octets',
  )
})

t.test('htm is the method, htu the URI without query and fragment', async (t) => {
  const htm = "the DPoP proof's htm must be POST"
  const htu = `the DPoP proof's htu must be ${TOKEN_URL}`
  await refusedInBothModes(t, [
    ['htm GET', () => proof(ES256, { claims: { htm: 'GET' } }), htm],
    ['htm post', () => proof(ES256, { claims: { htm: 'post' } }), htm],
    ['htm with a space', () => proof(ES256, { claims: { htm: 'POST ' } }), htm],
    ['another path', () => proof(ES256, { claims: { htu: 'https://auth.example/oauth/revoke' } }), htu],
    ['another host', () => proof(ES256, { claims: { htu: 'https://other.example/oauth/token' } }), htu],
    ['http for https', () => proof(ES256, { claims: { htu: 'http://auth.example/oauth/token' } }), htu],
    ['another port', () => proof(ES256, { claims: { htu: 'https://auth.example:8443/oauth/token' } }), htu],
    ['a trailing slash', () => proof(ES256, { claims: { htu: `${TOKEN_URL}/` } }), htu],
    ['a trailing dot on the host', () => proof(ES256, { claims: { htu: 'https://auth.example./oauth/token' } }), htu],
    ['path in another case', () => proof(ES256, { claims: { htu: 'https://auth.example/OAuth/Token' } }), htu],
    ['relative', () => proof(ES256, { claims: { htu: '/oauth/token' } }), htu],
    ['user information', () => proof(ES256, { claims: { htu: 'https://me@auth.example/oauth/token' } }), htu],
    ['not a URI', () => proof(ES256, { claims: { htu: 'token' } }), htu],
    ['empty', () => proof(ES256, { claims: { htu: '' } }), htu],
  ])

  const { dpop } = setup()
  for (const value of [
    `${TOKEN_URL}?a=b`,
    `${TOKEN_URL}#part`,
    `${TOKEN_URL}?`,
    'HTTPS://Auth.EXAMPLE/oauth/token',
    'https://auth.example:443/oauth/token',
    'https://auth.example/oauth/%74%6Fken',
    'https://auth.example/oauth/./token',
    'https://auth.example/x/../oauth/token',
  ])
    t.strictSame(
      await outcome(dpop.verify(request(proof(ES256, { claims: { htu: value } })), TOKEN, NOW)),
      { accepted: { jkt: ES256.jkt } },
      value,
    )
  t.strictSame(
    await outcome(
      dpop.verify(
        request(proof(ES256, { claims: { htm: 'GET', htu: 'https://auth.example/oauth/%7Etoken?x' } })),
        { method: 'GET', url: 'https://auth.example:443/oauth/~token?y=1' },
        NOW,
      ),
    ),
    { accepted: { jkt: ES256.jkt } },
    'the request URI normalized too',
  )
  // A request URI that is not absolute matches no htu, not even one that is not a URI either.
  for (const url of ['/oauth/token', 'token'])
    t.strictSame(
      await outcome(dpop.verify(request(proof(ES256, { claims: { htu: url } })), { method: 'POST', url }, NOW)),
      refused(`the DPoP proof's htu must be ${url}`),
      url,
    )
})

t.test(`iat: at most ${MAX_AGE} s old and ${SKEW} s ahead, each plus the clock skew`, async (t) => {
  const { dpop, replay } = setup()
  const at = (iat: number, now = NOW, check: DpopCheck = TOKEN) =>
    outcome(dpop.verify(request(proof(ES256, { claims: { iat } })), check, now))
  const accepted = { accepted: { jkt: ES256.jkt } }
  const future = 'the DPoP proof was issued in the future (iat)'
  const old = 'the DPoP proof is too old (iat)'

  t.strictSame(await at(NOW_S), accepted, 'now')
  t.strictSame(await at(NOW_S + SKEW), accepted, 'ahead by the skew')
  t.strictSame(await at(NOW_S + SKEW + 1), refused(future), 'one second beyond')
  t.strictSame(await at(NOW_S + SKEW + 0.001), refused(future), 'a millisecond beyond')
  t.strictSame(await at(NOW_S - MAX_AGE - SKEW), accepted, 'as old as the max age and the skew')
  t.strictSame(await at(NOW_S - MAX_AGE - SKEW - 1), refused(old), 'one second older')
  t.strictSame(await at(NOW_S - MAX_AGE - SKEW - 0.001), refused(old), 'a millisecond older')
  t.strictSame(await at(NOW_S - MAX_AGE), accepted, 'as old as the max age')
  t.strictSame(await at(NOW_S + 1.5), accepted, 'a fractional iat')
  t.strictSame(await at(0), refused(old), 'the epoch')
  t.strictSame(await at(-1), refused(old), 'before the epoch')
  // The clock's milliseconds count.
  t.strictSame(await at(NOW_S + SKEW, NOW + 999), accepted)
  t.strictSame(await at(NOW_S + SKEW + 1, NOW + 999), refused(future))
  t.strictSame(await at(NOW_S + SKEW + 1, NOW + 1000), accepted)
  t.strictSame(await at(NOW_S - MAX_AGE - SKEW, NOW + 1), refused(old))
  t.strictSame(await at(NOW_S - MAX_AGE - SKEW, NOW - 1000), accepted)
  t.strictSame(await at(NOW_S + SKEW + 1, NOW, { ...TOKEN, resource: true }), refused(future, true))
  t.strictSame(await at(NOW_S - MAX_AGE - SKEW - 1, NOW, { ...TOKEN, resource: true }), refused(old, true))

  // Remembered until it could no longer be accepted anyway, one second beyond.
  replay.calls.length = 0
  const ahead = proof(ES256, { claims: { iat: NOW_S + 7 } })
  t.strictSame(await outcome(dpop.verify(request(ahead), TOKEN, NOW)), accepted)
  t.strictSame(replay.calls, [
    ['dpop', sha256(`${ES256.jkt}\n${claimsOf(ahead).jti}`), new Date((NOW_S + 7 + MAX_AGE + SKEW + 1) * 1000)],
  ])
})

t.test('ath at a protected resource: required, the hash of the access token presented', async (t) => {
  const { dpop, replay } = setup()
  const ath = createHash('sha256').update(ACCESS_TOKEN, 'ascii').digest('base64url')
  const at = (claims: Record<string, unknown>, check: DpopCheck = API) =>
    outcome(dpop.verify(request(proof(ES256, { claims: { htm: 'GET', htu: API_HTU, ...claims } })), check, NOW))
  const needs = 'the DPoP proof needs ath, the hash of the access token'
  const mismatch = "the DPoP proof's ath does not match the access token"

  t.strictSame(await at({ ath }), { accepted: { jkt: ES256.jkt } })
  t.equal(replay.calls.length, 1)
  t.strictSame(await at({}), refused(needs, true), 'missing')
  t.strictSame(await at({ ath: 5 }), refused(needs, true), 'not a string')
  t.strictSame(await at({ ath: null }), refused(needs, true), 'null')
  t.strictSame(await at({ ath: '' }), refused(mismatch, true), 'empty')
  t.strictSame(await at({ ath: ath.toUpperCase() }), refused(mismatch, true), 'in another case')
  t.strictSame(
    await at({ ath: createHash('sha256').update(`${ACCESS_TOKEN}x`).digest('base64url') }),
    refused(mismatch, true),
    'of another token',
  )
  t.strictSame(await at({ ath: `${ath}=` }), refused(mismatch, true), 'padded')
  t.strictSame(await at({ ath: ACCESS_TOKEN }), refused(mismatch, true), 'the token itself')
  // The checks before it are named first.
  t.strictSame(await at({ ath, htm: 'POST' }), refused("the DPoP proof's htm must be GET", true))
  t.strictSame(await at({ ath, htu: TOKEN_URL }), refused(`the DPoP proof's htu must be ${API.url}`, true))
  // An access token given at the token endpoint's mode: 400, no challenge.
  const tokenMode: DpopCheck = { method: 'GET', url: API.url, accessToken: ACCESS_TOKEN }
  t.strictSame(await at({}, tokenMode), refused(needs))
  t.strictSame(await at({ ath: 'x' }, tokenMode), refused(mismatch))
  t.strictSame(await at({ ath }, tokenMode), { accepted: { jkt: ES256.jkt } })
  // An empty access token still has its hash.
  const emptyToken: DpopCheck = { ...API, accessToken: '' }
  t.strictSame(await at({}, emptyToken), refused(needs, true))
  t.strictSame(await at({ ath: '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU' }, emptyToken), {
    accepted: { jkt: ES256.jkt },
  })
  t.equal(replay.calls.length, 3, 'only the accepted proofs were remembered')
})

t.test('the replay cache: asked last, its "seen" refuses, its failure is thrown', async (t) => {
  const { dpop, replay } = setup()
  replay.answer = 'seen'
  const made = proof(ES256)
  t.strictSame(
    await outcome(dpop.verify(request(made), TOKEN, NOW)),
    refused('the DPoP proof has been used before (jti)'),
  )
  t.strictSame(replay.calls, [remembered(ES256, made)])
  t.strictSame(
    await outcome(dpop.verify(request(made), { ...TOKEN, resource: true }, NOW)),
    refused('the DPoP proof has been used before (jti)', true),
  )
  // The key is the key's thumbprint and the jti: the same jti with another key is another entry.
  replay.answer = 'new'
  replay.calls.length = 0
  const mine = proof(ES256, { claims: { jti: 'shared' } })
  const theirs = proof(OTHER_ES256, { claims: { jti: 'shared' } })
  t.strictSame(await outcome(dpop.verify(request(mine), TOKEN, NOW)), { accepted: { jkt: ES256.jkt } })
  t.strictSame(await outcome(dpop.verify(request(theirs), TOKEN, NOW)), { accepted: { jkt: OTHER_ES256.jkt } })
  t.strictSame(replay.calls, [remembered(ES256, mine), remembered(OTHER_ES256, theirs)])
  t.not(replay.calls[0]![1], replay.calls[1]![1])
  t.equal(replay.calls[0]![1], sha256(`${ES256.jkt}\nshared`))

  // A cache that fails: the verifier does not decide, the failure reaches the caller as it is (a 500).
  replay.answer = 'fail'
  for (const check of [TOKEN, { ...TOKEN, resource: true }]) {
    let thrown: unknown
    try {
      await dpop.verify(request(proof(ES256)), check, NOW)
    } catch (err) {
      thrown = err
    }
    t.equal(thrown, replay.failure, 'the cache failure is rethrown, not turned into an acceptance or a refusal')
  }
})

// ---- nonces ----

t.test('nonces off: none given, none asked for', async (t) => {
  const { dpop, replay } = setup()
  t.equal(dpop.nonce(NOW), undefined)
  for (const nonce of [undefined, 'whatever', nonceOf(WINDOW), 5])
    t.strictSame(
      await outcome(dpop.verify(request(proof(ES256, { claims: { nonce } })), TOKEN, NOW)),
      { accepted: { jkt: ES256.jkt } },
      `nonce ${nonce}`,
    )
  t.equal(replay.calls.length, 4)
})

t.test('nonces on: the nonce of each window, HMAC-signed, accepted in its window and the next', async (t) => {
  const { dpop, replay } = setup({ nonces: true })
  const current = nonceOf(WINDOW)
  t.equal(dpop.nonce(NOW), current)
  t.equal(current.length, 32)
  t.equal(Buffer.from(current, 'base64url').readBigUInt64BE(0), BigInt(WINDOW), 'the window leads the nonce')
  t.equal(dpop.nonce(NOW + 299_999), current, "the window's last millisecond")
  t.equal(dpop.nonce(NOW - 1), nonceOf(WINDOW - 1), "the previous window's last millisecond")
  t.equal(dpop.nonce(NOW + 300_000), nonceOf(WINDOW + 1), "the next window's first")
  t.equal(dpop.nonce(0), nonceOf(0))
  t.not(
    setup({ nonces: true, masterKey: Buffer.alloc(32, 8) }).dpop.nonce(NOW),
    current,
    'another master key: other nonces',
  )
  t.equal(setup({ nonces: true, masterKey: Buffer.alloc(32, 8) }).dpop.nonce(NOW), nonceOf(WINDOW, Buffer.alloc(32, 8)))

  const at = (nonce: unknown, now: number, check: DpopCheck = TOKEN) =>
    outcome(dpop.verify(request(proof(ES256, { claims: { nonce, iat: Math.floor(now / 1000) } })), check, now))
  const accepted = { accepted: { jkt: ES256.jkt } }
  // At the first millisecond of WINDOW, at its last, and at the first of the next.
  for (const now of [NOW, NOW + 299_999]) {
    t.strictSame(await at(nonceOf(WINDOW), now), accepted, `${now}: this window's`)
    t.strictSame(await at(nonceOf(WINDOW - 1), now), accepted, `${now}: the previous window's`)
    t.strictSame(await at(nonceOf(WINDOW - 2), now), nonceRefused(current), `${now}: two windows back`)
    t.strictSame(await at(nonceOf(WINDOW + 1), now), nonceRefused(current), `${now}: the next window's`)
  }
  const next = NOW + 300_000
  t.strictSame(await at(nonceOf(WINDOW), next), accepted, 'still accepted in the next window')
  t.strictSame(await at(nonceOf(WINDOW + 1), next), accepted)
  t.strictSame(await at(nonceOf(WINDOW - 1), next), nonceRefused(nonceOf(WINDOW + 1)), 'no longer, a window later')
  t.equal(replay.calls.length, 6)

  replay.calls.length = 0
  const forged = `${current.slice(0, -4)}${current.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
  for (const [name, nonce] of [
    ['missing', undefined],
    ['a number', 5],
    ['an array of 32', Array.from({ length: 32 }, () => 0)],
    ['empty', ''],
    ['forged', forged],
    ['one of another master key', nonceOf(WINDOW, Buffer.alloc(32, 8))],
    ['with a character more', `${current}A`],
    ['padded', `${current}=`],
    ['a character short', current.slice(0, 31)],
    ['32 characters that are not all base64url', `${current.slice(0, 30)}!!`],
  ] as [string, unknown][]) {
    t.strictSame(await at(nonce, NOW), nonceRefused(current), name)
    t.strictSame(await at(nonce, NOW, { ...TOKEN, resource: true }), nonceRefused(current, true), `${name} (resource)`)
  }
  t.strictSame(replay.calls, [], 'a proof without a current nonce is not remembered')

  // The other checks come first: a bad proof is named as such, without a nonce.
  t.strictSame(
    await outcome(dpop.verify(request(proof(ES256, { claims: { htm: 'GET' } })), TOKEN, NOW)),
    refused("the DPoP proof's htm must be POST"),
  )
  t.strictSame(
    await outcome(dpop.verify(request(proof(ES256, { claims: { iat: NOW_S - 1000 } })), TOKEN, NOW)),
    refused('the DPoP proof is too old (iat)'),
  )
  t.strictSame(
    await outcome(dpop.verify(request(proof(ES256, { claims: { htm: 'GET', htu: API_HTU } })), API, NOW)),
    refused('the DPoP proof needs ath, the hash of the access token', true),
  )
  // The replay check comes after the nonce: a replayed proof with a current nonce is named as replayed.
  replay.answer = 'seen'
  t.strictSame(await at(current, NOW), refused('the DPoP proof has been used before (jti)'))
  t.equal(replay.calls.length, 1)
})
