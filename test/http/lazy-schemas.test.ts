// Route schemas are compiled when first needed (src/http/lazy-schemas.ts): what a route accepts, rejects and sends
// must be exactly what Fastify's own compilers give, whether a schema was compiled by its first request or by
// compileAll() beforehand.
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import { createLazySchemas, type LazySchemas } from '../../src/http/lazy-schemas.ts'

const body = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 5 }, count: { type: 'integer' } },
  required: ['name'],
  additionalProperties: false,
} as const
const response = {
  200: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' } }, required: ['name'] },
} as const

async function build(lazy?: LazySchemas): Promise<FastifyInstance> {
  const app = Fastify(lazy ? { schemaController: lazy.schemaController } : {})
  // The handler echoes the body plus a field the response schema does not list: the serializer drops it.
  app.post('/items', { schema: { body, response } }, async (request) => ({
    ...(request.body as object),
    secret: 'never sent',
  }))
  app.get(
    '/other',
    { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } }, response } },
    async (request) => ({ name: 'q', count: (request.query as { n?: number }).n }),
  )
  await app.ready()
  return app
}

const requests = [
  { method: 'POST', url: '/items', payload: { name: 'abc', count: 2 } },
  { method: 'POST', url: '/items', payload: { name: 'too long', count: 2 } },
  { method: 'POST', url: '/items', payload: { count: 2 } },
  { method: 'POST', url: '/items', payload: { name: 'abc', extra: true } },
  { method: 'POST', url: '/items', payload: { name: 'abc', count: '2' } },
  { method: 'GET', url: '/other?n=7' },
  { method: 'GET', url: '/other?n=seven' },
] as const

const answer = async (app: FastifyInstance, request: (typeof requests)[number]) => {
  const res = await app.inject(request)
  return { status: res.statusCode, body: res.body }
}

t.test('answers exactly as Fastify’s own compilers do, compiled on first use or beforehand', async (t) => {
  const eager = await build()
  const onFirstUse = await build(createLazySchemas())
  const beforehand = createLazySchemas()
  const compiledFirst = await build(beforehand)
  t.ok((await beforehand.compileAll()) > 0, 'compileAll compiled the schemas no request had needed')
  t.equal(await beforehand.compileAll(), 0, 'and nothing is left for a second call')
  for (const request of requests) {
    const expected = await answer(eager, request)
    t.same(
      await answer(onFirstUse, request),
      expected,
      `${request.method} ${request.url} ${JSON.stringify('payload' in request ? request.payload : '')}: compiled by the request`,
    )
    t.same(await answer(compiledFirst, request), expected, `${request.method} ${request.url}: compiled beforehand`)
  }
  t.notMatch((await onFirstUse.inject(requests[0])).body, /secret/, 'the response schema still drops unlisted fields')
  await Promise.all([eager.close(), onFirstUse.close(), compiledFirst.close()])
})

t.test('nothing is compiled before it is needed; compileAll does only what requests left', async (t) => {
  const lazy = createLazySchemas()
  let compiled = 0
  const app = Fastify({ schemaController: lazy.schemaController })
  app.register(async (scoped) => {
    scoped.setValidatorCompiler(
      lazy.validatorCompiler(() => {
        compiled++
        return () => true
      }),
    )
    scoped.post('/a', { schema: { body } }, async () => 'a')
    scoped.post('/b', { schema: { body } }, async () => 'b')
  })
  await app.ready()
  t.equal(compiled, 0, 'ready compiled nothing')
  t.equal((await app.inject({ method: 'POST', url: '/a', payload: {} })).statusCode, 200)
  t.equal(compiled, 1, 'the first request compiled its route’s schema')
  await app.inject({ method: 'POST', url: '/a', payload: {} })
  t.equal(compiled, 1, 'once')
  await lazy.compileAll()
  t.equal(compiled, 2, 'compileAll compiled the other route’s')
  await app.close()
})

t.test('a schema that does not compile fails its request with a 500 and compileAll with the error', async (t) => {
  const lazy = createLazySchemas()
  const app = Fastify({ schemaController: lazy.schemaController, logger: false })
  app.post(
    '/broken',
    { schema: { body: { type: 'object', properties: { n: { type: 'no-such-type' } } } } },
    async () => 'never',
  )
  await app.ready()
  const res = await app.inject({ method: 'POST', url: '/broken', payload: { n: 1 } })
  t.equal(res.statusCode, 500, 'the request fails as a server error, never as the client’s')
  await t.rejects(createLazySchemasWithBroken(), /schema is invalid/)
  await app.close()
})

async function createLazySchemasWithBroken(): Promise<number> {
  const lazy = createLazySchemas()
  const app = Fastify({ schemaController: lazy.schemaController, logger: false })
  app.post(
    '/broken',
    { schema: { body: { type: 'object', properties: { n: { type: 'no-such-type' } } } } },
    async () => 'never',
  )
  await app.ready()
  try {
    return await lazy.compileAll()
  } finally {
    await app.close()
  }
}
