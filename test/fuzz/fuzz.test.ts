// Hostile input against a real listening server, every route (the browser sign-in's too: sign-in-plans.ts,
// whose pages may answer an error as an HTML page): valid requests, the same requests mutated,
// random methods and paths, forged credentials, oversized headers and bodies, invalid UTF-8, wrong content
// types, raw bytes that are not quite HTTP. For every answer: no 5xx, an error is JSON in the one documented
// shape, within 1 s. At the end: the heap came back to where it was after the warm-up, and the store holds
// exactly what the successful creating requests made.
//
// FUZZ_REQUESTS (default 3000) requests per database, FUZZ_SEED (default: a random one) picks them; the seed
// is printed, and a failure names it with the request, so `FUZZ_SEED=<seed> npx tap test/fuzz/fuzz.test.ts`
// replays it (FUZZ_TRACE=1 prints each request before it is sent). PostgreSQL (TEST_DATABASE_URL) runs half
// as many.
import { randomInt } from 'node:crypto'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { signedToken } from '../support/admin-fixtures.ts'
import { forgedTokens } from '../support/forged-token-fixtures.ts'
import { createHttpSender, sendRaw, type FuzzResponse } from './client.ts'
import { createPlanner, TOKEN_EXCHANGE, type Planned } from './plans.ts'
import { BROWSER_CLIENT, createSignInPlanner } from './sign-in-plans.ts'
import { form, generator } from './requests.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { providers } from '../support/helper.ts'
import { listen } from '../support/listen.ts'
import { seed as seedStore, SECRET, PASSWORD } from '../support/token-fixtures.ts'

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
  if (
    body.error_description !== undefined &&
    (typeof body.error_description !== 'string' || !RFC_6749_CHARSET.test(body.error_description))
  )
    return 'error_description is not RFC 6749 section 5.2 text'
  if (body.details !== undefined && !Array.isArray(body.details)) return 'details is not a list'
  return undefined
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
      // The rate limits are on, so that their code sees the hostile requests too, but too high to refuse any.
      env: {
        BODY_LIMIT: String(BODY_LIMIT),
        LOGIN_MAX_FAILURES_PER_IP: '100000',
        LOGIN_MAX_FAILURES_PER_USER: '1000',
        RATE_LIMIT_PER_IP: '1000000',
        RATE_LIMIT_PER_CLIENT: '1000000',
      },
    })
    const { store, db, baseUrl } = ctx
    const port = Number(new URL(baseUrl).port)
    const seeded = await seedStore(store)
    // RFC 8693: a client that exchanges access keys for JWTs.
    await store.clients.create({
      clientId: 'exchanger',
      name: 'Exchanger',
      secretHash: sha256(SECRET),
      grantTypes: [TOKEN_EXCHANGE],
      scopes: [],
    })
    // Browser sign-in: a client for the authorization code flow (no refresh tokens: nothing the tally counts).
    await store.clients.create({
      clientId: BROWSER_CLIENT.clientId,
      name: 'Browser',
      secretHash: null,
      grantTypes: ['authorization_code'],
      scopes: ['openid', 'profile', 'email', 'read'],
      redirectUris: [BROWSER_CLIENT.redirectUri],
      postLogoutRedirectUris: [BROWSER_CLIENT.postLogoutRedirectUri],
    })
    const admin = `Bearer ${(await signedToken(ctx, { scope: 'admin introspect', ttl: 3600 })).token}`
    const me = `Bearer ${(await signedToken(ctx, { scope: 'read keys:write', sub: seeded.alice.id, clientId: 'service', ttl: 3600 })).token}`
    const forged = Object.values(forgedTokens(ctx))
    const signIn = createSignInPlanner({
      admin,
      userinfo: (
        await signedToken(ctx, { scope: 'openid profile email', sub: seeded.alice.id, clientId: 'browser', ttl: 3600 })
      ).token,
      forged,
    })
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
    const random = generator(SEED + providers.indexOf(provider))
    const http = createHttpSender(port)
    t.teardown(() => http.close())
    const basicService = `Basic ${Buffer.from(`service:${SECRET}`).toString('base64')}`
    const basicExchanger = `Basic ${Buffer.from(`exchanger:${SECRET}`).toString('base64')}`
    const { plan, tally, loggedIn } = createPlanner({
      port,
      bodyLimit: BODY_LIMIT,
      admin,
      me,
      basicService,
      basicExchanger,
      forged,
    })

    // Warm-up outside the checks: the first password login starts the bcrypt thread (compiled on the fly
    // under tsx), which may take longer than the 1 s every later request gets.
    // On a loaded machine that can outlast the 10 s every fuzzed request waits for: this one waits up to 60 s.
    const first = await http.send({
      method: 'POST',
      path: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicService },
      body: form({ grant_type: 'password', username: 'alice', password: PASSWORD }),
      timeoutMs: 60_000,
    })
    t.equal(first.status, 200, `the warm-up login succeeds${first.failure ? ` (${first.failure})` : ''}`)
    loggedIn(JSON.parse(first.body.toString()) as Record<string, unknown>)
    // Likewise the OpenAPI document, built from every route's schema on its first request and kept (routes/docs.ts):
    // once per process, over a second on a loaded machine now that the sign-in routes are in it.
    for (const path of ['/openapi.json', '/openapi.yaml'])
      t.equal((await http.send({ method: 'GET', path, headers: {} })).status, 200, `the warm-up ${path} answers`)

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
      const planned = random.chance(0.15) ? signIn.plan(random) : plan(random)
      if (process.env.FUZZ_TRACE) process.stderr.write(`#${i} ${describe(planned).slice(0, 200)}\n`)
      const response = planned.raw ? await sendRaw(port, planned.raw) : await http.send(planned.request!)
      planned.onAnswer?.(response)
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      const group = planned.kind.split(' ').slice(0, 2).join(' ')
      const seen = byKind.get(group) ?? new Set<number>()
      byKind.set(group, seen.add(response.status))
      slowest = Math.max(slowest, response.ms)
      const fail = (why: string) => {
        if (failures.length < 25)
          failures.push(
            `#${i} [${planned.kind}] ${why}: ${describe(planned)} → ${response.status} ${response.body.toString('utf8').slice(0, 300)}`,
          )
      }
      if (response.failure) fail(`no answer (${response.failure})`)
      else if (response.status >= 500) fail('a 5xx')
      else if (response.status >= 400 && planned.request?.method !== 'HEAD') {
        const page = planned.html && /^text\/html(;|$)/.test(String(response.headers['content-type'] ?? ''))
        const problem = page ? undefined : errorShapeProblem(response)
        if (problem) fail(`error not in the documented shape (${problem})`)
      }
      if (planned.expect && !response.failure && !planned.expect.includes(response.status) && response.status !== 429)
        fail(`a valid request answered ${response.status}, not ${planned.expect.join(' or ')}`)
      if (response.ms > (planned.maxMs ?? MAX_MS)) fail(`took ${Math.round(response.ms)} ms`)
      if (response.status >= 200 && response.status < 300) {
        const text = response.body.toString('utf8')
        const json =
          /^application\/json/.test(String(response.headers['content-type'])) && text
            ? (JSON.parse(text) as Record<string, unknown>)
            : {}
        planned.onSuccess?.(json)
        // 429 is a right answer to a valid request too, should a rate limit apply.
      } else if (planned.mustSucceed && !response.failure && response.status !== 429) fail('a valid request failed')
    }
    const seconds = (performance.now() - started) / 1000
    const heapAtEnd = heapAfterGc()
    const rssAtEnd = process.memoryUsage().rss
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
    t.comment(
      `FUZZ_SEED=${SEED} FUZZ_REQUESTS=${count} on ${provider}: ${seconds.toFixed(1)} s, slowest ${Math.round(slowest)} ms`,
    )
    t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`)
    t.comment(
      `statuses by kind: ${[...byKind].map(([kind, seen]) => `${kind} ${[...seen].sort().join('/')}`).join('; ')}`,
    )
    t.comment(
      `heap after GC: ${mb(heapAtWarmUp)} after warm-up, ${mb(heapHalfway)} halfway, ${mb(heapAtEnd)} at the end; RSS ${mb(rssAtWarmUp)} → ${mb(rssAtEnd)}`,
    )

    t.same(
      failures,
      [],
      `every answer is below 500, an error in the documented JSON shape, within ${MAX_MS} ms (FUZZ_SEED=${SEED})`,
    )
    t.ok(
      heapAtEnd - heapAtWarmUp < MAX_HEAP_GROWTH,
      `the heap grew by less than ${mb(MAX_HEAP_GROWTH)} after the warm-up: ${mb(heapAtEnd - heapAtWarmUp)} (FUZZ_SEED=${SEED})`,
    )
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
