// Hooks every request passes: the request id answered back, and the request metrics (count and latency by route
// pattern and status). Both run for every request, so they are synchronous (no promise per request).
import type { FastifyInstance } from 'fastify'
import { recordRequest, type Metrics } from '../ops/metrics.js'

export function addRequestHooks(app: FastifyInstance, metrics: Metrics): void {
  // The request id of the logs, for the caller to quote (theirs when they sent a sane X-Request-Id).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })

  // Plain numbers per method, route pattern and status (see recordRequest), read once per response.
  app.addHook('onResponse', (request, reply, done) => {
    recordRequest(
      metrics.requestSeries(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode),
      reply.elapsedTime / 1000,
    )
    done()
  })
}
