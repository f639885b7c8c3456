// Generated malformed token requests (and well-formed ones with odd values): whatever arrives, the answer
// is JSON, a 4xx error for anything malformed, never a 5xx.
// A seeded generator, so a failure can be replayed (the seed and the request are in the message).
import t from 'tap'
import { build, providers } from './helper.ts'
import { seed } from './token-fixtures.ts'

function generator(seedValue: number) {
  let state = seedValue >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  return { next, int, pick }
}

type Random = ReturnType<typeof generator>

const NAMES = ['grant_type', 'client_id', 'client_secret', 'username', 'password', 'refresh_token', 'scope', 'resource', '', '__proto__', 'constructor', 'a[b]', '%zz', 'grant_type ']
const GRANTS = ['password', 'refresh_token', 'client_credentials', '', 'PASSWORD', 'urn:ietf:params:oauth:grant-type:token-exchange', 'x'.repeat(300)]
const PIECES = ['%', '%z', '%zz', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%FF', '%00', '%0A', '%E2%82', '+', '=', '&', '%25', 'é', '😀', '\u202e', '"', '\\', "'", '<script>', '${x}', 'alice', 'read write', 'service']
const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded; charset=latin1', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded;;;', 'APPLICATION/X-WWW-FORM-URLENCODED', '', 'x/y; charset="utf-8"']
const AUTHORIZATIONS = ['', 'Basic', 'Basic ', 'Basic ====', 'Basic Og==', 'Basic OjpfOjo=', 'basic c2VydmljZTp4', 'Bearer x', 'Digest a=b', 'Basic ' + 'A'.repeat(4000), 'Basic c2VydmljZQ==', 'Basic JXp6OiV6eg==', 'Basic AAAA', 'Basic //79/Q==', 'Basic\tc2VydmljZTp4']

function value(random: Random): string {
  switch (random.int(6)) {
    case 0:
      return random.pick(GRANTS)
    case 1:
      return Array.from({ length: random.int(8) }, () => random.pick(PIECES)).join('')
    case 2:
      return 'v'.repeat(random.pick([0, 1, 255, 1025, 5000, 40_000]))
    case 3:
      return encodeURIComponent(String.fromCharCode(...Array.from({ length: random.int(20) }, () => random.int(0x3000))))
    case 4:
      return Array.from({ length: random.int(30) }, () => String.fromCharCode(0x21 + random.int(94))).join('')
    default:
      return ''
  }
}

function body(random: Random): string | Buffer {
  if (random.int(10) === 0) return Buffer.from(Array.from({ length: random.int(200) }, () => random.int(256)))
  const pairs = Array.from({ length: 1 + random.int(7) }, () => {
    const name = random.int(5) === 0 ? value(random) : random.pick(NAMES)
    return random.int(8) === 0 ? name : `${name}=${value(random)}`
  })
  if (random.int(4) === 0) pairs.push(pairs[random.int(pairs.length)]!)
  return pairs.join(random.pick(['&', '&', '&', '&&', ';']))
}

const GOOD_AUTH = `Basic ${Buffer.from('service:confidential-client-secret-with-enough-entropy').toString('base64')}`

/** A well-formed request of a real grant, by a real client, with odd values: reaches the grants and the store. */
function nearlyValid(random: Random): { payload: string; authorization: string } {
  const grant = random.pick(['password', 'refresh_token', 'client_credentials'])
  const chars = (size: number, range: number) => String.fromCharCode(...Array.from({ length: random.int(40) }, () => random.int(range))).slice(0, size)
  const text = () => random.pick([() => value(random), () => chars(40, 0x10000), () => `alice${String.fromCharCode(random.int(0x20))}`])()
  const params = new URLSearchParams({ grant_type: grant })
  if (grant === 'password') {
    params.set('username', random.int(2) ? 'alice' : text())
    params.set('password', text())
  }
  if (grant === 'refresh_token') params.set('refresh_token', text())
  if (random.int(2)) params.set('scope', random.int(2) ? text() : random.pick(['read', 'read write', 'admin', ' read  ', 'read\twrite']))
  if (random.int(4) === 0) params.set('resource', text())
  const usePost = random.int(4) === 0
  if (usePost) {
    params.set('client_id', random.int(2) ? 'service' : text())
    params.set('client_secret', text())
  }
  let payload = params.toString()
  if (random.int(4) === 0) payload += `&${random.pick(NAMES)}=${random.pick(PIECES)}`
  return { payload, authorization: usePost ? '' : random.int(5) === 0 ? random.pick(AUTHORIZATIONS) : GOOD_AUTH }
}

const COUNT = 400

for (const provider of providers) {
  t.test(`${COUNT} generated malformed requests on ${provider} never get a 5xx`, async (t) => {
    // Limits high enough that the throttle does not answer for the grants being exercised.
    const { app, store } = await build(t, { provider, env: { LOGIN_MAX_FAILURES_PER_IP: '100000', LOGIN_MAX_FAILURES_PER_USER: '1000' } })
    await seed(store)
    const random = generator(0x5eed + providers.indexOf(provider))
    const failures: string[] = []
    for (let i = 0; i < COUNT; i++) {
      const structured = i % 2 === 0 ? nearlyValid(random) : undefined
      const payload = structured ? structured.payload : body(random)
      const headers: Record<string, string> = {}
      const contentType = !structured && random.int(6) === 0 ? random.pick(CONTENT_TYPES) : CONTENT_TYPES[0]!
      if (contentType) headers['content-type'] = contentType
      const authorization = structured ? structured.authorization : random.int(3) === 0 ? random.pick(AUTHORIZATIONS) : ''
      if (authorization) headers.authorization = authorization
      const res = await app.inject({ method: 'POST', url: '/oauth/token', headers, payload })
      const json = (() => {
        try {
          return res.json() as { error?: unknown; access_token?: unknown }
        } catch {
          return undefined
        }
      })()
      // A well-formed request with odd but acceptable values may succeed; nothing may be a 5xx or not JSON.
      const answered = res.statusCode === 200 ? typeof json?.access_token === 'string' : res.statusCode >= 400 && res.statusCode < 500 && typeof json?.error === 'string'
      const ok = answered && /^application\/json/.test(String(res.headers['content-type']))
      if (!ok) failures.push(`#${i} ${res.statusCode} ${JSON.stringify(headers)} ${JSON.stringify(String(payload).slice(0, 200))} → ${res.body.slice(0, 200)}`)
    }
    t.same(failures, [], 'every answer is a 4xx JSON error (or a token for a valid request)')
  })
}
