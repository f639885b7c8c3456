// The fuzzer's browser sign-in requests: /oauth/authorize, the login and consent pages and their POSTs, the
// continuation of a delegated login, /oauth/logout, /oauth/userinfo and the admin API's login and consent
// requests. Valid ones, followed like a browser would (cookies, the pending request in each Location, the
// CSRF token of each form), and the same mutated: parameters dropped, repeated or odd, forged ID tokens and
// access tokens, odd cookies and content types. The pages answer errors as HTML, the others as JSON.
import type { FuzzRequest, FuzzResponse } from './client.ts'
import type { Planned } from './plans.ts'
import { CONTENT_TYPES, escapeText, form, mutateForm, oddAuthorization, oddString, type Random } from './requests.ts'
import { PASSWORD } from '../support/token-fixtures.ts'

/** The client the sign-in requests use: registered by fuzz.test.ts (authorization_code only: no refresh tokens). */
export const BROWSER_CLIENT = {
  clientId: 'browser',
  redirectUri: 'https://app.example/cb',
  postLogoutRedirectUri: 'https://app.example/bye',
} as const

type SignInPlanned = Planned & { request: FuzzRequest }

/** A query string or form body as a client could send it: every byte outside printable ASCII (and #) escaped. */
function wire(text: string | Buffer): string {
  return [...(typeof text === 'string' ? Buffer.from(text) : text)]
    .map((byte) =>
      byte > 0x20 && byte < 0x7f && byte !== 0x23
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')
}

const lines = (header: string | string[] | undefined) => (header === undefined ? [] : [header].flat())

export function createSignInPlanner(deps: {
  admin: string
  /** A JWT of alice's with openid profile email (UserInfo answers it). */
  userinfo: string
  forged: readonly string[]
}) {
  const { admin, userinfo, forged } = deps
  /** The browser: its cookies, the pending requests it was sent to, the CSRF token of the last form it saw. */
  const cookies = new Map<string, string>()
  const pending: string[] = []
  let csrf = ''

  function follow(response: FuzzResponse): void {
    for (const line of lines(response.headers['set-cookie'])) {
      const [pair] = line.split(';')
      const at = pair!.indexOf('=')
      if (at <= 0) continue
      if (/Max-Age=0(;|$)/i.test(line)) cookies.delete(pair!.slice(0, at))
      else cookies.set(pair!.slice(0, at), pair!.slice(at + 1))
    }
    const location = String(response.headers.location ?? '')
    const id = /^\/oauth\/(?:login|consent)\?request=([A-Za-z0-9_-]+)/.exec(location)?.[1]
    if (id) {
      pending.push(id)
      if (pending.length > 10) pending.shift()
    }
    if (String(response.headers['content-type']).startsWith('text/html')) {
      const token = /name="_csrf" value="([^"]+)"/.exec(response.body.toString('utf8'))?.[1]
      if (token) csrf = token
    }
  }

  const cookieHeader = (r: Random): Record<string, string> => {
    if (r.chance(0.05)) return { cookie: wire(`portcullis-session=${oddString(r)}; portcullis-csrf=${oddString(r)}`) }
    if (cookies.size === 0) return {}
    return { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
  }

  const pendingId = (r: Random) =>
    pending.length > 0 && r.chance(0.8) ? r.pick(pending) : r.pick([oddString(r), 'x'.repeat(43), ''])

  /** A challenge (43 characters of base64url) for PKCE, from the generator. */
  const challenge = (r: Random) =>
    Array.from(
      { length: 43 },
      () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[r.int(64)]!,
    ).join('')

  /** GET with the parameters in the query, or POST as a form: mutated half the time. */
  function pageRequest(
    r: Random,
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    mutated: boolean,
  ): FuzzRequest {
    const encoded = wire(mutated ? mutateForm(r, params) : form(params))
    const headers: Record<string, string> = { ...cookieHeader(r) }
    if (method === 'GET') return { method, path: encoded ? `${path}?${encoded}` : path, headers }
    headers['content-type'] = mutated && r.chance(0.3) ? r.pick(CONTENT_TYPES) : 'application/x-www-form-urlencoded'
    if (!headers['content-type']) delete headers['content-type']
    return { method, path, headers, body: encoded }
  }

  function authorize(r: Random, mutated: boolean): SignInPlanned {
    // A new browser now and then, so that the login page comes again.
    if (r.chance(0.15)) cookies.clear()
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: BROWSER_CLIENT.clientId,
      redirect_uri: BROWSER_CLIENT.redirectUri,
      scope: r.pick(['openid read', 'read', 'openid profile email read']),
      state: escapeText(oddString(r)).slice(0, 100) || 's',
      code_challenge: challenge(r),
      code_challenge_method: 'S256',
    }
    if (r.chance(0.3)) params.nonce = 'n'
    if (r.chance(0.2)) params.prompt = r.pick(['none', 'login', 'consent', 'login consent'])
    if (r.chance(0.1)) params.max_age = r.pick(['0', '60', '3600'])
    if (r.chance(0.1)) params.login_hint = 'alice'
    if (r.chance(0.1)) params.response_mode = r.pick(['query', 'form_post'])
    return {
      kind: `sign-in authorize${mutated ? ' mutated' : ''}`,
      request: pageRequest(r, 'GET', '/oauth/authorize', params, mutated),
      html: true,
      // prompt=none without a session or consent is an error redirect: a 303 too.
      ...(mutated ? {} : { expect: [200, 303] }),
      onAnswer: follow,
    }
  }

  function login(r: Random, mutated: boolean): SignInPlanned {
    if (r.chance(0.3))
      return {
        kind: 'sign-in GET /oauth/login',
        request: pageRequest(r, 'GET', '/oauth/login', { request: pendingId(r) }, mutated),
        html: true,
        onAnswer: follow,
      }
    const params = {
      request: pendingId(r),
      username: r.chance(0.8) ? 'alice' : oddString(r),
      password: r.chance(0.8) ? PASSWORD : oddString(r),
      _csrf: r.chance(0.9) ? csrf : oddString(r),
    }
    return {
      kind: `sign-in POST /oauth/login${mutated ? ' mutated' : ''}`,
      request: pageRequest(r, 'POST', '/oauth/login', params, mutated),
      html: true,
      onAnswer: follow,
    }
  }

  function consent(r: Random, mutated: boolean): SignInPlanned {
    if (r.chance(0.3))
      return {
        kind: 'sign-in GET /oauth/consent',
        request: pageRequest(r, 'GET', '/oauth/consent', { request: pendingId(r) }, mutated),
        html: true,
        onAnswer: follow,
      }
    const params = {
      request: pendingId(r),
      consent: r.pick(['allow', 'allow', 'deny', oddString(r)]),
      _csrf: r.chance(0.9) ? csrf : oddString(r),
    }
    return {
      kind: `sign-in POST /oauth/consent${mutated ? ' mutated' : ''}`,
      request: pageRequest(r, 'POST', '/oauth/consent', params, mutated),
      html: true,
      onAnswer: follow,
    }
  }

  function logout(r: Random, mutated: boolean): SignInPlanned {
    const params: Record<string, string> = {}
    if (r.chance(0.5)) params.id_token_hint = r.chance(0.7) ? r.pick(forged) : oddString(r)
    if (r.chance(0.5)) params.client_id = r.chance(0.8) ? BROWSER_CLIENT.clientId : oddString(r)
    if (r.chance(0.4))
      params.post_logout_redirect_uri = r.chance(0.8) ? BROWSER_CLIENT.postLogoutRedirectUri : oddString(r)
    if (r.chance(0.3)) params.state = 'st'
    const method = r.pick(['GET', 'POST'] as const)
    if (method === 'POST' && r.chance(0.5)) {
      params.confirm = 'yes'
      params._csrf = r.chance(0.8) ? csrf : oddString(r)
    }
    return {
      kind: `sign-in ${method} /oauth/logout${mutated ? ' mutated' : ''}`,
      request: pageRequest(r, method, '/oauth/logout', params, mutated),
      html: true,
      onAnswer: follow,
    }
  }

  function continuation(r: Random, mutated: boolean): SignInPlanned {
    const name = r.pick(['login_verifier', 'consent_verifier'])
    return {
      kind: `sign-in GET /oauth/authorize/continue${mutated ? ' mutated' : ''}`,
      request: pageRequest(r, 'GET', '/oauth/authorize/continue', { [name]: oddString(r) }, mutated),
      html: true,
      onAnswer: follow,
    }
  }

  function userinfoRequest(r: Random, mutated: boolean): SignInPlanned {
    const method = r.pick(['GET', 'POST'])
    const authorization = mutated ? oddAuthorization(r, forged) : `Bearer ${userinfo}`
    const headers: Record<string, string> = { authorization }
    let body: string | undefined
    if (method === 'POST' && r.chance(0.5)) {
      headers['content-type'] = r.pick(CONTENT_TYPES) || 'application/x-www-form-urlencoded'
      body = wire(mutateForm(r, { access_token: r.pick([userinfo, ...forged]) }))
    }
    return {
      kind: `sign-in ${method} /oauth/userinfo${mutated ? ' mutated' : ''}`,
      request: { method, path: '/oauth/userinfo', headers, ...(body === undefined ? {} : { body }) },
      ...(mutated || body !== undefined ? {} : { expect: [200] }),
    }
  }

  function loginRequests(r: Random, mutated: boolean): SignInPlanned {
    const kind = r.pick(['login-requests', 'consent-requests'])
    const id = r.pick([challenge(r), escapeText(oddString(r)) || 'x', 'x'.repeat(200)])
    const action = r.pick(['', '', '/accept', '/reject'])
    const payload =
      action === '/accept'
        ? kind === 'login-requests'
          ? { subject: r.pick(['alice', oddString(r)]), remember: r.chance(0.5) }
          : { grant_scope: ['read'], remember: true }
        : action === '/reject'
          ? { error: r.pick(['access_denied', 'login_required', oddString(r)]), error_description: 'no' }
          : undefined
    const headers: Record<string, string> = {
      authorization: mutated && r.chance(0.5) ? oddAuthorization(r, forged) : admin,
    }
    let body: string | undefined
    if (payload !== undefined) {
      headers['content-type'] = 'application/json'
      body = mutated
        ? wire(r.pick(['{', '[]', 'null', JSON.stringify({ ...payload, extra: 1 })]))
        : JSON.stringify(payload)
    }
    return {
      kind: `sign-in ${action ? 'POST' : 'GET'} /admin/v1/${kind}${mutated ? ' mutated' : ''}`,
      request: {
        method: action ? 'POST' : 'GET',
        path: `/admin/v1/${kind}/${id}${action}`,
        headers,
        ...(body === undefined ? {} : { body }),
      },
    }
  }

  function plan(r: Random): SignInPlanned {
    const mutated = r.chance(0.4)
    const roll = r.next()
    if (roll < 0.25) return authorize(r, mutated)
    if (roll < 0.45) return login(r, mutated)
    if (roll < 0.6) return consent(r, mutated)
    if (roll < 0.72) return logout(r, mutated)
    if (roll < 0.78) return continuation(r, mutated)
    if (roll < 0.9) return userinfoRequest(r, mutated)
    return loginRequests(r, mutated)
  }

  return { plan }
}
