// SIGNING_ALGORITHMS: a key lifecycle per algorithm (RS256, PS256, ES256, EdDSA), every key in the JWKS, a
// client's access_token_signing_alg choosing the key its tokens are signed with, and our own verification
// (Bearer, introspection, revocation) accepting every configured algorithm and nothing else.
import t from 'tap'
import { CompactSign, createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWK } from 'jose'
import * as client from 'openid-client'
import { buildApp } from '../../src/app.ts'
import type { SigningAlgorithm } from '../../src/config.ts'
import { createKeyring } from '../../src/keys/keyring.ts'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { createChangeFeed } from '../../src/store/change-feed.ts'
import { adminHeaders, client as adminClient } from '../support/admin-fixtures.ts'
import { build, providers, testConfig, type TestContext } from '../support/helper.ts'
import { listen } from '../support/listen.ts'
import { oidcCode, seedOidc } from '../support/oidc-fixtures.ts'
import { signInFlow, REDIRECT, seedSignIn } from '../support/sign-in.ts'
import { createClock, DAY, fetchJwks } from '../support/signing-keys-fixtures.ts'
import { basic, formPost, PASSWORD, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const ALL: SigningAlgorithm[] = ['RS256', 'PS256', 'ES256', 'EdDSA']
const ALL_ENV = { SIGNING_ALGORITHMS: ALL.join(',') }
const BYE = 'https://app.example/bye'

/** A confidential client for every grant that issues without a browser, registered for `alg` (null: the default). */
async function machineClient(ctx: Pick<TestContext, 'store'>, clientId: string, alg: string | null) {
  await ctx.store.clients.create({
    clientId,
    name: clientId,
    secretHash: sha256(SECRET),
    grantTypes: ['client_credentials', 'password', 'refresh_token'],
    scopes: ['read', 'introspect'],
    accessTokenSigningAlg: alg,
  })
  return basic(clientId, SECRET)
}

async function clientCredentials(ctx: Pick<TestContext, 'app'>, auth: string, scope = 'read') {
  const res = await tokenRequest(ctx.app, { grant_type: 'client_credentials', scope }, { authorization: auth })
  if (res.statusCode !== 200) throw new Error(`token endpoint answered ${res.statusCode}: ${res.body}`)
  return res.json().access_token as string
}

t.test('every configured algorithm: the served JWKS verifies its tokens with jose’s createRemoteJWKSet', async (t) => {
  const ctx = await listen(t, { env: ALL_ENV })
  const jwks = await fetchJwks(ctx.app)
  t.same(
    jwks.keys.map((key) => key.alg).sort(),
    [...ALL].sort(),
    'one active key per algorithm, each published with its alg',
  )
  for (const key of jwks.keys) {
    const members = { RSA: ['e', 'n'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] }[key.kty as 'RSA' | 'EC' | 'OKP']
    t.same(Object.keys(key).sort(), [...members, 'alg', 'kid', 'kty', 'use'].sort(), `${key.alg}: public members only`)
  }
  const remote = createRemoteJWKSet(new URL(`${ctx.baseUrl}/.well-known/jwks.json`))
  const sizes: Record<string, number> = {}
  for (const alg of ALL) {
    const token = await clientCredentials(ctx, await machineClient(ctx, `m-${alg}`, alg))
    const { protectedHeader, payload } = await jwtVerify(token, remote, {
      issuer: ctx.baseUrl,
      typ: 'at+jwt',
      algorithms: [alg],
    })
    t.equal(protectedHeader.alg, alg, `${alg}: signed with the client’s algorithm`)
    t.equal(jwks.keys.find((key) => key.kid === protectedHeader.kid)?.alg, alg, `${alg}: by a key published for it`)
    t.equal(payload.client_id, `m-${alg}`)
    sizes[alg] = token.length
  }
  t.ok(sizes.ES256! < sizes.RS256! && sizes.EdDSA! < sizes.RS256!, `smaller tokens: ${JSON.stringify(sizes)}`)
})

t.test(
  'openid-client verifies the ID token of each algorithm against the JWKS (non-repudiation checks on)',
  async (t) => {
    const ctx = await listen(t, { env: ALL_ENV })
    await seedSignIn(ctx.store)
    for (const alg of ALL) {
      const clientId = `rp-${alg}`
      await ctx.store.clients.create({
        clientId,
        name: clientId,
        secretHash: sha256(SECRET),
        grantTypes: ['authorization_code', 'refresh_token'],
        scopes: ['openid', 'read'],
        redirectUris: [REDIRECT],
        firstParty: true,
        accessTokenSigningAlg: alg,
        idTokenSignedResponseAlg: alg,
      })
      const config = await client.discovery(
        new URL(ctx.baseUrl),
        clientId,
        { id_token_signed_response_alg: alg },
        client.ClientSecretBasic(SECRET),
        { execute: [client.allowInsecureRequests] },
      )
      client.enableNonRepudiationChecks(config)
      t.ok(config.serverMetadata().id_token_signing_alg_values_supported?.includes(alg), `${alg}: in discovery`)
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
      t.equal(decodeProtectedHeader(tokens.id_token!).alg, alg, `${alg}: the ID token`)
      t.equal(decodeProtectedHeader(tokens.access_token).alg, alg, `${alg}: the access token`)
      t.match(tokens.claims(), { aud: clientId, nonce })
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
      t.equal(decodeProtectedHeader(refreshed.id_token!).alg, alg, `${alg}: the refreshed ID token, verified too`)
    }
  },
)

for (const provider of providers) {
  t.test(`clients and algorithms on ${provider}`, async (t) => {
    const ctx = await build(t, { provider, env: { SIGNING_ALGORITHMS: 'RS256,ES256' } })
    const alice = await ctx.store.users.create({
      username: 'alice',
      passwordHash: await hashPassword(PASSWORD, 4),
      scopes: ['read'],
    })

    t.test('a client registered for ES256 never gets an RS256 token, whatever the grant', async (t) => {
      const auth = await machineClient(ctx, 'es', 'ES256')
      const issued: string[] = [await clientCredentials(ctx, auth)]
      const password = await tokenRequest(
        ctx.app,
        { grant_type: 'password', username: alice.username, password: PASSWORD, scope: 'read' },
        { authorization: auth },
      )
      t.equal(password.statusCode, 200, password.body)
      issued.push(password.json().access_token)
      const refreshed = await tokenRequest(
        ctx.app,
        { grant_type: 'refresh_token', refresh_token: password.json().refresh_token },
        { authorization: auth },
      )
      t.equal(refreshed.statusCode, 200, refreshed.body)
      issued.push(refreshed.json().access_token)

      // Token exchange of an access key, and the JWT bearer grant of a key-pair access key (the grants added
      // through the admin API, as an operator would: this instance's client cache is dropped at once).
      const api = adminClient(ctx.app, await adminHeaders(ctx))
      const granted = await api.patch('/admin/v1/clients/es', {
        grant_types: [
          'client_credentials',
          'password',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:token-exchange',
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
        ],
      })
      t.equal(granted.statusCode, 200, granted.body)
      const secretKey = await api.post('/admin/v1/access-keys', { name: 'k', scopes: ['read'], user_id: alice.id })
      t.equal(secretKey.statusCode, 201, secretKey.body)
      const exchanged = await tokenRequest(
        ctx.app,
        {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: secretKey.json().key,
          subject_token_type: 'urn:portcullis:params:oauth:token-type:access_key',
        },
        { authorization: auth },
      )
      t.equal(exchanged.statusCode, 200, exchanged.body)
      issued.push(exchanged.json().access_token)
      const pair = await api.post('/admin/v1/access-keys', { name: 'p', scopes: ['read'], generate_key_pair: true })
      t.equal(pair.statusCode, 201, pair.body)
      const {
        id,
        public_key_alg: keyAlg,
        private_key_jwk: jwk,
      } = pair.json() as {
        id: string
        public_key_alg: string
        private_key_jwk: JWK
      }
      const now = Math.floor(Date.now() / 1000)
      const assertion = await new SignJWT({ iss: id, sub: id, aud: ctx.config.issuer, iat: now, exp: now + 60 })
        .setProtectedHeader({ alg: keyAlg })
        .setJti(`jti-${id}`)
        .sign(await importJWK(jwk, keyAlg))
      const bearer = await tokenRequest(
        ctx.app,
        { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion },
        { authorization: auth },
      )
      t.equal(bearer.statusCode, 200, bearer.body)
      issued.push(bearer.json().access_token)

      t.equal(issued.length, 5, 'client_credentials, password, refresh_token, token exchange, JWT bearer')
      for (const token of issued) t.equal(decodeProtectedHeader(token).alg, 'ES256')
      const esKid = ctx.keyring.signingKey('ES256').kid
      t.ok(
        issued.every((token) => decodeProtectedHeader(token).kid === esKid),
        'every one by the active ES256 key',
      )
    })

    t.test('a client without one gets the first configured algorithm', async (t) => {
      const token = await clientCredentials(ctx, await machineClient(ctx, 'plain', null))
      t.match(decodeProtectedHeader(token), { alg: 'RS256', kid: ctx.keyring.signingKey('RS256').kid })
    })

    t.test('a client registered for an algorithm no longer configured gets no token at all', async (t) => {
      const auth = await machineClient(ctx, 'ps', 'PS256')
      const res = await tokenRequest(ctx.app, { grant_type: 'client_credentials' }, { authorization: auth })
      t.equal(res.statusCode, 400)
      t.same(res.json(), {
        error: 'unauthorized_client',
        error_description:
          "this client's access_token_signing_alg PS256 is not among the server's signing algorithms (RS256, ES256)",
      })
    })

    t.test('the admin API registers access_token_signing_alg, refusing one not configured', async (t) => {
      const admin = await machineClient(ctx, 'admin-tool', null)
      await ctx.store.clients.update(ANY_TENANT, 'admin-tool', { grantTypes: ['client_credentials'] })
      await ctx.db.prisma.client.update({ where: { clientId: 'admin-tool' }, data: { scopes: 'admin' } })
      const bearer = `Bearer ${await clientCredentials(ctx, admin, 'admin')}`
      const created = await ctx.app.inject({
        method: 'POST',
        url: '/admin/v1/clients',
        headers: { authorization: bearer },
        payload: { name: 'Edge', grant_types: ['client_credentials'], access_token_signing_alg: 'ES256' },
      })
      t.equal(created.statusCode, 201, created.body)
      t.equal(created.json().access_token_signing_alg, 'ES256')
      const token = await clientCredentials(ctx, basic(created.json().client_id, created.json().client_secret), '')
      t.equal(decodeProtectedHeader(token).alg, 'ES256')

      const refused = await ctx.app.inject({
        method: 'POST',
        url: '/admin/v1/clients',
        headers: { authorization: bearer },
        payload: { name: 'Edge', grant_types: ['client_credentials'], access_token_signing_alg: 'EdDSA' },
      })
      t.equal(refused.statusCode, 400)
      t.same(refused.json(), {
        error: 'invalid_request',
        error_description:
          "access_token_signing_alg: EdDSA is not one of the server's signing algorithms (SIGNING_ALGORITHMS): RS256, ES256",
        details: [
          {
            field: 'access_token_signing_alg',
            message: "EdDSA is not one of the server's signing algorithms (SIGNING_ALGORITHMS): RS256, ES256",
          },
        ],
      })
      const unknown = await ctx.app.inject({
        method: 'PATCH',
        url: `/admin/v1/clients/${created.json().client_id}`,
        headers: { authorization: bearer },
        payload: { access_token_signing_alg: 'HS256' },
      })
      t.equal(unknown.statusCode, 400, 'an algorithm no key can have is a schema error')
      t.equal(unknown.json().error, 'invalid_request')
      const patched = await ctx.app.inject({
        method: 'PATCH',
        url: `/admin/v1/clients/${created.json().client_id}`,
        headers: { authorization: bearer },
        payload: { access_token_signing_alg: 'RS256' },
      })
      t.equal(patched.statusCode, 200, patched.body)
      const after = await clientCredentials(ctx, basic(created.json().client_id, created.json().client_secret), '')
      t.equal(decodeProtectedHeader(after).alg, 'RS256', 'the change applies to the next token')
    })
  })
}

t.test('our own verification accepts every configured algorithm and nothing else', async (t) => {
  const wide = await build(t, { env: ALL_ENV })
  const auth = await machineClient(wide, 'inspector', null)
  const owners = {} as Record<SigningAlgorithm, string>
  const tokens = {} as Record<SigningAlgorithm, string>
  for (const alg of ALL) {
    owners[alg] = await machineClient(wide, `any-${alg}`, alg)
    tokens[alg] = await clientCredentials(wide, owners[alg])
  }
  const introspect = (ctx: Pick<TestContext, 'app'>, token: string) =>
    formPost(ctx.app, '/oauth/introspect', { token }, { authorization: auth })
  for (const alg of ALL) {
    t.equal(decodeProtectedHeader(tokens[alg]).alg, alg)
    t.equal((await introspect(wide, tokens[alg])).json().active, true, `${alg}: active while configured`)
  }

  // The same store and keys, served by an instance configured for RS256 and ES256 only.
  const config = testConfig({
    DATABASE_URL: wide.databaseUrl,
    KEYS_DIR: wide.config.keysDir,
    SIGNING_ALGORITHMS: 'RS256,ES256',
  })
  const changes = createChangeFeed(wide.db)
  const keyring = await createKeyring({ config, store: wide.store, masterKey: wide.masterKey, autoRefresh: false })
  const narrow = {
    app: await buildApp({ config, store: wide.store, keyring, masterKey: wide.masterKey, logger: false, changes }),
  }
  t.teardown(async () => {
    await narrow.app.close()
    keyring.close()
    await changes.close()
  })
  t.same(
    [...new Set((await fetchJwks(narrow.app)).keys.map((key) => key.alg))].sort(),
    ['ES256', 'RS256'],
    'only the configured algorithms’ keys are published',
  )
  for (const alg of ALL) {
    const configured = alg === 'RS256' || alg === 'ES256'
    t.equal((await introspect(narrow, tokens[alg])).json().active, configured, `introspection: ${alg}`)
    const bearer = await narrow.app.inject({
      url: '/oauth/userinfo',
      headers: { authorization: `Bearer ${tokens[alg]}` },
    })
    t.equal(bearer.statusCode === 401, !configured, `Bearer: ${alg} ${configured ? 'accepted' : 'refused'}`)
  }
  // Revocation of a token it does not accept records nothing; of one it accepts, the token's jti.
  const jti = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string
  await formPost(narrow.app, '/oauth/revoke', { token: tokens.EdDSA }, { authorization: owners.EdDSA })
  t.equal(await wide.store.revokedTokens.isRevoked(jti(tokens.EdDSA)), false, 'an EdDSA token is not revoked by it')
  await formPost(narrow.app, '/oauth/revoke', { token: tokens.ES256 }, { authorization: owners.ES256 })
  t.equal(await wide.store.revokedTokens.isRevoked(jti(tokens.ES256)), true, 'an ES256 token is')

  // An RSA key's token relabelled PS256 ↔ RS256 is not one of ours: a kid names one algorithm.
  const rsa = wide.keyring.signingKey('RS256')
  const [, body] = tokens.RS256.split('.')
  const relabelled = await new CompactSign(Buffer.from(body!, 'base64url'))
    .setProtectedHeader({ alg: 'PS256', typ: 'at+jwt', kid: rsa.kid })
    .sign(rsa.privateKey)
  t.equal((await introspect(wide, relabelled)).json().active, false, 'RS256 key, PS256 header: refused')
})

t.test('each algorithm rotates on its own, on the same schedule', async (t) => {
  const clock = createClock()
  const ctx = await build(t, { now: clock.now, env: { SIGNING_ALGORITHMS: 'ES256,RS256' } })
  const { manager } = ctx.keyring
  const rsa = ctx.keyring.signingKey('RS256').kid
  const ec = ctx.keyring.signingKey('ES256').kid
  t.equal(ctx.keyring.signingKey().kid, ec, 'the first configured algorithm is the default')

  const rotated = await manager.rotate({ alg: 'ES256', immediate: true })
  t.equal(rotated.key.alg, 'ES256')
  t.equal(rotated.previous?.kid, ec)
  t.equal(ctx.keyring.signingKey('ES256').kid, rotated.key.kid, 'ES256 switched')
  t.equal(ctx.keyring.signingKey('RS256').kid, rsa, 'RS256 did not')
  t.same(
    (await manager.list({ alg: 'ES256' })).map((key) => [key.kid, key.state]),
    [
      [rotated.key.kid, 'active'],
      [ec, 'retired'],
    ],
  )
  t.same(
    (await manager.list({ alg: 'RS256' })).map((key) => key.state),
    ['active'],
  )

  const revoked = await manager.revoke(rsa)
  t.equal(revoked.successor?.alg, 'RS256', 'a revoked RS256 key is succeeded by an RS256 key')
  t.equal(ctx.keyring.signingKey('ES256').kid, rotated.key.kid, 'and ES256 is untouched')

  // The schedule: both algorithms' keys are due after SIGNING_KEY_ROTATION_INTERVAL (30 days).
  clock.advance(31 * DAY)
  await ctx.keyring.refresh()
  const pending = (await manager.list()).filter((key) => key.state === 'next')
  t.same(pending.map((key) => key.alg).sort(), ['ES256', 'RS256'], 'each published its next key')
  const generations = (await manager.list()).map((key) => key.generation)
  t.equal(new Set(generations).size, generations.length, 'generations stay unique across algorithms')

  await t.rejects(manager.rotate({ alg: 'EdDSA' }), {
    code: 'not_configured',
    message: 'EdDSA is not in SIGNING_ALGORITHMS (ES256, RS256): no key of it is kept',
  })
})

t.test('the admin API rotates and lists per algorithm', async (t) => {
  const ctx = await build(t, { env: { SIGNING_ALGORITHMS: 'RS256,EdDSA' } })
  const admin = await machineClient(ctx, 'admin-tool', null)
  await ctx.db.prisma.client.update({
    where: { clientId: 'admin-tool' },
    data: { scopes: 'admin', grantTypes: 'client_credentials' },
  })
  const headers = { authorization: `Bearer ${await clientCredentials(ctx, admin, 'admin')}` }
  const rotated = await ctx.app.inject({
    method: 'POST',
    url: '/admin/v1/signing-keys/rotate',
    headers,
    payload: { alg: 'EdDSA', immediate: true },
  })
  t.equal(rotated.statusCode, 200, rotated.body)
  t.match(rotated.json(), { key: { alg: 'EdDSA', state: 'active', modulus_length: 256 }, previous: { alg: 'EdDSA' } })
  const listed = await ctx.app.inject({ url: '/admin/v1/signing-keys?alg=EdDSA', headers })
  t.same(
    listed.json().items.map((key: { alg: string; state: string }) => [key.alg, key.state]),
    [
      ['EdDSA', 'active'],
      ['EdDSA', 'retired'],
    ],
  )
  const refused = await ctx.app.inject({
    method: 'POST',
    url: '/admin/v1/signing-keys/rotate',
    headers,
    payload: { alg: 'ES256' },
  })
  t.equal(refused.statusCode, 400)
  t.same(refused.json(), {
    error: 'invalid_request',
    error_description: 'alg: ES256 is not in SIGNING_ALGORITHMS (RS256, EdDSA): no key of it is kept',
    details: [{ field: 'alg', message: 'ES256 is not in SIGNING_ALGORITHMS (RS256, EdDSA): no key of it is kept' }],
  })
})

t.test('an ID token of each algorithm is recognised as id_token_hint at logout', async (t) => {
  const ctx = await build(t, { env: ALL_ENV })
  await seedOidc(ctx.store)
  for (const alg of ALL) {
    const clientId = `rp-${alg}`
    await ctx.store.clients.create({
      clientId,
      name: clientId,
      secretHash: sha256(SECRET),
      grantTypes: ['authorization_code'],
      scopes: ['openid', 'read'],
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: [BYE],
      firstParty: true,
      idTokenSignedResponseAlg: alg,
    })
    const flow = signInFlow(ctx.app)
    const { code, verifier } = await oidcCode(ctx.app, { client_id: clientId }, flow)
    const tokens = await tokenRequest(
      ctx.app,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      { authorization: basic(clientId, SECRET) },
    )
    const idToken = tokens.json().id_token as string
    t.equal(decodeProtectedHeader(idToken).alg, alg)
    const logout = await flow.get(
      `/oauth/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: alg })}`,
    )
    t.equal(logout.statusCode, 303, `${alg}: signed out at once`)
    t.equal(logout.headers.location, `${BYE}?state=${alg}`)
  }
})
