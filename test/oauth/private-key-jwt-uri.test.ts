// private_key_jwt with a jwks_uri (RFC 7591 §2, RFC 7523 §2.2): the set is fetched, cached, fetched again for an
// unknown kid at most once a minute, and a jwks_uri that hangs, answers garbage, too much or not 200 makes a
// clear invalid_client within JWKS_URI_TIMEOUT, never a hang or a 5xx.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import t, { type Test } from 'tap'
import { build } from '../support/helper.ts'
import {
  clientKey,
  jwksOf,
  memoryLogger,
  REFUSED,
  registerKeyClient,
  signAssertion,
  withAssertion,
  type ClientKey,
} from '../support/private-key-jwt-fixtures.ts'
import { tokenRequest } from '../support/token-fixtures.ts'

const CC = { grant_type: 'client_credentials', scope: 'read' }

type Handler = (request: IncomingMessage, response: ServerResponse) => void

/** A JWK Set server on 127.0.0.1: `routes` by path, each counting its fetches. */
async function jwksServer(t: Test, routes: Record<string, Handler>) {
  const fetches: Record<string, number> = {}
  const server = createServer((request, response) => {
    const path = request.url ?? '/'
    fetches[path] = (fetches[path] ?? 0) + 1
    const handler = routes[path]
    if (handler) handler(request, response)
    else response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  const { port } = server.address() as AddressInfo
  return { url: (path: string) => `http://127.0.0.1:${port}${path}`, fetches }
}

const json =
  (body: unknown): Handler =>
  (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

/** The reasons the app logged for refused client assertions. */
function assertionLog(): { logger: FastifyBaseLogger; reasons: () => string[] } {
  const { logger, lines } = memoryLogger()
  return {
    logger,
    reasons: () =>
      lines()
        .filter((line) => line.msg === 'client assertion refused')
        .map((line) => String(line.reason)),
  }
}

t.test('a jwks_uri is fetched once, cached, and fetched again for an unknown kid at most once a minute', async (t) => {
  const first = await clientKey('ES256', 'first')
  const second = await clientKey('RS256', 'second')
  let served = jwksOf(first)
  const server = await jwksServer(t, { '/jwks': (request, response) => json(served)(request, response) })
  const { app, store } = await build(t, { env: { JWKS_URI_TIMEOUT: '1' } })
  await registerKeyClient(store, 'remote', { jwksUri: server.url('/jwks') })
  // Assertions are dated by the real clock; jose's cache is moved forward below through Date.now.
  const realNow = Date.now
  const use = async (key: ClientKey) => {
    const now = Math.floor(realNow() / 1000)
    const assertion = await signAssertion(key, 'remote', { iat: now, exp: now + 60 })
    return tokenRequest(app, { ...CC, ...withAssertion(assertion) })
  }

  t.equal((await use(first)).statusCode, 200)
  t.equal((await use(first)).statusCode, 200)
  t.equal(server.fetches['/jwks'], 1, 'the set is cached')

  served = jwksOf(first, second)
  const unknown = await use(second)
  t.same([unknown.statusCode, unknown.json()], [401, REFUSED], 'a new kid within a minute of the last fetch')
  t.equal(server.fetches['/jwks'], 1, 'is not fetched for')

  const offset = 61_000
  Date.now = () => realNow() + offset
  t.teardown(() => {
    Date.now = realNow
  })
  t.equal((await use(second)).statusCode, 200, 'a minute later, the unknown kid fetches the set again')
  t.equal(server.fetches['/jwks'], 2)
  const stranger = await clientKey('ES256', 'made-up')
  t.equal((await use(stranger)).statusCode, 401, 'another unknown kid right after')
  t.equal((await use(stranger)).statusCode, 401)
  t.equal(server.fetches['/jwks'], 2, 'fetches nothing: at most once a minute')
  t.equal((await use(first)).statusCode, 200, 'the keys it holds still verify')
})

t.test('a jwks_uri that fails is a clear invalid_client, never a hang or a 5xx', async (t) => {
  const key = await clientKey('ES256')
  const { logger, reasons } = assertionLog()
  const server = await jwksServer(t, {
    '/hang': () => undefined,
    '/slow-body': (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.write('{"keys": [')
    },
    '/garbage': (_request, response) => response.writeHead(200).end('<html>not json</html>'),
    '/not-a-set': json({ keys: 'none' }),
    '/huge': json({ keys: [{ ...key.jwk, padding: 'x'.repeat(100_000) }] }),
    '/huge-chunked': (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      for (let i = 0; i < 100; i++) response.write(' '.repeat(1024))
      response.end(JSON.stringify(jwksOf(key)))
    },
    '/redirect': (_request, response) => response.writeHead(302, { location: '/jwks' }).end(),
    '/jwks': json(jwksOf(key)),
  })
  const { app, store } = await build(t, { env: { JWKS_URI_TIMEOUT: '1' }, deps: { logger } })
  const cases: [string, RegExp][] = [
    ['/hang', /ERR_JWKS_TIMEOUT/],
    ['/slow-body', /ERR_JWKS_TIMEOUT/],
    ['/garbage', /Failed to parse the JSON Web Key Set/],
    ['/not-a-set', /JSON Web Key Set malformed/],
    ['/huge', /larger than 65536 bytes/],
    ['/huge-chunked', /larger than 65536 bytes/],
    ['/redirect', /Expected 200 OK/],
    ['/missing', /Expected 200 OK/],
  ]
  for (const [path, reason] of cases) {
    const clientId = `remote${path.replaceAll('/', '-')}`
    await registerKeyClient(store, clientId, { jwksUri: server.url(path) })
    const response = await tokenRequest(app, { ...CC, ...withAssertion(await signAssertion(key, clientId)) })
    t.same([response.statusCode, response.json()], [401, REFUSED], `${path}: invalid_client`)
    t.match(reasons().at(-1), reason, `${path}: the log says why (${reasons().at(-1)})`)
  }
  await registerKeyClient(store, 'remote-fine', { jwksUri: server.url('/jwks') })
  const fine = await tokenRequest(app, { ...CC, ...withAssertion(await signAssertion(key, 'remote-fine')) })
  t.equal(fine.statusCode, 200, 'the same key served properly works')
})
