// Forged and invalid access tokens against every verifier of ours: introspection (RFC 7662: {"active": false},
// and a forged token as the caller's own credential is refused), the admin API and /v1/me (RFC 6750 §3.1:
// 401 with WWW-Authenticate error="invalid_token"). The forgeries are in test/support/forged-token-fixtures.ts: alg
// none, HS256 keyed with our public key (PEM, JWK JSON, modulus bytes), another issuer signed by our own key, a
// foreign key claiming our kid, unknown kid, expired or not yet valid beyond the clock skew, typ other than
// at+jwt (RFC 9068 §2.1), truncated or re-assembled segments. The same claims, signed by us, are accepted:
// each forgery fails for its forgery alone.
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { sha256 } from '../../src/security/secrets.ts'
import { forgedTokens, goodClaims, ourToken } from '../support/forged-token-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { basic, FORM, form, seed, SECRET } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const INVALID_TOKEN_CHALLENGE = /^Bearer realm="portcullis", error="invalid_token"/
const INVALID_TOKEN = {
  error: 'invalid_token',
  error_description: 'the access token or access key is invalid, expired or revoked',
}
const API = 'https://api.example'

type Assert = Pick<typeof t, 'equal' | 'same' | 'match'>

for (const provider of providers) {
  t.test(`forged access tokens on ${provider}`, async (t) => {
    const ctx = await build(t, { provider, env: { AUDIENCES: API } })
    const { app, store } = ctx
    const { alice } = await seed(store)
    // A resource server's client that may introspect every token.
    await store.clients.create({
      clientId: 'gateway',
      name: 'Gateway',
      secretHash: sha256(SECRET),
      grantTypes: ['client_credentials'],
      scopes: ['introspect'],
    })
    const gateway = basic('gateway', SECRET)
    const claims = goodClaims(ctx, { sub: alice.id, scope: 'admin introspect keys:write read' })
    const valid = ourToken(ctx, claims)
    const forged = forgedTokens(ctx, claims)

    const introspect = (token: string, authorization: string) =>
      app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        headers: { ...FORM, authorization },
        payload: form({ token }),
      })
    const bearer = (method: 'GET' | 'POST', url: string, token: string) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(method === 'POST' ? { payload: { name: 'k', scopes: ['read'] } } : {}),
      })
    const expectRefused = (t: Assert, response: LightMyRequestResponse, name: string) => {
      t.equal(response.statusCode, 401, `${name}: 401`)
      t.match(
        response.headers['www-authenticate'],
        INVALID_TOKEN_CHALLENGE,
        `${name}: WWW-Authenticate error="invalid_token"`,
      )
      t.same(response.json(), INVALID_TOKEN, `${name}: the invalid_token body`)
    }

    t.test('the same claims signed by us are accepted everywhere (the control)', async (t) => {
      const described = await introspect(valid, gateway)
      t.equal(described.statusCode, 200)
      t.match(described.json(), { active: true, sub: alice.id, scope: claims.scope })
      t.equal((await introspect(valid, `Bearer ${valid}`)).json().active, true, 'as the introspection caller')
      t.equal((await bearer('GET', '/admin/v1/clients', valid)).statusCode, 200, 'admin API')
      t.equal((await bearer('GET', '/v1/me/access-keys', valid)).statusCode, 200, '/v1/me')
    })

    t.test('introspection describes every forged token as {"active": false}', async (t) => {
      for (const [name, token] of Object.entries(forged)) {
        const response = await introspect(token, gateway)
        t.equal(response.statusCode, 200, name)
        t.equal(response.body, '{"active":false}', name)
      }
    })

    t.test('a forged token is no credential for introspection', async (t) => {
      for (const [name, token] of Object.entries(forged))
        expectRefused(t, await introspect(valid, `Bearer ${token}`), name)
    })

    t.test('the admin API refuses every forged token with 401 invalid_token', async (t) => {
      for (const [name, token] of Object.entries(forged)) {
        expectRefused(t, await bearer('GET', '/admin/v1/clients', token), `GET ${name}`)
        expectRefused(t, await bearer('POST', '/admin/v1/access-keys', token), `POST ${name}`)
      }
      t.equal((await store.accessKeys.list(ANY_TENANT, { limit: 10 })).items.length, 0, 'no key was created')
    })

    t.test('/v1/me refuses every forged token with 401 invalid_token', async (t) => {
      for (const [name, token] of Object.entries(forged)) {
        expectRefused(t, await bearer('GET', '/v1/me/access-keys', token), `GET ${name}`)
        expectRefused(t, await bearer('POST', '/v1/me/access-keys', token), `POST ${name}`)
      }
    })

    t.test('a token of ours for another audience is no credential for the admin API or /v1/me', async (t) => {
      const elsewhere = ourToken(ctx, { ...claims, aud: API })
      expectRefused(t, await bearer('GET', '/admin/v1/clients', elsewhere), 'admin API')
      expectRefused(t, await bearer('GET', '/v1/me/access-keys', elsewhere), '/v1/me')
      expectRefused(t, await introspect(valid, `Bearer ${elsewhere}`), 'introspection caller')
      // Introspection still describes it: it is a valid token, for the resource server it was issued to.
      t.match((await introspect(elsewhere, gateway)).json(), { active: true, aud: API })
    })
  })
}
