// Browser sign-in: the authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636), for a web app (redirect
// there and back) and for a CLI (a loopback redirect, RFC 8252 §7.3: the browser comes back to 127.0.0.1).
import * as oauth from 'oauth4webapi'
import { type ClientOptions, createServer, translate } from '../server.js'
import type { AuthStrategy } from '../strategy.js'
import { fromResponse } from '../tokens.js'
import { type ManagedOptions, tokens } from './index.js'

export interface AuthorizationStart {
  /** Where to send the browser. */
  url: URL
  /** Keep both until the browser comes back (sessionStorage in a web app); never send them anywhere. */
  state: string
  codeVerifier: string
}

/**
 * Step 1: the address to send the browser to.
 *
 * @example
 * const start = await startAuthorization({ issuer, clientId: 'spa', redirectUri: `${location.origin}/callback`, scope: 'read' })
 * sessionStorage.setItem('pkce', JSON.stringify({ state: start.state, codeVerifier: start.codeVerifier }))
 * location.assign(start.url)
 */
export async function startAuthorization(
  options: ClientOptions & { redirectUri: string; scope?: string },
): Promise<AuthorizationStart> {
  const as = await createServer(options).as()
  if (!as.authorization_endpoint) throw new Error(`${options.issuer} has no authorization_endpoint`)
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(as.authorization_endpoint)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', options.clientId)
  url.searchParams.set('redirect_uri', options.redirectUri)
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier))
  url.searchParams.set('code_challenge_method', 'S256')
  url.searchParams.set('state', state)
  if (options.scope) url.searchParams.set('scope', options.scope)
  return { url, state, codeVerifier }
}

/**
 * Step 2: the browser is back at `callbackUrl`; trades the code for tokens, kept fresh from then on.
 *
 * @example
 * const { state, codeVerifier } = JSON.parse(sessionStorage.getItem('pkce'))
 * const auth = await finishAuthorization({ issuer, clientId: 'spa', redirectUri, callbackUrl: location.href, state, codeVerifier, onTokens: save })
 */
export async function finishAuthorization(
  options: ClientOptions &
    ManagedOptions & { redirectUri: string; callbackUrl: string | URL; state: string; codeVerifier: string },
): Promise<AuthStrategy> {
  const server = createServer(options)
  const now = options.now ?? Date.now
  try {
    const as = await server.as()
    const parameters = oauth.validateAuthResponse(as, server.client, new URL(options.callbackUrl), options.state)
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      server.client,
      server.auth,
      parameters,
      options.redirectUri,
      options.codeVerifier,
      server.options,
    )
    const set = fromResponse(await oauth.processAuthorizationCodeResponse(as, server.client, response), now())
    await options.onTokens?.(set)
    return tokens({ ...options, ...set })
  } catch (error) {
    throw translate(error)
  }
}

interface NodeHttp {
  createServer(
    handler: (
      request: { url?: string },
      response: { writeHead(status: number, headers: Record<string, string>): unknown; end(body: string): unknown },
    ) => void,
  ): {
    listen(port: number, host: string, callback: () => void): unknown
    address(): { port: number } | string | null
    close(): unknown
    once(event: 'error', callback: (error: Error) => void): unknown
  }
}

/**
 * For a CLI (Node): listens on 127.0.0.1, has `open` show the sign-in page, and finishes when the browser comes
 * back (the client must have `http://127.0.0.1/callback` registered; any port matches, RFC 8252 §7.3).
 *
 * @example
 * const auth = await loopbackSignIn({ issuer, clientId: 'cli', scope: 'read', open: (url) => console.log(`Open ${url}`) })
 */
export async function loopbackSignIn(
  options: ClientOptions &
    ManagedOptions & { scope?: string; open: (url: string) => unknown; path?: string; timeoutMs?: number },
): Promise<AuthStrategy> {
  // A name in a variable: browser bundlers leave the import alone (this function is for Node only).
  const nodeHttp = 'node:http'
  const http = (await import(/* @vite-ignore */ /* webpackIgnore: true */ nodeHttp)) as NodeHttp
  const path = options.path ?? '/callback'
  let arrived: (url: URL) => void = () => {}
  const callback = new Promise<URL>((resolve) => (arrived = resolve))
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (url.pathname !== path) {
      response.writeHead(404, { 'content-type': 'text/plain' })
      response.end('Not found')
      return
    }
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
    response.end('Signed in. You can close this window and return to the terminal.')
    arrived(url)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  try {
    const { port } = server.address() as { port: number }
    const redirectUri = `http://127.0.0.1:${port}${path}`
    const start = await startAuthorization({ ...options, redirectUri })
    await options.open(start.url.href)
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('sign-in timed out')), options.timeoutMs ?? 300_000)
    })
    const returned = await Promise.race([callback, timeout]).finally(() => clearTimeout(timer))
    return await finishAuthorization({
      ...options,
      redirectUri,
      callbackUrl: returned,
      state: start.state,
      codeVerifier: start.codeVerifier,
    })
  } finally {
    server.close()
  }
}
