// The JWKS (RFC 7517 §5) that resource servers verify our tokens with. The body, its ETag and headers are
// computed by the keyring when the key set changes; a request costs a clock read and a header comparison.
// The route below is what the API documents and what app.inject() reaches; on the listening server the same
// answer is given before routing by jwksBeforeRouting, which app.ts puts in front of Fastify.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { SIGNING_ALGORITHMS } from '../config.js'
import type { Services } from '../services.js'
import type { JwksDocument, Keyring } from '../keys/keyring.js'
import { recordRequest, type Metrics } from '../ops/metrics.js'

export const JWKS_PATH = '/.well-known/jwks.json'
const JWKS_WITH_QUERY = `${JWKS_PATH}?`

const jwkSchema = {
  type: 'object',
  description:
    'A public key (RFC 7517 §4): RSA for RS256 and PS256 (RFC 7518 §6.3.1), P-256 for ES256 (§6.2.1), Ed25519 for EdDSA (RFC 8037 §2); never a private member',
  properties: {
    kty: { type: 'string', enum: ['RSA', 'EC', 'OKP'] },
    n: { type: 'string', description: 'RSA: modulus, base64url' },
    e: { type: 'string', description: 'RSA: public exponent, base64url' },
    crv: { type: 'string', enum: ['P-256', 'Ed25519'], description: 'EC and OKP: the curve' },
    x: { type: 'string', description: 'EC and OKP: the x coordinate or public key, base64url' },
    y: { type: 'string', description: 'EC: the y coordinate, base64url' },
    kid: { type: 'string', description: 'The RFC 7638 JWK thumbprint (SHA-256) of the key' },
    alg: { type: 'string', enum: [...SIGNING_ALGORITHMS] },
    use: { type: 'string', const: 'sig' },
  },
  required: ['kty', 'kid', 'alg', 'use'],
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

export function registerWellKnownRoutes(app: FastifyInstance, { keyring }: Pick<Services, 'keyring'>): void {
  app.get(
    JWKS_PATH,
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

export interface BeforeRoutingDeps {
  keyring: Pick<Keyring, 'jwks'>
  metrics: Pick<Metrics, 'requestSeries'>
  /** The app's genReqId: the caller's sane X-Request-Id, or a new id. */
  requestId: (request: IncomingMessage) => string
  /** True when Fastify must answer: the app is closing (http/drain-connections.ts), or request logs are on. */
  routeThroughFastify: () => boolean
}

/**
 * The JWKS answered on the listening server before Fastify routes the request: a consumer fetch costs the
 * precomputed answer and nothing else, as the signing-keys issue asks ("the speed of a bare route returning
 * a constant"). It gives exactly what the route above gives through Fastify, with the request id and the
 * request metrics, and only when nothing else would happen to the request: any other method, path or a
 * request with a body, a closing app (Connection: close, 503) or request logs at `info` go to Fastify.
 * test/http/jwks-before-routing.test.ts compares the two answers header by header.
 *
 * @example
 * const answered = jwksBeforeRouting({ keyring, metrics, requestId, routeThroughFastify })
 * http.createServer((req, res) => answered(req, res) || fastifyHandler(req, res))
 */
export function jwksBeforeRouting({
  keyring,
  metrics,
  requestId,
  routeThroughFastify,
}: BeforeRoutingDeps): (request: IncomingMessage, response: ServerResponse) => boolean {
  let document: JwksDocument | undefined
  // The 200's headers after the request id, as a flat [name, value, …] list, made when the key set changes.
  let headers200: string[] = []
  return (request, response) => {
    const { url, method, headers } = request
    // Every request of the listening server passes here: one for another path costs two string checks.
    if (url !== JWKS_PATH && !url?.startsWith(JWKS_WITH_QUERY)) return false
    if (
      (method !== 'GET' && method !== 'HEAD') ||
      headers['content-length'] !== undefined ||
      headers['transfer-encoding'] !== undefined
    )
      return false
    // A page's request (CORS, routes/cors.ts): Fastify decides whether its origin gets CORS headers.
    if (headers.origin !== undefined) return false
    if (routeThroughFastify()) return false
    const started = performance.now()
    const jwks = keyring.jwks()
    if (jwks !== document) {
      document = jwks
      headers200 = [
        'vary',
        'Origin',
        ...Object.entries(jwks.headers).flat(),
        'content-length',
        String(Buffer.byteLength(jwks.body)),
      ]
    }
    // The headers in the order and case the route gives them (the request id first, as its onRequest hook does;
    // then Vary: Origin, which the CORS hook adds to every answer of the route, routes/cors.ts).
    const id = requestId(request)
    if (ifNoneMatchHits(headers['if-none-match'], jwks.etag)) {
      response.writeHead(304, [
        'x-request-id',
        id,
        'vary',
        'Origin',
        'cache-control',
        jwks.headers['cache-control']!,
        'etag',
        jwks.etag,
      ])
      response.end()
    } else {
      response.writeHead(200, ['x-request-id', id, ...headers200])
      response.end(jwks.body)
    }
    recordRequest(metrics.requestSeries(method, JWKS_PATH, response.statusCode), (performance.now() - started) / 1000)
    return true
  }
}
