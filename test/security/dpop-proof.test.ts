// RFC 9449 §4.3: each check a DPoP proof must pass, broken one at a time, at the token endpoint (400
// invalid_dpop_proof) and at a protected resource (401 with the DPoP challenge, §7.1); the proofs that pass,
// with each allowed algorithm and each normalization of htu that RFC 3986 §6.2.2 and §6.2.3 allow.
import { createHmac, randomUUID } from 'node:crypto'
import t, { type Test as Tap } from 'tap'
import { decodeJwt, exportJWK, generateKeyPair } from 'jose'
import { build } from '../support/helper.ts'
import { ath, dpopKey, proof, type DpopKey } from '../support/dpop-fixtures.ts'
import { seed, tokenRequest } from '../support/token-fixtures.ts'

const ISSUER = 'http://portcullis.test'
const TOKEN_URL = `${ISSUER}/oauth/token`
const ALGS = 'DPoP algs="RS256 PS256 ES256 EdDSA Ed25519"'

t.test('DPoP proofs at the token endpoint and the admin API', async (t) => {
  let clock = Date.now()
  const { app, store } = await build(t, { now: () => clock })
  const { service } = await seed(store)
  const key = await dpopKey('ES256')

  const tokenWith = (dpop: string | string[] | undefined) =>
    tokenRequest(
      app,
      { grant_type: 'client_credentials', scope: 'admin' },
      { authorization: service.auth, ...(dpop === undefined ? {} : { dpop: dpop as string }) },
    )
  const refusedAtToken = async (t: Tap, dpop: string | string[], description: string) => {
    const response = await tokenWith(dpop)
    t.equal(response.statusCode, 400)
    t.same(response.json(), { error: 'invalid_dpop_proof', error_description: description })
  }
  const at = (overrides: Parameters<typeof proof>[1] extends infer O ? Partial<O> : never = {}, k: DpopKey = key) =>
    proof(k, { htu: TOKEN_URL, now: clock, ...overrides })

  t.test('a valid proof of each allowed algorithm gets a DPoP token bound to its key', async (t) => {
    for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519']) {
      const own = await dpopKey(alg)
      const response = await tokenWith(await at({}, own))
      t.equal(response.statusCode, 200, alg)
      t.equal(response.json().token_type, 'DPoP', alg)
      t.same(decodeJwt(response.json().access_token).cnf, { jkt: own.jkt }, `${alg}: cnf.jkt is the key's thumbprint`)
    }
  })

  t.test('without a proof the token is a Bearer token without cnf', async (t) => {
    const response = await tokenWith(undefined)
    t.equal(response.json().token_type, 'Bearer')
    t.notOk('cnf' in decodeJwt(response.json().access_token))
  })

  t.test('check 1: exactly one DPoP header', async (t) => {
    await refusedAtToken(t, [await at(), await at()], 'send one DPoP header')
  })

  t.test('check 2: the header is a JWT', async (t) => {
    await refusedAtToken(t, 'not-a-jwt', 'the DPoP header must be one JWT')
    await refusedAtToken(t, 'a.b.c', 'the DPoP proof is not a JWT')
  })

  t.test('check 4: typ is dpop+jwt', async (t) => {
    await refusedAtToken(t, await at({ header: { typ: 'JWT' } }), 'the DPoP proof must have typ dpop+jwt')
    await refusedAtToken(t, await at({ header: { typ: undefined } }), 'the DPoP proof must have typ dpop+jwt')
  })

  t.test('check 5: an asymmetric allowlisted alg: none, HS256 and RS512 are refused', async (t) => {
    const unsigned = `${(await at({ header: { alg: 'none' } })).split('.').slice(0, 2).join('.')}.`
    await refusedAtToken(t, unsigned, 'the DPoP header must be one JWT')
    const withEmptySignature = `${unsigned}AA`
    await refusedAtToken(
      t,
      withEmptySignature,
      'the DPoP proof must be signed with one of RS256, PS256, ES256, EdDSA, Ed25519',
    )
    // HS256 with a symmetric key carried in the header: anyone could make it.
    const secret = Buffer.from('a-shared-secret-anyone-can-read-in-the-header')
    const hsHeader = Buffer.from(
      JSON.stringify({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: secret.toString('base64url') } }),
    ).toString('base64url')
    const hsClaims = Buffer.from(
      JSON.stringify({ jti: randomUUID(), htm: 'POST', htu: TOKEN_URL, iat: Math.floor(clock / 1000) }),
    ).toString('base64url')
    const hsMac = createHmac('sha256', secret).update(`${hsHeader}.${hsClaims}`).digest('base64url')
    await refusedAtToken(
      t,
      `${hsHeader}.${hsClaims}.${hsMac}`,
      'the DPoP proof must be signed with one of RS256, PS256, ES256, EdDSA, Ed25519',
    )
    const rsa = await dpopKey('RS256')
    await refusedAtToken(
      t,
      await at({ header: { alg: 'RS512' } }, rsa),
      'the DPoP proof must be signed with one of RS256, PS256, ES256, EdDSA, Ed25519',
    )
  })

  t.test('check 5: an alg that does not fit the key is refused', async (t) => {
    await refusedAtToken(
      t,
      await at({ header: { alg: 'RS256' } }),
      'the DPoP proof signature does not verify with its jwk',
    )
  })

  t.test('check 6: the jwk is a public key, present', async (t) => {
    await refusedAtToken(
      t,
      await at({ header: { jwk: undefined } }),
      'the DPoP proof must carry its public key in the jwk header',
    )
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const privateJwk = await exportJWK(privateKey)
    const withPrivate = { ...key, publicJwk: privateJwk }
    await refusedAtToken(t, await at({}, withPrivate), 'the jwk of the DPoP proof must be a public key')
  })

  t.test('check 6: the signature is made with the jwk of the header', async (t) => {
    const other = await dpopKey('ES256')
    await refusedAtToken(t, await at({ signWith: other }), 'the DPoP proof signature does not verify with its jwk')
  })

  t.test('check 7: jti, htm, htu and iat are required', async (t) => {
    await refusedAtToken(
      t,
      await at({ claims: { jti: undefined } }),
      'the DPoP proof needs a jti (at most 256 characters)',
    )
    await refusedAtToken(
      t,
      await at({ claims: { jti: 'x'.repeat(257) } }),
      'the DPoP proof needs a jti (at most 256 characters)',
    )
    await refusedAtToken(t, await at({ claims: { htm: undefined } }), 'the DPoP proof needs htm')
    await refusedAtToken(t, await at({ claims: { htu: undefined } }), 'the DPoP proof needs htu')
    await refusedAtToken(t, await at({ claims: { iat: undefined } }), 'the DPoP proof needs iat')
    await refusedAtToken(t, await at({ claims: { iat: '1700000000' } }), 'the DPoP proof needs iat')
  })

  t.test('check 8: htm is the request method', async (t) => {
    await refusedAtToken(t, await at({ htm: 'GET' }), "the DPoP proof's htm must be POST")
    await refusedAtToken(t, await at({ htm: 'post' }), "the DPoP proof's htm must be POST")
  })

  t.test('check 9: htu is the request URI: scheme, host and path', async (t) => {
    const wrong = `the DPoP proof's htu must be ${TOKEN_URL}`
    await refusedAtToken(t, await at({ htu: `${ISSUER}/oauth/revoke` }), wrong)
    await refusedAtToken(t, await at({ htu: 'http://other.test/oauth/token' }), wrong)
    await refusedAtToken(t, await at({ htu: 'https://portcullis.test/oauth/token' }), wrong)
    await refusedAtToken(t, await at({ htu: 'http://portcullis.test:8080/oauth/token' }), wrong)
    await refusedAtToken(t, await at({ htu: `${ISSUER}/oauth/token/` }), wrong)
    await refusedAtToken(t, await at({ htu: '/oauth/token' }), wrong)
    await refusedAtToken(t, await at({ htu: 'http://user@portcullis.test/oauth/token' }), wrong)
  })

  t.test('check 9: htu compared after RFC 3986 normalization, its query and fragment ignored', async (t) => {
    for (const htu of [
      `${TOKEN_URL}?a=b`,
      `${TOKEN_URL}#part`,
      'HTTP://Portcullis.TEST/oauth/token',
      'http://portcullis.test:80/oauth/token',
      'http://portcullis.test/oauth/%74oken',
      'http://portcullis.test/oauth/./token',
    ]) {
      const response = await tokenWith(await at({ htu }))
      t.equal(response.statusCode, 200, `${htu}: ${response.body}`)
    }
  })

  t.test('check 11: iat within DPOP_PROOF_MAX_AGE (60 s) and CLOCK_SKEW (60 s)', async (t) => {
    const seconds = Math.floor(clock / 1000)
    await refusedAtToken(t, await at({ claims: { iat: seconds - 121 } }), 'the DPoP proof is too old (iat)')
    await refusedAtToken(
      t,
      await at({ claims: { iat: seconds + 61 } }),
      'the DPoP proof was issued in the future (iat)',
    )
    t.equal((await tokenWith(await at({ claims: { iat: seconds - 119 } }))).statusCode, 200, 'old, within the window')
    t.equal((await tokenWith(await at({ claims: { iat: seconds + 59 } }))).statusCode, 200, 'ahead, within the skew')
  })

  t.test('the jti is single use: a replayed proof is refused', async (t) => {
    const once = await at()
    t.equal((await tokenWith(once)).statusCode, 200)
    await refusedAtToken(t, once, 'the DPoP proof has been used before (jti)')
  })

  t.test('a refused proof spends nothing: the same client gets a token with a good one next', async (t) => {
    await refusedAtToken(t, await at({ htm: 'GET' }), "the DPoP proof's htm must be POST")
    t.equal((await tokenWith(await at())).statusCode, 200)
  })

  t.test('at a protected resource', async (t) => {
    const issued = await tokenWith(await at())
    const token = issued.json().access_token as string
    const url = '/admin/v1/clients?limit=5'
    const htu = `${ISSUER}/admin/v1/clients`
    const get = (headers: Record<string, string>) => app.inject({ method: 'GET', url, headers })
    const refused = async (t: Tap, headers: Record<string, string>, error: string, description: string) => {
      const response = await get(headers)
      t.equal(response.statusCode, 401)
      t.same(response.json(), { error, error_description: description })
      t.equal(
        response.headers['www-authenticate'],
        `${ALGS}, error="${error}", error_description="${description.replace(/"/g, "'")}"`,
      )
    }

    t.test('the DPoP scheme with a proof for this request and token is accepted', async (t) => {
      const response = await get({
        authorization: `DPoP ${token}`,
        dpop: await proof(key, { htm: 'GET', htu, now: clock, claims: { ath: ath(token) } }),
      })
      t.equal(response.statusCode, 200, response.body)
    })

    t.test('check 12: ath is required and is the hash of the presented token', async (t) => {
      await refused(
        t,
        { authorization: `DPoP ${token}`, dpop: await proof(key, { htm: 'GET', htu, now: clock }) },
        'invalid_dpop_proof',
        'the DPoP proof needs ath, the hash of the access token',
      )
      await refused(
        t,
        {
          authorization: `DPoP ${token}`,
          dpop: await proof(key, { htm: 'GET', htu, now: clock, claims: { ath: ath(`${token}x`) } }),
        },
        'invalid_dpop_proof',
        "the DPoP proof's ath does not match the access token",
      )
    })

    t.test('check 8 and 9 against this request: htm GET and this URI', async (t) => {
      await refused(
        t,
        {
          authorization: `DPoP ${token}`,
          dpop: await proof(key, { htm: 'POST', htu, now: clock, claims: { ath: ath(token) } }),
        },
        'invalid_dpop_proof',
        "the DPoP proof's htm must be GET",
      )
      await refused(
        t,
        {
          authorization: `DPoP ${token}`,
          dpop: await proof(key, { htm: 'GET', htu: TOKEN_URL, now: clock, claims: { ath: ath(token) } }),
        },
        'invalid_dpop_proof',
        `the DPoP proof's htu must be ${htu}`,
      )
    })

    t.test('the DPoP scheme without a proof is refused', async (t) => {
      await refused(
        t,
        { authorization: `DPoP ${token}` },
        'invalid_dpop_proof',
        'a DPoP proof (the DPoP header) is required with the DPoP scheme',
      )
    })

    t.test('a proof made with another key than the bound one is refused', async (t) => {
      const other = await dpopKey('ES256')
      await refused(
        t,
        {
          authorization: `DPoP ${token}`,
          dpop: await proof(other, { htm: 'GET', htu, now: clock, claims: { ath: ath(token) } }),
        },
        'invalid_token',
        'the access token is not bound to the key of the DPoP proof',
      )
    })

    t.test('the bound token presented as Bearer is refused, with the DPoP challenge', async (t) => {
      await refused(
        t,
        { authorization: `Bearer ${token}` },
        'invalid_token',
        'a DPoP-bound access token must be sent with the DPoP scheme and a proof',
      )
    })

    t.test('an unbound Bearer token with the DPoP scheme is refused', async (t) => {
      const bearer = (await tokenWith(undefined)).json().access_token as string
      await refused(
        t,
        {
          authorization: `DPoP ${bearer}`,
          dpop: await proof(key, { htm: 'GET', htu, now: clock, claims: { ath: ath(bearer) } }),
        },
        'invalid_token',
        'the access token is not bound to the key of the DPoP proof',
      )
      t.equal((await get({ authorization: `Bearer ${bearer}` })).statusCode, 200, 'as Bearer it is fine')
    })

    t.test('without any credential both schemes are offered', async (t) => {
      const response = await get({})
      t.equal(response.statusCode, 401)
      t.equal(response.headers['www-authenticate'], `Bearer realm="portcullis", ${ALGS}`)
    })

    t.test('introspection shows the binding', async (t) => {
      const response = await app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        headers: { authorization: service.auth, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token }).toString(),
      })
      t.equal(response.json().token_type, 'DPoP')
      t.same(response.json().cnf, { jkt: key.jkt })
    })
  })

  t.test('moving on: a proof is judged by the time the request arrived', async (t) => {
    const made = await at()
    clock += 125_000
    await refusedAtToken(t, made, 'the DPoP proof is too old (iat)')
  })
})
