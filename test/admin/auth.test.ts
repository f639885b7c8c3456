// Who may call the admin API and /v1/me: 401 (with WWW-Authenticate: Bearer) without a valid credential,
// 403 insufficient_scope (RFC 6750 §3.1) with a valid one that lacks the scope.
import t from 'tap'
import { adminHeaders, client, signedToken } from '../support/admin-fixtures.ts'
import { build } from '../support/helper.ts'

const ADMIN_ROUTES: [method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string][] = [
  ['POST', '/admin/v1/clients'],
  ['GET', '/admin/v1/clients'],
  ['GET', '/admin/v1/clients/x'],
  ['PATCH', '/admin/v1/clients/x'],
  ['POST', '/admin/v1/clients/x/rotate-secret'],
  ['DELETE', '/admin/v1/clients/x'],
  ['POST', '/admin/v1/users'],
  ['GET', '/admin/v1/users'],
  ['GET', '/admin/v1/users/x'],
  ['PATCH', '/admin/v1/users/x'],
  ['PUT', '/admin/v1/users/x/password'],
  ['DELETE', '/admin/v1/users/x'],
  ['POST', '/admin/v1/access-keys'],
  ['GET', '/admin/v1/access-keys'],
  ['GET', '/admin/v1/access-keys/x'],
  ['POST', '/admin/v1/access-keys/x/revoke'],
  ['GET', '/admin/v1/signing-keys'],
  ['POST', '/admin/v1/signing-keys/rotate'],
  ['POST', '/admin/v1/signing-keys/x/revoke'],
  ['GET', '/admin/v1/audit'],
]
const ME_ROUTES: typeof ADMIN_ROUTES = [
  ['POST', '/v1/me/access-keys'],
  ['GET', '/v1/me/access-keys'],
  ['POST', '/v1/me/access-keys/x/revoke'],
]

t.test('admin API authentication', async (t) => {
  const ctx = await build(t)
  const { app } = ctx
  const { key: readKey } = (
    await client(app, await adminHeaders(ctx)).post('/admin/v1/access-keys', { name: 'reader', scopes: ['read'] })
  ).json()
  const readToken = (await signedToken(ctx, { scope: 'read keys:write' })).token
  // An invalid body too: authentication comes before validation, so nothing about the schema leaks.
  const inject = (method: (typeof ADMIN_ROUTES)[number][0], url: string, headers: Record<string, string>) =>
    app.inject({
      method,
      url,
      headers,
      ...(method === 'GET' || method === 'DELETE' ? {} : { payload: { bogus: true } }),
    })

  t.test('every route this test checks is served', async (t) => {
    for (const [method, url] of [...ADMIN_ROUTES, ...ME_ROUTES]) {
      const pattern = url
        .replace('/clients/x', '/clients/:clientId')
        .replace('/users/x', '/users/:userId')
        .replace('/signing-keys/x', '/signing-keys/:kid')
        .replace(/\/access-keys\/x/, '/access-keys/:id')
      t.ok(app.hasRoute({ method, url: pattern }), `${method} ${pattern}`)
    }
  })

  t.test('no credential: 401 with WWW-Authenticate: Bearer on every route', async (t) => {
    for (const [method, url] of [...ADMIN_ROUTES, ...ME_ROUTES]) {
      const response = await inject(method, url, {})
      t.equal(response.statusCode, 401, `${method} ${url}`)
      t.equal(
        response.headers['www-authenticate'],
        'Bearer realm="portcullis", DPoP algs="RS256 PS256 ES256 EdDSA Ed25519"',
      )
      t.same(response.json(), { error: 'invalid_token', error_description: 'authentication is required' })
    }
  })

  t.test('an invalid credential: 401 invalid_token on every route', async (t) => {
    for (const [method, url] of [...ADMIN_ROUTES, ...ME_ROUTES]) {
      const response = await inject(method, url, { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' })
      t.equal(response.statusCode, 401, `${method} ${url}`)
      t.match(response.headers['www-authenticate'], /^Bearer realm="portcullis", error="invalid_token"/)
      t.equal(response.json().error, 'invalid_token')
    }
  })

  t.test(
    'a 16 KB Bearer header of spaces and tabs gets the normal 401 on every route that reads a Bearer credential',
    async (t) => {
      // The header of the report: quadratic to reject under the old pattern (its linear successor is proven by test/project/regex-safety.test.ts).
      const authorization = `Bearer a${' \t'.repeat(8000)}b`
      const description = 'the access token or access key is invalid, expired or revoked'
      for (const [method, url] of [...ADMIN_ROUTES, ...ME_ROUTES, ['POST', '/oauth/introspect'] as const]) {
        const response =
          url === '/oauth/introspect'
            ? await app.inject({
                method,
                url,
                headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
                payload: 'token=x',
              })
            : await inject(method, url, { authorization })
        t.equal(response.statusCode, 401, `${method} ${url}`)
        t.equal(
          response.headers['www-authenticate'],
          `Bearer realm="portcullis", error="invalid_token", error_description="${description}"`,
        )
        t.same(response.json(), { error: 'invalid_token', error_description: description })
      }
    },
  )

  t.test(
    'the Bearer scheme in any case, spaces or tabs after it and trailing whitespace are accepted; a token with a space is invalid',
    async (t) => {
      const { authorization } = (await adminHeaders(ctx)) as { authorization: string }
      const token = authorization.slice('Bearer '.length)
      for (const header of [`Bearer ${token}`, `bearer  ${token}`, `BEARER\t${token}`, `Bearer \t ${token} \t `]) {
        t.equal(
          (await inject('GET', '/admin/v1/users', { authorization: header })).statusCode,
          200,
          JSON.stringify(header.replace(token, '<token>')),
        )
      }
      const split = await inject('GET', '/admin/v1/users', {
        authorization: `Bearer ${token.slice(0, 20)} ${token.slice(20)}`,
      })
      t.equal(split.statusCode, 401)
      t.same(split.json(), {
        error: 'invalid_token',
        error_description: 'the access token or access key is invalid, expired or revoked',
      })
      for (const header of ['Bearer', 'Bearer \t ', 'Bearertoken', 'Basic abc']) {
        const missing = await inject('GET', '/admin/v1/users', { authorization: header })
        t.equal(missing.statusCode, 401, JSON.stringify(header))
        t.same(missing.json(), { error: 'invalid_token', error_description: 'authentication is required' })
      }
    },
  )

  t.test('a JWT or an access key without scope admin: 403 insufficient_scope', async (t) => {
    for (const headers of [{ authorization: `Bearer ${readToken}` }, { 'x-api-key': readKey as string }] as Record<
      string,
      string
    >[]) {
      for (const [method, url] of ADMIN_ROUTES) {
        const response = await inject(method, url, headers)
        t.equal(response.statusCode, 403, `${method} ${url}`)
        t.equal(
          response.headers['www-authenticate'],
          'Bearer realm="portcullis", error="insufficient_scope", scope="admin"',
        )
        t.same(response.json(), {
          error: 'insufficient_scope',
          error_description: "this request needs the scope 'admin'",
        })
      }
    }
  })

  t.test('/v1/me needs keys:write, which admin does not imply', async (t) => {
    for (const [method, url] of ME_ROUTES) {
      const response = await inject(method, url, await adminHeaders(ctx))
      t.equal(response.statusCode, 403, `${method} ${url}`)
      t.same(response.json(), {
        error: 'insufficient_scope',
        error_description: "this request needs the scope 'keys:write'",
      })
    }
  })

  t.test('a client token with keys:write has no "me": 403', async (t) => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/me/access-keys',
      headers: { authorization: `Bearer ${readToken}` },
    })
    t.equal(response.statusCode, 403)
    t.equal(response.json().error, 'insufficient_scope')
  })

  t.test('admin answers are never cached', async (t) => {
    const response = await client(app, await adminHeaders(ctx)).get('/admin/v1/users')
    t.equal(response.statusCode, 200)
    t.equal(response.headers['cache-control'], 'no-store')
  })
})
