// Graceful close with keep-alive clients. Fastify closes the connections that are idle when the close begins,
// but a connection whose request was in flight stays open after its answer (for up to the keep-alive timeout,
// 72 s), and the server's close waits for it. So from the start of the close:
// - every answer says `Connection: close` (the client closes, and opens its next connection elsewhere);
// - connections that turn idle anyway are closed as they do;
// - a request that still arrives (its headers were on their way) is refused with what `refusal` returns:
//   503 in the documented shapes, so the client retries on another instance; /readyz answers for itself.
import type { FastifyInstance, FastifyRequest } from 'fastify'

const IDLE_SWEEP_MS = 100

/**
 * Call in buildApp, before the routes; returns whether the close has begun (readiness answers 503 from then on).
 *
 * @example
 * const closing = drainOnClose(app, (request) => temporarilyUnavailable(true, 1))
 */
export function drainOnClose(
  app: FastifyInstance,
  refusal: (request: FastifyRequest) => Error | undefined,
): () => boolean {
  let closing = false
  let sweep: NodeJS.Timeout | undefined
  app.addHook('preClose', (done) => {
    closing = true
    sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS).unref()
    done()
  })
  app.addHook('onClose', (_instance, done) => {
    clearInterval(sweep)
    done()
  })
  // Both hooks run for every request, so they are synchronous (an async hook costs a promise each time).
  app.addHook('onRequest', (request, _reply, done) => (closing ? done(refusal(request)) : done()))
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
  return () => closing
}
