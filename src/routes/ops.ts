// Operations: liveness and readiness for orchestrators, Prometheus metrics, and the request metrics
// (count and latency by route pattern and status) recorded for every response.
import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'
import { recordRequest } from '../metrics.js'

/** Probes time out at 1 s by default (Kubernetes), so an unreachable database must answer 503 before that. */
export const READINESS_TIMEOUT_MS = 800

const statusSchema = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const

async function databaseReady(ping: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), READINESS_TIMEOUT_MS)
  })
  try {
    return await Promise.race([ping().catch(() => false), timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function registerOpsRoutes(app: FastifyInstance, { store, metrics, closing }: RouteDeps): void {
  // The request id of the logs, for the caller to quote (theirs when they sent a sane X-Request-Id).
  // Both hooks run for every request, so they are synchronous (no promise per request).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })

  // Plain numbers per method, route pattern and status (see recordRequest), read once per response.
  app.addHook('onResponse', (request, reply, done) => {
    recordRequest(metrics.requestSeries(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode), reply.elapsedTime / 1000)
    done()
  })

  app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: statusSchema } } }, async () => ({ status: 'ok' }))

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable (503 otherwise, within a second)',
        response: { 200: statusSchema, 503: statusSchema },
      },
    },
    async (_request, reply) => (!closing() && (await databaseReady(() => store.ping())) ? { status: 'ready' } : reply.code(503).send({ status: 'unavailable' })),
  )

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics: requests by route and status, token outcomes, process metrics',
        response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  )
}
