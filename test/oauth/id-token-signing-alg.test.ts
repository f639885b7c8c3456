// A client's id_token_signed_response_alg (OpenID Connect Registration §2): its ID tokens' algorithm, apart from
// its access tokens'; RS256 when it registered none and RS256 is configured (the OpenID Connect default), else the
// first of SIGNING_ALGORITHMS; refused at registration unless configured; never an ID token in another algorithm.
import t from 'tap'
import { decodeProtectedHeader } from 'jose'
import * as client from 'openid-client'
import { sha256 } from '../../src/security/secrets.ts'
import type { Store } from '../../src/store/index.ts'
import { adminHeaders, client as adminClient } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { listen } from '../support/listen.ts'
import { oidcCode } from '../support/oidc-fixtures.ts'
import { REDIRECT, seedSignIn, signInFlow } from '../support/sign-in.ts'
import { basic, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

/** A first-party relying party for openid, with its algorithms (null: the server's defaults). */
function relyingParty(
  store: Store,
  clientId: string,
  algs: { access?: string | null; idToken?: string | null; grantTypes?: string[] } = {},
) {
  return store.clients.create({
    clientId,
    name: clientId,
    secretHash: sha256(SECRET),
    grantTypes: algs.grantTypes ?? ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'read'],
    redirectUris: [REDIRECT],
    firstParty: true,
    accessTokenSigningAlg: algs.access ?? null,
    idTokenSignedResponseAlg: algs.idToken ?? null,
  })
}

const redeem = (app: Parameters<typeof tokenRequest>[0], clientId: string, code: string, verifier: string) =>
  tokenRequest(
    app,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
    { authorization: basic(clientId, SECRET) },
  )

t.test('openid-client verifies an ES256 ID token beside an RS256 access token, and after a refresh', async (t) => {
  const ctx = await listen(t, { env: { SIGNING_ALGORITHMS: 'RS256,ES256' } })
  await seedSignIn(ctx.store)
  await relyingParty(ctx.store, 'rp-es', { idToken: 'ES256' })
  const config = await client.discovery(
    new URL(ctx.baseUrl),
    'rp-es',
    { id_token_signed_response_alg: 'ES256' },
    client.ClientSecretBasic(SECRET),
    { execute: [client.allowInsecureRequests] },
  )
  client.enableNonRepudiationChecks(config)
  t.same(config.serverMetadata().id_token_signing_alg_values_supported, ['RS256', 'ES256'], 'discovery lists both')
  const verifier = client.randomPKCECodeVerifier()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
  })
  const flow = signInFlow(ctx.app)
  const start = await flow.get(url.pathname + url.search)
  const callback = start.headers.location!.startsWith('/oauth/login')
    ? await flow.login(start.headers.location!)
    : start
  const tokens = await client.authorizationCodeGrant(config, new URL(callback.headers.location!), {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    idTokenExpected: true,
  })
  t.match(decodeProtectedHeader(tokens.id_token!), { alg: 'ES256', kid: ctx.keyring.signingKey('ES256').kid })
  t.equal(decodeProtectedHeader(tokens.access_token).alg, 'RS256', 'the access token keeps the default algorithm')
  t.match(tokens.claims(), { aud: 'rp-es', nonce })
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
  t.equal(decodeProtectedHeader(refreshed.id_token!).alg, 'ES256', 'the refreshed ID token too, verified')

  // An RP that expects RS256 (the OpenID Connect default) refuses the ES256 ID token: the algorithm matters.
  const strict = await client.discovery(
    new URL(ctx.baseUrl),
    'rp-es',
    { id_token_signed_response_alg: 'RS256' },
    client.ClientSecretBasic(SECRET),
    { execute: [client.allowInsecureRequests] },
  )
  const error = await client.refreshTokenGrant(strict, refreshed.refresh_token!).catch((err: unknown) => err)
  t.match(error, { cause: { message: /alg/ } }, String((error as Error).cause))
})

for (const provider of providers) {
  t.test(`defaults and refusals on ${provider}`, async (t) => {
    t.test('no registered algorithm: RS256 when configured, whatever the access tokens use', async (t) => {
      const ctx = await build(t, { provider, env: { SIGNING_ALGORITHMS: 'ES256,RS256' } })
      await seedSignIn(ctx.store)
      await relyingParty(ctx.store, 'plain')
      await relyingParty(ctx.store, 'eddsa-access', { access: 'RS256', idToken: 'ES256' })
      for (const [clientId, idAlg, accessAlg] of [
        ['plain', 'RS256', 'ES256'],
        ['eddsa-access', 'ES256', 'RS256'],
      ] as const) {
        const { code, verifier } = await oidcCode(ctx.app, { client_id: clientId })
        const res = await redeem(ctx.app, clientId, code, verifier)
        t.equal(res.statusCode, 200, res.body)
        t.equal(decodeProtectedHeader(res.json().id_token).alg, idAlg, `${clientId}: ID token ${idAlg}`)
        t.equal(decodeProtectedHeader(res.json().access_token).alg, accessAlg, `${clientId}: access token ${accessAlg}`)
      }
    })

    t.test('no registered algorithm and no RSA key kept: the first configured', async (t) => {
      const ctx = await build(t, { provider, env: { SIGNING_ALGORITHMS: 'EdDSA,ES256' } })
      await seedSignIn(ctx.store)
      await relyingParty(ctx.store, 'plain')
      const { code, verifier } = await oidcCode(ctx.app, { client_id: 'plain' })
      const res = await redeem(ctx.app, 'plain', code, verifier)
      t.equal(res.statusCode, 200, res.body)
      t.equal(decodeProtectedHeader(res.json().id_token).alg, 'EdDSA')
      const metadata = await ctx.app.inject('/.well-known/openid-configuration')
      t.same(metadata.json().id_token_signing_alg_values_supported, ['EdDSA', 'ES256'])
    })

    t.test('an algorithm dropped from SIGNING_ALGORITHMS: no token, and the code is not spent', async (t) => {
      const ctx = await build(t, { provider, env: { SIGNING_ALGORITHMS: 'RS256,ES256' } })
      await seedSignIn(ctx.store)
      await relyingParty(ctx.store, 'stale', { idToken: 'PS256' })
      const { code, verifier } = await oidcCode(ctx.app, { client_id: 'stale' })
      const refused = await redeem(ctx.app, 'stale', code, verifier)
      t.equal(refused.statusCode, 400)
      t.same(refused.json(), {
        error: 'unauthorized_client',
        error_description:
          "this client's id_token_signed_response_alg PS256 is not among the server's signing algorithms (RS256, ES256)",
      })
      const api = adminClient(ctx.app, await adminHeaders(ctx))
      const fixed = await api.patch('/admin/v1/clients/stale', { id_token_signed_response_alg: 'ES256' })
      t.equal(fixed.statusCode, 200, fixed.body)
      const redeemed = await redeem(ctx.app, 'stale', code, verifier)
      t.equal(redeemed.statusCode, 200, redeemed.body)
      t.equal(decodeProtectedHeader(redeemed.json().id_token).alg, 'ES256')
    })

    t.test('the admin API registers it, refuses one not configured, and returns to the default on null', async (t) => {
      const ctx = await build(t, { provider, env: { SIGNING_ALGORITHMS: 'RS256,ES256' } })
      const api = adminClient(ctx.app, await adminHeaders(ctx))
      const body = {
        name: 'RP',
        grant_types: ['authorization_code'],
        scopes: ['openid'],
        redirect_uris: [REDIRECT],
      }
      const created = await api.post('/admin/v1/clients', { ...body, id_token_signed_response_alg: 'ES256' })
      t.equal(created.statusCode, 201, created.body)
      t.match(created.json(), { id_token_signed_response_alg: 'ES256', access_token_signing_alg: null })
      const id = created.json().client_id as string
      t.equal((await ctx.store.clients.findById(ANY_TENANT, id))?.idTokenSignedResponseAlg, 'ES256')
      t.equal((await api.get(`/admin/v1/clients/${id}`)).json().id_token_signed_response_alg, 'ES256')

      const refused = await api.post('/admin/v1/clients', { ...body, id_token_signed_response_alg: 'EdDSA' })
      t.equal(refused.statusCode, 400)
      t.same(refused.json().details, [
        {
          field: 'id_token_signed_response_alg',
          message: "EdDSA is not one of the server's signing algorithms (SIGNING_ALGORITHMS): RS256, ES256",
        },
      ])
      const unknown = await api.patch(`/admin/v1/clients/${id}`, { id_token_signed_response_alg: 'none' })
      t.equal(unknown.statusCode, 400, 'an algorithm no key can have (none included) is a schema error')
      t.equal(unknown.json().error, 'invalid_request')
      const notConfigured = await api.patch(`/admin/v1/clients/${id}`, { id_token_signed_response_alg: 'PS256' })
      t.equal(notConfigured.statusCode, 400)
      t.equal(notConfigured.json().details[0].field, 'id_token_signed_response_alg')

      const reset = await api.patch(`/admin/v1/clients/${id}`, {
        id_token_signed_response_alg: null,
        access_token_signing_alg: 'ES256',
      })
      t.equal(reset.statusCode, 200, reset.body)
      t.match(reset.json(), { id_token_signed_response_alg: null, access_token_signing_alg: 'ES256' })
      const stored = await ctx.store.clients.findById(ANY_TENANT, id)
      t.match(stored, { idTokenSignedResponseAlg: null, accessTokenSigningAlg: 'ES256' })
      const back = await api.patch(`/admin/v1/clients/${id}`, { access_token_signing_alg: null })
      t.equal(back.json().access_token_signing_alg, null, 'access_token_signing_alg returns to the default too')

      const audit = await ctx.store.audit.list(ANY_TENANT, { limit: 20 })
      t.ok(
        audit.items.some(
          (event) =>
            event.type === 'client.created' &&
            (event.details as Record<string, unknown>).id_token_signed_response_alg === 'ES256',
        ),
        'the registration is audited with its algorithm',
      )
    })
  })
}
