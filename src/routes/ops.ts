// Liveness and readiness for orchestrators.
import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'

export function registerOpsRoutes(app: FastifyInstance, { store }: RouteDeps): void {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } } } },
    async () => ({ status: 'ok' }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable',
        response: {
          200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] },
          503: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] },
        },
      },
    },
    async (_request, reply) => ((await store.ping()) ? { status: 'ready' } : reply.code(503).send({ status: 'unavailable' })),
  )
}
