// The fuzzer's plan of requests, one at a time from a seeded generator: valid requests to every route, the
// same mutated, random ones, oversized ones, raw bytes. It keeps the credentials the server hands out (to use
// them again) and a tally of what the successful creating requests made (compared with the store at the end).
import { toRaw, type FuzzRequest, type FuzzResponse } from './client.ts'
import {
  CONTENT_TYPES,
  METHODS,
  escapeText,
  form,
  mutateForm,
  mutateObject,
  oddAuthorization,
  oddPath,
  oddString,
  oddValue,
  rawRequest,
  withInvalidUtf8,
  type Random,
} from './requests.ts'
import { PASSWORD } from '../support/token-fixtures.ts'

/** The clients the valid requests authenticate as (token-fixtures.ts seed(), and fuzz.test.ts). */
const SEEDED = new Set(['service', 'spa', 'machine', 'exchanger'])

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_KEY_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'

/** What the requests that succeeded created; compared with the store at the end. */
export interface Tally {
  users: Set<string>
  clients: Set<string>
  /** access key id → owning user id (a user's keys go with the user). */
  accessKeys: Map<string, string | null>
  /** Distinct: a retried refresh within its grace period gets the same successor again (no new row). */
  refreshTokens: Set<string>
  refreshFamilies: number
  signingKeys: number
}

export interface Planned {
  kind: string
  request?: FuzzRequest
  raw?: Buffer
  /** What a 2xx answer means for the tally. */
  onSuccess?: (json: Record<string, unknown>) => void
  /** An unmutated valid request: its answer must be a success. */
  mustSucceed?: boolean
  /** Milliseconds the answer may take, when not the usual bound. */
  maxMs?: number
  /** An HTML page's route (sign-in-plans.ts): an error may be a page (text/html) as well as JSON. */
  html?: boolean
  /** For an unmutated request: the statuses that are right. */
  expect?: readonly number[]
  /** Every answer, to follow a flow (cookies, Location, forms). */
  onAnswer?: (response: FuzzResponse) => void
}

/** Keeps the latest 50 credentials to reuse, so the fuzzer's own memory stays flat over a long run. */
function remember(list: string[], value: string): void {
  list.push(value)
  if (list.length > 50) list.shift()
}

export interface PlannerDeps {
  port: number
  bodyLimit: number
  /** Authorization headers: an admin JWT, a user's keys:write JWT, HTTP Basic of `service` and of `exchanger`. */
  admin: string
  me: string
  basicService: string
  basicExchanger: string
  /** Forged access tokens (forged-token-fixtures.ts). */
  forged: readonly string[]
}

export function createPlanner(deps: PlannerDeps): {
  plan: (r: Random) => Planned
  tally: Tally
  loggedIn: (json: Record<string, unknown>) => void
} {
  const { port, bodyLimit: BODY_LIMIT, admin, me, basicService, basicExchanger, forged } = deps
  const tally: Tally = {
    users: new Set(),
    clients: new Set(),
    accessKeys: new Map(),
    refreshTokens: new Set(),
    refreshFamilies: 0,
    signingKeys: 0,
  }
  const refreshTokens: string[] = []
  const accessTokens: string[] = []
  /** Access keys the fuzzer created, as subject tokens of the exchange. */
  const accessKeys: string[] = []
  let serial = 0
  const jsonHeaders = (authorization: string): Record<string, string> => ({
    'content-type': 'application/json',
    authorization,
  })

  /** A request to one of the OAuth endpoints: valid, or mutated. */
  function oauthRequest(r: Random): Planned {
    const endpoint = r.pick(['token', 'token', 'token', 'revoke', 'introspect'])
    let params: Record<string, string>
    let grant = ''
    if (endpoint === 'token') {
      grant = r.pick(['password', 'password', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE])
      params =
        grant === TOKEN_EXCHANGE
          ? {
              grant_type: grant,
              subject_token:
                accessKeys.length > 0 && r.chance(0.7)
                  ? r.pick(accessKeys)
                  : r.pick([...forged, oddString(r), 'pcl_x_y']),
              subject_token_type: ACCESS_KEY_TYPE,
            }
          : grant === 'password'
            ? { grant_type: grant, username: 'alice', password: PASSWORD, scope: r.pick(['read', 'read write']) }
            : grant === 'refresh_token'
              ? {
                  grant_type: grant,
                  refresh_token: refreshTokens.length > 0 && r.chance(0.8) ? r.pick(refreshTokens) : oddString(r),
                }
              : { grant_type: grant, scope: 'read' }
    } else {
      const token = r.pick([...refreshTokens.slice(-5), ...accessTokens.slice(-5), ...forged.slice(0, 3), oddString(r)])
      params = { token: token ?? 'x' }
      if (r.chance(0.3)) params.token_type_hint = r.pick(['access_token', 'refresh_token', 'nonsense', ''])
    }
    const mutated = r.chance(0.5)
    const body = mutated ? mutateForm(r, params) : form(params)
    const headers: Record<string, string> = {
      'content-type': mutated && r.chance(0.2) ? r.pick(CONTENT_TYPES) : 'application/x-www-form-urlencoded',
    }
    if (!headers['content-type']) delete headers['content-type']
    const authorization =
      mutated && r.chance(0.3)
        ? oddAuthorization(r, forged)
        : endpoint === 'introspect' && r.chance(0.3)
          ? admin
          : grant === TOKEN_EXCHANGE
            ? basicExchanger
            : basicService
    headers.authorization = authorization
    const sentGrant = (() => {
      try {
        return new URLSearchParams(body.toString()).getAll('grant_type')
      } catch {
        return []
      }
    })()
    return {
      kind: `oauth ${endpoint}${grant ? `:${grant === TOKEN_EXCHANGE ? 'token-exchange' : grant}` : ''}${mutated ? ' mutated' : ''}`,
      request: { method: 'POST', path: `/oauth/${endpoint}`, headers, body },
      mustSucceed: !mutated && endpoint === 'token' && grant === 'client_credentials',
      onSuccess: (json) => {
        if (endpoint !== 'token') return
        if (typeof json.access_token === 'string') remember(accessTokens, json.access_token)
        if (typeof json.refresh_token !== 'string') return
        remember(refreshTokens, json.refresh_token)
        tally.refreshTokens.add(json.refresh_token)
        if (sentGrant.length === 1 && sentGrant[0] === 'password') tally.refreshFamilies += 1
      },
    }
  }

  /** An admin API or /v1/me request with a valid admin credential: valid, or mutated. */
  function adminRequest(r: Random): Planned {
    serial += 1
    // Ids the fuzzer created, and ids that exist nowhere: never the seeded clients, which valid requests use.
    const odd = escapeText(oddString(r))
    const ids = (set: Iterable<string>) => [...set, 'nope', SEEDED.has(odd) || odd === '' ? 'x' : odd]
    const choice = r.int(12)
    let method: string
    let path: string
    let payload: Record<string, unknown> | undefined
    let onSuccess: Planned['onSuccess']
    let authorization = admin
    // A fuzzed user may be disabled or gone by now: a key for one may be refused.
    let mayFail = false
    switch (choice) {
      case 0:
        method = 'POST'
        path = '/admin/v1/users'
        payload = { username: `fuzz-user-${serial}`, password: 'fuzz-password-long-enough', scopes: ['read'] }
        onSuccess = (json) => void tally.users.add(String(json.id))
        break
      case 1:
        method = 'POST'
        path = '/admin/v1/clients'
        payload = { name: `Fuzz client ${serial}`, grant_types: ['client_credentials'], scopes: ['read'] }
        onSuccess = (json) => void tally.clients.add(String(json.client_id))
        break
      case 2:
        method = 'POST'
        path = '/admin/v1/access-keys'
        payload = { name: `fuzz key ${serial}`, scopes: ['read'] }
        if (tally.users.size > 0 && r.chance(0.5)) {
          payload.user_id = r.pick([...tally.users])
          mayFail = true
        }
        onSuccess = (json) => keyCreated(json)
        break
      case 3:
        method = 'POST'
        path = '/v1/me/access-keys'
        payload = { name: `my key ${serial}`, scopes: ['read'] }
        authorization = me
        onSuccess = (json) => keyCreated(json)
        break
      case 4: {
        method = 'DELETE'
        const id = r.pick(ids(tally.users))
        path = `/admin/v1/users/${id}`
        onSuccess = () => {
          tally.users.delete(id)
          for (const [key, owner] of tally.accessKeys) if (owner === id) tally.accessKeys.delete(key)
        }
        break
      }
      case 5: {
        method = 'DELETE'
        const id = r.pick(ids(tally.clients))
        path = `/admin/v1/clients/${id}`
        onSuccess = () => void tally.clients.delete(id)
        break
      }
      case 6:
        method = 'PATCH'
        path = `/admin/v1/users/${r.pick(ids(tally.users))}`
        payload = { scopes: ['read', 'write'], disabled: r.chance(0.5) }
        break
      case 7:
        method = 'PATCH'
        path = `/admin/v1/clients/${r.pick(ids(tally.clients))}`
        payload = { name: 'renamed', scopes: ['read'] }
        break
      case 8:
        method = 'PUT'
        path = `/admin/v1/users/${r.pick(ids(tally.users))}/password`
        payload = { password: 'another-long-password' }
        break
      case 9:
        method = 'POST'
        path = `/admin/v1/access-keys/${r.pick(ids(tally.accessKeys.keys()))}/revoke`
        break
      case 10:
        method = 'POST'
        path = `/admin/v1/clients/${r.pick(ids(tally.clients))}/rotate-secret`
        break
      default:
        method = 'GET'
        path = r.pick([
          '/admin/v1/users',
          '/admin/v1/clients',
          '/admin/v1/access-keys',
          '/admin/v1/signing-keys',
          '/admin/v1/audit',
          '/v1/me/access-keys',
        ])
        if (path === '/v1/me/access-keys') authorization = me
        if (r.chance(0.5))
          path += `?${r.pick(['limit=1', 'limit=500', 'limit=0', 'limit=x', 'after=zzz', 'active=true', 'type=client.created', `after=${escapeText(oddString(r))}`])}`
    }
    // A rare rotation. Generating an RSA key (off the event loop) can take over a second on a busy machine:
    // this one request gets 5 s.
    let maxMs: number | undefined
    if (r.chance(0.004)) {
      maxMs = 5000
      method = 'POST'
      path = '/admin/v1/signing-keys/rotate'
      payload = { immediate: false }
      authorization = admin
      onSuccess = (json) => void (json.changed === true && (tally.signingKeys += 1))
    }
    const mutated = r.chance(0.4)
    const headers = jsonHeaders(authorization)
    let body: string | Buffer | undefined = payload === undefined ? undefined : JSON.stringify(payload)
    if (mutated) {
      const how = r.int(6)
      if (how === 0 && payload) body = JSON.stringify(mutateObject(r, payload))
      else if (how === 1) body = withInvalidUtf8(r, body ?? '{}')
      else if (how === 2)
        body = r.pick([
          '{',
          '{"a":',
          '[',
          'null',
          '"x"',
          '{"__proto__":{"admin":true}}',
          '{"constructor":{"prototype":{}}}',
          '1e999',
          '{"a":1,"a":2}',
          ' ',
        ])
      else if (how === 3) headers['content-type'] = r.pick(CONTENT_TYPES)
      else if (how === 4) body = JSON.stringify({ ...payload, pad: 'x'.repeat(BODY_LIMIT) })
      else body = nested(r, r.pick([10, 200, 5000]))
      if (headers['content-type'] === '') delete headers['content-type']
    }
    // A client sends no Content-Type without a body (Fastify refuses an empty application/json body).
    if (body === undefined && !(mutated && r.chance(0.5))) delete headers['content-type']
    return {
      kind: `admin ${method} ${path.split('?')[0]!.replace(/\/(?!v1|admin|users|clients|access-keys|signing-keys|audit|me|password|revoke|rotate-secret|rotate)[^/]+/g, '/:id')}${mutated ? ' mutated' : ''}`,
      request: { method, path, headers, ...(body === undefined ? {} : { body }) },
      mustSucceed: !mutated && !mayFail && choice <= 3,
      ...(maxMs ? { maxMs } : {}),
      onSuccess: mutated ? mutatedSuccess(method, path, onSuccess) : onSuccess,
    }
  }

  function keyCreated(json: Record<string, unknown>): void {
    tally.accessKeys.set(String(json.id), typeof json.user_id === 'string' ? json.user_id : null)
    if (typeof json.key === 'string') remember(accessKeys, json.key)
  }

  /** A mutated request that still succeeded changes the store like the valid one. */
  function mutatedSuccess(method: string, path: string, onSuccess: Planned['onSuccess']): Planned['onSuccess'] {
    return (json) => {
      if (method === 'POST' && path === '/admin/v1/users') tally.users.add(String(json.id))
      else if (method === 'POST' && path === '/admin/v1/clients') tally.clients.add(String(json.client_id))
      else if (method === 'POST' && (path === '/admin/v1/access-keys' || path === '/v1/me/access-keys'))
        keyCreated(json)
      else onSuccess?.(json)
    }
  }

  /** JSON nested `depth` deep, written as text (JSON.stringify would recurse as deep). */
  function nested(r: Random, depth: number): string {
    return r.chance(0.5) ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
  }

  /** Any method, a path near a real one, any body, any credential. */
  function randomRequest(r: Random): Planned {
    const method = r.pick(METHODS)
    const path = oddPath(r)
    const headers: Record<string, string> = {}
    if (r.chance(0.6)) headers.authorization = oddAuthorization(r, forged)
    if (r.chance(0.1))
      headers['x-api-key'] = r.pick([
        'pcl_x_y',
        'pcl_',
        oddString(r).replace(/[^\t\x20-\x7e\x80-\xff]/g, ''),
        forged[0]!,
      ])
    if (r.chance(0.6)) headers['content-type'] = r.pick(CONTENT_TYPES)
    if (r.chance(0.1)) headers['x-request-id'] = r.pick(['x'.repeat(300), '../../etc', 'ok-id', '\u00ff\u00fe'])
    if (r.chance(0.05)) headers.accept = r.pick(['text/html', 'application/xml', '*/*;q=0', '\u00ff'])
    if (r.chance(0.05)) headers['accept-encoding'] = r.pick(['gzip', 'br', 'identity;q=0', 'x'])
    if (r.chance(0.05)) headers['if-none-match'] = r.pick(['*', '"x"', 'W/"', '\u00ff'])
    if (!headers['content-type']) delete headers['content-type']
    const bodyKind = method === 'GET' || method === 'HEAD' ? r.int(8) : r.int(5)
    const body =
      bodyKind === 0
        ? form({ grant_type: oddString(r), token: oddString(r), client_id: oddString(r) })
        : bodyKind === 1
          ? JSON.stringify(oddValue(r))
          : bodyKind === 2
            ? withInvalidUtf8(r, oddString(r))
            : bodyKind === 3
              ? Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256)))
              : undefined
    const request = { method, path, headers, ...(body === undefined ? {} : { body }) }
    // Node's client treats any answer to CONNECT as a tunnel: that one goes over a raw socket.
    return method === 'CONNECT'
      ? { kind: 'random CONNECT', raw: toRaw(request, `127.0.0.1:${port}`) }
      : { kind: `random ${method}`, request }
  }

  /** Bodies and headers past every limit. */
  function oversizedRequest(r: Random): Planned {
    const path = r.pick([
      '/oauth/token',
      '/oauth/introspect',
      '/oauth/revoke',
      '/admin/v1/users',
      '/admin/v1/clients',
      '/v1/me/access-keys',
      '/healthz',
    ])
    const json = path.startsWith('/admin') || path.startsWith('/v1')
    const headers: Record<string, string> = {
      'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      authorization: json ? admin : basicService,
    }
    if (r.chance(0.3)) headers['x-padding'] = 'p'.repeat(r.pick([8_000, 15_000, 20_000]))
    const size = r.pick([BODY_LIMIT - 1, BODY_LIMIT + 1, BODY_LIMIT * 4, 1_000_000])
    const body = json
      ? JSON.stringify({ name: 'n'.repeat(size) })
      : `grant_type=client_credentials&scope=${'s'.repeat(size)}`
    return { kind: `oversized ${path}`, request: { method: path === '/healthz' ? 'GET' : 'POST', path, headers, body } }
  }

  /** The public documents, with odd query strings and headers: always answered. */
  function readRequest(r: Random): Planned {
    const path = r.pick([
      '/.well-known/jwks.json',
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
      '/healthz',
      '/readyz',
      '/metrics',
      '/openapi.json',
      '/openapi.yaml',
      '/docs',
    ])
    const odd = r.chance(0.5)
    const headers: Record<string, string> = odd
      ? { authorization: oddAuthorization(r, forged), 'if-none-match': r.pick(['*', '"x"', 'W/"x"']) }
      : {}
    return {
      kind: `read ${path}`,
      request: {
        method: r.pick(['GET', 'GET', 'HEAD']),
        path: odd ? `${path}?${escapeText(oddString(r))}=1` : path,
        headers,
      },
      mustSucceed: !odd && path !== '/docs',
    }
  }

  function plan(r: Random): Planned {
    const roll = r.next()
    if (roll < 0.3) return oauthRequest(r)
    if (roll < 0.55) return adminRequest(r)
    if (roll < 0.65) return readRequest(r)
    if (roll < 0.88) return randomRequest(r)
    if (roll < 0.94) return oversizedRequest(r)
    return { kind: 'raw', raw: rawRequest(r, `127.0.0.1:${port}`) }
  }

  /** A password login's answer (the warm-up's): its refresh token starts a family. */
  function loggedIn(json: Record<string, unknown>): void {
    if (typeof json.refresh_token !== 'string') return
    remember(refreshTokens, json.refresh_token)
    tally.refreshTokens.add(json.refresh_token)
    tally.refreshFamilies += 1
  }

  return { plan, tally, loggedIn }
}
