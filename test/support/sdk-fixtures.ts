// Fixtures for the tests of packages/ (the SDKs): a real Portcullis listening on a port, with the clients the SDKs
// use, a count of the requests it received by method and path (counted on the server), and an API of our own
// behind @portcullis/verify.
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { authenticate, type Verifier } from '../../packages/verify/src/index.ts'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import type { Test } from './helper.ts'
import type { Provider } from '../../src/store/migrations/schema-engine.ts'
import { type Listening, listen } from './listen.ts'

export const SECRET = 'sdk-client-secret-with-enough-entropy-0123456789'
export const PASSWORD = 'correct horse battery staple'

export interface Portcullis extends Listening {
  /** Requests the server received, by `METHOD /path` (query left out). */
  received(route: string): number
  /** A new access key of alice's with `scopes`. */
  accessKey(scopes: string[]): Promise<{ id: string; key: string }>
  aliceId: string
}

/**
 * Portcullis on 127.0.0.1 with: `service` (confidential: client credentials, password, refresh, token exchange;
 * scopes read write), `gateway` (confidential, client credentials, scope introspect: what an API's verifier
 * uses), and alice (scopes read write).
 */
export async function startPortcullis(
  t: Test,
  env: Record<string, string> = {},
  provider: Provider = 'sqlite',
): Promise<Portcullis> {
  const server = await listen(t, { env, provider })
  const counts = new Map<string, number>()
  server.app.server.on('request', (request: { method?: string; url?: string }) => {
    const route = `${request.method} ${(request.url ?? '').split('?')[0]}`
    counts.set(route, (counts.get(route) ?? 0) + 1)
  })
  await server.store.clients.create({
    clientId: 'service',
    name: 'Service',
    secretHash: sha256(SECRET),
    grantTypes: ['client_credentials', 'password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    scopes: ['read', 'write'],
  })
  await server.store.clients.create({
    clientId: 'gateway',
    name: 'API gateway',
    secretHash: sha256(SECRET),
    grantTypes: ['client_credentials'],
    scopes: ['introspect'],
  })
  const alice = await server.store.users.create({
    username: 'alice',
    passwordHash: await hashPassword(PASSWORD, 4),
    scopes: ['read', 'write'],
  })
  return {
    ...server,
    aliceId: alice.id,
    received: (route) => counts.get(route) ?? 0,
    async accessKey(scopes) {
      const key = generateAccessKey()
      await server.store.accessKeys.create({
        id: key.id,
        prefix: key.prefix,
        secretHash: key.secretHash,
        name: 'sdk test',
        scopes,
        userId: alice.id,
        expiresAt: null,
      })
      return { id: key.id, key: key.key }
    },
  }
}

/** An API of our own: GET /whoami answers the caller's Auth, GET /write needs scope write. Counts its requests. */
export async function startApi(
  t: Test,
  verifier: Verifier,
): Promise<{ url: string; app: FastifyInstance; requests: () => number }> {
  const app = Fastify()
  let requests = 0
  app.addHook('onRequest', async () => void requests++)
  app.decorateRequest('auth', null)
  app.get(
    '/whoami',
    { preHandler: authenticate(verifier) },
    async (request) => (request as unknown as { auth: unknown }).auth,
  )
  app.get('/write', { preHandler: authenticate(verifier, { all: ['write'] }) }, async () => ({ written: true }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, app, requests: () => requests }
}

/** A fetch that counts the calls to each path (a verifier's or client's view of the server). */
export function countingFetch(): { fetch: typeof fetch; calls: (path: string) => number } {
  const counts = new Map<string, number>()
  return {
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input.toString())
      counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1)
      return fetch(input, init)
    },
    calls: (path) => counts.get(path) ?? 0,
  }
}

/** POST /oauth/token on `server` as `service`, answering the token response. */
export async function tokenResponse(
  server: Portcullis,
  params: Record<string, string>,
): Promise<{ access_token: string; refresh_token?: string; expires_in: number }> {
  const response = await fetch(`${server.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`service:${SECRET}`).toString('base64')}`,
    },
    body: new URLSearchParams(params),
  })
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`)
  return response.json() as Promise<{ access_token: string; refresh_token?: string; expires_in: number }>
}
