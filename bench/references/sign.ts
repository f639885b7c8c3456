// Reference "sign": a bare Fastify route that parses the same form body as a token request and signs
// the same JWT access token (RFC 9068 header and claims) with jose and a key of the same size, without any
// store or client authentication: the token ceiling of this machine. `--alg` picks the algorithm: RS256
// (default) or PS256 with an RSA key of `--key-size`, ES256 (P-256) or EdDSA (Ed25519).
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import formbody from '@fastify/formbody'
import Fastify from 'fastify'
import { SignJWT } from 'jose'
import { exitOnSignal, referenceArgs } from './args.ts'

const { port, values } = referenceArgs({ 'key-size': { type: 'string' }, alg: { type: 'string' } })
const alg = values.alg ?? 'RS256'
function signingKey(): KeyObject {
  if (alg === 'RS256' || alg === 'PS256')
    return generateKeyPairSync('rsa', { modulusLength: Number(values['key-size'] ?? 2048) }).privateKey
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519').privateKey
  throw new Error(`--alg ${alg}: RS256, PS256, ES256 or EdDSA`)
}
const privateKey = signingKey()
const kid = randomUUID()
const issuer = 'http://127.0.0.1'
const app = Fastify({ logger: false })
await app.register(formbody)
app.post('/token', async (request, reply) => {
  const body = request.body as Record<string, string> | undefined
  if (typeof body?.grant_type !== 'string') return reply.code(400).send({ error: 'invalid_request' })
  const scope = body.scope ?? 'read'
  const iat = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ client_id: 'reference', scope })
    .setProtectedHeader({ alg, typ: 'at+jwt', kid })
    .setIssuer(issuer)
    .setSubject('client:reference')
    .setAudience(issuer)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 900)
    .setJti(randomUUID())
    .sign(privateKey)
  return reply
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({ access_token: token, token_type: 'Bearer', expires_in: 900, scope })
})
app.get('/ready', async () => ({ status: 'ready' }))
await app.listen({ host: '127.0.0.1', port })
exitOnSignal(() => app.close())
