// Run: PORTCULLIS_URL=http://127.0.0.1:3000 API_AUDIENCE=http://127.0.0.1:3000 \
//      INTROSPECTION_CLIENT_ID=… INTROSPECTION_CLIENT_SECRET=… npx tsx --conditions=portcullis-source examples/fastify-api/server.ts
import { buildApi } from './api.ts'

const issuer = process.env.PORTCULLIS_URL
if (!issuer) throw new Error('PORTCULLIS_URL is not set (the Portcullis ISSUER)')
const id = process.env.INTROSPECTION_CLIENT_ID
const secret = process.env.INTROSPECTION_CLIENT_SECRET
const app = await buildApi({
  issuer,
  audience: process.env.API_AUDIENCE ?? issuer,
  ...(id && secret ? { introspection: { clientId: id, clientSecret: secret } } : {}),
})
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 4000) })
console.log(`API on http://127.0.0.1:${process.env.PORT ?? 4000}/objects`)
