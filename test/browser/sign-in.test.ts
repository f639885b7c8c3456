// Browser sign-in end to end (issue #19), in Debian's chromium through playwright-core against a listening server:
// authorize → login page → consent page → back to the client, twice.
//  (a) A confidential web client: a relying party of its own (node:http) built on openid-client, a certified
//      relying party, starts the flow (PKCE, state, nonce) and redeems the code at its callback; the test then
//      refreshes, reads UserInfo and checks the ID token's claims with it.
//  (b) A public single-page app served from another origin: its script builds the authorize URL (PKCE with
//      crypto.subtle), and on return calls the token and UserInfo endpoints with fetch (CORS, the client's
//      allowed_origins); the test reads what the page got and verifies the ID token with jose against the JWKS.
// The login and consent pages are screenshot at 1280 and 375 px into /tmp/e2e-<client>-<page>-<width>.png.
// On SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set (screenshots once, on SQLite).
// Run by `npm run test:browser`, apart from `npm test`.
import t, { type Test } from 'tap'
import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as client from 'openid-client'
import { chromium, type Browser, type Page } from 'playwright-core'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { providers } from '../support/helper.ts'
import { listen } from '../support/listen.ts'
import { PASSWORD, SECRET } from '../support/token-fixtures.ts'

const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)`
// Waits, never sleeps: generous, for a loaded machine.
const WAIT = { timeout: 60_000 }

async function launch(t: Test): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  t.teardown(() => browser.close())
  return browser
}

/** A node:http server on 127.0.0.1, port 0; closed when the test ends. */
async function serve(t: Test, handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error: Error) => {
      response.statusCode = 500
      response.end(String(error.stack ?? error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Screenshots of the page as it is, at 1280 and then 375 px wide, back to 1280 after. */
async function screenshots(page: Page, name: string) {
  for (const [width, height] of [
    [1280, 800],
    [375, 740],
  ] as const) {
    await page.setViewportSize({ width, height })
    await page.screenshot({ path: `/tmp/e2e-${name}-${width}.png`, fullPage: true })
  }
  await page.setViewportSize({ width: 1280, height: 800 })
}

/** The browser's part: the login page (filled and submitted), then the consent page (Allow). */
async function signInAndAllow(t: Test, page: Page, name: string, clientName: string, shoot: boolean) {
  await page.waitForURL(/\/oauth\/login\?/, WAIT)
  await page.waitForSelector('input[name="username"]', WAIT)
  t.match(
    await page.locator('main, body').first().innerText(),
    new RegExp(`Sign in[\\s\\S]*${clientName}`),
    `${name}: the login page names the client`,
  )
  if (shoot) await screenshots(page, `${name}-login`)
  await page.fill('input[name="username"]', 'alice')
  await page.fill('input[name="password"]', PASSWORD)
  await page.click('button[type="submit"]')
  await page.waitForURL(/\/oauth\/consent\?/, WAIT)
  await page.waitForSelector('button[name="consent"][value="allow"]', WAIT)
  const consent = await page.locator('body').innerText()
  t.match(
    consent,
    new RegExp(`${clientName}[\\s\\S]*wants to access your account`),
    `${name}: the consent page names the client`,
  )
  for (const scope of ['openid', 'profile', 'email', 'read'])
    t.match(consent, scope, `${name}: the consent page lists ${scope}`)
  if (shoot) await screenshots(page, `${name}-consent`)
  await page.click('button[name="consent"][value="allow"]')
}

for (const provider of providers)
  t.test(
    `browser sign-in end to end on ${provider}: a confidential web client through openid-client, a public SPA on another origin with fetch`,
    { skip },
    async (t) => {
      const shoot = provider === 'sqlite'
      const { store, baseUrl } = await listen(t, { provider })
      const keys = createRemoteJWKSet(new URL(`${baseUrl}/.well-known/jwks.json`))
      const alice = await store.users.create({
        username: 'alice',
        passwordHash: await hashPassword(PASSWORD, 4),
        scopes: ['read'],
        email: 'alice@example.com',
        emailVerified: true,
        name: 'Alice Liddell',
      })
      const expectedUserInfo = {
        sub: alice.id,
        name: 'Alice Liddell',
        email: 'alice@example.com',
        email_verified: true,
      }
      const browser = await launch(t)

      t.test(
        '(a) confidential web client: openid-client starts the flow and redeems the code at its callback',
        async (t) => {
          // The relying party: /login builds the authorization URL and redirects; /callback redeems the code.
          let rpUrl = ''
          let config: client.Configuration | undefined
          const pending = new Map<string, { verifier: string; nonce: string }>()
          let redeemed:
            | ((tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers) => void)
            | undefined
          const tokensPromise = new Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers>(
            (resolve) => (redeemed = resolve),
          )
          rpUrl = await serve(t, async (request, response) => {
            const url = new URL(request.url ?? '/', rpUrl)
            config ??= await client.discovery(new URL(baseUrl), 'web', SECRET, client.ClientSecretBasic(SECRET), {
              execute: [client.allowInsecureRequests],
            })
            if (url.pathname === '/login') {
              const verifier = client.randomPKCECodeVerifier()
              const nonce = client.randomNonce()
              const state = client.randomState()
              pending.set(state, { verifier, nonce })
              const target = client.buildAuthorizationUrl(config, {
                redirect_uri: `${rpUrl}/callback`,
                scope: 'openid profile email read',
                code_challenge: await client.calculatePKCECodeChallenge(verifier),
                code_challenge_method: 'S256',
                state,
                nonce,
              })
              response.writeHead(302, { location: target.href }).end()
            } else if (url.pathname === '/callback') {
              const state = url.searchParams.get('state') ?? ''
              const expected = pending.get(state)
              if (!expected) return void response.writeHead(400).end('unknown state')
              pending.delete(state)
              const tokens = await client.authorizationCodeGrant(config, url, {
                pkceCodeVerifier: expected.verifier,
                expectedState: state,
                expectedNonce: expected.nonce,
                idTokenExpected: true,
              })
              redeemed!(tokens)
              response.writeHead(200, { 'content-type': 'text/plain' }).end(`signed in as ${tokens.claims()?.sub}`)
            } else response.writeHead(404).end()
          })
          await store.clients.create({
            clientId: 'web',
            name: 'Acme Web',
            secretHash: sha256(SECRET),
            grantTypes: ['authorization_code', 'refresh_token'],
            scopes: ['openid', 'profile', 'email', 'read'],
            redirectUris: [`${rpUrl}/callback`],
          })

          const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
          t.teardown(() => context.close())
          const page = await context.newPage()
          const started = Date.now()
          await page.goto(`${rpUrl}/login`, WAIT)
          await signInAndAllow(t, page, 'web', 'Acme Web', shoot)
          await page.waitForURL(`${rpUrl}/callback?**`, WAIT)
          await page.waitForSelector('text=signed in as', WAIT)
          t.equal(
            await page.locator('body').innerText(),
            `signed in as ${alice.id}`,
            'the callback redeemed the code (PKCE, state, iss, nonce checked by openid-client)',
          )
          t.comment(`web client: browser flow in ${Date.now() - started} ms`)

          const tokens = await tokensPromise
          const claims = tokens.claims()!
          t.match(claims, { iss: baseUrl, sub: alice.id, aud: 'web', amr: ['pwd'] })
          t.type(claims.sid, 'string')
          t.type(claims.auth_time, 'number')
          t.equal(tokens.scope, 'openid profile email read')
          t.equal(tokens.token_type.toLowerCase(), 'bearer')
          t.ok(tokens.refresh_token, 'a refresh token: the client is registered for refresh_token')
          const { payload } = await jwtVerify(tokens.id_token!, keys, {
            issuer: baseUrl,
            audience: 'web',
            algorithms: ['RS256'],
          })
          t.equal(payload.sub, alice.id, 'the ID token verifies against the JWKS')

          t.same(
            { ...(await client.fetchUserInfo(config!, tokens.access_token, alice.id)) },
            expectedUserInfo,
            'UserInfo',
          )
          const refreshed = await client.refreshTokenGrant(config!, tokens.refresh_token!)
          t.match(refreshed.claims(), {
            iss: baseUrl,
            sub: alice.id,
            aud: 'web',
            auth_time: claims.auth_time,
            sid: claims.sid,
          })
          t.not(refreshed.refresh_token, tokens.refresh_token, 'the refresh token rotates')
          t.same(
            { ...(await client.fetchUserInfo(config!, refreshed.access_token, alice.id)) },
            expectedUserInfo,
            'UserInfo with the refreshed access token',
          )
        },
      )

      t.test(
        '(b) public SPA on another origin: PKCE in the page, token and UserInfo through fetch (CORS)',
        async (t) => {
          let spaUrl = ''
          spaUrl = await serve(t, (request, response) => {
            const path = new URL(request.url ?? '/', spaUrl).pathname
            if (path === '/app.js')
              return void response.writeHead(200, { 'content-type': 'text/javascript' }).end(SPA_SCRIPT)
            if (path !== '/' && path !== '/callback') return void response.writeHead(404).end()
            response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
            response.end(`<!doctype html><html lang="en" data-issuer="${baseUrl}" data-client-id="spa" data-redirect-uri="${spaUrl}/callback">
<head><title>SPA</title><script src="/app.js" defer></script></head>
<body><button id="sign-in" type="button">Sign in</button><pre id="result"></pre></body></html>`)
          })
          t.not(new URL(spaUrl).origin, new URL(baseUrl).origin, 'the page runs on another origin than the server')
          await store.clients.create({
            clientId: 'spa',
            name: 'Acme SPA',
            secretHash: null,
            grantTypes: ['authorization_code', 'refresh_token'],
            scopes: ['openid', 'profile', 'email', 'read'],
            redirectUris: [`${spaUrl}/callback`],
            allowedOrigins: [spaUrl],
          })

          const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
          t.teardown(() => context.close())
          const page = await context.newPage()
          const errors: string[] = []
          page.on('pageerror', (error) => errors.push(error.message))
          const corsAnswers: Record<string, string | undefined> = {}
          page.on('response', (answer) => {
            const path = new URL(answer.url()).pathname
            if (answer.request().method() !== 'OPTIONS' && ['/oauth/token', '/oauth/userinfo'].includes(path))
              corsAnswers[path] = answer.headers()['access-control-allow-origin']
          })
          const started = Date.now()
          await page.goto(spaUrl, WAIT)
          await page.click('#sign-in')
          await signInAndAllow(t, page, 'spa', 'Acme SPA', shoot)
          await page.waitForURL(`${spaUrl}/callback?**`, WAIT)
          await page.waitForSelector('#result[data-done]', WAIT)
          t.comment(`SPA: browser flow in ${Date.now() - started} ms`)
          const result = JSON.parse(await page.locator('#result').innerText())
          t.same(errors, [], 'no error in the page')
          t.equal(result.error, undefined, 'the page completed the flow')
          t.same(
            corsAnswers,
            { '/oauth/token': spaUrl, '/oauth/userinfo': spaUrl },
            'the token and UserInfo answers carry CORS headers for the page’s origin',
          )
          t.equal(result.callback.iss, baseUrl, 'iss on the redirect (RFC 9207)')
          t.equal(result.callback.stateMatched, true, 'state echoed')

          const { tokens, refreshed, userinfo, nonce } = result
          t.equal(tokens.scope, 'openid profile email read')
          t.ok(tokens.refresh_token, 'a public client gets a refresh token when registered for it')
          const { payload } = await jwtVerify(tokens.id_token, keys, {
            issuer: baseUrl,
            audience: 'spa',
            algorithms: ['RS256'],
            typ: 'JWT',
          })
          t.match(payload, { iss: baseUrl, sub: alice.id, aud: 'spa', nonce, amr: ['pwd'] })
          t.same(userinfo, expectedUserInfo, 'UserInfo read by the page')
          const again = await jwtVerify(refreshed.id_token, keys, {
            issuer: baseUrl,
            audience: 'spa',
            algorithms: ['RS256'],
          })
          t.match(again.payload, { sub: alice.id, sid: payload.sid, auth_time: payload.auth_time })
          t.not(refreshed.refresh_token, tokens.refresh_token, 'the refresh token rotates')

          // openid-client, as a public client, refreshes once more from the page's rotated token (same issuer, same grant).
          const config = await client.discovery(new URL(baseUrl), 'spa', undefined, client.None(), {
            execute: [client.allowInsecureRequests],
          })
          const last = await client.refreshTokenGrant(config, refreshed.refresh_token)
          t.match(last.claims(), { sub: alice.id, aud: 'spa', sid: payload.sid })
          t.same({ ...(await client.fetchUserInfo(config, last.access_token, alice.id)) }, expectedUserInfo)
        },
      )
    },
  )

// The single-page app's script: a file of its own, as a page under a strict CSP would have it.
const SPA_SCRIPT = `
const root = document.documentElement.dataset
const result = document.getElementById('result')
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')
const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)))
const form = (fields) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) })
async function json(response) {
  const body = await response.json()
  if (!response.ok) throw new Error(response.status + ' ' + JSON.stringify(body))
  return body
}
async function signIn() {
  const verifier = random(), state = random(), nonce = random()
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)))
  sessionStorage.setItem('sign-in', JSON.stringify({ verifier, state, nonce }))
  location.assign(root.issuer + '/oauth/authorize?' + new URLSearchParams({
    response_type: 'code', client_id: root.clientId, redirect_uri: root.redirectUri, scope: 'openid profile email read',
    state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
  }))
}
async function finish(params) {
  const saved = JSON.parse(sessionStorage.getItem('sign-in'))
  sessionStorage.removeItem('sign-in')
  const callback = { iss: params.get('iss'), stateMatched: params.get('state') === saved.state }
  if (!callback.stateMatched || callback.iss !== root.issuer) throw new Error('bad callback ' + JSON.stringify(callback))
  const tokens = await json(await fetch(root.issuer + '/oauth/token', form({
    grant_type: 'authorization_code', code: params.get('code'), redirect_uri: root.redirectUri, client_id: root.clientId, code_verifier: saved.verifier,
  })))
  const userinfo = await json(await fetch(root.issuer + '/oauth/userinfo', { headers: { authorization: 'Bearer ' + tokens.access_token } }))
  const refreshed = await json(await fetch(root.issuer + '/oauth/token', form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: root.clientId })))
  return { callback, tokens, userinfo, refreshed, nonce: saved.nonce }
}
function show(value) {
  result.textContent = JSON.stringify(value)
  result.dataset.done = '1'
}
document.getElementById('sign-in').addEventListener('click', () => signIn().catch((error) => show({ error: String(error) })))
const params = new URLSearchParams(location.search)
if (location.pathname === '/callback') {
  if (params.has('error')) show({ error: params.get('error') + ': ' + params.get('error_description') })
  else finish(params).then(show, (error) => show({ error: String(error) }))
}
`
