// The public keys of key-pair access keys (security/access-key-pairs.ts) as a unit: what checkPublicJwk accepts
// and the exact JWK and algorithm it pins (each key type, each alg it may be given in the JWK or asked for, the
// fully specified Ed25519), each refusal's exact message on both sides of its boundary (not an object, a private
// member, the key type and curve, alg, use, an invalid key, the RSA size and exponent), publicKeyPair's RFC 7638
// thumbprint, publicJwkFromText (a JWK, a JWK Set of one key, SPKI or PKCS #1 PEM; private keys and anything else
// refused), generateKeyPair's three outputs for each algorithm, and storedAlgorithm.
// Through the routes: test/manage/key-pair-access-keys.test.ts.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto'
import t from 'tap'
import {
  checkPublicJwk,
  DEFAULT_KEY_PAIR_ALGORITHM,
  generateKeyPair,
  KEY_PAIR_ALGORITHMS,
  type KeyPairAlgorithm,
  PublicKeyError,
  publicJwkFromText,
  publicKeyPair,
  storedAlgorithm,
} from '../../src/security/access-key-pairs.ts'

type Jwk = Record<string, unknown>
type Pair = ReturnType<typeof generateKeyPairSync>

const publicJwk = (pair: Pair): Jwk => pair.publicKey.export({ format: 'jwk' }) as Jwk
const spki = (pair: Pair): string => pair.publicKey.export({ type: 'spki', format: 'pem' }) as string

// Each generated once: RSA at the minimum (2048 bits) and one byte under it (2040).
const rsaPair = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ecPair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const edPair = generateKeyPairSync('ed25519')
const rsa = publicJwk(rsaPair)
const rsa2040 = publicJwk(generateKeyPairSync('rsa', { modulusLength: 2040 }))
const ec = publicJwk(ecPair)
const ed = publicJwk(edPair)
const ecP384 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-384' }))
const ed448 = publicJwk(generateKeyPairSync('ed448'))
const x25519 = publicJwk(generateKeyPairSync('x25519'))

const NOT_AN_OBJECT = 'the public key must be a JWK object'
const PRIVATE_JWK = 'this is a private key: register the public key only (the private key stays with you)'
const KEY_TYPE = 'the key must be EC P-256, Ed25519 or RSA (of at least 2048 bits)'
const BAD_ALG = "the JWK's alg must be one of ES256, RS256, PS256, EdDSA"
const BAD_USE = 'the JWK member use must be sig'
const INVALID = 'the JWK is not a valid public key'
const SMALL_RSA = 'an RSA key must have at least 2048 bits'
const BAD_EXPONENT = 'an RSA key must have an odd public exponent of at least 3'
const PRIVATE_PEM = 'this is a private key: give the public key only (the private key stays with you)'
const NOT_JSON = 'the file starts like JSON but is not valid JSON'
const SET_SIZE = 'a JWK Set must hold exactly one key here'
const NEITHER = 'the file holds neither a JWK nor a PEM public key'
const UNREADABLE = 'the PEM public key cannot be read'

/** What a call threw, as name and message when it is a PublicKeyError (anything else, or nothing, as it is). */
function refusal(call: () => unknown): unknown {
  try {
    call()
  } catch (err) {
    return err instanceof PublicKeyError ? { name: err.name, message: err.message } : err
  }
  return 'nothing thrown'
}

async function asyncRefusal(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
  } catch (err) {
    return err instanceof PublicKeyError ? { name: err.name, message: err.message } : err
  }
  return 'nothing thrown'
}

const refused = (message: string) => ({ name: 'PublicKeyError', message })

/** RFC 7638: SHA-256 of the required members in lexicographic order, base64url. */
function thumbprint(jwk: Jwk): string {
  const required =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url')
}

t.test('the exported constants', async (t) => {
  t.strictSame(KEY_PAIR_ALGORITHMS, ['ES256', 'RS256', 'PS256', 'EdDSA'])
  t.equal(DEFAULT_KEY_PAIR_ALGORITHM, 'ES256')
  const err = new PublicKeyError('why')
  t.equal(err.name, 'PublicKeyError')
  t.equal(err.message, 'why')
  t.ok(err instanceof Error)
})

t.test('each key type pins its default algorithm and keeps only its public members', async (t) => {
  t.strictSame(checkPublicJwk(ec), { jwk: { ...ec, alg: 'ES256' }, alg: 'ES256' }, 'EC P-256: ES256')
  t.strictSame(checkPublicJwk(ed), { jwk: { ...ed, alg: 'EdDSA' }, alg: 'EdDSA' }, 'Ed25519: EdDSA')
  t.strictSame(checkPublicJwk(rsa), { jwk: { ...rsa, alg: 'RS256' }, alg: 'RS256' }, 'RSA: RS256')
  t.strictSame(
    checkPublicJwk({ ...ec, kid: 'laptop', use: 'sig', key_ops: ['verify'], ext: true, x5t: 'abc' }),
    { jwk: { kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y, alg: 'ES256' }, alg: 'ES256' },
    'kid, use, key_ops and anything else are dropped',
  )
  t.strictSame(
    checkPublicJwk({ ...ed, kid: 'k' }),
    { jwk: { kty: 'OKP', crv: 'Ed25519', x: ed.x, alg: 'EdDSA' }, alg: 'EdDSA' },
    'an OKP key keeps kty, crv and x',
  )
  t.strictSame(
    checkPublicJwk({ ...rsa, kid: 'k' }),
    { jwk: { kty: 'RSA', n: rsa.n, e: rsa.e, alg: 'RS256' }, alg: 'RS256' },
    'an RSA key keeps kty, n and e',
  )
  t.strictSame(
    checkPublicJwk({ ...rsa, crv: 'P-256' }),
    { jwk: { ...rsa, alg: 'RS256' }, alg: 'RS256' },
    'an RSA key with a stray crv P-256 is still RSA',
  )
  t.strictSame(
    checkPublicJwk({ ...rsa, crv: 'Ed25519' }),
    { jwk: { ...rsa, alg: 'RS256' }, alg: 'RS256' },
    'an RSA key with a stray crv Ed25519 is still RSA',
  )
})

t.test('alg: from the JWK, asked for, or both when they agree', async (t) => {
  const pinned = (jwk: Jwk, alg: KeyPairAlgorithm) => ({
    jwk: { ...jwk, alg },
    alg,
  })
  t.strictSame(checkPublicJwk(rsa, 'PS256'), pinned(rsa, 'PS256'), 'RSA asked for PS256, no alg in the JWK')
  t.strictSame(checkPublicJwk(rsa, 'RS256'), pinned(rsa, 'RS256'), 'RSA asked for RS256')
  t.strictSame(checkPublicJwk({ ...rsa, alg: 'PS256' }), pinned(rsa, 'PS256'), 'the JWK says PS256, nothing asked')
  t.strictSame(checkPublicJwk({ ...rsa, alg: 'RS256' }), pinned(rsa, 'RS256'), 'the JWK says RS256, nothing asked')
  t.strictSame(checkPublicJwk({ ...rsa, alg: 'PS256' }, 'PS256'), pinned(rsa, 'PS256'), 'both PS256')
  t.strictSame(checkPublicJwk({ ...ec, alg: 'ES256' }, 'ES256'), pinned(ec, 'ES256'), 'both ES256')
  t.strictSame(checkPublicJwk(ec, 'ES256'), pinned(ec, 'ES256'), 'EC asked for ES256')
  t.strictSame(checkPublicJwk({ ...ed, alg: 'EdDSA' }), pinned(ed, 'EdDSA'), 'the JWK says EdDSA')
  t.strictSame(checkPublicJwk(ed, 'EdDSA'), pinned(ed, 'EdDSA'), 'Ed25519 asked for EdDSA')
  t.strictSame(
    refusal(() => checkPublicJwk({ ...rsa, alg: 'RS256' }, 'PS256')),
    refused("the JWK's alg RS256 differs from the alg asked for, PS256"),
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...rsa, alg: 'PS256' }, 'RS256')),
    refused("the JWK's alg PS256 differs from the alg asked for, RS256"),
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ec, alg: 'ES256' }, 'EdDSA')),
    refused("the JWK's alg ES256 differs from the alg asked for, EdDSA"),
    'a disagreement is reported before the key type',
  )
  t.strictSame(
    refusal(() => checkPublicJwk(ec, 'RS256')),
    refused('an EC key cannot be used with RS256'),
  )
  t.strictSame(
    refusal(() => checkPublicJwk(ec, 'EdDSA')),
    refused('an EC key cannot be used with EdDSA'),
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ec, alg: 'PS256' })),
    refused('an EC key cannot be used with PS256'),
  )
  t.strictSame(
    refusal(() => checkPublicJwk(rsa, 'ES256')),
    refused('an RSA key cannot be used with ES256'),
  )
  t.strictSame(
    refusal(() => checkPublicJwk(rsa, 'EdDSA')),
    refused('an RSA key cannot be used with EdDSA'),
  )
  t.strictSame(
    refusal(() => checkPublicJwk(ed, 'ES256')),
    refused('an OKP key cannot be used with ES256'),
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ed, alg: 'RS256' })),
    refused('an OKP key cannot be used with RS256'),
  )
  for (const alg of ['HS256', 'ES384', 'none', '', 'es256', 5, null, true])
    t.strictSame(
      refusal(() => checkPublicJwk({ ...ec, alg })),
      refused(BAD_ALG),
      `alg ${JSON.stringify(alg)}`,
    )
})

t.test('Ed25519, the fully specified name (RFC 9864), is stored as EdDSA', async (t) => {
  const edDsa = { jwk: { ...ed, alg: 'EdDSA' }, alg: 'EdDSA' }
  t.strictSame(checkPublicJwk({ ...ed, alg: 'Ed25519' }), edDsa)
  t.strictSame(checkPublicJwk({ ...ed, alg: 'Ed25519' }, 'EdDSA'), edDsa, 'and agrees with EdDSA asked for')
  t.strictSame(
    checkPublicJwk({ ...ed, alg: 'Ed25519', kid: 'k', use: 'sig' }),
    edDsa,
    'its other members are dropped as usual',
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ed, alg: 'Ed25519' }, 'ES256')),
    refused("the JWK's alg EdDSA differs from the alg asked for, ES256"),
    'the alg asked for is still checked',
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ed, alg: 'Ed25519', use: 'enc' })),
    refused(BAD_USE),
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ec, alg: 'Ed25519' })),
    refused(BAD_ALG),
    'on an EC key it is no algorithm of ours',
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...rsa, alg: 'Ed25519' })),
    refused(BAD_ALG),
    'nor on an RSA key',
  )
})

t.test('anything but a JWK object is refused', async (t) => {
  for (const input of ['{"kty":"EC"}', 'd', 42, 0, true, null, undefined, [], [ec], () => ec])
    t.strictSame(
      refusal(() => checkPublicJwk(input)),
      refused(NOT_AN_OBJECT),
      `${typeof input} ${String(input)}`,
    )
})

t.test('a private member refuses the key, whatever else it holds', async (t) => {
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
    t.strictSame(
      refusal(() => checkPublicJwk({ ...rsa, [member]: 'AQAB' })),
      refused(PRIVATE_JWK),
      `RSA with ${member}`,
    )
    t.strictSame(
      refusal(() => checkPublicJwk({ ...ec, [member]: 'AQAB' })),
      refused(PRIVATE_JWK),
      `EC with ${member}`,
    )
  }
  t.strictSame(
    refusal(() => checkPublicJwk({ ...rsa, d: undefined })),
    refused(PRIVATE_JWK),
    'even an undefined one',
  )
  for (const pair of [rsaPair, ecPair, edPair])
    t.strictSame(
      refusal(() => checkPublicJwk(pair.privateKey.export({ format: 'jwk' }))),
      refused(PRIVATE_JWK),
      `a whole private ${pair.privateKey.asymmetricKeyType} JWK`,
    )
  t.strictSame(
    refusal(() => checkPublicJwk({ kty: 'oct', k: 'c2VjcmV0' })),
    refused(PRIVATE_JWK),
    'a symmetric key',
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ecP384, d: 'AQAB' })),
    refused(PRIVATE_JWK),
    'before the key type',
  )
  t.strictSame(
    checkPublicJwk({ ...ec, e: 'AQAB', n: 'AQAB' }),
    { jwk: { ...ec, alg: 'ES256' }, alg: 'ES256' },
    'the public members of another key type are no private members',
  )
})

t.test('the key type and curve', async (t) => {
  const cases: [string, unknown][] = [
    ['no kty', {}],
    ['EC P-384', ecP384],
    ['OKP Ed448', ed448],
    ['OKP X25519', x25519],
    ['oct without k', { kty: 'oct' }],
    ['an OKP key claiming P-256', { kty: 'OKP', crv: 'P-256', x: ed.x }],
    ['an EC key claiming Ed25519', { kty: 'EC', crv: 'Ed25519', x: ec.x, y: ec.y }],
    ['an EC key without crv', { kty: 'EC', x: ec.x, y: ec.y }],
    ['an OKP key without crv', { kty: 'OKP', x: ed.x }],
    ['a lowercase kty', { ...ec, kty: 'ec' }],
  ]
  for (const [name, input] of cases)
    t.strictSame(
      refusal(() => checkPublicJwk(input)),
      refused(KEY_TYPE),
      name,
    )
  t.strictSame(
    refusal(() => checkPublicJwk({ kty: 'OKP', crv: 'Ed448', x: ed448.x, alg: 'Ed25519' })),
    refused(KEY_TYPE),
    'Ed448 calling itself Ed25519',
  )
})

t.test('use must be sig when present', async (t) => {
  t.strictSame(checkPublicJwk({ ...ec, use: 'sig' }), { jwk: { ...ec, alg: 'ES256' }, alg: 'ES256' })
  for (const use of ['enc', '', 'SIG', null, 1])
    t.strictSame(
      refusal(() => checkPublicJwk({ ...ec, use })),
      refused(BAD_USE),
      `use ${JSON.stringify(use)}`,
    )
})

t.test('a JWK that is no valid public key', async (t) => {
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ec, x: 'AAAA' })),
    refused(INVALID),
    'EC: x too short',
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ kty: 'EC', crv: 'P-256', x: ec.x })),
    refused(INVALID),
    'EC: no y',
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ed, x: 'AAAA' })),
    refused(INVALID),
    'Ed25519: x too short',
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ kty: 'RSA', e: 'AQAB' })),
    refused(INVALID),
    'RSA: no n',
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...ec, x: 5 })),
    refused(INVALID),
    'EC: x a number',
  )
})

t.test('the RSA size: 2048 bits accepted, 2040 refused', async (t) => {
  t.equal(Buffer.from(rsa.n as string, 'base64url').length, 256)
  t.equal(Buffer.from(rsa2040.n as string, 'base64url').length, 255)
  t.strictSame(checkPublicJwk(rsa).alg, 'RS256', 'exactly 2048 bits')
  t.strictSame(
    refusal(() => checkPublicJwk(rsa2040)),
    refused(SMALL_RSA),
    '2040 bits',
  )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...rsa2040, e: 'AQ' })),
    refused(SMALL_RSA),
    'the size before e',
  )
})

t.test('the RSA exponent: odd and at least 3', async (t) => {
  const withExponent = (e: number) => ({ ...rsa, e: Buffer.from([e]).toString('base64url') })
  for (const e of [3, 5, 17])
    t.strictSame(checkPublicJwk(withExponent(e)), { jwk: { ...withExponent(e), alg: 'RS256' }, alg: 'RS256' }, `${e}`)
  t.strictSame(checkPublicJwk({ ...rsa, e: 'AQAB' }).jwk.e, 'AQAB', '65537')
  for (const e of [1, 2, 4, 6, 16])
    t.strictSame(
      refusal(() => checkPublicJwk(withExponent(e))),
      refused(BAD_EXPONENT),
      `${e}`,
    )
  t.strictSame(
    refusal(() => checkPublicJwk({ ...rsa, e: Buffer.from([1, 0, 0]).toString('base64url') })),
    refused(BAD_EXPONENT),
    '65536',
  )
})

t.test('publicKeyPair adds the RFC 7638 thumbprint of the stored key', async (t) => {
  t.strictSame(await publicKeyPair(ec), { jwk: { ...ec, alg: 'ES256' }, alg: 'ES256', thumbprint: thumbprint(ec) })
  t.strictSame(await publicKeyPair(ed), { jwk: { ...ed, alg: 'EdDSA' }, alg: 'EdDSA', thumbprint: thumbprint(ed) })
  t.strictSame(await publicKeyPair({ ...rsa, kid: 'k', use: 'sig' }, 'PS256'), {
    jwk: { ...rsa, alg: 'PS256' },
    alg: 'PS256',
    thumbprint: thumbprint(rsa),
  })
  t.equal(
    (await publicKeyPair({ ...ed, alg: 'Ed25519' })).thumbprint,
    (await publicKeyPair(ed)).thumbprint,
    'neither alg nor kid changes it',
  )
  // RFC 7638 §3.1's example.
  const example = {
    kty: 'RSA',
    n:
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiF' +
      'V4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9' +
      'c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1' +
      'jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29',
  }
  t.equal((await publicKeyPair(example)).thumbprint, 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  t.strictSame(await asyncRefusal(() => publicKeyPair(ec, 'RS256')), refused('an EC key cannot be used with RS256'))
  t.strictSame(await asyncRefusal(() => publicKeyPair('x')), refused(NOT_AN_OBJECT))
})

t.test('publicJwkFromText: a JWK or a JWK Set of one key', async (t) => {
  t.strictSame(publicJwkFromText(JSON.stringify(ec)), ec, 'a JWK')
  t.strictSame(publicJwkFromText(`\n  ${JSON.stringify(ec, null, 2)}\n\n`), ec, 'with white space around it')
  t.strictSame(publicJwkFromText(`\t${JSON.stringify({ ...ec, d: 'x' })} `), { ...ec, d: 'x' }, 'not checked here')
  t.strictSame(publicJwkFromText(JSON.stringify({ keys: [rsa] })), rsa, 'a JWK Set of one key: that key')
  t.strictSame(publicJwkFromText(JSON.stringify({ keys: [{ ...ed, kid: 'a' }] })), { ...ed, kid: 'a' })
  t.strictSame(
    publicJwkFromText(JSON.stringify({ keys: 'none', kty: 'EC' })),
    { keys: 'none', kty: 'EC' },
    'keys that is no array: the object itself',
  )
  t.strictSame(publicJwkFromText(' {} '), {}, 'an empty object')
  t.strictSame(
    refusal(() => publicJwkFromText(JSON.stringify({ keys: [] }))),
    refused(SET_SIZE),
    'no key',
  )
  t.strictSame(
    refusal(() => publicJwkFromText(JSON.stringify({ keys: [ec, rsa] }))),
    refused(SET_SIZE),
    'two keys',
  )
  for (const text of ['{', '{kty: "EC"}', `${JSON.stringify(ec)} trailing`, "{'kty':'EC'}", '  {"a":1,}  '])
    t.strictSame(
      refusal(() => publicJwkFromText(text)),
      refused(NOT_JSON),
      text,
    )
})

t.test('publicJwkFromText: a PEM public key, SPKI or PKCS #1', async (t) => {
  t.strictSame(publicJwkFromText(spki(ecPair)), ec, 'EC SPKI')
  t.strictSame(publicJwkFromText(spki(edPair)), ed, 'Ed25519 SPKI')
  t.strictSame(publicJwkFromText(spki(rsaPair)), rsa, 'RSA SPKI')
  const pkcs1 = rsaPair.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string
  t.ok(pkcs1.includes('RSA PUBLIC KEY'))
  t.strictSame(publicJwkFromText(pkcs1), rsa, 'RSA PKCS #1')
  t.strictSame(publicJwkFromText(`\n\n  ${spki(ecPair)}\n  `), ec, 'with white space around it')
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  t.strictSame(publicJwkFromText(spki(p384)), publicJwk(p384), 'any key node reads: the type is checked later')
  t.strictSame(
    refusal(() => checkPublicJwk(publicJwkFromText(spki(p384)))),
    refused(KEY_TYPE),
  )
})

t.test('publicJwkFromText: a private key is refused, in every PEM form', async (t) => {
  const forms: [string, string][] = [
    ['PKCS #8 (EC)', ecPair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['PKCS #8 (Ed25519)', edPair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['PKCS #1 (RSA)', rsaPair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string],
    ['SEC 1 (EC)', ecPair.privateKey.export({ type: 'sec1', format: 'pem' }) as string],
    [
      'encrypted PKCS #8',
      ecPair.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'a passphrase',
      }) as string,
    ],
  ]
  for (const [name, pem] of forms) {
    t.notOk(pem.includes('PUBLIC KEY'), `${name} names no public key`)
    t.strictSame(
      refusal(() => publicJwkFromText(pem)),
      refused(PRIVATE_PEM),
      name,
    )
  }
  t.strictSame(
    refusal(() => publicJwkFromText(`${spki(ecPair)}\n${forms[0]![1]}`)),
    refused(PRIVATE_PEM),
    'even after the public key',
  )
})

t.test('publicJwkFromText: anything else', async (t) => {
  for (const text of ['', '   \n', 'hello', JSON.stringify([ec]), ec.x as string, '-----BEGIN CERTIFICATE-----\nAA=='])
    t.strictSame(
      refusal(() => publicJwkFromText(text)),
      refused(NEITHER),
      JSON.stringify(text),
    )
  t.strictSame(
    refusal(() => publicJwkFromText('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')),
    refused(UNREADABLE),
    'a broken SPKI body',
  )
  t.strictSame(
    refusal(() => publicJwkFromText('-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n')),
    refused(UNREADABLE),
    'a broken PKCS #1 body',
  )
  const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 })
  t.strictSame(
    refusal(() => publicJwkFromText(spki(dsa))),
    refused(UNREADABLE),
    'a key with no JWK form (DSA)',
  )
})

t.test('generateKeyPair: each algorithm, the public key stored and the private key returned once', async (t) => {
  const expected: [KeyPairAlgorithm, string, Record<string, unknown>][] = [
    ['ES256', 'ec', { namedCurve: 'prime256v1' }],
    ['EdDSA', 'ed25519', {}],
    ['RS256', 'rsa', { modulusLength: 3072, publicExponent: 65537n }],
    ['PS256', 'rsa', { modulusLength: 3072, publicExponent: 65537n }],
  ]
  for (const [alg, type, details] of expected) {
    const generated = await generateKeyPair(alg, `kid-${alg}`)
    const privateKey = createPrivateKey(generated.privatePem)
    t.equal(privateKey.asymmetricKeyType, type, `${alg}: ${type}`)
    t.strictSame(privateKey.asymmetricKeyDetails, details, `${alg}: its size or curve`)
    t.equal(privateKey.export({ type: 'pkcs8', format: 'pem' }), generated.privatePem, `${alg}: PKCS #8 PEM`)
    const privateJwk = privateKey.export({ format: 'jwk' }) as Jwk
    t.strictSame(generated.privateJwk, { ...privateJwk, kid: `kid-${alg}`, alg, use: 'sig' }, `${alg}: private JWK`)
    const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as Jwk
    t.strictSame(generated.publicKey, { jwk: { ...pub, alg }, alg, thumbprint: thumbprint(pub) }, `${alg}: public`)
    t.strictSame(
      createPrivateKey({ key: generated.privateJwk as JsonWebKey, format: 'jwk' }).export({ format: 'jwk' }),
      privateJwk,
      `${alg}: the JWK and the PEM are the same key`,
    )
  }
  const [a, b] = await Promise.all([generateKeyPair('ES256', 'k'), generateKeyPair('ES256', 'k')])
  t.not(a.publicKey.thumbprint, b.publicKey.thumbprint, 'a new key each time')
})

t.test('storedAlgorithm: the pinned alg, or undefined', async (t) => {
  for (const alg of KEY_PAIR_ALGORITHMS) t.equal(storedAlgorithm({ ...ec, alg }), alg, alg)
  for (const alg of ['Ed25519', 'HS256', 'none', '', 5, null, undefined])
    t.equal(storedAlgorithm({ ...ec, alg }), undefined, `alg ${String(alg)}`)
  t.equal(storedAlgorithm(ec), undefined, 'no alg')
})
