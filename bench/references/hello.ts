// Reference "hello": a bare Fastify route returning a small JSON, the HTTP ceiling of this machine.
import Fastify from 'fastify'
import { exitOnSignal, referenceArgs } from './args.ts'

const { port } = referenceArgs()
const app = Fastify({ logger: false })
app.get('/hello', async () => ({ hello: 'world' }))
app.get('/ready', async () => ({ status: 'ready' }))
await app.listen({ host: '127.0.0.1', port })
exitOnSignal(() => app.close())
