// Hostile input against a real listening server, every route: valid requests, the same requests mutated,
// random methods and paths, forged credentials, oversized headers and bodies, invalid UTF-8, wrong content
// types, raw bytes that are not quite HTTP. For every answer: no 5xx, an error is JSON in the one documented
// shape, within 1 s. At the end: the heap came back to where it was after the warm-up, and the store holds
// exactly what the successful creating requests made.
//
// FUZZ_REQUESTS (default 3000) requests per database, FUZZ_SEED (default: a random one) picks them; the seed
// is printed, and a failure names it with the request, so `FUZZ_SEED=<seed> npx tap test/fuzz.test.ts`
// replays it. PostgreSQL (TEST_DATABASE_URL) runs half as many.
import { randomInt } from 'node:crypto'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { signedToken } from './admin-fixtures.ts'
import { forgedTokens } from './forged-token-fixtures.ts'
import { createHttpSender, sendRaw, toRaw, type FuzzRequest, type FuzzResponse } from './fuzz-client.ts'
import {
  CONTENT_TYPES,
  METHODS,
  form,
  generator,
  mutateForm,
  mutateObject,
  oddAuthorization,
  oddPath,
  oddString,
  oddValue,
  rawRequest,
  escapeText,
  withInvalidUtf8,
  type Random,
} from './fuzz-requests.ts'
import { sha256 } from '../src/security/secrets.ts'
import { providers } from './helper.ts'
import { listen } from './listen.ts'
import { seed as seedStore, SECRET, PASSWORD } from './token-fixtures.ts'

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_KEY_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000)
const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31))
const BODY_LIMIT = 8192
const MAX_MS = 1000
/** Allowed heap growth between the end of the warm-up and the end of the run, after a full collection. */
const MAX_HEAP_GROWTH = 32 * 1024 * 1024

// A full collection before each heap reading, so the comparison is of what is retained, not of garbage.
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void
const heapAfterGc = () => {
  collect()
  collect()
  return process.memoryUsage().heapUsed
}

/** What the requests that succeeded created; compared with the store at the end. */
interface Tally {
  users: Set<string>
  clients: Set<string>
  /** access key id → owning user id (a user's keys go with the user). */
  accessKeys: Map<string, string | null>
  /** Distinct: a retried refresh within its grace period gets the same successor again (no new row). */
  refreshTokens: Set<string>
  refreshFamilies: number
  signingKeys: number
}

interface Planned {
  kind: string
  request?: FuzzRequest
  raw?: Buffer
  /** What a 2xx answer means for the tally. */
  onSuccess?: (json: Record<string, unknown>) => void
  /** An unmutated valid request: its answer must be a success. */
  mustSucceed?: boolean
  /** Milliseconds the answer may take, when not MAX_MS. */
  maxMs?: number
}

const RFC_6749_CHARSET = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/

/** Why an error answer is not in the documented shape (README: {"error","error_description"}, admin `details`). */
function errorShapeProblem(response: FuzzResponse): string | undefined {
  const type = String(response.headers['content-type'] ?? '')
  if (!/^application\/json(;|$)/.test(type)) return `content-type ${JSON.stringify(type)}`
  let json: unknown
  try {
    json = JSON.parse(response.body.toString('utf8'))
  } catch {
    return 'the body is not JSON'
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'the body is not an object'
  const body = json as Record<string, unknown>
  const extra = Object.keys(body).filter((key) => !['error', 'error_description', 'details'].includes(key))
  if (extra.length > 0) return `unexpected members ${extra.join(', ')}`
  if (typeof body.error !== 'string' || !/^[a-z_]+$/.test(body.error)) return 'error is not an error code'
  if (body.error_description !== undefined && (typeof body.error_description !== 'string' || !RFC_6749_CHARSET.test(body.error_description))) return 'error_description is not RFC 6749 section 5.2 text'
  if (body.details !== undefined && !Array.isArray(body.details)) return 'details is not a list'
  return undefined
}

/** Keeps the latest 50 credentials to reuse, so the fuzzer's own memory stays flat over a long run. */
function remember(list: string[], value: string): void {
  list.push(value)
  if (list.length > 50) list.shift()
}

function describe(planned: Planned): string {
  if (planned.raw) return `raw ${JSON.stringify(planned.raw.toString('latin1').slice(0, 160))}`
  const { method, path, headers, body } = planned.request!
  const text = body === undefined ? '' : typeof body === 'string' ? body : body.toString('latin1')
  return `${method} ${path.slice(0, 160)} ${JSON.stringify(headers).slice(0, 300)} ${JSON.stringify(text.slice(0, 160))} (${text.length} bytes)`
}

for (const provider of providers) {
  const count = provider === 'sqlite' ? REQUESTS : Math.ceil(REQUESTS / 2)
  t.test(`${count} hostile requests on ${provider} (FUZZ_SEED=${SEED})`, async (t) => {
    const ctx = await listen(t, {
      provider,
      // The brute-force throttle would answer 429 for the fuzzer's many wrong passwords: allowed, but it would
      // keep the valid requests from reaching the grants.
      env: { BODY_LIMIT: String(BODY_LIMIT), LOGIN_MAX_FAILURES_PER_IP: '100000', LOGIN_MAX_FAILURES_PER_USER: '1000' },
    })
    const { store, db, baseUrl } = ctx
    const port = Number(new URL(baseUrl).port)
    const seeded = await seedStore(store)
    // RFC 8693: a client that exchanges access keys for JWTs.
    await store.clients.create({ clientId: 'exchanger', name: 'Exchanger', secretHash: sha256(SECRET), grantTypes: [TOKEN_EXCHANGE], scopes: [] })
    const admin = `Bearer ${(await signedToken(ctx, { scope: 'admin introspect', ttl: 3600 })).token}`
    const me = `Bearer ${(await signedToken(ctx, { scope: 'read keys:write', sub: seeded.alice.id, clientId: 'service', ttl: 3600 })).token}`
    const forged = Object.values(forgedTokens(ctx))
    const counts = async () => {
      const { prisma } = db
      const [users, clients, accessKeys, refreshTokens, refreshFamilies, signingKeys] = await Promise.all([
        prisma.user.count(),
        prisma.client.count(),
        prisma.accessKey.count(),
        prisma.refreshToken.count(),
        prisma.refreshFamily.count(),
        prisma.signingKey.count(),
      ])
      return { users, clients, accessKeys, refreshTokens, refreshFamilies, signingKeys }
    }
    const before = await counts()
    const tally: Tally = { users: new Set(), clients: new Set(), accessKeys: new Map(), refreshTokens: new Set(), refreshFamilies: 0, signingKeys: 0 }
    const refreshTokens: string[] = []
    const accessTokens: string[] = []
    let serial = 0
    const random = generator(SEED + providers.indexOf(provider))
    const http = createHttpSender(port)
    t.teardown(() => http.close())

    const basicService = `Basic ${Buffer.from(`service:${SECRET}`).toString('base64')}`
    const basicExchanger = `Basic ${Buffer.from(`exchanger:${SECRET}`).toString('base64')}`
    /** Access keys the fuzzer created, as subject tokens of the exchange. */
    const accessKeys: string[] = []
    const jsonHeaders = (authorization: string): Record<string, string> => ({ 'content-type': 'application/json', authorization })

    /** A request to one of the OAuth endpoints: valid, or mutated. */
    function oauthRequest(r: Random): Planned {
      const endpoint = r.pick(['token', 'token', 'token', 'revoke', 'introspect'])
      let params: Record<string, string>
      let grant = ''
      if (endpoint === 'token') {
        grant = r.pick(['password', 'password', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE])
        params =
          grant === TOKEN_EXCHANGE
            ? { grant_type: grant, subject_token: accessKeys.length > 0 && r.chance(0.7) ? r.pick(accessKeys) : r.pick([...forged, oddString(r), 'pcl_x_y']), subject_token_type: ACCESS_KEY_TYPE }
            : grant === 'password'
            ? { grant_type: grant, username: 'alice', password: PASSWORD, scope: r.pick(['read', 'read write']) }
            : grant === 'refresh_token'
              ? { grant_type: grant, refresh_token: refreshTokens.length > 0 && r.chance(0.8) ? r.pick(refreshTokens) : oddString(r) }
              : { grant_type: grant, scope: 'read' }
      } else {
        const token = r.pick([...refreshTokens.slice(-5), ...accessTokens.slice(-5), ...forged.slice(0, 3), oddString(r)])
        params = { token: token ?? 'x' }
        if (r.chance(0.3)) params.token_type_hint = r.pick(['access_token', 'refresh_token', 'nonsense', ''])
      }
      const mutated = r.chance(0.5)
      const body = mutated ? mutateForm(r, params) : form(params)
      const headers: Record<string, string> = { 'content-type': mutated && r.chance(0.2) ? r.pick(CONTENT_TYPES) : 'application/x-www-form-urlencoded' }
      if (!headers['content-type']) delete headers['content-type']
      const authorization = mutated && r.chance(0.3) ? oddAuthorization(r, forged) : endpoint === 'introspect' && r.chance(0.3) ? admin : grant === TOKEN_EXCHANGE ? basicExchanger : basicService
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
      const ids = (set: Iterable<string>) => [...set, 'nope', escapeText(oddString(r)) || 'x']
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
          path = r.pick(['/admin/v1/users', '/admin/v1/clients', '/admin/v1/access-keys', '/admin/v1/signing-keys', '/admin/v1/audit', '/v1/me/access-keys'])
          if (path === '/v1/me/access-keys') authorization = me
          if (r.chance(0.5)) path += `?${r.pick(['limit=1', 'limit=500', 'limit=0', 'limit=x', 'after=zzz', 'active=true', 'type=client.created', `after=${escapeText(oddString(r))}`])}`
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
        else if (how === 2) body = r.pick(['{', '{"a":', '[', 'null', '"x"', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}', '1e999', '{"a":1,"a":2}', ' '])
        else if (how === 3) headers['content-type'] = r.pick(CONTENT_TYPES)
        else if (how === 4) body = JSON.stringify({ ...payload, pad: 'x'.repeat(BODY_LIMIT) })
        else body = nested(r, r.pick([10, 200, 5000]))
        if (headers['content-type'] === '') delete headers['content-type']
      }
      // A client sends no Content-Type without a body (Fastify refuses an empty application/json body).
      if (body === undefined && !(mutated && r.chance(0.5))) delete headers['content-type']
      return { kind: `admin ${method} ${path.split('?')[0]!.replace(/\/(?!v1|admin|users|clients|access-keys|signing-keys|audit|me|password|revoke|rotate-secret|rotate)[^/]+/g, '/:id')}${mutated ? ' mutated' : ''}`, request: { method, path, headers, ...(body === undefined ? {} : { body }) }, mustSucceed: !mutated && !mayFail && choice <= 3, ...(maxMs ? { maxMs } : {}), onSuccess: mutated ? mutatedSuccess(method, path, onSuccess) : onSuccess }
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
        else if (method === 'POST' && (path === '/admin/v1/access-keys' || path === '/v1/me/access-keys')) keyCreated(json)
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
      if (r.chance(0.1)) headers['x-api-key'] = r.pick(['pcl_x_y', 'pcl_', oddString(r).replace(/[^\t\x20-\x7e\x80-\xff]/g, ''), forged[0]!])
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
      return method === 'CONNECT' ? { kind: 'random CONNECT', raw: toRaw(request, `127.0.0.1:${port}`) } : { kind: `random ${method}`, request }
    }

    /** Bodies and headers past every limit. */
    function oversizedRequest(r: Random): Planned {
      const path = r.pick(['/oauth/token', '/oauth/introspect', '/oauth/revoke', '/admin/v1/users', '/admin/v1/clients', '/v1/me/access-keys', '/healthz'])
      const json = path.startsWith('/admin') || path.startsWith('/v1')
      const headers: Record<string, string> = { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded', authorization: json ? admin : basicService }
      if (r.chance(0.3)) headers['x-padding'] = 'p'.repeat(r.pick([8_000, 15_000, 20_000]))
      const size = r.pick([BODY_LIMIT - 1, BODY_LIMIT + 1, BODY_LIMIT * 4, 1_000_000])
      const body = json ? JSON.stringify({ name: 'n'.repeat(size) }) : `grant_type=client_credentials&scope=${'s'.repeat(size)}`
      return { kind: `oversized ${path}`, request: { method: path === '/healthz' ? 'GET' : 'POST', path, headers, body } }
    }

    /** The public documents, with odd query strings and headers: always answered. */
    function readRequest(r: Random): Planned {
      const path = r.pick(['/.well-known/jwks.json', '/.well-known/oauth-authorization-server', '/.well-known/openid-configuration', '/healthz', '/readyz', '/metrics', '/openapi.json', '/openapi.yaml', '/docs'])
      const odd = r.chance(0.5)
      const headers: Record<string, string> = odd ? { authorization: oddAuthorization(r, forged), 'if-none-match': r.pick(['*', '"x"', 'W/"x"']) } : {}
      return { kind: `read ${path}`, request: { method: r.pick(['GET', 'GET', 'HEAD']), path: odd ? `${path}?${escapeText(oddString(r))}=1` : path, headers }, mustSucceed: !odd && path !== '/docs' }
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

    // Warm-up outside the checks: the first password login starts the bcrypt thread (compiled on the fly
    // under tsx), which may take longer than the 1 s every later request gets.
    const first = await http.send({ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicService }, body: form({ grant_type: 'password', username: 'alice', password: PASSWORD }) })
    t.equal(first.status, 200, 'the warm-up login succeeds')
    const firstRefresh = (JSON.parse(first.body.toString()) as { refresh_token: string }).refresh_token
    refreshTokens.push(firstRefresh)
    tally.refreshTokens.add(firstRefresh)
    tally.refreshFamilies += 1

    const failures: string[] = []
    const statuses = new Map<number, number>()
    const byKind = new Map<string, Set<number>>()
    let slowest = 0
    const warmUp = Math.min(300, Math.floor(count / 10))
    let heapAtWarmUp = 0
    let heapHalfway = 0
    let rssAtWarmUp = 0
    const started = performance.now()
    for (let i = 0; i < count; i++) {
      if (i === warmUp) {
        heapAtWarmUp = heapAfterGc()
        rssAtWarmUp = process.memoryUsage().rss
      }
      if (i === Math.floor(count / 2)) heapHalfway = heapAfterGc()
      const planned = plan(random)
      if (process.env.FUZZ_TRACE) process.stderr.write(`#${i} ${describe(planned).slice(0, 200)}\n`)
      const response = planned.raw ? await sendRaw(port, planned.raw) : await http.send(planned.request!)
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      const group = planned.kind.split(' ').slice(0, 2).join(' ')
      const seen = byKind.get(group) ?? new Set<number>()
      byKind.set(group, seen.add(response.status))
      slowest = Math.max(slowest, response.ms)
      const fail = (why: string) => {
        if (failures.length < 25) failures.push(`#${i} [${planned.kind}] ${why}: ${describe(planned)} → ${response.status} ${response.body.toString('utf8').slice(0, 300)}`)
      }
      if (response.failure) fail(`no answer (${response.failure})`)
      else if (response.status >= 500) fail('a 5xx')
      else if (response.status >= 400 && planned.request?.method !== 'HEAD') {
        const problem = errorShapeProblem(response)
        if (problem) fail(`error not in the documented shape (${problem})`)
      }
      if (response.ms > (planned.maxMs ?? MAX_MS)) fail(`took ${Math.round(response.ms)} ms`)
      if (response.status >= 200 && response.status < 300) {
        const text = response.body.toString('utf8')
        const json = /^application\/json/.test(String(response.headers['content-type'])) && text ? (JSON.parse(text) as Record<string, unknown>) : {}
        planned.onSuccess?.(json)
      // 429 is a right answer to a valid request too, should a rate limit apply.
      } else if (planned.mustSucceed && !response.failure && response.status !== 429) fail('a valid request failed')
    }
    const seconds = (performance.now() - started) / 1000
    const heapAtEnd = heapAfterGc()
    const rssAtEnd = process.memoryUsage().rss
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
    t.comment(`FUZZ_SEED=${SEED} FUZZ_REQUESTS=${count} on ${provider}: ${seconds.toFixed(1)} s, slowest ${Math.round(slowest)} ms`)
    t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`)
    t.comment(`statuses by kind: ${[...byKind].map(([kind, seen]) => `${kind} ${[...seen].sort().join('/')}`).join('; ')}`)
    t.comment(`heap after GC: ${mb(heapAtWarmUp)} after warm-up, ${mb(heapHalfway)} halfway, ${mb(heapAtEnd)} at the end; RSS ${mb(rssAtWarmUp)} → ${mb(rssAtEnd)}`)

    t.same(failures, [], `every answer is below 500, an error in the documented JSON shape, within ${MAX_MS} ms (FUZZ_SEED=${SEED})`)
    t.ok(heapAtEnd - heapAtWarmUp < MAX_HEAP_GROWTH, `the heap grew by less than ${mb(MAX_HEAP_GROWTH)} after the warm-up: ${mb(heapAtEnd - heapAtWarmUp)} (FUZZ_SEED=${SEED})`)
    const after = await counts()
    const fuzzedUsers = [...tally.users]
    t.same(
      after,
      {
        users: before.users + fuzzedUsers.length,
        clients: before.clients + tally.clients.size,
        accessKeys: before.accessKeys + tally.accessKeys.size,
        refreshTokens: before.refreshTokens + tally.refreshTokens.size,
        refreshFamilies: before.refreshFamilies + tally.refreshFamilies,
        signingKeys: before.signingKeys + tally.signingKeys,
      },
      `the store holds exactly what the successful requests created (FUZZ_SEED=${SEED})`,
    )
  })
}
