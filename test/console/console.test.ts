// The web console's server side: the files under /console (built first, so never stale) with a strict CSP, the
// first-party public client the server registers for itself, and its sign-in (PKCE, no consent page, scopes the
// user holds). The console in a browser: test/browser/console.test.ts.
import t from 'tap'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { hashPassword } from '../../src/security/passwords.ts'
import { CONSOLE_CLIENT_ID, consoleRedirectUri, ensureConsoleClient } from '../../src/manage/console-client.ts'
import { CONSOLE_CSP, registerConsoleRoutes } from '../../src/routes/console.ts'
import { BUDGET_BYTES, buildConsole, ensureConsoleBuilt } from '../../scripts/build-console.mjs'
import { build, testConfig } from '../support/helper.ts'
import { authorizeUrl, pkce, query, signInFlow } from '../support/sign-in.ts'
import { PASSWORD, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

await ensureConsoleBuilt()

t.test('/console serves the app with a strict CSP, its assets cached for a year', async (t) => {
  const { app } = await build(t)
  const redirect = await app.inject({ method: 'GET', url: '/console' })
  t.equal(redirect.statusCode, 302)
  t.equal(redirect.headers.location, '/console/')

  for (const url of ['/console/', '/console/clients', '/console/callback?code=x&state=y']) {
    const page = await app.inject({ method: 'GET', url })
    t.equal(page.statusCode, 200, `${url} answers the app`)
    t.match(page.headers['content-type'], /^text\/html/)
    t.equal(page.headers['content-security-policy'], CONSOLE_CSP)
    t.equal(page.headers['cache-control'], 'no-store')
    t.equal(page.headers['x-frame-options'], 'DENY')
    t.equal(page.headers['referrer-policy'], 'no-referrer')
    t.notMatch(page.body, /<script>|<script [^>]*>[^<]/, 'no inline script')
  }
  t.match(CONSOLE_CSP, "script-src 'self'")
  t.notMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval/)

  const page = await app.inject({ method: 'GET', url: '/console/' })
  const assets = [...page.body.matchAll(/"(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]!)
  t.equal(assets.length, 2, 'one script, one stylesheet')
  for (const asset of assets) {
    const file = await app.inject({ method: 'GET', url: asset })
    t.equal(file.statusCode, 200, asset)
    t.equal(file.headers['cache-control'], 'public, max-age=31536000, immutable')
    t.equal(
      file.headers['content-type'],
      asset.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
    )
    t.equal(file.headers['x-content-type-options'], 'nosniff')
  }
})

t.test('/console refuses what is not one of its files', async (t) => {
  const { app } = await build(t)
  for (const url of [
    '/console/assets/missing-0000000000.js',
    '/console/assets/..%2findex.html',
    '/console/assets/%2e%2e%2fapp.js',
    '/console/assets/app.exe',
  ]) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 404, url)
    t.same(response.json(), { error: 'not_found', error_description: 'no such file of the console' }, url)
  }
  t.equal((await app.inject({ method: 'GET', url: '/console/assets/sub/app.js' })).statusCode, 404)
  const long = await app.inject({ method: 'GET', url: `/console/${'a'.repeat(300)}` })
  t.equal(long.statusCode, 414, 'an over-long address is refused before routing')
  for (const url of ['/console/Clients', '/console/%3Cscript%3E', `/console/${'a'.repeat(41)}`]) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 400, `${url.slice(0, 40)}: not a page of the app`)
    t.match(response.json(), { error: 'invalid_request' })
  }
})

t.test('a server without a console build says how to make one', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const { setErrorHandlers } = await import('../../src/http/error-handler.ts')
  setErrorHandlers(app, testConfig())
  await registerConsoleRoutes(app, { root: `${mkdtempSync(join(tmpdir(), 'console-'))}/` })
  const response = await app.inject({ method: 'GET', url: '/console/' })
  t.equal(response.statusCode, 503)
  t.same(response.json(), {
    error: 'service_unavailable',
    error_description: 'the console is not built: run npm run build',
  })
})

t.test('the build stays within the size budget of what loads before first use', async (t) => {
  const { gzipBytes } = await buildConsole({ clean: false })
  t.ok(gzipBytes > 5000, `a real bundle (${gzipBytes} bytes gzip)`)
  t.ok(gzipBytes <= BUDGET_BYTES, `${gzipBytes} bytes gzip ≤ ${BUDGET_BYTES}`)
})

t.test('the server registers the console as a first-party public client, once, in step with ISSUER', async (t) => {
  const { store, config } = await build(t, { env: { ISSUER: 'https://auth.example', SCOPES: 'read admin write' } })
  const deps = { store, config, now: Date.now }
  const first = await ensureConsoleClient(deps)
  t.match(first, {
    clientId: CONSOLE_CLIENT_ID,
    isPublic: true,
    firstParty: true,
    secretHash: null,
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['admin', 'keys:write', 'account', 'read', 'write'],
    redirectUris: ['https://auth.example/console/callback'],
  })
  const again = await ensureConsoleClient(deps)
  t.same(again, first, 'a second start changes nothing')
  const created = await store.audit.list(ANY_TENANT, { limit: 10, type: 'client.created' })
  t.equal(created.items.length, 1, 'recorded once')
  t.equal(created.items[0]!.actor, 'system:console')

  const moved = await ensureConsoleClient({ ...deps, config: { ...config, issuer: 'https://id.example/' } })
  t.same(moved.redirectUris, ['https://id.example/console/callback'], 'a new ISSUER moves the redirect URI')
  const widened = await ensureConsoleClient({
    ...deps,
    config: { ...config, issuer: 'https://id.example/', scopes: ['read', 'audit'] },
  })
  t.same(widened.scopes, ['admin', 'keys:write', 'account', 'read', 'audit'], 'and new SCOPES its scopes')
  t.equal(consoleRedirectUri('https://id.example/'), 'https://id.example/console/callback')
  const updated = await store.audit.list(ANY_TENANT, { limit: 10, type: 'client.updated' })
  t.equal(updated.items.length, 2)
})

t.test('buildApp registers the console client when asked (the server does), and not otherwise', async (t) => {
  const asked = await build(t, { deps: { consoleClient: true } })
  t.match(await asked.store.clients.findById(ANY_TENANT, CONSOLE_CLIENT_ID), { firstParty: true, isPublic: true })
  const plain = await build(t)
  t.equal(await plain.store.clients.findById(ANY_TENANT, CONSOLE_CLIENT_ID), undefined)
})

t.test('two instances starting at once register one console client', async (t) => {
  const { store, config } = await build(t)
  const deps = { store, config, now: Date.now }
  const [a, b] = await Promise.all([ensureConsoleClient(deps), ensureConsoleClient(deps)])
  t.equal(a.clientId, b.clientId)
  t.equal((await store.audit.list(ANY_TENANT, { limit: 10, type: 'client.created' })).items.length, 1)
})

t.test('signing in to the console: PKCE, no consent page, the scopes the user holds', async (t) => {
  const { app, store, config } = await build(t)
  await ensureConsoleClient({ store, config, now: Date.now })
  const redirectUri = consoleRedirectUri(config.issuer)
  await store.users.create({
    username: 'alice',
    passwordHash: await hashPassword(PASSWORD, 4),
    scopes: ['keys:write', 'read'],
  })

  const { verifier, challenge } = pkce()
  const flow = signInFlow(app)
  const login = await flow.get(
    authorizeUrl({
      response_type: 'code',
      client_id: CONSOLE_CLIENT_ID,
      redirect_uri: redirectUri,
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  )
  t.match(login.headers.location, /^\/oauth\/login/)
  const back = await flow.login(login.headers.location!)
  t.equal(back.statusCode, 303)
  t.ok(back.headers.location?.startsWith(`${redirectUri}?`), 'straight back to the console, no consent page')
  const { code, state } = query(back.headers.location)
  t.equal(state, 'st')
  const tokens = await tokenRequest(app, {
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    client_id: CONSOLE_CLIENT_ID,
  })
  t.equal(tokens.statusCode, 200)
  t.equal(tokens.json().scope, 'keys:write', 'of the console’s scopes, only the one alice holds')
  t.type(tokens.json().refresh_token, 'string')

  const mine = await app.inject({
    method: 'GET',
    url: '/v1/me/access-keys',
    headers: { authorization: `Bearer ${tokens.json().access_token}` },
  })
  t.equal(mine.statusCode, 200)
  const admin = await app.inject({
    method: 'GET',
    url: '/admin/v1/clients',
    headers: { authorization: `Bearer ${tokens.json().access_token}` },
  })
  t.equal(admin.statusCode, 403, 'no admin scope, no operator API')

  const noPkce = await flow.get(
    authorizeUrl({ response_type: 'code', client_id: CONSOLE_CLIENT_ID, redirect_uri: redirectUri, state: 's' }),
  )
  t.match(query(noPkce.headers.location).error, 'invalid_request', 'a public client without PKCE is refused')
})
