// Published metadata: the JWKS (RFC 7517) that resource servers verify our tokens with.
import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'

export function registerWellKnownRoutes(app: FastifyInstance, { keyring }: RouteDeps): void {
  app.get('/.well-known/jwks.json', { schema: { tags: ['keys'], summary: 'The public signing keys (JWKS)' } }, async (request, reply) => {
    const jwks = keyring.jwks()
    reply.header('cache-control', `public, max-age=${jwks.maxAge}`).header('etag', jwks.etag)
    if (request.headers['if-none-match'] === jwks.etag) return reply.code(304).send()
    return reply.type('application/json').send(jwks.body)
  })
}
