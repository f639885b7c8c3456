// OpenID Connect ID tokens (Core 1.0 §2, §3.1.3.3, §3.1.3.6, §12.2) from the authorization_code grant and its
// refreshes, verified with jose against the JWKS the app serves.
import { createHash } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import * as client from 'openid-client'
import { build, providers } from '../support/helper.ts'
import { listen } from '../support/listen.ts'
import { oidcCode, redeemCode, RP, seedOidc } from '../support/oidc-fixtures.ts'
import { REDIRECT, signInFlow } from '../support/sign-in.ts'
import { SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const ISSUER = 'http://portcullis.test'

async function verifyIdToken(app: FastifyInstance, token: string, now: number) {
  const keys = createLocalJWKSet((await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json())
  return jwtVerify(token, keys, {
    issuer: ISSUER,
    audience: 'rp',
    typ: 'JWT',
    algorithms: ['RS256'],
    currentDate: new Date(now),
  })
}

/** Core §3.1.3.6, computed here independently of the server's code. */
const expectedAtHash = (accessToken: string) =>
  createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url')

for (const provider of providers) {
  t.test(`OpenID Connect ID tokens on ${provider}`, async (t) => {
    let clock = Date.now()
    const { app, store } = await build(t, { provider, now: () => clock })
    const { alice } = await seedOidc(store)

    t.test(
      'with openid granted, the token response carries an ID token: claims exact, verified against the JWKS',
      async (t) => {
        const { code, verifier } = await oidcCode(app, { nonce: 'n-0S6_WzA2Mj' })
        clock += 2000
        const response = await redeemCode(app, code, verifier)
        t.equal(response.statusCode, 200, response.statusCode === 200 ? 'answered' : response.body)
        const tokens = response.json()
        t.equal(
          tokens.scope,
          'openid read',
          'openid is granted though alice does not hold it: it asks who she is, not for authority',
        )
        const [session] = await store.sessions.listActiveByUser(ANY_TENANT, alice.id, new Date(clock))
        const { payload, protectedHeader } = await verifyIdToken(app, tokens.id_token, clock)
        t.same(protectedHeader, { alg: 'RS256', typ: 'JWT', kid: decodeProtectedHeader(tokens.access_token).kid })
        const accessExp = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString()).exp
        t.same(payload, {
          iss: ISSUER,
          sub: alice.id,
          aud: 'rp',
          exp: accessExp,
          iat: Math.floor(clock / 1000),
          auth_time: Math.floor(session!.authTime.getTime() / 1000),
          at_hash: expectedAtHash(tokens.access_token),
          jti: payload.jti,
          nonce: 'n-0S6_WzA2Mj',
          sid: session!.id,
          amr: ['pwd'],
        })
        t.type(payload.jti, 'string')
        t.equal(payload.auth_time, Math.floor((clock - 2000) / 1000), 'auth_time is the login, not the redemption')
        t.notOk('email' in payload || 'name' in payload, 'profile and email claims are the UserInfo endpoint’s')
      },
    )

    t.test('no nonce claim when the authorization request had none', async (t) => {
      const { code, verifier } = await oidcCode(app)
      const { payload } = await verifyIdToken(app, (await redeemCode(app, code, verifier)).json().id_token, clock)
      t.notOk('nonce' in payload)
    })

    t.test('no ID token without openid in the granted scope', async (t) => {
      const { code, verifier } = await oidcCode(app, { scope: 'read' })
      const tokens = (await redeemCode(app, code, verifier)).json()
      t.equal(tokens.scope, 'read')
      t.notOk('id_token' in tokens)
    })

    t.test(
      'a refresh gets a new ID token with the login’s auth_time and sid and no nonce (Core §12.2); none once openid is narrowed away',
      async (t) => {
        const { code, verifier } = await oidcCode(app, { nonce: 'first' })
        const first = (await redeemCode(app, code, verifier)).json()
        const original = (await verifyIdToken(app, first.id_token, clock)).payload
        clock += 60_000
        const refreshed = await tokenRequest(
          app,
          { grant_type: 'refresh_token', refresh_token: first.refresh_token },
          { authorization: RP },
        )
        t.equal(refreshed.statusCode, 200, refreshed.statusCode === 200 ? 'answered' : refreshed.body)
        const tokens = refreshed.json()
        const { payload } = await verifyIdToken(app, tokens.id_token, clock)
        t.same(
          {
            iss: payload.iss,
            sub: payload.sub,
            aud: payload.aud,
            auth_time: payload.auth_time,
            sid: payload.sid,
            amr: payload.amr,
          },
          {
            iss: original.iss,
            sub: original.sub,
            aud: original.aud,
            auth_time: original.auth_time,
            sid: original.sid,
            amr: original.amr,
          },
        )
        t.equal(payload.iat, Math.floor(clock / 1000), 'iat is the refresh')
        t.equal(payload.at_hash, expectedAtHash(tokens.access_token))
        t.notOk('nonce' in payload)
        const narrowed = (
          await tokenRequest(
            app,
            { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'read' },
            { authorization: RP },
          )
        ).json()
        t.equal(narrowed.scope, 'read')
        t.notOk('id_token' in narrowed)
      },
    )

    t.test('an ID token is not an access token: refused as a Bearer credential', async (t) => {
      const { code, verifier } = await oidcCode(app)
      const { id_token: idToken } = (await redeemCode(app, code, verifier)).json()
      for (const url of ['/oauth/userinfo', '/v1/me/access-keys']) {
        const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${idToken}` } })
        t.equal(response.statusCode, 401, url)
        t.equal(response.json().error, 'invalid_token', url)
      }
    })

    t.test('a client not registered for openid cannot have it', async (t) => {
      const { answer } = await oidcCode(app, { client_id: 'web', scope: 'openid read' })
      t.same(answer, {
        error: 'invalid_scope',
        error_description: "this client may not have the scope 'openid'",
        state: 's',
        iss: ISSUER,
      })
    })
  })
}

t.test('the password grant issues no ID token, even with openid', async (t) => {
  const { app, store } = await build(t)
  const { alice } = await seedOidc(store)
  await store.clients.update(ANY_TENANT, 'rp', { grantTypes: ['password'] })
  await store.users.update(ANY_TENANT, alice.id, { scopes: ['openid', 'read'] })
  const response = await tokenRequest(
    app,
    { grant_type: 'password', username: 'alice', password: 'correct horse battery staple', scope: 'openid read' },
    { authorization: RP },
  )
  t.equal(response.statusCode, 200, response.statusCode === 200 ? 'answered' : response.body)
  t.equal(response.json().scope, 'openid read')
  t.notOk('id_token' in response.json(), 'an ID token tells of a sign-in at the authorization endpoint')
})

t.test(
  'openid-client, a certified relying party, through a listening server: discovery, PKCE and nonce, sign-in, code, ID token, UserInfo, refresh',
  async (t) => {
    const { app, store, baseUrl } = await listen(t)
    const { alice } = await seedOidc(store)
    const config = await client.discovery(new URL(baseUrl), 'rp', SECRET, client.ClientSecretBasic(SECRET), {
      execute: [client.allowInsecureRequests],
    })
    t.equal(config.serverMetadata().userinfo_endpoint, `${baseUrl}/oauth/userinfo`)
    const verifier = client.randomPKCECodeVerifier()
    const nonce = client.randomNonce()
    const state = client.randomState()
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    })
    t.equal(url.origin + url.pathname, `${baseUrl}/oauth/authorize`)
    // The browser's part: the login page, over the same app (first-party client: no consent page).
    const flow = signInFlow(app)
    const start = await flow.get(url.pathname + url.search)
    const callback = await flow.login(start.headers.location!)
    t.ok(callback.headers.location!.startsWith(`${REDIRECT}?`))

    const tokens = await client.authorizationCodeGrant(config, new URL(callback.headers.location!), {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    })
    const claims = tokens.claims()!
    t.match(claims, { iss: baseUrl, sub: alice.id, aud: 'rp', nonce, amr: ['pwd'] })
    t.equal(tokens.scope, 'openid profile email')
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
    t.same({ ...info }, { sub: alice.id, name: 'Alice Liddell', email: 'alice@example.com', email_verified: true })

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
    t.match(refreshed.claims(), { sub: alice.id, aud: 'rp', auth_time: claims.auth_time, sid: claims.sid })
  },
)
