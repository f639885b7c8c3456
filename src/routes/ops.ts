// Operations: liveness and readiness for orchestrators, and Prometheus metrics (the request metrics are
// recorded by http/request-hooks.ts).
import type { FastifyInstance } from 'fastify'
import type { Services } from '../services.js'

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

export function registerOpsRoutes(
  app: FastifyInstance,
  { store, metrics, closing }: Pick<Services, 'store' | 'metrics' | 'closing'>,
): void {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: statusSchema } } },
    async () => ({ status: 'ok' }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable (503 otherwise, within a second)',
        response: { 200: statusSchema, 503: statusSchema },
      },
    },
    async (_request, reply) =>
      !closing() && (await databaseReady(() => store.ping()))
        ? { status: 'ready' }
        : reply.code(503).send({ status: 'unavailable' }),
  )

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics: requests by route and status, token outcomes, process metrics',
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  )
}
