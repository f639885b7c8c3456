// Every error of the token endpoint from a real request, whole bodies asserted; bad input of every kind
// is a 4xx JSON answer and leaves the store untouched.
import t from 'tap'
import { build } from '../support/helper.ts'
import { basic, FORM, seed, SECRET, storeSnapshot, tokenRequest } from '../support/token-fixtures.ts'
import { DEFAULT_TENANT_ID } from '../../src/store/index.ts'

t.test('token endpoint errors', async (t) => {
  const { app, store, db, config } = await build(t)
  const { service, alice } = await seed(store)
  const auth = { authorization: service.auth }
  const before = await storeSnapshot(db)

  const cases: {
    name: string
    params: Record<string, string> | string
    headers?: Record<string, string>
    status: number
    body: object
    challenge?: boolean
  }[] = [
    // invalid_request
    {
      name: 'no grant_type',
      params: { scope: 'read' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_request', error_description: 'grant_type is required' },
    },
    {
      name: 'an empty grant_type counts as omitted',
      params: 'grant_type=&scope=read',
      headers: auth,
      status: 400,
      body: { error: 'invalid_request', error_description: 'grant_type is required' },
    },
    {
      name: 'a repeated parameter',
      params: 'grant_type=client_credentials&scope=read&scope=write',
      headers: auth,
      status: 400,
      body: { error: 'invalid_request', error_description: "parameter 'scope' is repeated" },
    },
    {
      name: 'a repeated grant_type',
      params: 'grant_type=client_credentials&grant_type=password',
      headers: auth,
      status: 400,
      body: { error: 'invalid_request', error_description: "parameter 'grant_type' is repeated" },
    },
    {
      name: 'a missing grant parameter',
      params: { grant_type: 'password', username: 'alice' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_request', error_description: 'password is required for the password grant' },
    },
    {
      name: 'missing grant parameters',
      params: { grant_type: 'password' },
      headers: auth,
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'username and password are required for the password grant',
      },
    },
    {
      name: 'no refresh_token',
      params: { grant_type: 'refresh_token' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_request', error_description: 'refresh_token is required for the refresh_token grant' },
    },
    {
      name: 'malformed percent-encoding',
      params: 'grant_type=client_credentials&scope=%zz',
      headers: auth,
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'the form body has malformed percent-encoding or is not UTF-8',
      },
    },
    {
      name: 'invalid UTF-8',
      params: 'grant_type=client_credentials&scope=%C0%AF',
      headers: auth,
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'the form body has malformed percent-encoding or is not UTF-8',
      },
    },
    {
      name: 'a NUL byte',
      params: 'grant_type=password&username=alice%00&password=x',
      headers: auth,
      status: 400,
      body: { error: 'invalid_request', error_description: 'the form body contains control characters' },
    },
    {
      name: 'a giant value',
      params: { grant_type: 'password', username: 'a'.repeat(5000), password: 'x' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_request', error_description: 'body.username must NOT have more than 1024 characters' },
    },
    {
      name: 'Basic and client_secret both',
      params: { grant_type: 'client_credentials', client_secret: SECRET },
      headers: auth,
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'use one client authentication method: HTTP Basic or client_secret in the body, not both',
      },
    },
    {
      name: 'a client_id that differs from the Basic one',
      params: { grant_type: 'client_credentials', client_id: 'spa' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_request', error_description: 'client_id in the body differs from the HTTP Basic client' },
    },
    // invalid_client
    {
      name: 'no client authentication',
      params: { grant_type: 'client_credentials' },
      status: 401,
      body: { error: 'invalid_client', error_description: 'client authentication is required' },
    },
    {
      name: 'client_secret without client_id',
      params: { grant_type: 'client_credentials', client_secret: SECRET },
      status: 401,
      body: { error: 'invalid_client', error_description: 'client_secret was sent without client_id' },
    },
    {
      name: 'an unknown client',
      params: { grant_type: 'client_credentials', client_id: 'nobody', client_secret: SECRET },
      status: 401,
      body: { error: 'invalid_client', error_description: 'client authentication failed' },
    },
    {
      name: 'a wrong secret in the body',
      params: { grant_type: 'client_credentials', client_id: 'service', client_secret: 'wrong' },
      status: 401,
      body: { error: 'invalid_client', error_description: 'client authentication failed' },
    },
    {
      name: 'a wrong secret by Basic',
      params: { grant_type: 'client_credentials' },
      headers: { authorization: basic('service', 'wrong') },
      status: 401,
      challenge: true,
      body: { error: 'invalid_client', error_description: 'client authentication failed' },
    },
    {
      name: 'an unknown client by Basic',
      params: { grant_type: 'client_credentials' },
      headers: { authorization: basic('nobody', 'x') },
      status: 401,
      challenge: true,
      body: { error: 'invalid_client', error_description: 'client authentication failed' },
    },
    {
      name: 'a confidential client without its secret',
      params: { grant_type: 'client_credentials', client_id: 'service' },
      status: 401,
      body: { error: 'invalid_client', error_description: 'client authentication failed' },
    },
    {
      name: 'a public client with a secret',
      params: { grant_type: 'password', client_id: 'spa', client_secret: 'x', username: 'alice', password: 'x' },
      status: 401,
      body: { error: 'invalid_client', error_description: 'a public client has no secret; send client_id only' },
    },
    {
      name: 'another Authorization scheme',
      params: { grant_type: 'client_credentials' },
      headers: { authorization: 'Bearer abc' },
      status: 401,
      challenge: true,
      body: {
        error: 'invalid_client',
        error_description: 'the Authorization header must use the Basic scheme with base64 credentials',
      },
    },
    {
      name: 'Basic with garbage',
      params: { grant_type: 'client_credentials' },
      headers: { authorization: 'Basic !!!' },
      status: 401,
      challenge: true,
      body: {
        error: 'invalid_client',
        error_description: 'the Authorization header must use the Basic scheme with base64 credentials',
      },
    },
    {
      name: 'Basic with bad base64',
      params: { grant_type: 'client_credentials' },
      headers: { authorization: 'Basic abcde' },
      status: 401,
      challenge: true,
      body: { error: 'invalid_client', error_description: 'the HTTP Basic credentials are not valid base64' },
    },
    {
      name: 'Basic without a colon',
      params: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${Buffer.from('service').toString('base64')}` },
      status: 401,
      challenge: true,
      body: {
        error: 'invalid_client',
        error_description: 'the HTTP Basic credentials must be client_id:client_secret',
      },
    },
    {
      name: 'Basic with bad form-encoding',
      params: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${Buffer.from('service:%zz').toString('base64')}` },
      status: 401,
      challenge: true,
      body: {
        error: 'invalid_client',
        error_description: 'the HTTP Basic credentials are not correctly form-urlencoded',
      },
    },
    // invalid_grant
    {
      name: 'a wrong password',
      params: { grant_type: 'password', username: 'alice', password: 'wrong' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_grant', error_description: 'the username or password is wrong' },
    },
    {
      name: 'an unknown user',
      params: { grant_type: 'password', username: 'mallory', password: 'x' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_grant', error_description: 'the username or password is wrong' },
    },
    {
      name: 'a password over 72 bytes',
      params: { grant_type: 'password', username: 'alice', password: `${alice.password}${'x'.repeat(72)}` },
      headers: auth,
      status: 400,
      body: { error: 'invalid_grant', error_description: 'the username or password is wrong' },
    },
    {
      name: 'an unknown refresh token',
      params: { grant_type: 'refresh_token', refresh_token: 'not-a-token' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_grant', error_description: 'the refresh token is invalid' },
    },
    // unauthorized_client
    {
      name: 'a grant the client is not registered for',
      params: { grant_type: 'password', username: 'alice', password: 'x' },
      headers: { authorization: basic('machine', `${SECRET}-machine`) },
      status: 400,
      body: { error: 'unauthorized_client', error_description: 'this client may not use the password grant' },
    },
    {
      name: 'a public client asking client_credentials',
      params: { grant_type: 'client_credentials', client_id: 'spa' },
      status: 400,
      body: { error: 'unauthorized_client', error_description: 'this client may not use the client_credentials grant' },
    },
    // unsupported_grant_type
    {
      name: 'an unknown grant type',
      params: { grant_type: 'implicit' },
      headers: auth,
      status: 400,
      body: { error: 'unsupported_grant_type', error_description: "grant_type 'implicit' is not supported" },
    },
    {
      name: 'the device code grant, which this server does not offer',
      params: { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'x' },
      headers: auth,
      status: 400,
      body: {
        error: 'unsupported_grant_type',
        error_description: "grant_type 'urn:ietf:params:oauth:grant-type:device_code' is not supported",
      },
    },
    // invalid_scope
    {
      name: 'a malformed scope',
      params: { grant_type: 'client_credentials', scope: 'read "write"' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_scope', error_description: "scope ''write'' is malformed (RFC 6749 section 3.3)" },
    },
    {
      name: 'a scope beyond the client',
      params: { grant_type: 'client_credentials', scope: 'root' },
      headers: auth,
      status: 400,
      body: { error: 'invalid_scope', error_description: "this client may not have the scope 'root'" },
    },
    // invalid_target
    {
      name: 'an unregistered resource',
      params: { grant_type: 'client_credentials', resource: 'https://nowhere.example' },
      headers: auth,
      status: 400,
      body: {
        error: 'invalid_target',
        error_description: "resource 'https://nowhere.example' is not a registered audience",
      },
    },
    {
      name: 'several resources',
      params: `grant_type=client_credentials&resource=${encodeURIComponent(config.defaultAudience)}&resource=x`,
      headers: auth,
      status: 400,
      body: {
        error: 'invalid_target',
        error_description: 'one resource per token request: each access token here has a single audience',
      },
    },
  ]

  for (const c of cases) {
    t.test(`${c.name} → ${c.body && (c.body as { error: string }).error}`, async (t) => {
      const res = await tokenRequest(app, c.params, c.headers)
      t.equal(res.statusCode, c.status)
      t.same(res.json(), c.body)
      t.match(res.headers['content-type'], /^application\/json/)
      t.equal(res.headers['cache-control'], 'no-store')
      t.equal(res.headers['www-authenticate'], c.challenge ? 'Basic realm="portcullis", charset="UTF-8"' : undefined)
    })
  }

  t.test('a JSON body is 415 in the same shape', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/json', ...auth },
      payload: JSON.stringify({ grant_type: 'client_credentials' }),
    })
    t.equal(res.statusCode, 415)
    t.same(res.json(), {
      error: 'invalid_request',
      error_description: 'the request body must be application/x-www-form-urlencoded (UTF-8)',
    })
  })

  t.test('a charset other than UTF-8 is 415', async (t) => {
    const res = await tokenRequest(app, 'grant_type=client_credentials', {
      'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1',
      ...auth,
    })
    t.equal(res.statusCode, 415)
    t.same(res.json(), {
      error: 'invalid_request',
      error_description: 'the request body must be application/x-www-form-urlencoded (UTF-8)',
    })
    t.equal(res.headers['cache-control'], 'no-store')
  })

  t.test('an explicit UTF-8 charset is fine', async (t) => {
    const res = await tokenRequest(app, 'grant_type=client_credentials', {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      ...auth,
    })
    t.equal(res.statusCode, 200)
  })

  t.test('no body at all is 400', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/oauth/token', headers: auth })
    t.equal(res.statusCode, 400)
    t.same(res.json(), {
      error: 'invalid_request',
      error_description: 'the request body must be application/x-www-form-urlencoded',
    })
  })

  t.test('a body over the limit is 413 in the same shape', async (t) => {
    const res = await tokenRequest(app, `grant_type=client_credentials&pad=${'x'.repeat(config.bodyLimit)}`, auth)
    t.equal(res.statusCode, 413)
    t.same(res.json(), {
      error: 'invalid_request',
      error_description: `the request body is larger than ${config.bodyLimit} bytes`,
    })
  })

  t.test('unknown parameters are ignored (RFC 6749 §3.2)', async (t) => {
    const res = await tokenRequest(app, { grant_type: 'client_credentials', flavour: 'vanilla' }, auth)
    t.equal(res.statusCode, 200)
  })

  t.test('GET is not a token request', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/oauth/token?grant_type=client_credentials', headers: auth })
    t.equal(res.statusCode, 404)
    t.same(
      res.json(),
      { error: 'not_found', error_description: 'no route GET /oauth/token' },
      'no token, and the query is not echoed',
    )
    t.notOk('access_token' in res.json())
  })

  t.test('rejected requests wrote nothing but failure counters', async (t) => {
    const after = await storeSnapshot(db)
    t.same(after, before)
    const counters = await db.prisma.loginThrottle.findMany({ orderBy: { key: 'asc' } })
    t.ok(
      counters.length > 0 && counters.every((row) => row.key.startsWith('user:') || row.key.startsWith('ip:')),
      'only the password failures were counted',
    )
  })

  t.test("outcomes are counted by grant type, the client's tenant, client and error code", async (t) => {
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    t.equal(res.statusCode, 200)
    t.match(
      res.body,
      `portcullis_token_requests_total{grant_type="client_credentials",tenant="${DEFAULT_TENANT_ID}",client_id="service",outcome="invalid_scope"}`,
    )
    t.match(
      res.body,
      `portcullis_token_requests_total{grant_type="password",tenant="${DEFAULT_TENANT_ID}",client_id="service",outcome="invalid_grant"}`,
    )
    t.match(
      res.body,
      'portcullis_token_requests_total{grant_type="unknown",tenant="unknown",client_id="unknown",outcome="invalid_request"}',
    )
    t.match(
      res.body,
      `portcullis_token_requests_total{grant_type="client_credentials",tenant="${DEFAULT_TENANT_ID}",client_id="service",outcome="issued"}`,
    )
    t.notMatch(res.body, 'client_id="nobody"', 'unauthenticated client ids never become labels')
  })
})

t.test('unsupported_grant_type is decided before the client is authenticated', async (t) => {
  const { app } = await build(t)
  const res = await tokenRequest(app, { grant_type: 'urn:example:unknown' })
  t.same(res.json(), {
    error: 'unsupported_grant_type',
    error_description: "grant_type 'urn:example:unknown' is not supported",
  })
})

t.test('the form body is sent as-is by standard clients', async (t) => {
  const { app, store } = await build(t)
  const { service } = await seed(store)
  const res = await app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { ...FORM, authorization: service.auth },
    payload: 'grant_type=client_credentials&scope=read+write',
  })
  t.equal(res.json().scope, 'read write', '+ is a space in a form body')
})
