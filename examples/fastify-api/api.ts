// An API behind Portcullis: GET /objects needs scope `read`, POST /objects needs `write`; JWTs are verified
// locally against Portcullis's JWKS, access keys through its introspection endpoint.
import Fastify from 'fastify'
import { authenticate, createVerifier, requireScopes, type Auth, type VerifierOptions } from '@portcullis/verify'

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null
  }
}

export async function buildApi(options: Pick<VerifierOptions, 'issuer' | 'audience' | 'introspection'>) {
  const verifier = createVerifier(options)
  const app = Fastify()
  app.decorateRequest('auth', null)
  const objects: { id: number; owner: string; name: string }[] = []

  app.get('/objects', { preHandler: authenticate(verifier, requireScopes('read')) }, async (request) => ({
    caller: request.auth!.subject,
    objects: objects.filter((object) => object.owner === request.auth!.subject),
  }))
  app.post<{ Body: { name: string } }>(
    '/objects',
    {
      preHandler: authenticate(verifier, requireScopes('write')),
      schema: {
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 100 } } },
      },
    },
    async (request, reply) => {
      const object = { id: objects.length + 1, owner: request.auth!.subject, name: request.body.name }
      objects.push(object)
      return reply.code(201).send(object)
    },
  )
  return app
}
