// The public keys a private_key_jwt client registers (security/public-jwks.ts) on their own: the exact problems
// publicJwksProblems reports for a JWK Set (its shape, JSON size and key count; each key's private members, type,
// curve, alg, use, kid, RSA size and exponent; a key jose cannot import; duplicate kids), and those
// jwksUriProblems reports for a jwks_uri (https, or http only on a loopback host; no credentials or fragment; no
// white space; at most 2000 characters).
import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import {
  jwksUriProblems,
  MAX_JWKS_KEYS,
  MAX_JWKS_TEXT,
  PUBLIC_JWK_MEMBERS,
  publicJwksProblems,
} from '../../src/security/public-jwks.ts'

type Jwk = Record<string, unknown>

const publicJwk = (pair: { publicKey: { export(options: { format: 'jwk' }): unknown } }): Jwk =>
  pair.publicKey.export({ format: 'jwk' }) as Jwk

// Each generated once: RSA at the minimum (2048 bits), one byte under it (2040) and well under it (1024).
const rsa = publicJwk(generateKeyPairSync('rsa', { modulusLength: 2048 }))
const rsa2040 = publicJwk(generateKeyPairSync('rsa', { modulusLength: 2040 }))
const rsa1024 = publicJwk(generateKeyPairSync('rsa', { modulusLength: 1024 }))
const ec = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }))
const ecP384 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-384' }))
const ed25519 = publicJwk(generateKeyPairSync('ed25519'))
const ed448 = publicJwk(generateKeyPairSync('ed448'))
const x25519 = publicJwk(generateKeyPairSync('x25519'))

const NOT_A_SET = 'must be a JWK Set: {"keys": [ … ]}'
const NOT_A_JWK = 'must be a JWK (an object)'
const BAD_KTY = 'must be RSA, EC (P-256) or OKP (Ed25519)'
const BAD_KID = 'must be a string of 1 to 200 characters'
const SMALL_RSA = 'an RSA key must have at least 2048 bits'
const KEY_COUNT = 'must hold 1 to 10 keys'
const DUPLICATE_KID = 'each kid must be different'
const NOT_HTTPS = 'must be an https URL (http only on a loopback host)'
const NOT_ABSOLUTE = 'must be an absolute https URL'
const CREDENTIALS = 'must have no credentials or fragment and at most 2000 characters'
const leakedOne = (member: string) =>
  `must be a public key: the private member "${member}" is not accepted (that key is exposed: make a new one)`

/** The problems of a set holding just this key, under the field `jwks`. */
const oneKey = (key: unknown) => publicJwksProblems({ keys: [key] }, 'jwks')

t.test('the exported constants', async (t) => {
  t.equal(MAX_JWKS_KEYS, 10)
  t.equal(MAX_JWKS_TEXT, 65536)
  t.same(PUBLIC_JWK_MEMBERS, ['kty', 'kid', 'use', 'alg', 'key_ops', 'n', 'e', 'crv', 'x', 'y'])
  for (const key of [rsa, ec, ed25519])
    t.same(
      Object.keys(key).filter((member) => !(PUBLIC_JWK_MEMBERS as readonly string[]).includes(member)),
      [],
      `every member of a ${String(key.kty)} public key is allowed`,
    )
})

t.test('each accepted key type, without alg and with each alg it may declare', async (t) => {
  t.same(await oneKey(rsa), [], 'RSA, no alg (RS256 by default)')
  t.same(await oneKey({ ...rsa, alg: 'RS256' }), [], 'RSA RS256')
  t.same(await oneKey({ ...rsa, alg: 'PS256' }), [], 'RSA PS256')
  t.same(await oneKey(ec), [], 'EC P-256, no alg (ES256 by default)')
  t.same(await oneKey({ ...ec, alg: 'ES256' }), [], 'EC ES256')
  t.same(await oneKey(ed25519), [], 'OKP Ed25519, no alg (EdDSA by default)')
  t.same(await oneKey({ ...ed25519, alg: 'EdDSA' }), [], 'OKP EdDSA')
  t.same(await oneKey({ ...ed25519, alg: 'Ed25519' }), [], 'OKP Ed25519 (the fully specified name)')
  t.same(
    await oneKey({ ...ec, kid: 'k', use: 'sig', alg: 'ES256', key_ops: ['verify'] }),
    [],
    'every public member at once',
  )
  t.same(await oneKey({ ...rsa, crv: 'P-256' }), [], 'a stray crv on an RSA key is not checked')
  t.same(await oneKey({ ...ec, n: 'AQAB' }), [], 'a stray (short) n on an EC key is not an RSA size')
})

t.test('the RSA size: 2048 bits accepted, fewer refused on n', async (t) => {
  t.equal(Buffer.from(rsa.n as string, 'base64url').length, 256)
  t.equal(Buffer.from(rsa2040.n as string, 'base64url').length, 255)
  t.same(await oneKey(rsa), [], 'exactly 2048 bits')
  t.same(await oneKey(rsa2040), [{ field: 'jwks.keys.0.n', message: SMALL_RSA }], '2040 bits (a byte short)')
  t.same(await oneKey(rsa1024), [{ field: 'jwks.keys.0.n', message: SMALL_RSA }], '1024 bits')
  t.same(await oneKey({ ...rsa1024, alg: 'PS256' }), [{ field: 'jwks.keys.0.n', message: SMALL_RSA }], 'with an alg')
})

t.test('each private member refused on its own, and several named together in a fixed order', async (t) => {
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv']) {
    t.same(
      await oneKey({ ...ec, [member]: 'AQAB' }),
      [{ field: 'jwks.keys.0', message: leakedOne(member) }],
      `"${member}"`,
    )
  }
  t.same(await oneKey({ ...rsa, oth: [] }), [{ field: 'jwks.keys.0', message: leakedOne('oth') }], 'whatever its value')
  t.same(
    await oneKey({ kty: 'oct', k: 'c2VjcmV0' }),
    [{ field: 'jwks.keys.0', message: leakedOne('k') }],
    'a symmetric key: its secret is the leak, before its type',
  )
  t.same(
    await oneKey({ ...rsa, qi: 'AQAB', d: 'AQAB', p: 'AQAB' }),
    [
      {
        field: 'jwks.keys.0',
        message:
          'must be a public key: the private members "d", "p", "qi" are not accepted (that key is exposed: make a new one)',
      },
    ],
    'plural, in the order of the list, not of the key',
  )
  t.same(
    await oneKey({ ...ed25519, d: 'AQAB', priv: 'AQAB' }),
    [
      {
        field: 'jwks.keys.0',
        message:
          'must be a public key: the private members "d", "priv" are not accepted (that key is exposed: make a new one)',
      },
    ],
    'two',
  )
})

t.test('a key that is not an object, and a kty outside RSA, EC and OKP', async (t) => {
  for (const [label, key] of [
    ['null', null],
    ['an array', [ec]],
    ['a string', 'EC'],
    ['a number', 42],
    ['a boolean', true],
  ] as const)
    t.same(await oneKey(key), [{ field: 'jwks.keys.0', message: NOT_A_JWK }], label)
  for (const [label, kty] of [
    ['missing', undefined],
    ['oct (no k)', 'oct'],
    ['lower case', 'ec'],
    ['a number', 1],
    ['an array naming a type', ['RSA']],
  ] as const)
    t.same(await oneKey({ ...rsa, kty }), [{ field: 'jwks.keys.0.kty', message: BAD_KTY }], `kty ${label}`)
  t.same(await oneKey({ x: ec.x }), [{ field: 'jwks.keys.0.kty', message: BAD_KTY }], 'no kty at all')
})

t.test('the curve: P-256 for EC, Ed25519 for OKP', async (t) => {
  const ecCrv = [{ field: 'jwks.keys.0.crv', message: 'must be P-256 for kty EC' }]
  const okpCrv = [{ field: 'jwks.keys.0.crv', message: 'must be Ed25519 for kty OKP' }]
  t.same(await oneKey(ecP384), ecCrv, 'EC P-384')
  t.same(await oneKey({ ...ecP384, alg: 'ES256' }), ecCrv, 'EC P-384 claiming ES256')
  t.same(await oneKey({ kty: 'EC', x: ec.x, y: ec.y }), ecCrv, 'EC without crv')
  t.same(await oneKey({ ...ec, crv: 'Ed25519' }), ecCrv, 'EC with the OKP curve')
  t.same(await oneKey(ed448), okpCrv, 'OKP Ed448')
  t.same(await oneKey(x25519), okpCrv, 'OKP X25519')
  t.same(await oneKey({ ...ed25519, crv: undefined }), okpCrv, 'OKP without crv')
  t.same(await oneKey({ ...ed25519, crv: 'P-256' }), okpCrv, 'OKP with the EC curve')
})

t.test('an alg the key type may not declare', async (t) => {
  const rsaAlg = [{ field: 'jwks.keys.0.alg', message: 'must be one of RS256, PS256 for kty RSA' }]
  const ecAlg = [{ field: 'jwks.keys.0.alg', message: 'must be one of ES256 for kty EC' }]
  const okpAlg = [{ field: 'jwks.keys.0.alg', message: 'must be one of EdDSA, Ed25519 for kty OKP' }]
  for (const alg of ['ES256', 'EdDSA', 'HS256', 'RS384', 'RSA-OAEP', 'none', '', 256, null, ['RS256']])
    t.same(await oneKey({ ...rsa, alg }), rsaAlg, `RSA ${JSON.stringify(alg)}`)
  for (const alg of ['RS256', 'ES384', 'EdDSA', 'Ed25519']) t.same(await oneKey({ ...ec, alg }), ecAlg, `EC ${alg}`)
  for (const alg of ['ES256', 'RS256', 'Ed448']) t.same(await oneKey({ ...ed25519, alg }), okpAlg, `OKP ${alg}`)
})

t.test('use: "sig" or absent', async (t) => {
  t.same(await oneKey({ ...ec, use: 'sig' }), [])
  for (const use of ['enc', 'SIG', '', 1, null])
    t.same(
      await oneKey({ ...ec, use }),
      [{ field: 'jwks.keys.0.use', message: 'must be "sig"' }],
      `use ${JSON.stringify(use)}`,
    )
})

t.test('kid: absent, or a string of 1 to 200 characters', async (t) => {
  t.same(await oneKey({ ...ec, kid: 'a' }), [], 'one character')
  t.same(await oneKey({ ...ec, kid: 'k'.repeat(200) }), [], '200 characters')
  for (const [label, kid] of [
    ['201 characters', 'k'.repeat(201)],
    ['empty', ''],
    ['a number', 5],
    ['null', null],
    ['an array', ['k']],
  ] as const)
    t.same(await oneKey({ ...ec, kid }), [{ field: 'jwks.keys.0.kid', message: BAD_KID }], label)
})

t.test('the first problem of a key is the only one reported, in the order the checks run', async (t) => {
  const all = { ...rsa1024, kty: 'RSA', crv: 'P-384', alg: 'ES256', use: 'enc', kid: '' }
  t.same(await oneKey({ ...all, d: 'AQAB' }), [{ field: 'jwks.keys.0', message: leakedOne('d') }], 'private')
  t.same(await oneKey({ ...all, kty: 'EC' }), [{ field: 'jwks.keys.0.crv', message: 'must be P-256 for kty EC' }])
  t.same(await oneKey(all), [{ field: 'jwks.keys.0.alg', message: 'must be one of RS256, PS256 for kty RSA' }])
  t.same(await oneKey({ ...all, alg: undefined }), [{ field: 'jwks.keys.0.use', message: 'must be "sig"' }])
  t.same(await oneKey({ ...all, alg: undefined, use: 'sig' }), [{ field: 'jwks.keys.0.kid', message: BAD_KID }])
  t.same(await oneKey({ ...all, alg: undefined, use: 'sig', kid: 'k' }), [
    { field: 'jwks.keys.0.n', message: SMALL_RSA },
  ])
})

t.test('a key jose cannot import: its error, on the key', async (t) => {
  t.same(
    await oneKey({ ...ec, key_ops: 'verify' }),
    [
      {
        field: 'jwks.keys.0',
        message: 'is not a usable public key: "key_ops" (Key Operations) Parameter must be an array of unique strings',
      },
    ],
    'key_ops not an array (jose)',
  )
  // The rest come from Node's WebCrypto, whose wording may change between versions: the field, the prefix and a
  // reason.
  const unusable = async (key: unknown, label: string) => {
    const problems = await oneKey(key)
    t.equal(problems.length, 1, label)
    t.equal(problems[0]?.field, 'jwks.keys.0', label)
    t.match(problems[0]?.message, /^is not a usable public key: \S/, label)
  }
  await unusable({ kty: 'RSA', e: 'AQAB' }, 'RSA without n')
  await unusable({ ...ec, x: ec.y }, 'EC point not on the curve')
  await unusable({ kty: 'EC', crv: 'P-256', y: ec.y }, 'EC without x')
  await unusable({ ...ed25519, x: 'AAAA' }, 'Ed25519 x of the wrong length')
  await unusable({ ...ec, key_ops: ['sign'] }, 'key_ops of a private key')
  await unusable({ ...ec, key_ops: ['encrypt'] }, 'key_ops for encryption')
})

t.test('the set: an object with a keys array', async (t) => {
  for (const [label, jwks] of [
    ['undefined', undefined],
    ['null', null],
    ['a string', '{"keys":[]}'],
    ['a number', 1],
    ['a bare array of keys', [ec]],
    ['an array with a keys member', Object.assign([ec], { keys: [ec] })],
    ['no keys', {}],
    ['keys a string', { keys: 'ec' }],
    ['keys an object', { keys: { 0: ec, length: 1 } }],
    ['keys null', { keys: null }],
    ['a single key, not in a set', ec],
  ] as const)
    t.same(await publicJwksProblems(jwks, 'jwks'), [{ field: 'jwks', message: NOT_A_SET }], label)
  t.same(await publicJwksProblems({ keys: [ec], extra: true }, 'jwks'), [], 'other members of the set are let be')
})

t.test('the number of keys: 1 to MAX_JWKS_KEYS', async (t) => {
  const keys = (count: number) => Array.from({ length: count }, (_, i) => ({ ...ec, kid: `k${i}` }))
  t.same(await publicJwksProblems({ keys: [] }, 'jwks'), [{ field: 'jwks.keys', message: KEY_COUNT }], 'none')
  t.same(await publicJwksProblems({ keys: keys(1) }, 'jwks'), [], 'one')
  t.same(await publicJwksProblems({ keys: keys(MAX_JWKS_KEYS) }, 'jwks'), [], 'exactly MAX_JWKS_KEYS')
  t.same(
    await publicJwksProblems({ keys: keys(MAX_JWKS_KEYS + 1) }, 'jwks'),
    [{ field: 'jwks.keys', message: KEY_COUNT }],
    'one more',
  )
  t.same(
    await publicJwksProblems({ keys: [...keys(MAX_JWKS_KEYS), 'not a key'] }, 'jwks'),
    [{ field: 'jwks.keys', message: KEY_COUNT }],
    'too many: the keys themselves are not looked at',
  )
})

t.test('the size of the JSON text: MAX_JWKS_TEXT characters at most', async (t) => {
  const padded = (length: number) => {
    const base = JSON.stringify({ keys: [ec], pad: '' }).length
    const jwks = { keys: [ec], pad: 'x'.repeat(length - base) }
    t.equal(JSON.stringify(jwks).length, length)
    return jwks
  }
  t.same(await publicJwksProblems(padded(MAX_JWKS_TEXT), 'jwks'), [], 'exactly the limit')
  t.same(
    await publicJwksProblems(padded(MAX_JWKS_TEXT + 1), 'jwks'),
    [{ field: 'jwks', message: 'must be at most 65536 characters of JSON' }],
    'one character over',
  )
  t.same(
    await publicJwksProblems({ keys: [], pad: 'x'.repeat(MAX_JWKS_TEXT) }, 'jwks'),
    [{ field: 'jwks', message: 'must be at most 65536 characters of JSON' }],
    'the size is checked before the count',
  )
})

t.test('the problems of every key, each under its index, then a repeated kid', async (t) => {
  t.same(
    await publicJwksProblems(
      {
        keys: [
          rsa1024,
          'not a key',
          { ...ec, kid: 'a' },
          { ...ed25519, kid: 'a', use: 'enc' },
          { ...rsa, kid: 'b', alg: 'RS256' },
        ],
      },
      'jwks',
    ),
    [
      { field: 'jwks.keys.0.n', message: SMALL_RSA },
      { field: 'jwks.keys.1', message: NOT_A_JWK },
      { field: 'jwks.keys.3.use', message: 'must be "sig"' },
      { field: 'jwks.keys', message: DUPLICATE_KID },
    ],
  )
  t.same(
    await publicJwksProblems({ keys: [null, { ...ec, kid: 'a' }] }, 'jwks'),
    [{ field: 'jwks.keys.0', message: NOT_A_JWK }],
    'a non-object has no kid',
  )
})

t.test('kids: each different; keys without one are not compared', async (t) => {
  t.same(
    await publicJwksProblems(
      {
        keys: [
          { ...ec, kid: 'a' },
          { ...ed25519, kid: 'b' },
        ],
      },
      'jwks',
    ),
    [],
  )
  t.same(
    await publicJwksProblems(
      {
        keys: [
          { ...ec, kid: 'a' },
          { ...ed25519, kid: 'a' },
        ],
      },
      'jwks',
    ),
    [{ field: 'jwks.keys', message: DUPLICATE_KID }],
    'the same kid on two keys',
  )
  t.same(
    await publicJwksProblems({ keys: [{ ...ec, kid: 'a' }, rsa, { ...ed25519, kid: 'a' }] }, 'jwks'),
    [{ field: 'jwks.keys', message: DUPLICATE_KID }],
    'not next to each other',
  )
  t.same(await publicJwksProblems({ keys: [ec, ed25519, rsa] }, 'jwks'), [], 'three keys without a kid')
  t.same(await publicJwksProblems({ keys: [ec, { ...ed25519, kid: 'a' }] }, 'jwks'), [], 'one with, one without')
  t.same(
    await publicJwksProblems(
      {
        keys: [
          { ...ec, kid: 'a' },
          { ...ed25519, kid: 'b' },
          { ...rsa, kid: 'a' },
        ],
      },
      'jwks',
    ),
    [{ field: 'jwks.keys', message: DUPLICATE_KID }],
    'reported once',
  )
})

t.test('publicJwksProblems: the field names under the field given, jwks by default', async (t) => {
  t.same(await publicJwksProblems(null), [{ field: 'jwks', message: NOT_A_SET }])
  t.same(await publicJwksProblems({ keys: [] }), [{ field: 'jwks.keys', message: KEY_COUNT }])
  t.same(await publicJwksProblems({ keys: [ec, rsa1024] }), [{ field: 'jwks.keys.1.n', message: SMALL_RSA }])
  t.same(await publicJwksProblems({ keys: [ec] }), [])
  t.same(await publicJwksProblems(null, 'client.jwks'), [{ field: 'client.jwks', message: NOT_A_SET }])
  t.same(await publicJwksProblems({ keys: [] }, 'client.jwks'), [{ field: 'client.jwks.keys', message: KEY_COUNT }])
  t.same(
    await publicJwksProblems(
      {
        keys: [
          { ...ec, kid: 'a' },
          { ...rsa1024, kid: 'a' },
        ],
      },
      'client.jwks',
    ),
    [
      { field: 'client.jwks.keys.1.n', message: SMALL_RSA },
      { field: 'client.jwks.keys', message: DUPLICATE_KID },
    ],
  )
})

t.test('jwks_uri: https accepted', async (t) => {
  t.same(jwksUriProblems('https://client.example.com/.well-known/jwks.json', 'jwks_uri'), [])
  t.same(jwksUriProblems('https://client.example.com:8443/jwks?v=2', 'jwks_uri'), [], 'a port and a query')
  t.same(jwksUriProblems('https://localhost/jwks', 'jwks_uri'), [], 'https on a loopback host')
  t.same(jwksUriProblems('HTTPS://CLIENT.EXAMPLE.COM/jwks', 'jwks_uri'), [], 'the scheme in upper case')
})

t.test('jwks_uri: http only on a loopback host', async (t) => {
  t.same(jwksUriProblems('http://localhost:8080/jwks', 'jwks_uri'), [], 'localhost')
  t.same(jwksUriProblems('http://127.0.0.1/jwks', 'jwks_uri'), [], '127.0.0.1')
  t.same(jwksUriProblems('http://[::1]:3000/jwks', 'jwks_uri'), [], '[::1]')
  t.same(jwksUriProblems('http://LOCALHOST/jwks', 'jwks_uri'), [], 'the host as the URL parser spells it')
  for (const uri of [
    'http://client.example.com/jwks',
    'http://127.0.0.2/jwks',
    'http://[::2]/jwks',
    'http://localhost.example.com/jwks',
    'http://0.0.0.0/jwks',
    'ftp://localhost/jwks',
    'ws://127.0.0.1/jwks',
    'file:///etc/jwks.json',
    'data:application/json,{"keys":[]}',
  ])
    t.same(jwksUriProblems(uri, 'jwks_uri'), [{ field: 'jwks_uri', message: NOT_HTTPS }], uri)
})

t.test('jwks_uri: not a URL', async (t) => {
  for (const uri of ['', 'not a url', '/.well-known/jwks.json', 'client.example.com/jwks', 'https://', 'http://[::1/'])
    t.same(jwksUriProblems(uri, 'jwks_uri'), [{ field: 'jwks_uri', message: NOT_ABSOLUTE }], JSON.stringify(uri))
})

t.test('jwks_uri: no credentials, no fragment, 2000 characters at most', async (t) => {
  for (const uri of [
    'https://user@client.example.com/jwks',
    'https://user:secret@client.example.com/jwks',
    'https://:secret@client.example.com/jwks',
    'https://client.example.com/jwks#keys',
    'http://user@localhost/jwks',
  ])
    t.same(jwksUriProblems(uri, 'jwks_uri'), [{ field: 'jwks_uri', message: CREDENTIALS }], uri)
  const prefix = 'https://client.example.com/'
  const ofLength = (length: number) => `${prefix}${'a'.repeat(length - prefix.length)}`
  t.equal(ofLength(2000).length, 2000)
  t.same(jwksUriProblems(ofLength(2000), 'jwks_uri'), [], 'exactly 2000 characters')
  t.same(jwksUriProblems(ofLength(2001), 'jwks_uri'), [{ field: 'jwks_uri', message: CREDENTIALS }], '2001 characters')
  t.same(
    jwksUriProblems('http://user@client.example.com/jwks', 'jwks_uri'),
    [{ field: 'jwks_uri', message: NOT_HTTPS }],
    'the scheme is checked first',
  )
})

t.test('jwksUriProblems: the field given, jwks_uri by default', async (t) => {
  t.same(jwksUriProblems('not a url'), [{ field: 'jwks_uri', message: NOT_ABSOLUTE }])
  t.same(jwksUriProblems('http://client.example.com/jwks'), [{ field: 'jwks_uri', message: NOT_HTTPS }])
  t.same(jwksUriProblems('https://u@client.example.com/jwks'), [{ field: 'jwks_uri', message: CREDENTIALS }])
  t.same(jwksUriProblems('https://client.example.com/jwks'), [])
  t.same(jwksUriProblems('not a url', 'client.jwks_uri'), [{ field: 'client.jwks_uri', message: NOT_ABSOLUTE }])
  t.same(jwksUriProblems('http://client.example.com/jwks', 'client.jwks_uri'), [
    { field: 'client.jwks_uri', message: NOT_HTTPS },
  ])
  t.same(jwksUriProblems('https://u@client.example.com/jwks', 'client.jwks_uri'), [
    { field: 'client.jwks_uri', message: CREDENTIALS },
  ])
})

t.test('refused since this file found them accepted (or answered with a TypeError)', async (t) => {
  for (const kty of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
    for (const alg of [undefined, 'RS256'])
      t.same(
        await oneKey({ kty, x: 'AA', ...(alg ? { alg } : {}) }),
        [{ field: 'jwks.keys.0.kty', message: BAD_KTY }],
        `kty ${kty}${alg ? ` with alg ${alg}` : ''}: a member of Object.prototype is no key type`,
      )
  const noN = 'is not a usable public key: an RSA key needs n and e (base64url strings)'
  for (const n of [5, {}, null, ['x']])
    t.same(await oneKey({ ...rsa, n }), [{ field: 'jwks.keys.0', message: noN }], `n ${JSON.stringify(n)}`)
  t.same(await oneKey({ ...rsa, e: 65537 }), [{ field: 'jwks.keys.0', message: noN }], 'e a number')
  const padded = Buffer.concat([Buffer.alloc(128), Buffer.from(rsa1024.n as string, 'base64url')])
  t.same(
    await oneKey({ ...rsa1024, n: padded.toString('base64url') }),
    [{ field: 'jwks.keys.0.n', message: SMALL_RSA }],
    'a 1024-bit modulus padded with 128 zero octets to the length of a 2048-bit one',
  )
  const rsa2047 = publicJwk(generateKeyPairSync('rsa', { modulusLength: 2047 }))
  t.equal(Buffer.from(rsa2047.n as string, 'base64url').length, 256, 'a 2047-bit modulus takes 256 octets')
  t.same(await oneKey(rsa2047), [{ field: 'jwks.keys.0.n', message: SMALL_RSA }], '2047 bits: refused')
  const exponent = 'must be an odd public exponent of at least 3'
  for (const e of ['AQ', 'Ag', 'BA', 'AQAA'])
    t.same(
      await oneKey({ ...rsa, e }),
      [{ field: 'jwks.keys.0.e', message: exponent }],
      `e ${BigInt(`0x${Buffer.from(e, 'base64url').toString('hex')}`)}`,
    )
  t.same(await oneKey({ ...rsa, e: 'Aw' }), [], 'e = 3')
  for (const uri of [
    'https://keys.example/jwks#',
    ' https://keys.example/jwks',
    'https://keys.example/jwks ',
    'https://keys.example/j wks',
  ])
    t.equal(jwksUriProblems(uri).length, 1, JSON.stringify(uri))
  t.same(
    jwksUriProblems('https://keys.example/jwks#'),
    [{ field: 'jwks_uri', message: CREDENTIALS }],
    'an empty fragment',
  )
  t.same(jwksUriProblems(' https://keys.example/jwks'), [{ field: 'jwks_uri', message: NOT_ABSOLUTE }], 'white space')
})
