// Graceful shutdown with keep-alive clients: Fastify closes the connections that are idle when the shutdown
// begins, but a connection whose request was in flight stays open after its answer (for up to the keep-alive
// timeout, 72 s), and the server's close waits for it. While draining, each answer says `Connection: close`
// (the client then closes, and opens its next connection elsewhere), and connections that turn idle anyway
// are closed as they do.
import type { FastifyInstance } from 'fastify'

const IDLE_SWEEP_MS = 100

/**
 * Call before the app listens; `start()` when the shutdown begins, before `app.close()`.
 *
 * @example
 * const drain = drainConnections(app)
 * process.once('SIGTERM', async () => { drain.start(); await app.close() })
 */
export function drainConnections(app: FastifyInstance): { start(): void } {
  let draining = false
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close')
    done(null, payload)
  })
  return {
    start() {
      if (draining) return
      draining = true
      const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS).unref()
      app.server.once('close', () => clearInterval(sweep))
    },
  }
}
