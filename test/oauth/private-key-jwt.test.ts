// private_key_jwt client authentication (RFC 7523 §2.2 and §3, OpenID Connect Core §9) at the token,
// revocation and introspection endpoints: a real client library (oauth4webapi) gets a token, and each rule
// refuses the assertion that breaks it with the same invalid_client answer, its reason in the log only.
// The jwks_uri cases: test/oauth/private-key-jwt-uri.test.ts; registration: test/admin/private-key-jwt-clients.test.ts.
import { createHmac } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { base64url, decodeJwt, exportSPKI, importJWK, type CryptoKey } from 'jose'
import * as oauth from 'oauth4webapi'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.ts'
import { createKeyring } from '../../src/keys/keyring.ts'
import { createChangeFeed, createStore, openDatabase } from '../../src/store/index.ts'
import { adminHeaders, client as adminClient } from '../support/admin-fixtures.ts'
import { build, providers, type TestContext } from '../support/helper.ts'
import { listen } from '../support/listen.ts'
import {
  clientKey,
  ISSUER,
  jwksOf,
  memoryLogger,
  REFUSED,
  registerKeyClient,
  signAssertion,
  withAssertion,
  type ClientKey,
} from '../support/private-key-jwt-fixtures.ts'
import { basic, formPost, seed, tokenRequest } from '../support/token-fixtures.ts'

const CC = { grant_type: 'client_credentials', scope: 'read' }

/** A second instance of the service on the same database, with its own connection (another process would). */
async function secondInstance(t: Test, ctx: TestContext): Promise<FastifyInstance> {
  const db = await openDatabase(ctx.databaseUrl, { migrate: false })
  const store = createStore(db)
  const changes = createChangeFeed(db)
  const keyring = await createKeyring({ config: ctx.config, store, masterKey: ctx.masterKey, changes })
  const app = await buildApp({ config: ctx.config, store, keyring, masterKey: ctx.masterKey, logger: false, changes })
  t.teardown(async () => {
    await app.close()
    keyring.close()
    await changes.close()
    await store.close()
  })
  return app
}

t.test('oauth4webapi authenticates with PrivateKeyJwt: client_credentials, introspection, revocation', async (t) => {
  const { store, baseUrl } = await listen(t)
  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    const key = await clientKey(alg)
    const clientId = `signer-${alg.toLowerCase()}`
    await registerKeyClient(store, clientId, { jwks: jwksOf(key) })
    const as = await oauth.processDiscoveryResponse(
      new URL(baseUrl),
      await oauth.discoveryRequest(new URL(baseUrl), { [oauth.allowInsecureRequests]: true }),
    )
    t.ok(as.token_endpoint_auth_methods_supported?.includes('private_key_jwt'), 'discovery lists private_key_jwt')
    t.ok(as.token_endpoint_auth_signing_alg_values_supported?.includes(alg), `and ${alg}`)
    const client: oauth.Client = { client_id: clientId }
    // oauth4webapi names an Ed25519 signature by its fully-specified name (RFC 9864), with no remap here: the
    // key is registered as EdDSA, and the two names are one algorithm.
    const sent: string[] = []
    const auth = oauth.PrivateKeyJwt(
      { key: key.privateKey, kid: key.kid },
      { [oauth.modifyAssertion]: (header) => void sent.push(String(header.alg)) },
    )
    t.ok(as.token_endpoint_auth_signing_alg_values_supported?.includes('Ed25519'), 'discovery lists Ed25519 too')
    const options = { [oauth.allowInsecureRequests]: true }
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams({ scope: 'read' }), options),
    )
    t.equal(tokens.token_type, 'bearer', `${alg}: a token`)
    t.match(decodeJwt(tokens.access_token), { client_id: clientId, sub: clientId, scope: 'read' })
    const introspection = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, tokens.access_token, options),
    )
    t.equal(introspection.active, true, `${alg}: introspection with private_key_jwt`)
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, tokens.access_token, options))
    const after = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, tokens.access_token, options),
    )
    t.equal(after.active, false, `${alg}: revoked with private_key_jwt`)
    t.same(new Set(sent), new Set([alg === 'EdDSA' ? 'Ed25519' : alg]), `${alg}: the assertions' alg as sent`)
  }
})

t.test('the assertion rules (RFC 7523 §3)', async (t) => {
  const { logger, lines } = memoryLogger()
  const ctx = await build(t, { deps: { logger } })
  const { app, store } = ctx
  const key = await clientKey('RS256')
  await registerKeyClient(store, 'signer', { jwks: jwksOf(key) })
  await registerKeyClient(store, 'legacy', { jwks: jwksOf(key), tokenEndpointAudience: true })
  await seed(store)
  const token = async (assertion: string, extra: Record<string, string> = {}) =>
    tokenRequest(app, { ...CC, ...withAssertion(assertion, extra) })
  const refused = async (t: Test, assertion: string, reason: RegExp, extra: Record<string, string> = {}) => {
    const before = lines().length
    const response = await token(assertion, extra)
    t.equal(response.statusCode, 401)
    t.same(response.json(), REFUSED, 'invalid_client, and nothing more')
    const logged = lines()
      .slice(before)
      .find((line) => line.msg === 'client assertion refused')
    t.match(String(logged?.reason), reason, `the log says why: ${String(logged?.reason)}`)
  }

  t.test('a valid assertion gets a token, once', async (t) => {
    const assertion = await signAssertion(key, 'signer')
    const response = await token(assertion)
    t.equal(response.statusCode, 200, response.body)
    t.match(decodeJwt(response.json().access_token), { client_id: 'signer', sub: 'signer' })
    t.equal(
      (await token(await signAssertion(key, 'signer'), { client_id: 'signer' })).statusCode,
      200,
      'client_id may be sent too',
    )
    await refused(t, assertion, /already used/)
  })

  t.test('the audience is the issuer, as one string', async (t) => {
    await refused(t, await signAssertion(key, 'signer', { aud: [ISSUER] }), /aud must be a single string/)
    await refused(t, await signAssertion(key, 'signer', { aud: [ISSUER, 'https://other.example'] }), /single string/)
    await refused(t, await signAssertion(key, 'signer', { aud: `${ISSUER}/oauth/token` }), /aud .* is not accepted/)
    await refused(t, await signAssertion(key, 'signer', { aud: 'https://other.example' }), /aud .* is not accepted/)
    await refused(t, await signAssertion(key, 'signer', { aud: `${ISSUER}/` }), /aud .* is not accepted/)
    t.equal(
      (await token(await signAssertion(key, 'legacy', { aud: `${ISSUER}/oauth/token` }))).statusCode,
      200,
      'the token endpoint URL, for a client registered for it',
    )
    t.equal((await token(await signAssertion(key, 'legacy'))).statusCode, 200, 'and the issuer still')
    await refused(t, await signAssertion(key, 'legacy', { aud: [`${ISSUER}/oauth/token`] }), /single string/)
  })

  t.test('iss and sub are the client', async (t) => {
    await refused(t, await signAssertion(key, 'signer', { iss: 'someone' }), /iss differs from sub/)
    await refused(t, await signAssertion(key, 'signer', { sub: 'legacy' }), /iss differs from sub/)
    await refused(t, await signAssertion(key, 'signer', { sub: undefined }), /has no sub/)
    await refused(t, await signAssertion(key, 'signer'), /client_id differs/, { client_id: 'legacy' })
    await refused(t, await signAssertion(key, 'nobody'), /no such client/)
    await refused(t, await signAssertion(key, 'service'), /not registered for private_key_jwt/)
  })

  t.test('exp is required, not past, and at most five minutes ahead', async (t) => {
    const now = Math.floor(Date.now() / 1000)
    await refused(t, await signAssertion(key, 'signer', { exp: undefined }), /"exp" claim/)
    await refused(t, await signAssertion(key, 'signer', { exp: now - 120, iat: now - 180 }), /ERR_JWT_EXPIRED/)
    await refused(t, await signAssertion(key, 'signer', { exp: now + 3600 }), /more than 300 s ahead/)
    t.equal((await token(await signAssertion(key, 'signer', { exp: now + 290 }))).statusCode, 200, 'under five minutes')
  })

  t.test('jti is required', async (t) => {
    await refused(t, await signAssertion(key, 'signer', { jti: undefined }), /jti is required/)
  })

  t.test('alg none, HS256 signed with the public key and a key of another type are refused', async (t) => {
    const claims = base64url.encode(
      JSON.stringify({ iss: 'signer', sub: 'signer', aud: ISSUER, exp: Math.floor(Date.now() / 1000) + 60, jti: 'n' }),
    )
    const none = base64url.encode(JSON.stringify({ alg: 'none' }))
    await refused(t, `${none}.${claims}.`, /alg "none"/)
    const hs = base64url.encode(JSON.stringify({ alg: 'HS256', kid: key.kid }))
    const pem = await exportSPKI((await importJWK(key.jwk, 'RS256', { extractable: true })) as CryptoKey)
    for (const secret of [pem, JSON.stringify(key.jwk), key.jwk.n!]) {
      const mac = createHmac('sha256', secret).update(`${hs}.${claims}`).digest('base64url')
      await refused(t, `${hs}.${claims}.${mac}`, /alg "HS256"/)
    }
    const ec = await clientKey('ES256', key.kid)
    await refused(t, await signAssertion(ec, 'signer'), /ERR_JWKS_NO_MATCHING_KEY/)
    const other = await clientKey('RS256', key.kid)
    await refused(t, await signAssertion(other, 'signer'), /signature verification failed/)
    await refused(t, 'not-a-jwt', /not a JWT/)
  })

  t.test('other methods: none of them stands in for the assertion', async (t) => {
    const noAuth = await tokenRequest(app, { ...CC, client_id: 'signer' })
    t.same([noAuth.statusCode, noAuth.json()], [401, REFUSED], 'client_id alone')
    const secret = await tokenRequest(app, CC, { authorization: basic('signer', 'guess') })
    t.equal(secret.statusCode, 401, 'a secret')
    const both = await tokenRequest(
      app,
      { ...CC, ...withAssertion(await signAssertion(key, 'signer')) },
      {
        authorization: basic('signer', 'guess'),
      },
    )
    t.same(both.json(), {
      error: 'invalid_request',
      error_description: 'use one client authentication method: a client assertion, HTTP Basic or client_secret',
    })
    const wrongType = await tokenRequest(app, {
      ...CC,
      ...withAssertion(await signAssertion(key, 'signer')),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
    })
    t.same([wrongType.statusCode, wrongType.json()], [401, REFUSED], 'another assertion type')
    const missing = await tokenRequest(app, { ...CC, client_assertion_type: withAssertion('x').client_assertion_type! })
    t.same([missing.statusCode, missing.json()], [401, REFUSED], 'the type without an assertion')
  })

  t.test('revocation and introspection take the same authentication', async (t) => {
    const issued = (await token(await signAssertion(key, 'signer'))).json().access_token as string
    const introspect = async (assertion: string) =>
      formPost(app, '/oauth/introspect', { token: issued, ...withAssertion(assertion) })
    t.same((await introspect(await signAssertion(key, 'signer'))).json().active, true)
    const replayed = await signAssertion(key, 'signer')
    await introspect(replayed)
    t.same((await introspect(replayed)).json(), REFUSED, 'a replay at introspection')
    const wrongAud = await formPost(app, '/oauth/revoke', {
      token: issued,
      ...withAssertion(await signAssertion(key, 'signer', { aud: 'https://other.example' })),
    })
    t.same([wrongAud.statusCode, wrongAud.json()], [401, REFUSED])
    const revoked = await formPost(app, '/oauth/revoke', {
      token: issued,
      ...withAssertion(await signAssertion(key, 'signer')),
    })
    t.equal(revoked.statusCode, 200)
    t.same((await introspect(await signAssertion(key, 'signer'))).json(), { active: false })
  })
})

t.test('key rotation: an unknown kid is refused, then accepted once the JWK Set lists it', async (t) => {
  const ctx = await build(t)
  const admin = adminClient(ctx.app, await adminHeaders(ctx))
  const old = await clientKey('ES256', 'old')
  const next = await clientKey('EdDSA', 'new')
  const created = await admin.post('/admin/v1/clients', {
    name: 'rotating',
    grant_types: ['client_credentials'],
    scopes: ['read'],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: jwksOf(old),
  })
  t.equal(created.statusCode, 201, created.body)
  const { client_id: clientId } = created.json()
  const use = async (key: ClientKey) =>
    (await tokenRequest(ctx.app, { ...CC, ...withAssertion(await signAssertion(key, clientId)) })).statusCode
  t.equal(await use(old), 200)
  t.equal(await use(next), 401, 'a kid the set does not hold')
  t.equal((await admin.patch(`/admin/v1/clients/${clientId}`, { jwks: jwksOf(old, next) })).statusCode, 200)
  t.equal(await use(next), 200, 'the new key, during the overlap')
  t.equal(await use(old), 200, 'the old key, during the overlap')
  t.equal((await admin.patch(`/admin/v1/clients/${clientId}`, { jwks: jwksOf(next) })).statusCode, 200)
  t.equal(await use(old), 401, 'the old key, once removed')
  t.equal(await use(next), 200)
})

for (const provider of providers) {
  t.test(`a jti is accepted once across two instances on one database (${provider})`, async (t) => {
    const ctx = await build(t, { provider })
    const other = await secondInstance(t, ctx)
    const key = await clientKey('ES256')
    await registerKeyClient(ctx.store, 'signer', { jwks: jwksOf(key) })
    for (let round = 0; round < 3; round++) {
      const assertion = await signAssertion(key, 'signer')
      const answers = await Promise.all(
        [ctx.app, other, ctx.app, other].map((app) => tokenRequest(app, { ...CC, ...withAssertion(assertion) })),
      )
      t.same(
        answers.map((answer) => answer.statusCode).sort(),
        [200, 401, 401, 401],
        `round ${round}: one instance accepts it, every other use is refused`,
      )
    }
    const later = await signAssertion(key, 'signer')
    t.equal((await tokenRequest(ctx.app, { ...CC, ...withAssertion(later) })).statusCode, 200)
    t.same((await tokenRequest(other, { ...CC, ...withAssertion(later) })).json(), REFUSED, 'replayed at the other')
  })
}
