// Fixtures for the browser sign-in tests: a tiny cookie jar, PKCE pairs, clients registered for the
// authorization code flow, and the steps of the flow through app.inject (as a browser would take them).
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import type { Store } from '../../src/store/index.ts'
import { basic, FORM, form, PASSWORD, SECRET, tokenRequest } from './token-fixtures.ts'

export const REDIRECT = 'https://app.example/callback'
export const LOOPBACK = 'http://127.0.0.1/callback'

/** Cookies as a browser keeps them (name → value), from Set-Cookie headers. */
export function cookieJar() {
  const cookies = new Map<string, string>()
  return {
    cookies,
    /** Takes the Set-Cookie headers of a response (Max-Age=0 deletes). */
    take(response: LightMyRequestResponse) {
      const header = response.headers['set-cookie']
      for (const line of header === undefined ? [] : Array.isArray(header) ? header : [header]) {
        const [pair] = line.split(';')
        const at = pair!.indexOf('=')
        const name = pair!.slice(0, at)
        if (/Max-Age=0(;|$)/.test(line)) cookies.delete(name)
        else cookies.set(name, pair!.slice(at + 1))
      }
      return response
    },
    header(): Record<string, string> {
      return cookies.size === 0 ? {} : { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
    },
  }
}
export type CookieJar = ReturnType<typeof cookieJar>

export function pkce() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** `web` (confidential, refresh), `spa` (public, no refresh), `first` (first-party), all with authorization_code. */
export async function seedSignIn(store: Store) {
  await store.clients.create({
    clientId: 'web',
    name: 'Web <App>',
    secretHash: sha256(SECRET),
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['read', 'write', 'admin'],
    redirectUris: [REDIRECT, 'https://app.example/other', LOOPBACK],
    postLogoutRedirectUris: ['https://app.example/bye'],
  })
  await store.clients.create({
    clientId: 'spa',
    name: 'SPA',
    secretHash: null,
    grantTypes: ['authorization_code'],
    scopes: ['read', 'write'],
    redirectUris: ['https://spa.example/cb'],
  })
  await store.clients.create({
    clientId: 'first',
    name: 'Console',
    secretHash: null,
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['read'],
    redirectUris: ['https://console.example/cb'],
    firstParty: true,
  })
  await store.clients.create({
    clientId: 'other',
    name: 'Other',
    secretHash: sha256(SECRET),
    grantTypes: ['authorization_code'],
    scopes: ['read'],
    redirectUris: [REDIRECT],
  })
  await store.clients.create({
    clientId: 'machine',
    name: 'Machine',
    secretHash: sha256(SECRET),
    grantTypes: ['client_credentials'],
    scopes: ['read'],
    redirectUris: [REDIRECT],
  })
  const alice = await store.users.create({
    username: 'alice',
    passwordHash: await hashPassword(PASSWORD, 4),
    scopes: ['read', 'write'],
  })
  return { alice }
}

export const authorizeUrl = (params: Record<string, string>) => `/oauth/authorize?${new URLSearchParams(params)}`

/** The csrf and request fields of a page's form. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[match[1]!] = match[2]!.replace(/&amp;/g, '&')
  return fields
}

export const query = (location: string | undefined) =>
  Object.fromEntries(new URL(location ?? 'http://invalid/').searchParams)

export function signInFlow(app: FastifyInstance, jar: CookieJar = cookieJar()) {
  const get = async (url: string) => jar.take(await app.inject({ method: 'GET', url, headers: jar.header() }))
  const post = async (url: string, fields: Record<string, string>) =>
    jar.take(await app.inject({ method: 'POST', url, headers: { ...FORM, ...jar.header() }, payload: form(fields) }))
  return {
    jar,
    get,
    post,
    /** Submits the login form the login page at `location` shows. */
    async login(location: string, username = 'alice', password = PASSWORD) {
      const page = await get(location)
      return post('/oauth/login', { ...formFields(page.body), username, password })
    },
    /** Submits the consent form at `location`. */
    async consent(location: string, answer: 'allow' | 'deny' = 'allow') {
      const page = await get(location)
      return post('/oauth/consent', { ...formFields(page.body), consent: answer })
    },
  }
}

/** Signs alice in through the login and consent pages in a new browser (or `flow`'s); the tokens and the browser. */
export async function signedInBrowser(
  app: FastifyInstance,
  username = 'alice',
  options: { flow?: ReturnType<typeof signInFlow>; extra?: Record<string, string> } = {},
) {
  const { verifier, challenge } = pkce()
  const flow = options.flow ?? signInFlow(app)
  const params = {
    response_type: 'code',
    client_id: 'web',
    redirect_uri: REDIRECT,
    scope: 'read',
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...options.extra,
  }
  let response = await flow.get(authorizeUrl(params))
  if (response.headers.location?.startsWith('/oauth/login'))
    response = await flow.login(response.headers.location, username)
  if (response.headers.location?.startsWith('/oauth/consent')) response = await flow.consent(response.headers.location)
  const code = query(response.headers.location).code!
  const tokens = await tokenRequest(
    app,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
    { authorization: basic('web', SECRET) },
  )
  return {
    flow,
    refreshToken: tokens.json().refresh_token as string,
    accessToken: tokens.json().access_token as string,
    params,
    verifier,
  }
}
