// A resource server behind Portcullis: GET /objects answers a small JSON, with the caller's JWT checked by
// @portcullis/verify (`--mode verifier`), by the hand-rolled jose.jwtVerify + createRemoteJWKSet people write today
// (`--mode jose`), or not at all (`--mode none`, the ceiling). Same Fastify, same route, same answer.
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { authenticate, createVerifier } from '../../packages/verify/src/index.ts'
import { exitOnSignal, referenceArgs } from './args.ts'

const { port, values } = referenceArgs({
  mode: { type: 'string' },
  issuer: { type: 'string' },
  audience: { type: 'string' },
  'jwks-uri': { type: 'string' },
})
// The issuer the tokens name, and where its JWKS is served (the benchmark's server is not at its ISSUER).
const { mode, issuer, audience, 'jwks-uri': jwksUri } = values as Record<string, string>
if (!['verifier', 'jose', 'none'].includes(mode!) || !issuer || !audience || !jwksUri)
  throw new Error('--mode verifier|jose|none --issuer URL --audience AUD --jwks-uri URL are required')

const app = Fastify({ logger: false })
type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
let preHandler: PreHandler | undefined
if (mode === 'verifier')
  preHandler = authenticate(createVerifier({ issuer, audience, jwksUri })) as unknown as PreHandler
if (mode === 'jose') {
  const jwks = createRemoteJWKSet(new URL(jwksUri))
  preHandler = async (request, reply) => {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')
    try {
      if (!match) throw new Error('no token')
      await jwtVerify(match[1]!, jwks, { issuer, audience, typ: 'at+jwt', algorithms: ['RS256'] })
      return undefined
    } catch {
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({ error: 'invalid_token' })
    }
  }
}
app.get('/objects', preHandler ? { preHandler } : {}, async () => ({ objects: [] }))
app.get('/ready', async () => ({ status: 'ready' }))
await app.listen({ host: '127.0.0.1', port })
exitOnSignal(() => app.close())
