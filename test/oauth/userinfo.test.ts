// The UserInfo endpoint (OpenID Connect Core §5.3, §5.4): claims by scope, and the RFC 6750 refusals.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { signAccessToken } from '../../src/keys/access-token.ts'
import { build, providers } from '../support/helper.ts'
import { oidcCode, redeemCode, RP, seedOidc } from '../support/oidc-fixtures.ts'
import { FORM, form } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const ISSUER = 'http://portcullis.test'
const INVALID = {
  error: 'invalid_token',
  error_description: 'the access token or access key is invalid, expired or revoked',
}

const userinfo = (app: FastifyInstance, token: string | undefined, method: 'GET' | 'POST' = 'GET') =>
  app.inject({
    method,
    url: '/oauth/userinfo',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  })

for (const provider of providers) {
  t.test(`UserInfo on ${provider}`, async (t) => {
    const { app, store, keyring } = await build(t, { provider })
    const { alice } = await seedOidc(store)
    /** An access token from a real sign-in for `scope`. */
    const tokenFor = async (scope: string) => {
      const { code, verifier } = await oidcCode(app, { scope })
      return (await redeemCode(app, code, verifier)).json().access_token as string
    }

    t.test('answers sub and the claims the scopes allow, by GET and by POST, never cached', async (t) => {
      const token = await tokenFor('openid profile email')
      for (const method of ['GET', 'POST'] as const) {
        const response = await userinfo(app, token, method)
        t.equal(response.statusCode, 200, method)
        t.match(response.headers['content-type'], /^application\/json/)
        t.equal(response.headers['cache-control'], 'no-store')
        t.same(
          response.json(),
          { sub: alice.id, name: 'Alice Liddell', email: 'alice@example.com', email_verified: true },
          method,
        )
      }
    })

    t.test('openid alone is sub alone; email without profile is no name', async (t) => {
      t.same((await userinfo(app, await tokenFor('openid'))).json(), { sub: alice.id })
      t.same((await userinfo(app, await tokenFor('openid email'))).json(), {
        sub: alice.id,
        email: 'alice@example.com',
        email_verified: true,
      })
    })

    t.test('a claim the user does not have is left out', async (t) => {
      const bob = await store.users.create({ username: 'bob', passwordHash: 'x', scopes: [] })
      const token = (
        await signAccessToken(
          keyring,
          { issuer: ISSUER, ttl: 60 },
          { sub: bob.id, aud: ISSUER, clientId: 'rp', scope: 'openid profile email' },
        )
      ).token
      t.same((await userinfo(app, token)).json(), { sub: bob.id })
    })

    t.test('no token: 401 with a bare Bearer challenge', async (t) => {
      const response = await userinfo(app, undefined)
      t.equal(response.statusCode, 401)
      t.equal(
        response.headers['www-authenticate'],
        'Bearer realm="portcullis", DPoP algs="RS256 PS256 ES256 EdDSA Ed25519"',
      )
      t.same(response.json(), { error: 'invalid_token', error_description: 'authentication is required' })
    })

    t.test('a token without openid: 403 insufficient_scope naming openid', async (t) => {
      const response = await userinfo(app, await tokenFor('read'))
      t.equal(response.statusCode, 403)
      t.equal(
        response.headers['www-authenticate'],
        'Bearer realm="portcullis", error="insufficient_scope", scope="openid"',
      )
      t.same(response.json(), {
        error: 'insufficient_scope',
        error_description: "this request needs the scope 'openid'",
      })
    })

    t.test('a token for another audience, a revoked token and an access key: 401 invalid_token', async (t) => {
      const other = (
        await signAccessToken(
          keyring,
          { issuer: ISSUER, ttl: 60 },
          { sub: alice.id, aud: 'https://api.example', clientId: 'rp', scope: 'openid' },
        )
      ).token
      const foreign = await userinfo(app, other)
      t.equal(foreign.statusCode, 401)
      t.match(foreign.headers['www-authenticate'], /^Bearer realm="portcullis", error="invalid_token"/)
      t.same(foreign.json(), INVALID)

      const token = await tokenFor('openid')
      t.equal((await userinfo(app, token)).statusCode, 200)
      const revoked = await app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { ...FORM, authorization: RP },
        payload: form({ token }),
      })
      t.equal(revoked.statusCode, 200)
      const after = await userinfo(app, token)
      t.equal(after.statusCode, 401)
      t.same(after.json(), INVALID)

      const created = await app.inject({
        method: 'POST',
        url: '/v1/me/access-keys',
        headers: {
          authorization: `Bearer ${(await signAccessToken(keyring, { issuer: ISSUER, ttl: 60 }, { sub: alice.id, aud: ISSUER, clientId: 'rp', scope: 'keys:write read' })).token}`,
        },
        payload: { name: 'cli', scopes: ['read'] },
      })
      t.equal(created.statusCode, 201, created.statusCode === 201 ? 'answered' : created.body)
      const byKey = await userinfo(app, created.json().key)
      t.equal(byKey.statusCode, 401)
      t.same(byKey.json(), {
        error: 'invalid_token',
        error_description: 'the UserInfo endpoint takes an access token, not an access key',
      })
    })

    t.test('a disabled user: 401 invalid_token', async (t) => {
      const carol = await store.users.create({ username: 'carol', passwordHash: 'x', scopes: [] })
      const token = (
        await signAccessToken(
          keyring,
          { issuer: ISSUER, ttl: 60 },
          { sub: carol.id, aud: ISSUER, clientId: 'rp', scope: 'openid' },
        )
      ).token
      await store.users.update(ANY_TENANT, carol.id, { disabled: true })
      const response = await userinfo(app, token)
      t.equal(response.statusCode, 401)
      t.equal(response.json().error, 'invalid_token')
    })
  })
}
