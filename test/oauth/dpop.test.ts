// DPoP (RFC 9449) as a real client uses it: openid-client's getDPoPHandle at the token endpoint (§5), its
// retry on a nonce challenge (§8), a public client's bound refresh tokens (§5), the DPoP scheme at the admin
// API and UserInfo (§7), clients registered with dpop_bound_access_tokens (§5.2) and codes bound by dpop_jkt (§10).
import t, { type Test } from 'tap'
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose'
import * as client from 'openid-client'
import { build } from '../support/helper.ts'
import { listen } from '../support/listen.ts'
import { ath, dpopKey, proof } from '../support/dpop-fixtures.ts'
import { oidcCode, RP, seedOidc } from '../support/oidc-fixtures.ts'
import { REDIRECT } from '../support/sign-in.ts'
import { PASSWORD, seed, tokenRequest } from '../support/token-fixtures.ts'

const thumbprint = async (keyPair: client.CryptoKeyPair) => calculateJwkThumbprint(await exportJWK(keyPair.publicKey))

/** The token requests a configuration sends, with the status and error of each answer. */
function recordTokenRequests(config: client.Configuration) {
  const seen: { status: number; error?: string; nonce: string | null; dpop: boolean }[] = []
  config[client.customFetch] = async (url, options) => {
    const response = await fetch(url, options as RequestInit)
    if (new URL(url).pathname === '/oauth/token') {
      const body = (response.status === 200 ? {} : await response.clone().json()) as { error?: string }
      seen.push({
        status: response.status,
        ...(body.error ? { error: body.error } : {}),
        nonce: response.headers.get('dpop-nonce'),
        dpop: new Headers(options.headers as Record<string, string>).has('dpop'),
      })
    }
    return response
  }
  return seen
}

async function refusal(promise: Promise<unknown>): Promise<{ error?: string; status?: number }> {
  try {
    await promise
  } catch (err) {
    const { error, status } = err as { error?: string; status?: number }
    return { error, status }
  }
  throw new Error('the request was not refused')
}

t.test('openid-client with a DPoP handle', async (t) => {
  const { baseUrl, store } = await listen(t)
  const { service, alice } = await seed(store)
  const confidential = await client.discovery(
    new URL(baseUrl),
    service.clientId,
    service.secret,
    client.ClientSecretBasic(service.secret),
    { execute: [client.allowInsecureRequests] },
  )
  const spa = await client.discovery(new URL(baseUrl), 'spa', undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  })

  t.test('discovery lists the DPoP algorithms', async (t) => {
    t.same(confidential.serverMetadata().dpop_signing_alg_values_supported, [
      'RS256',
      'PS256',
      'ES256',
      'EdDSA',
      'Ed25519',
    ])
  })

  t.test('client_credentials gets token_type DPoP, bound to the handle key (cnf.jkt)', async (t) => {
    const keyPair = await client.randomDPoPKeyPair('ES256')
    const DPoP = client.getDPoPHandle(confidential, keyPair)
    const tokens = await client.clientCredentialsGrant(confidential, { scope: 'admin' }, { DPoP })
    t.equal(tokens.token_type, 'dpop', 'openid-client lower-cases the token type it was given')
    t.same(decodeJwt(tokens.access_token).cnf, { jkt: await thumbprint(keyPair) })

    const admin = await client.fetchProtectedResource(
      confidential,
      tokens.access_token,
      new URL(`${baseUrl}/admin/v1/clients`),
      'GET',
      undefined,
      undefined,
      { DPoP },
    )
    t.equal(admin.status, 200, 'the admin API accepts the token with the DPoP scheme and a proof')

    const asBearer = await client
      .fetchProtectedResource(confidential, tokens.access_token, new URL(`${baseUrl}/admin/v1/clients`), 'GET')
      .then(
        () => undefined,
        (err: { status?: number; cause?: unknown }) => err,
      )
    t.equal(asBearer?.status, 401, 'the same token sent as Bearer is refused, with the DPoP challenge')
    t.same(asBearer?.cause, [
      {
        scheme: 'dpop',
        parameters: {
          algs: 'RS256 PS256 ES256 EdDSA Ed25519',
          error: 'invalid_token',
          error_description: 'a DPoP-bound access token must be sent with the DPoP scheme and a proof',
        },
      },
    ])

    const introspected = await client.tokenIntrospection(confidential, tokens.access_token)
    t.equal(introspected.token_type, 'DPoP')
    t.same(introspected.cnf, { jkt: await thumbprint(keyPair) })
  })

  t.test(
    "a public client's refresh token is bound to its key: refreshed with it, refused with another or none",
    async (t) => {
      const keyPair = await client.randomDPoPKeyPair('EdDSA')
      const DPoP = client.getDPoPHandle(spa, keyPair)
      const login = await client.genericGrantRequest(
        spa,
        'password',
        { username: alice.username, password: PASSWORD, scope: 'read' },
        { DPoP },
      )
      t.equal(login.token_type, 'dpop')
      const refreshToken = login.refresh_token!

      const otherKey = client.getDPoPHandle(spa, await client.randomDPoPKeyPair('ES256'))
      t.same(await refusal(client.refreshTokenGrant(spa, refreshToken, {}, { DPoP: otherKey })), {
        error: 'invalid_grant',
        status: 400,
      })
      t.same(await refusal(client.refreshTokenGrant(spa, refreshToken)), { error: 'invalid_grant', status: 400 })

      const refreshed = await client.refreshTokenGrant(spa, refreshToken, {}, { DPoP })
      t.equal(refreshed.token_type, 'dpop', 'the refused attempts did not spend the refresh token')
      t.same(decodeJwt(refreshed.access_token).cnf, { jkt: await thumbprint(keyPair) })
      const again = await client.refreshTokenGrant(spa, refreshed.refresh_token!, {}, { DPoP })
      t.equal(again.token_type, 'dpop', 'the successor is bound too')
      t.same(await refusal(client.refreshTokenGrant(spa, again.refresh_token!, {}, { DPoP: otherKey })), {
        error: 'invalid_grant',
        status: 400,
      })
    },
  )

  t.test("a confidential client's refresh token is bound by its authentication, not by the key", async (t) => {
    const DPoP = client.getDPoPHandle(confidential, await client.randomDPoPKeyPair('ES256'))
    const login = await client.genericGrantRequest(
      confidential,
      'password',
      { username: alice.username, password: PASSWORD, scope: 'read' },
      { DPoP },
    )
    const refreshed = await client.refreshTokenGrant(confidential, login.refresh_token!)
    t.equal(refreshed.token_type, 'bearer', 'refreshed without a proof: a Bearer token')
  })
})

t.test('openid-client retries a nonce challenge by itself (DPOP_NONCES=true)', async (t) => {
  const { baseUrl, store } = await listen(t, { env: { DPOP_NONCES: 'true' } })
  const { service } = await seed(store)
  const config = await client.discovery(
    new URL(baseUrl),
    service.clientId,
    service.secret,
    client.ClientSecretBasic(service.secret),
    { execute: [client.allowInsecureRequests] },
  )
  const seen = recordTokenRequests(config)
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'))
  const tokens = await client.clientCredentialsGrant(config, { scope: 'admin' }, { DPoP })
  t.equal(tokens.token_type, 'dpop')
  t.equal(seen.length, 2, 'two token requests: the challenge, then the retry')
  t.match(seen[0], { status: 400, error: 'use_dpop_nonce', dpop: true })
  t.type(seen[0]!.nonce, 'string', 'the challenge carries DPoP-Nonce')
  t.match(seen[1], { status: 200, dpop: true })
  // The same one, unless a window began between the two requests: both are accepted for the next window.
  t.type(seen[1]!.nonce, 'string', 'the success names the nonce to use next')

  const second = await client.clientCredentialsGrant(config, { scope: 'admin' }, { DPoP })
  t.equal(second.token_type, 'dpop')
  t.equal(seen.length, 3, 'the next request carries the remembered nonce: no challenge')

  const admin = await client.fetchProtectedResource(
    config,
    tokens.access_token,
    new URL(`${baseUrl}/admin/v1/clients`),
    'GET',
    undefined,
    undefined,
    { DPoP },
  )
  t.equal(admin.status, 200, 'the admin API takes the same nonce')
})

t.test('nonces: missing, forged or expired ones are challenged; another instance accepts them', async (t) => {
  let clock = Date.now()
  const first = await build(t, { env: { DPOP_NONCES: 'true' }, now: () => clock })
  const { service } = await seed(first.store)
  const key = await dpopKey()
  const htu = 'http://portcullis.test/oauth/token'
  const request = async (nonce: string | undefined, app = first.app) =>
    tokenRequest(
      app,
      { grant_type: 'client_credentials' },
      { authorization: service.auth, dpop: await proof(key, { htu, now: clock, claims: { nonce } }) },
    )
  const challenged = async (t: Test, nonce: string | undefined) => {
    const response = await request(nonce)
    t.equal(response.statusCode, 400)
    t.same(response.json(), {
      error: 'use_dpop_nonce',
      error_description: 'the DPoP proof must carry the nonce of the DPoP-Nonce header',
    })
    return response.headers['dpop-nonce'] as string
  }

  const nonce = await challenged(t, undefined)
  t.match(nonce, /^[\w-]{32}$/)
  t.equal((await request(nonce)).statusCode, 200)
  await challenged(t, `${nonce.slice(0, -2)}AA`)
  await challenged(t, 'not-a-nonce')

  // Another instance with the same master key (the same deployment) accepts it: nothing is shared but the key.
  const second = await build(t, {
    env: { DPOP_NONCES: 'true' },
    now: () => clock,
    deps: { masterKey: first.masterKey },
  })
  await seed(second.store)
  t.equal((await request(nonce, second.app)).statusCode, 200, 'accepted by another instance')
  const stranger = await build(t, { env: { DPOP_NONCES: 'true' }, now: () => clock })
  await seed(stranger.store)
  t.equal((await request(nonce, stranger.app)).statusCode, 400, 'not by a server with another master key')

  clock += 5 * 60_000
  t.equal((await request(nonce)).statusCode, 200, 'still accepted in the next window')
  clock += 5 * 60_000
  await challenged(t, nonce)
})

t.test('dpop_bound_access_tokens: the client must send a proof', async (t) => {
  const { app, store } = await build(t)
  const { service } = await seed(store)
  const registered = await app.inject({
    method: 'POST',
    url: '/admin/v1/clients',
    headers: {
      authorization: `Bearer ${(await tokenRequest(app, { grant_type: 'client_credentials', scope: 'admin' }, { authorization: service.auth })).json().access_token}`,
    },
    payload: { name: 'Bound', grant_types: ['client_credentials'], dpop_bound_access_tokens: true },
  })
  t.equal(registered.statusCode, 201, registered.body)
  t.equal(registered.json().dpop_bound_access_tokens, true)
  const { client_id, client_secret } = registered.json()
  const auth = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`
  const without = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: auth })
  t.equal(without.statusCode, 400)
  t.same(without.json(), {
    error: 'invalid_dpop_proof',
    error_description: 'this client must send a DPoP proof: its access tokens are DPoP-bound',
  })
  const key = await dpopKey()
  const withProof = await tokenRequest(
    app,
    { grant_type: 'client_credentials' },
    { authorization: auth, dpop: await proof(key, { htu: 'http://portcullis.test/oauth/token' }) },
  )
  t.equal(withProof.json().token_type, 'DPoP')
})

t.test('dpop_jkt binds the authorization code to a key (RFC 9449 section 10)', async (t) => {
  const { app, store } = await build(t)
  await seedOidc(store)
  const key = await dpopKey()
  const other = await dpopKey()
  const htu = 'http://portcullis.test/oauth/token'
  const redeem = async (code: string, verifier: string, dpop?: string) =>
    tokenRequest(
      app,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      { authorization: RP, ...(dpop ? { dpop } : {}) },
    )

  const { code, verifier } = await oidcCode(app, { dpop_jkt: key.jkt })
  const none = await redeem(code, verifier)
  t.same(none.json(), {
    error: 'invalid_grant',
    error_description: 'the authorization code is bound to a DPoP key (dpop_jkt): send a DPoP proof made with it',
  })
  const wrong = await redeem(code, verifier, await proof(other, { htu }))
  t.same(wrong.json(), {
    error: 'invalid_grant',
    error_description: 'the DPoP proof was made with another key than the dpop_jkt of the authorization request',
  })
  const right = await redeem(code, verifier, await proof(key, { htu }))
  t.equal(right.statusCode, 200, 'the refused attempts did not spend the code')
  t.equal(right.json().token_type, 'DPoP')
  t.same(decodeJwt(right.json().access_token).cnf, { jkt: key.jkt })

  const userinfo = await app.inject({
    method: 'GET',
    url: '/oauth/userinfo',
    headers: {
      authorization: `DPoP ${right.json().access_token}`,
      dpop: await proof(key, {
        htm: 'GET',
        htu: 'http://portcullis.test/oauth/userinfo',
        claims: { ath: ath(right.json().access_token) },
      }),
    },
  })
  t.equal(userinfo.statusCode, 200, 'UserInfo takes the DPoP scheme')

  const { answer } = await oidcCode(app, { dpop_jkt: 'too-short' })
  t.same(
    { error: answer.error, error_description: answer.error_description },
    {
      error: 'invalid_request',
      error_description: 'dpop_jkt must be the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP key',
    },
  )
})
