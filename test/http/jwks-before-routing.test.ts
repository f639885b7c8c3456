// The JWKS on the listening server is answered before Fastify routes it (routes/well-known.ts,
// jwksBeforeRouting). That answer must be the route's answer, header for header, with the request id and
// the request metrics, and every request it should not take must still reach Fastify.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import t from 'tap'
import { jwksBeforeRouting, JWKS_PATH } from '../../src/routes/well-known.ts'
import { build, type Test, type TestContext } from '../support/helper.ts'

/** A fresh app with a hook that records every request Fastify routes, listening on a free port. */
async function serve(
  t: Test,
  deps: Parameters<typeof build>[1] = {},
): Promise<TestContext & { base: string; routed: string[] }> {
  const context = await build(t, deps)
  const routed: string[] = []
  context.app.addHook('onRequest', (request, _reply, done) => {
    routed.push(`${request.method} ${request.url}`)
    done()
  })
  await context.app.listen({ host: '127.0.0.1', port: 0 })
  return { ...context, base: `http://127.0.0.1:${(context.app.server.address() as AddressInfo).port}`, routed }
}

/** A request with a body, which fetch does not send for GET. */
function getWithBody(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'GET', headers: { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume()
        res.once('end', () => resolve(res.statusCode!))
      },
    )
    req.once('error', reject)
    req.end(body)
  })
}

/** The headers an answer is compared by: what Node adds per connection or per moment left out. */
function comparable(headers: Record<string, string | number | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (['date', 'connection', 'keep-alive', 'x-request-id'].includes(name.toLowerCase()) || value === undefined)
      continue
    kept[name.toLowerCase()] = String(value)
  }
  return kept
}

t.test(
  "the answer before routing is the route's answer, for every If-None-Match, for HEAD and with a query",
  async (t) => {
    const { app, base, routed } = await serve(t)
    const etag = String((await app.inject(JWKS_PATH)).headers.etag)
    const cases: Array<{ method: 'GET' | 'HEAD'; url: string; headers?: Record<string, string> }> = [
      { method: 'GET', url: JWKS_PATH },
      { method: 'GET', url: `${JWKS_PATH}?cache-buster=1` },
      { method: 'HEAD', url: JWKS_PATH },
      ...[etag, `W/${etag}`, `"other", ${etag}`, '*', '"other"', ''].map((value) => ({
        method: 'GET' as const,
        url: JWKS_PATH,
        headers: { 'if-none-match': value },
      })),
    ]
    for (const request of cases) {
      const label = `${request.method} ${request.url} ${JSON.stringify(request.headers ?? {})}`
      const routedBefore = routed.length
      const fast = await fetch(base + request.url, { method: request.method, headers: request.headers ?? {} })
      t.equal(routed.length, routedBefore, `answered before routing: ${label}`)
      const routedAnswer = await app.inject({
        method: request.method,
        url: request.url,
        headers: request.headers ?? {},
      })
      t.equal(fast.status, routedAnswer.statusCode, `status: ${label}`)
      t.same(comparable(Object.fromEntries(fast.headers)), comparable(routedAnswer.headers), `headers: ${label}`)
      t.equal(await fast.text(), routedAnswer.body, `body: ${label}`)
      t.match(fast.headers.get('x-request-id'), /^[0-9a-f-]{36}$/, `a request id: ${label}`)
    }
  },
)

t.test('a sane X-Request-Id is echoed, another is replaced, as on every route', async (t) => {
  const { base } = await serve(t)
  const echoed = await fetch(base + JWKS_PATH, { headers: { 'x-request-id': 'trace-42.a:b' } })
  t.equal(echoed.headers.get('x-request-id'), 'trace-42.a:b')
  const replaced = await fetch(base + JWKS_PATH, { headers: { 'x-request-id': 'no spaces allowed' } })
  t.match(replaced.headers.get('x-request-id'), /^[0-9a-f-]{36}$/)
  const ids = new Set<string | null>()
  for (let i = 0; i < 5; i++) ids.add((await fetch(base + JWKS_PATH)).headers.get('x-request-id'))
  t.equal(ids.size, 5, 'a new id per request')
})

t.test('the answers before routing are counted in the request metrics of the route', async (t) => {
  const { base } = await serve(t)
  const etag = String((await fetch(base + JWKS_PATH)).headers.get('etag'))
  await fetch(base + JWKS_PATH)
  await fetch(base + JWKS_PATH, { headers: { 'if-none-match': etag } })
  await fetch(base + JWKS_PATH, { method: 'HEAD' })
  const metrics = await (await fetch(`${base}/metrics`)).text()
  t.match(metrics, 'portcullis_http_requests_total{method="GET",route="/.well-known/jwks.json",status="200"} 2')
  t.match(metrics, 'portcullis_http_requests_total{method="GET",route="/.well-known/jwks.json",status="304"} 1')
  t.match(metrics, 'portcullis_http_requests_total{method="HEAD",route="/.well-known/jwks.json",status="200"} 1')
  t.match(
    metrics,
    'portcullis_http_request_duration_seconds_count{method="GET",route="/.well-known/jwks.json",status="200"} 2',
  )
})

t.test('every other request reaches Fastify: other methods and paths, and requests with a body', async (t) => {
  const { base, routed } = await serve(t)
  const post = await fetch(base + JWKS_PATH, { method: 'POST' })
  t.equal(post.status, 404)
  t.same(await post.json(), { error: 'not_found', error_description: 'no route POST /.well-known/jwks.json' })
  t.equal((await fetch(`${base}${JWKS_PATH}x`)).status, 404)
  t.equal((await fetch(`${base}/.well-known/JWKS.json`)).status, 404)
  const withBody = await fetch(base + JWKS_PATH, { method: 'OPTIONS' })
  t.ok(withBody.status >= 400 && withBody.status < 500)
  t.ok((await getWithBody(base + JWKS_PATH, 'a body')) < 500, 'a GET with a body: whatever the route says, never a 5xx')
  t.same(routed, [
    `POST ${JWKS_PATH}`,
    `GET ${JWKS_PATH}x`,
    'GET /.well-known/JWKS.json',
    `OPTIONS ${JWKS_PATH}`,
    `GET ${JWKS_PATH}`,
  ])
})

t.test('with request logs on (LOG_LEVEL=info), Fastify answers, so the fetch is logged', async (t) => {
  const lines: unknown[][] = []
  const levels = ['fatal', 'error', 'warn', 'info']
  const logger = {
    level: 'info',
    isLevelEnabled: (level: string) => levels.includes(level),
    child: () => logger,
    fatal: (...args: unknown[]) => lines.push(args),
    error: (...args: unknown[]) => lines.push(args),
    warn: (...args: unknown[]) => lines.push(args),
    info: (...args: unknown[]) => lines.push(args),
    debug: () => undefined,
    trace: () => undefined,
    silent: () => undefined,
  }
  const { base, routed } = await serve(t, { deps: { logger: logger as unknown as FastifyBaseLogger } })
  t.equal((await fetch(base + JWKS_PATH)).status, 200)
  t.same(routed, [`GET ${JWKS_PATH}`])
  t.ok(
    lines.some(([, message]) => message === 'request completed'),
    'the request was logged',
  )
})

t.test('the answer goes to Fastify while the app closes, and for anything but a plain GET or HEAD', async (t) => {
  const keyring = {
    jwks: () => ({
      body: '{"keys":[]}',
      etag: '"e"',
      maxAge: 300,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'public, max-age=300',
        etag: '"e"',
      },
    }),
  }
  const series = {
    labels: { method: 'GET', route: JWKS_PATH, status: '200' },
    count: 0,
    sum: 0,
    buckets: new Float64Array(12),
  }
  let closing = false
  const answer = jwksBeforeRouting({
    keyring,
    metrics: { requestSeries: () => series },
    requestId: () => 'id-1',
    routeThroughFastify: () => closing,
  })
  const written: unknown[] = []
  const response = {
    statusCode: 0,
    writeHead(status: number, headers: string[]) {
      this.statusCode = status
      written.push(status, headers)
    },
    end(body?: string) {
      written.push(body)
    },
  }
  const request = (method: string, url: string, headers: Record<string, string> = {}) =>
    ({ method, url, headers }) as unknown as IncomingMessage
  const res = response as unknown as ServerResponse

  t.ok(answer(request('GET', JWKS_PATH), res))
  t.same(written, [
    200,
    [
      'x-request-id',
      'id-1',
      'vary',
      'Origin',
      'content-type',
      'application/json; charset=utf-8',
      'cache-control',
      'public, max-age=300',
      'etag',
      '"e"',
      'content-length',
      '11',
    ],
    '{"keys":[]}',
  ])
  t.equal(series.count, 1, 'counted')
  written.length = 0
  closing = true
  t.notOk(
    answer(request('GET', JWKS_PATH), res),
    'closing: Fastify answers (Connection: close, or the 503 of a late request)',
  )
  closing = false
  t.notOk(answer(request('GET', JWKS_PATH, { 'content-length': '5' }), res), 'a body')
  t.notOk(answer(request('GET', JWKS_PATH, { 'transfer-encoding': 'chunked' }), res), 'a chunked body')
  t.notOk(answer(request('DELETE', JWKS_PATH), res), 'another method')
  t.notOk(
    answer(request('GET', JWKS_PATH, { origin: 'https://spa.example' }), res),
    "a page's request (Origin): the CORS scope decides (routes/cors.ts)",
  )
  t.notOk(answer(request('GET', `${JWKS_PATH}/`), res), 'another path')
  t.notOk(answer(request('GET', '/.well-known/jwks.jsonp?x'), res), 'a path that only starts the same')
  t.same(written, [], 'nothing written for what goes to Fastify')
  t.equal(series.count, 1)
})
