// Portcullis's own endpoints (the admin API, /v1/me, introspection by Bearer) accept only tokens whose audience
// is Portcullis itself (ISSUER), even when DEFAULT_AUDIENCE names another API: that API's server must not be
// able to replay the tokens it receives against Portcullis. A client asks for the issuer with resource (RFC 8707).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { basic, FORM, form, PASSWORD, SECRET, tokenRequest } from '../support/token-fixtures.ts'

const API = 'https://api.example'
const INVALID_TOKEN = {
  error: 'invalid_token',
  error_description: 'the access token or access key is invalid, expired or revoked',
}
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { aud: string }

/** The answers of the three kinds of Portcullis endpoint to one Bearer token. */
async function ownEndpoints(app: FastifyInstance, token: string) {
  const authorization = `Bearer ${token}`
  const admin = await app.inject({ method: 'GET', url: '/admin/v1/users?limit=1', headers: { authorization } })
  const me = await app.inject({ method: 'GET', url: '/v1/me/access-keys', headers: { authorization } })
  const introspection = await app.inject({
    method: 'POST',
    url: '/oauth/introspect',
    headers: { ...FORM, authorization },
    payload: form({ token }),
  })
  return [admin, me, introspection].map((response) => ({
    status: response.statusCode,
    body: response.json() as Record<string, unknown>,
  }))
}

for (const provider of providers) {
  t.test(`Portcullis's own audience on ${provider}, with DEFAULT_AUDIENCE=${API}`, async (t) => {
    const ctx = await build(t, { provider, env: { DEFAULT_AUDIENCE: API } })
    const { issuer } = ctx.config
    const scopes = ['admin', 'introspect', 'keys:write']
    await ctx.store.clients.create({
      clientId: 'ops',
      name: 'Ops',
      secretHash: sha256(SECRET),
      grantTypes: ['password'],
      scopes,
    })
    await ctx.store.clients.create({
      clientId: 'api-only',
      name: 'API only',
      secretHash: sha256(SECRET),
      grantTypes: ['password'],
      scopes,
      audiences: [API],
    })
    await ctx.store.users.create({ username: 'root', passwordHash: await hashPassword(PASSWORD, 4), scopes })
    const login = (clientId: string, params: Record<string, string> = {}) =>
      tokenRequest(
        ctx.app,
        { grant_type: 'password', username: 'root', password: PASSWORD, ...params },
        { authorization: basic(clientId, SECRET) },
      )

    t.test(
      'a token for DEFAULT_AUDIENCE is 401 invalid_token at the admin API, /v1/me and as a Bearer credential at introspection',
      async (t) => {
        const response = await login('ops')
        t.equal(response.statusCode, 200, response.body)
        const token = response.json().access_token as string
        t.equal(claimsOf(token).aud, API, 'without resource, the token is for the API')
        const answers = await ownEndpoints(ctx.app, token)
        t.same(answers, Array(3).fill({ status: 401, body: INVALID_TOKEN }))
      },
    )

    t.test('a token asked for with resource=<issuer> works at each of them', async (t) => {
      const response = await login('ops', { resource: issuer })
      t.equal(response.statusCode, 200, response.body)
      const token = response.json().access_token as string
      t.equal(claimsOf(token).aud, issuer)
      t.same(
        (await ownEndpoints(ctx.app, token)).map((answer) => answer.status),
        [200, 200, 200],
      )
    })

    t.test(
      'a client restricted to audiences gets a token for the issuer only when its list names the issuer',
      async (t) => {
        const refused = await login('api-only', { resource: issuer })
        t.equal(refused.statusCode, 400)
        t.same(refused.json(), {
          error: 'invalid_target',
          error_description: `this client may not request tokens for '${issuer}'`,
        })
        const admin = client(ctx.app, await adminHeaders(ctx))
        const registered = await admin.post('/admin/v1/clients', {
          name: 'API and Portcullis',
          grant_types: ['password'],
          scopes,
          audiences: [API, issuer],
        })
        t.equal(registered.statusCode, 201, registered.body)
        const { client_id: clientId, client_secret: secret } = registered.json() as {
          client_id: string
          client_secret: string
        }
        const allowed = await tokenRequest(
          ctx.app,
          { grant_type: 'password', username: 'root', password: PASSWORD, resource: issuer },
          { authorization: basic(clientId, secret) },
        )
        t.equal(allowed.statusCode, 200, allowed.body)
        t.equal(claimsOf(allowed.json().access_token).aud, issuer)
      },
    )
  })
}
