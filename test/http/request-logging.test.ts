// Request ids and the per-request logger: ids stay UUID-shaped and unique (a caller's sane id is kept), and
// the lazy request logger writes exactly what a pino child would, with the request id bound, at the levels
// the logger enables. The whole server's log output: test/http/logging.test.ts.
import { Writable } from 'node:stream'
import t from 'tap'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { childLogger, createRequestIds } from '../../src/http/logging.ts'
import { build } from '../support/helper.ts'

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const noHeaders = { headers: {} }

function memoryLogger(level: string): { logger: FastifyBaseLogger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  // Fastify's own pino, as the server uses it (pino is not a direct dependency).
  const logger = Fastify({ logger: { level, redact: { paths: ['*.secret'], censor: '[redacted]' }, stream } }).log
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}

t.test('request ids', async (t) => {
  t.test('are UUID-shaped and distinct, with a prefix of their own per app', async (t) => {
    const first = createRequestIds()
    const second = createRequestIds()
    const ids = Array.from({ length: 1000 }, () => first(noHeaders))
    t.ok(
      ids.every((id) => UUID_SHAPE.test(id)),
      'UUID-shaped',
    )
    t.equal(new Set(ids).size, ids.length, 'distinct')
    t.not(second(noHeaders).slice(0, 24), ids[0]!.slice(0, 24), 'another app draws another prefix')
  })

  t.test("keep a caller's sane X-Request-Id and replace anything else", async (t) => {
    const next = createRequestIds()
    t.equal(next({ headers: { 'x-request-id': 'trace-42.a:b' } }), 'trace-42.a:b')
    for (const bad of ['has space', 'x'.repeat(129), '', 'é'])
      t.match(next({ headers: { 'x-request-id': bad } }), UUID_SHAPE, JSON.stringify(bad.slice(0, 10)))
    t.match(next({ headers: { 'x-request-id': ['a', 'b'] } }), UUID_SHAPE, 'sent twice')
  })

  t.test('are sent back in X-Request-Id, one per request', async (t) => {
    const { app } = await build(t)
    const ids = await Promise.all([1, 2, 3].map(async () => (await app.inject('/healthz')).headers['x-request-id']))
    t.ok(ids.every((id) => typeof id === 'string' && UUID_SHAPE.test(id)))
    t.equal(new Set(ids).size, 3)
  })
})

t.test('the request logger', async (t) => {
  t.test('writes nothing below the level, and binds the request id to what it writes', async (t) => {
    const { logger, lines } = memoryLogger('warn')
    const log = childLogger(logger, { requestId: 'r-1' }, {})
    t.equal(log.level, 'warn')
    log.info('not written')
    log.debug({ secret: 'x' }, 'not written')
    t.same(lines(), [])
    log.warn({ details: { secret: 'hunter2' } }, 'written')
    log.error('also written')
    t.match(lines(), [
      { level: 40, requestId: 'r-1', msg: 'written', details: { secret: '[redacted]' } },
      { level: 50, requestId: 'r-1', msg: 'also written' },
    ])
  })

  t.test('children, bindings and level changes behave as on a pino child', async (t) => {
    const { logger, lines } = memoryLogger('info')
    const log = childLogger(logger, { requestId: 'r-2' }, {})
    log.child({ step: 'grant' }).info('from a child')
    t.match(lines(), [{ requestId: 'r-2', step: 'grant', msg: 'from a child' }])
    t.same((log as unknown as { bindings(): unknown }).bindings(), { requestId: 'r-2' })
    log.level = 'error'
    log.warn('not written')
    t.equal(log.level, 'error')
    t.equal(lines().length, 1)
    t.equal(logger.level, 'info', 'the parent keeps its level')
  })

  t.test('a route with its own log level gets a real pino child', async (t) => {
    const { logger, lines } = memoryLogger('warn')
    const log = childLogger(logger, { requestId: 'r-3' }, { level: 'debug' })
    log.debug('written at the route level')
    t.match(lines(), [{ requestId: 'r-3', msg: 'written at the route level' }])
  })
})
