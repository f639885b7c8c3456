// Reference "jwks-body": a bare Fastify route serving the very JWKS body Portcullis serves (read once
// from --body-file), precomputed: the ceiling of the JWKS endpoint.
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import { exitOnSignal, referenceArgs } from './args.ts'

const { port, values } = referenceArgs({ 'body-file': { type: 'string' } })
const body = readFileSync(values['body-file']!, 'utf8')
const app = Fastify({ logger: false })
app.get('/jwks', async (_request, reply) =>
  reply.type('application/json').header('cache-control', 'public, max-age=300').send(body),
)
app.get('/ready', async () => ({ status: 'ready' }))
await app.listen({ host: '127.0.0.1', port })
exitOnSignal(() => app.close())
