// The JWKS (RFC 7517 §5) that resource servers verify our tokens with. The body, its ETag and headers are
// computed by the keyring when the key set changes; a request costs a clock read and a header comparison.
import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'

const jwkSchema = {
  type: 'object',
  description: 'An RSA public key (RFC 7517 §4, RFC 7518 §6.3.1); never a private member',
  properties: {
    kty: { type: 'string', const: 'RSA' },
    n: { type: 'string', description: 'Modulus, base64url' },
    e: { type: 'string', description: 'Public exponent, base64url' },
    kid: { type: 'string', description: 'The RFC 7638 JWK thumbprint (SHA-256) of the key' },
    alg: { type: 'string', const: 'RS256' },
    use: { type: 'string', const: 'sig' },
  },
  required: ['kty', 'n', 'e', 'kid', 'alg', 'use'],
} as const

/** If-None-Match (RFC 9110 §13.1.2): a list of entity tags compared weakly, or `*`. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header === etag) return true
  for (const candidate of header.split(',')) {
    const tag = candidate.trim()
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true
  }
  return false
}

export function registerWellKnownRoutes(app: FastifyInstance, { keyring }: RouteDeps): void {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['keys'],
        summary: 'The public signing keys (JWKS)',
        description:
          'Every key that is about to sign, signs, or signed tokens that have not yet expired. A new key appears here at least one ' +
          'cache lifetime (Cache-Control max-age) before it signs, so a consumer that honours max-age always knows the key of a token. ' +
          'Send the ETag back in If-None-Match to get 304 when nothing changed.',
        response: {
          200: {
            description: 'The JWK set (RFC 7517 §5)',
            type: 'object',
            properties: { keys: { type: 'array', items: jwkSchema } },
            required: ['keys'],
          },
          304: { description: 'Not modified: the key set of the ETag in If-None-Match is still current', type: 'null' },
        },
      },
    },
    (request, reply) => {
      const jwks = keyring.jwks()
      if (ifNoneMatchHits(request.headers['if-none-match'], jwks.etag)) {
        reply.code(304).header('cache-control', jwks.headers['cache-control']).header('etag', jwks.etag).send()
      } else {
        reply.headers(jwks.headers).send(jwks.body)
      }
    },
  )
}
