// CORS (routes/cors.ts): the token, revocation, UserInfo, JWKS and discovery endpoints answer the origins of
// CORS_ORIGINS and of the clients' allowed_origins, echoed with Vary: Origin and never with credentials; other
// origins and every other endpoint get no CORS headers. The JWKS is also answered before routing on the
// listening server: a request with an Origin goes through Fastify.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { JWKS_PATH } from '../../src/routes/well-known.ts'
import { createStore, openDatabase, ANY_TENANT } from '../../src/store/index.ts'
import { build, providers, type Test, type TestContext } from '../support/helper.ts'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { listen } from '../support/listen.ts'
import { authorizeUrl, pkce, query, seedSignIn, signInFlow } from '../support/sign-in.ts'
import { FORM, form } from '../support/token-fixtures.ts'

const SPA = 'https://spa.example'
const CONFIGURED = 'https://configured.example'
const STRANGER = 'https://evil.example'
const CORS_ENDPOINTS = [
  { method: 'POST', url: '/oauth/token' },
  { method: 'POST', url: '/oauth/revoke' },
  { method: 'GET', url: '/oauth/userinfo' },
  { method: 'POST', url: '/oauth/userinfo' },
  { method: 'GET', url: JWKS_PATH },
  { method: 'GET', url: '/.well-known/openid-configuration' },
  { method: 'GET', url: '/.well-known/oauth-authorization-server' },
] as const
const OTHER_ENDPOINTS = [
  { method: 'GET', url: '/oauth/authorize?client_id=spa&response_type=code' },
  { method: 'GET', url: '/oauth/login?request=x' },
  { method: 'POST', url: '/oauth/introspect' },
  { method: 'GET', url: '/admin/v1/clients' },
  { method: 'GET', url: '/v1/me/access-keys' },
  { method: 'GET', url: '/healthz' },
] as const

const preflight = (app: FastifyInstance, url: string, origin: string, method = 'POST') =>
  app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type,authorization',
    },
  })

const request = (app: FastifyInstance, endpoint: { method: string; url: string }, origin: string) =>
  app.inject({
    method: endpoint.method as 'GET' | 'POST',
    url: endpoint.url,
    headers: { origin, ...(endpoint.method === 'POST' ? FORM : {}) },
    ...(endpoint.method === 'POST' ? { payload: form({ token: 'x' }) } : {}),
  })

const corsHeaders = (headers: Record<string, unknown>) =>
  Object.keys(headers).filter((name) => name.startsWith('access-control-'))

/** True once `condition` holds, checked every 25 ms for at most 5 s. */
async function eventually(condition: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + 5000
  while (Date.now() < until) {
    if (await condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return condition()
}

async function elsewhere(t: Test, ctx: TestContext) {
  const store = createStore(await openDatabase(ctx.databaseUrl))
  t.teardown(() => store.close())
  return store
}

for (const provider of providers) {
  t.test(`CORS on ${provider}`, async (t) => {
    let clock = Date.now()
    const ctx = await build(t, { provider, now: () => clock, env: { CORS_ORIGINS: CONFIGURED, CLIENT_CACHE_TTL: '5' } })
    const { app, store } = ctx
    await seedSignIn(store)
    await store.clients.update(ANY_TENANT, 'spa', { allowedOrigins: [SPA] })

    t.test(
      'a preflight from an allowed origin: 204 with the origin echoed, the methods and headers, no credentials',
      async (t) => {
        for (const endpoint of CORS_ENDPOINTS) {
          const response = await preflight(app, endpoint.url, SPA, endpoint.method)
          t.equal(response.statusCode, 204, endpoint.url)
          t.equal(response.headers['access-control-allow-origin'], SPA, endpoint.url)
          t.equal(response.headers['access-control-allow-methods'], 'GET, HEAD, POST', endpoint.url)
          t.equal(
            response.headers['access-control-allow-headers'],
            'Authorization, Content-Type, If-None-Match, DPoP',
            endpoint.url,
          )
          t.equal(response.headers['access-control-max-age'], '600', endpoint.url)
          t.match(response.headers.vary, /Origin/, endpoint.url)
          t.notOk('access-control-allow-credentials' in response.headers, endpoint.url)
        }
      },
    )

    t.test(
      'the request itself from an allowed origin, success or error, carries Access-Control-Allow-Origin and Vary: Origin',
      async (t) => {
        for (const origin of [SPA, CONFIGURED]) {
          for (const endpoint of CORS_ENDPOINTS) {
            const response = await request(app, endpoint, origin)
            const label = `${origin} ${endpoint.method} ${endpoint.url} (${response.statusCode})`
            t.equal(response.headers['access-control-allow-origin'], origin, label)
            t.equal(
              response.headers['access-control-expose-headers'],
              'WWW-Authenticate, Retry-After, ETag, X-Request-Id, DPoP-Nonce',
              label,
            )
            t.match(response.headers.vary, /Origin/, label)
            t.notOk('access-control-allow-credentials' in response.headers, label)
          }
        }
      },
    )

    t.test('an origin no client allows gets no CORS headers, and its preflight is refused', async (t) => {
      for (const endpoint of CORS_ENDPOINTS) {
        const response = await request(app, endpoint, STRANGER)
        t.same(corsHeaders(response.headers), [], `${endpoint.method} ${endpoint.url}`)
        const refused = await preflight(app, endpoint.url, STRANGER, endpoint.method)
        t.equal(refused.statusCode, 404, endpoint.url)
        t.same(corsHeaders(refused.headers), [], endpoint.url)
      }
      const sameHost = await request(app, CORS_ENDPOINTS[4], `${SPA}:8443`)
      t.same(corsHeaders(sameHost.headers), [], 'another port is another origin')
    })

    t.test(
      "a request without Origin (a server's) gets Vary: Origin and no CORS headers, and an OPTIONS without one is not a preflight",
      async (t) => {
        for (const endpoint of CORS_ENDPOINTS) {
          const response = await app.inject({
            method: endpoint.method,
            url: endpoint.url,
            ...(endpoint.method === 'POST' ? { headers: FORM, payload: form({ token: 'x' }) } : {}),
          })
          const label = `${endpoint.method} ${endpoint.url} (${response.statusCode})`
          t.equal(response.headers.vary, 'Origin', label)
          t.same(corsHeaders(response.headers), [], label)
          const options = await app.inject({
            method: 'OPTIONS',
            url: endpoint.url,
            headers: { 'access-control-request-method': endpoint.method },
          })
          t.equal(options.statusCode, 404, `OPTIONS ${endpoint.url}`)
          t.same(corsHeaders(options.headers), [], `OPTIONS ${endpoint.url}`)
        }
      },
    )

    t.test(
      'the authorization endpoint, the pages, introspection and the admin API get no CORS headers, even for an allowed origin',
      async (t) => {
        for (const endpoint of OTHER_ENDPOINTS) {
          const response = await request(app, endpoint, SPA)
          t.same(corsHeaders(response.headers), [], `${endpoint.method} ${endpoint.url} (${response.statusCode})`)
          const refused = await preflight(app, endpoint.url, SPA, endpoint.method)
          t.equal(refused.statusCode, 404, `preflight ${endpoint.url}`)
          t.same(corsHeaders(refused.headers), [], `preflight ${endpoint.url}`)
        }
      },
    )

    t.test(
      'a public SPA client redeems its code from its own origin: the token answer carries its CORS headers',
      async (t) => {
        const { verifier, challenge } = pkce()
        const flow = signInFlow(app)
        const start = await flow.get(
          authorizeUrl({
            response_type: 'code',
            client_id: 'spa',
            redirect_uri: 'https://spa.example/cb',
            scope: 'read',
            code_challenge: challenge,
            code_challenge_method: 'S256',
          }),
        )
        const consentAt = (await flow.login(start.headers.location!)).headers.location!
        const { code } = query((await flow.consent(consentAt)).headers.location)
        t.equal(start.headers['access-control-allow-origin'], undefined, 'not the authorization endpoint')
        const tokens = await app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { ...FORM, origin: SPA },
          payload: form({
            grant_type: 'authorization_code',
            client_id: 'spa',
            code: code!,
            redirect_uri: 'https://spa.example/cb',
            code_verifier: verifier,
          }),
        })
        t.equal(tokens.statusCode, 200, tokens.statusCode === 200 ? 'answered' : tokens.body)
        t.equal(tokens.headers['access-control-allow-origin'], SPA)
        t.match(tokens.json(), { token_type: 'Bearer', scope: 'read' })
      },
    )

    t.test('a client’s new allowed origin is honoured without a restart, after CLIENT_CACHE_TTL', async (t) => {
      const origin = 'https://later.example'
      t.same(corsHeaders((await request(app, CORS_ENDPOINTS[4], origin)).headers), [], 'not yet allowed')
      await store.clients.update(ANY_TENANT, 'web', { allowedOrigins: [origin] })
      clock += 5000
      t.equal((await request(app, CORS_ENDPOINTS[4], origin)).headers['access-control-allow-origin'], origin)
    })

    t.test('a client created or changed through the admin API of this instance is honoured at once', async (t) => {
      const admin = client(app, await adminHeaders(ctx))
      const origin = 'https://admin-made.example'
      t.same(corsHeaders((await request(app, CORS_ENDPOINTS[2], origin)).headers), [], 'not yet allowed')
      const created = await admin.post('/admin/v1/clients', {
        name: 'Made',
        grant_types: ['authorization_code'],
        redirect_uris: ['https://admin-made.example/cb'],
        allowed_origins: [origin],
      })
      t.equal(created.statusCode, 201, created.statusCode === 201 ? 'answered' : created.body)
      t.equal((await request(app, CORS_ENDPOINTS[2], origin)).headers['access-control-allow-origin'], origin, 'created')
      const changed = await admin.patch(`/admin/v1/clients/${created.json().client_id}`, { allowed_origins: [] })
      t.equal(changed.statusCode, 200, changed.statusCode === 200 ? 'answered' : changed.body)
      t.same(corsHeaders((await request(app, CORS_ENDPOINTS[2], origin)).headers), [], 'withdrawn')
    })

    t.test(
      'an origin added through another connection (another instance, the CLI) is honoured at once through the change feed',
      async (t) => {
        const origin = 'https://pushed.example'
        t.same(corsHeaders((await request(app, CORS_ENDPOINTS[0], origin)).headers), [], 'not yet allowed')
        const other = await elsewhere(t, ctx)
        await other.clients.update(ANY_TENANT, 'other', { allowedOrigins: [origin] })
        t.ok(
          await eventually(
            async () =>
              (await request(app, CORS_ENDPOINTS[0], origin)).headers['access-control-allow-origin'] === origin,
          ),
        )
        await other.clients.update(ANY_TENANT, 'other', { allowedOrigins: [] })
        t.ok(
          await eventually(
            async () =>
              (await request(app, CORS_ENDPOINTS[0], origin)).headers['access-control-allow-origin'] === undefined,
          ),
          'and withdrawn',
        )
      },
    )
  })
}

t.test(
  'the JWKS on the listening server: answered before routing without Origin, through Fastify with CORS with one',
  async (t) => {
    const { baseUrl, store } = await listen(t, { env: { CORS_ORIGINS: CONFIGURED } })
    await seedSignIn(store)
    const plain = await fetch(baseUrl + JWKS_PATH)
    t.equal(plain.status, 200)
    t.equal(plain.headers.get('vary'), 'Origin')
    t.equal(plain.headers.get('access-control-allow-origin'), null)
    const allowed = await fetch(baseUrl + JWKS_PATH, { headers: { origin: CONFIGURED } })
    t.equal(allowed.status, 200)
    t.equal(allowed.headers.get('access-control-allow-origin'), CONFIGURED)
    t.equal(await allowed.text(), await plain.text())
    const refused = await fetch(baseUrl + JWKS_PATH, { headers: { origin: STRANGER } })
    t.equal(refused.status, 200)
    t.equal(refused.headers.get('access-control-allow-origin'), null)
    const preflighted = await fetch(baseUrl + JWKS_PATH, {
      method: 'OPTIONS',
      headers: { origin: CONFIGURED, 'access-control-request-method': 'GET' },
    })
    t.equal(preflighted.status, 204)
    t.equal(preflighted.headers.get('access-control-allow-origin'), CONFIGURED)
  },
)
