// Reference "form": a bare Fastify route that parses the same form body as the introspection and
// revocation requests (with @fastify/formbody) and returns a static JSON: the form-parsing ceiling.
import formbody from '@fastify/formbody'
import Fastify from 'fastify'
import { exitOnSignal, referenceArgs } from './args.ts'

const { port } = referenceArgs()
const app = Fastify({ logger: false })
await app.register(formbody)
const answer = { active: true, scope: 'read', client_id: 'reference', token_type: 'Bearer' }
app.post('/form', async (request, reply) => {
  const body = request.body as Record<string, string> | undefined
  if (typeof body?.token !== 'string') return reply.code(400).send({ error: 'invalid_request' })
  return reply.header('cache-control', 'no-store').send(answer)
})
app.get('/ready', async () => ({ status: 'ready' }))
await app.listen({ host: '127.0.0.1', port })
exitOnSignal(() => app.close())
