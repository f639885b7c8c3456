// Client authentication (src/oauth/client-auth.ts, client-assertion.ts, client-keys.ts) as a unit: the exact
// answer to each way of presenting credentials (HTTP Basic in its accepted spellings, the body, an assertion),
// which method it is counted as, when the client is read again, what a refusal counts, the previous secret's
// grace and its end, and the bounds of a jwks_uri's fetch. Through the endpoints: token-errors.test.ts and
// private-key-jwt*.test.ts.
import t from 'tap'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose'
import { authenticateClient } from '../../src/oauth/client-auth.ts'
import { CLIENT_ASSERTION_TYPE } from '../../src/oauth/client-assertion.ts'
import { createClientKeys, limitedFetch } from '../../src/oauth/client-keys.ts'
import type { ClientLookup } from '../../src/oauth/client-cache.ts'
import { OAuthError } from '../../src/errors.ts'
import { sha256 } from '../../src/security/secrets.ts'
import type { ReplayNamespace } from '../../src/security/replay-cache.ts'
import type { Client } from '../../src/store/clients.ts'
import { clientRow } from '../support/client-row.ts'

const ISSUER = 'https://as.example'
const SECRET = 'a-confidential-client-secret-of-some-length'
const NOW = Date.parse('2026-12-06T12:00:00Z')

const client = (overrides: Partial<Client> = {}): Client =>
  clientRow({ clientId: 'svc', name: 'Service', secretHash: sha256(SECRET), ...overrides }, new Date(NOW))

/** The services authenticateClient uses, with every call recorded. */
function services(
  options: {
    clients?: Record<string, Client>
    fromCache?: boolean
    /** What reload() finds (default: the same as lookup). */
    reloaded?: Record<string, Client | undefined>
    withUsage?: boolean
    now?: number
  } = {},
) {
  const calls = { lookup: [] as string[], reload: [] as string[], usage: [] as string[], replay: [] as string[] }
  const clients = options.clients ?? {}
  const deps = {
    clients: {
      lookup: async (id: string): Promise<ClientLookup> => {
        calls.lookup.push(id)
        return { client: clients[id], fromCache: options.fromCache ?? false }
      },
      reload: async (id: string) => {
        calls.reload.push(id)
        return options.reloaded && id in options.reloaded ? options.reloaded[id] : clients[id]
      },
    },
    now: () => options.now ?? NOW,
    config: { issuer: ISSUER, clockSkew: 30 },
    replayCache: {
      remember: async (namespace: ReplayNamespace, jti: string) => {
        calls.replay.push(`${namespace}:${jti}`)
        return true
      },
    },
    clientKeys: createClientKeys({ timeoutMs: 2000 }),
    ...(options.withUsage === false
      ? {}
      : {
          usage: { count: (type: string, id: string, kind: string) => void calls.usage.push(`${type}:${id}:${kind}`) },
        }),
  }
  return { deps: deps as unknown as Parameters<typeof authenticateClient>[1], calls }
}

/** A request with these headers, whose log lines are kept. */
function request(headers: Record<string, string> = {}) {
  const logged: Array<Record<string, unknown>> = []
  return {
    request: {
      headers,
      log: { info: (fields: Record<string, unknown>) => void logged.push(fields) },
    } as unknown as FastifyRequest,
    logged,
  }
}

const basicOf = (id: string, secret: string) => Buffer.from(`${id}:${secret}`).toString('base64')

async function refusal(promise: Promise<unknown>): Promise<{ error: string; description: string; headers: object }> {
  try {
    await promise
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return { error: err.error, description: err.description, headers: err.headers }
  }
  throw new Error('expected a refusal')
}

const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="portcullis", charset="UTF-8"' }

t.test('HTTP Basic: the accepted spellings, and the exact refusals of the others', async (t) => {
  const { deps } = services({ clients: { svc: client() } })
  const ok = async (authorization: string, message: string) =>
    t.same(
      await authenticateClient(request({ authorization }).request, deps, {}),
      { client: client(), method: 'client_secret_basic' },
      message,
    )
  const credentials = basicOf('svc', SECRET)
  await ok(`Basic ${credentials}`, 'the usual form')
  await ok(`basic  ${credentials}`, 'the scheme in any case, several spaces before the credentials')
  await ok(`Basic ${credentials}  `, 'trailing spaces')
  const unpadded = credentials.replace(/=+$/, '')
  t.not(unpadded, credentials, 'these credentials are padded')
  await ok(`Basic ${unpadded}`, 'base64 without its padding')
  // Credentials whose base64 ends in two '=' (their length is 1 modulo 3), with and without them.
  const secret49 = 'y'.repeat(45)
  const twice = basicOf('svc', secret49)
  t.match(twice, /[^=]==$/, 'padded with two')
  const { deps: deps49 } = services({ clients: { svc: client({ secretHash: sha256(secret49) }) } })
  for (const credentials49 of [twice, twice.slice(0, -2)])
    t.equal(
      (await authenticateClient(request({ authorization: `Basic ${credentials49}` }).request, deps49, {})).method,
      'client_secret_basic',
      credentials49.slice(-4),
    )
  const scheme = {
    error: 'invalid_client',
    description: 'the Authorization header must use the Basic scheme with base64 credentials',
    headers: BASIC_CHALLENGE,
  }
  for (const header of [`NotBasic ${credentials}`, `Basic ${credentials} extra`, `Basic${credentials}`, 'Bearer x'])
    t.same(await refusal(authenticateClient(request({ authorization: header }).request, deps, {})), scheme, header)
})

t.test('the secret may be left empty only by a public client, which is then known by its id alone', async (t) => {
  const spa = client({ clientId: 'spa', secretHash: null, isPublic: true })
  const { deps } = services({ clients: { spa } })
  t.same(await authenticateClient(request({ authorization: `Basic ${basicOf('spa', '')}` }).request, deps, {}), {
    client: spa,
    method: 'none',
  })
  t.same(await authenticateClient(request().request, deps, { client_id: 'spa' }), { client: spa, method: 'none' })
  t.same(await refusal(authenticateClient(request().request, deps, { client_id: 'spa', client_secret: 'x' })), {
    error: 'invalid_client',
    description: 'a public client has no secret; send client_id only',
    headers: {},
  })
})

t.test('credentials in the body: client_secret_post, and what is wrong with each malformed body', async (t) => {
  const { deps } = services({ clients: { svc: client() } })
  t.same(await authenticateClient(request().request, deps, { client_id: 'svc', client_secret: SECRET }), {
    client: client(),
    method: 'client_secret_post',
  })
  t.same(
    await authenticateClient(request({ authorization: '' }).request, deps, { client_id: 'svc', client_secret: SECRET }),
    { client: client(), method: 'client_secret_post' },
    'an empty Authorization header is no header',
  )
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['nothing', {}, 'invalid_client', 'client authentication is required'],
    ['an empty client_id', { client_id: '' }, 'invalid_client', 'client authentication is required'],
    ['a secret without an id', { client_secret: SECRET }, 'invalid_client', 'client_secret was sent without client_id'],
    ['a repeated client_id', { client_id: ['svc', 'svc'] }, 'invalid_request', 'parameter client_id is repeated'],
    ['a client_id that is no string', { client_id: 7 }, 'invalid_request', 'parameter client_id must be a string'],
  ]
  for (const [name, body, error, description] of cases)
    t.same(await refusal(authenticateClient(request().request, deps, body)), { error, description, headers: {} }, name)
})

t.test('one method only; client_id beside HTTP Basic must name the same client', async (t) => {
  const { deps } = services({ clients: { svc: client() } })
  const authorization = `Basic ${basicOf('svc', SECRET)}`
  t.same(
    await authenticateClient(request({ authorization }).request, deps, { client_id: 'svc' }),
    { client: client(), method: 'client_secret_basic' },
    'the same client_id in the body is allowed (RFC 6749 §2.3.1 clients send it)',
  )
  const invalid = (description: string) => ({ error: 'invalid_request', description, headers: {} })
  t.same(
    await refusal(authenticateClient(request({ authorization }).request, deps, { client_id: 'other' })),
    invalid('client_id in the body differs from the HTTP Basic client'),
  )
  t.same(
    await refusal(authenticateClient(request({ authorization }).request, deps, { client_secret: SECRET })),
    invalid('use one client authentication method: HTTP Basic or client_secret in the body, not both'),
  )
  const assertionAnd = invalid('use one client authentication method: a client assertion, HTTP Basic or client_secret')
  const assertion = { client_assertion: 'a.b.c', client_assertion_type: CLIENT_ASSERTION_TYPE }
  t.same(await refusal(authenticateClient(request({ authorization }).request, deps, assertion)), assertionAnd)
  t.same(
    await refusal(authenticateClient(request().request, deps, { ...assertion, client_secret: SECRET })),
    assertionAnd,
  )
  const { request: emptyHeader, logged } = request({ authorization: '' })
  t.same(
    await refusal(authenticateClient(emptyHeader, deps, assertion)),
    { error: 'invalid_client', description: 'client authentication failed', headers: {} },
    'an empty Authorization header beside an assertion is no second method: the assertion is read',
  )
  t.match(logged, [{ reason: /^client_assertion is not a JWT/ }])
})

t.test('ids that cannot exist are refused before any lookup', async (t) => {
  const { deps, calls } = services({ clients: { svc: client() } })
  const failed = (basic: boolean) => ({
    error: 'invalid_client',
    description: 'client authentication failed',
    headers: basic ? BASIC_CHALLENGE : {},
  })
  for (const id of ['', 'x'.repeat(256), 'svc\u0001', 'svc\u007f']) {
    t.same(
      await refusal(
        authenticateClient(
          request({ authorization: `Basic ${basicOf(encodeURIComponent(id), SECRET)}` }).request,
          deps,
          {},
        ),
      ),
      failed(true),
      `Basic id ${JSON.stringify(id.slice(0, 8))}… (${id.length} characters)`,
    )
  }
  t.same(
    await refusal(authenticateClient(request().request, deps, { client_id: 'svc\u0001', client_secret: SECRET })),
    failed(false),
    'the body: no Basic challenge',
  )
  t.same(calls.lookup, [], 'none was looked up')
  await refusal(authenticateClient(request().request, deps, { client_id: 'x'.repeat(255), client_secret: SECRET }))
  t.same(calls.lookup, ['x'.repeat(255)], '255 characters is a possible id: looked up')
})

t.test('a refusal counts for a known client only, and needs no usage counter', async (t) => {
  const { deps, calls } = services({ clients: { svc: client() } })
  await refusal(authenticateClient(request().request, deps, { client_id: 'svc', client_secret: 'wrong' }))
  await refusal(authenticateClient(request().request, deps, { client_id: 'ghost', client_secret: 'wrong' }))
  t.same(calls.usage, ['client:svc:refused'])
  await authenticateClient(request().request, deps, { client_id: 'svc', client_secret: SECRET })
  t.same(calls.usage, ['client:svc:refused'], 'a success is counted by its endpoint, not here')
  const bare = services({ clients: { svc: client() }, withUsage: false })
  t.same(
    await refusal(authenticateClient(request().request, bare.deps, { client_id: 'svc', client_secret: 'wrong' })),
    { error: 'invalid_client', description: 'client authentication failed', headers: {} },
  )
})

t.test('the previous secret works until its expiry instant, and only when one is set', async (t) => {
  const rotated = client({
    secretHash: sha256('the-new-secret'),
    previousSecretHash: sha256(SECRET),
    previousSecretExpiresAt: new Date(NOW + 60_000),
  })
  const at = (now: number) => services({ clients: { svc: rotated }, now }).deps
  const body = { client_id: 'svc', client_secret: SECRET }
  t.equal((await authenticateClient(request().request, at(NOW), body)).method, 'client_secret_post')
  t.equal((await authenticateClient(request().request, at(NOW + 59_999), body)).client.clientId, 'svc')
  t.equal((await refusal(authenticateClient(request().request, at(NOW + 60_000), body))).error, 'invalid_client')
  const newOne = { client_id: 'svc', client_secret: 'the-new-secret' }
  t.equal((await authenticateClient(request().request, at(NOW + 60_000), newOne)).client.clientId, 'svc')
  // A previous hash with no expiry, or an expiry with no hash, grants nothing.
  for (const partial of [
    client({ secretHash: sha256('n'), previousSecretHash: sha256(SECRET), previousSecretExpiresAt: null }),
    client({ secretHash: sha256('n'), previousSecretHash: null, previousSecretExpiresAt: new Date(NOW + 60_000) }),
  ])
    t.equal(
      (await refusal(authenticateClient(request().request, services({ clients: { svc: partial } }).deps, body))).error,
      'invalid_client',
    )
})

t.test('a client refused from the cache is read again, once, and the fresh row decides', async (t) => {
  const stale = client({ secretHash: sha256('the-old-secret') })
  const body = { client_id: 'svc', client_secret: SECRET }
  // Rotated elsewhere: the fresh row has the presented secret.
  const rotated = services({ clients: { svc: stale }, fromCache: true, reloaded: { svc: client() } })
  t.same(await authenticateClient(request().request, rotated.deps, body), {
    client: client(),
    method: 'client_secret_post',
  })
  t.same(rotated.calls.reload, ['svc'])
  // Not from the cache: the row was just read, no second read.
  const fresh = services({ clients: { svc: stale }, fromCache: false, reloaded: { svc: client() } })
  t.equal((await refusal(authenticateClient(request().request, fresh.deps, body))).error, 'invalid_client')
  t.same(fresh.calls.reload, [])
  // Deleted, or made public, meanwhile: refused.
  for (const reloaded of [undefined, client({ isPublic: true })]) {
    const gone = services({ clients: { svc: stale }, fromCache: true, reloaded: { svc: reloaded } })
    t.equal((await refusal(authenticateClient(request().request, gone.deps, body))).error, 'invalid_client')
    t.same(gone.calls.reload, ['svc'])
  }
  // From the cache and right: no second read.
  const right = services({ clients: { svc: client() }, fromCache: true })
  await authenticateClient(request().request, right.deps, body)
  t.same(right.calls.reload, [])
})

t.test('private_key_jwt: the method, the replay namespace, keys rotated elsewhere, and each refusal', async (t) => {
  const first = await generateKeyPair('ES256')
  const second = await generateKeyPair('ES256')
  const jwksOf = async (key: CryptoKey): Promise<JSONWebKeySet> => ({
    keys: [{ ...(await exportJWK(key)), kid: randomUUID(), alg: 'ES256' }],
  })
  const firstSet = await jwksOf(first.publicKey)
  const secondSet = await jwksOf(second.publicKey)
  const assertionBy = (key: CryptoKey, kid: string, claims: Record<string, unknown> = {}) =>
    new SignJWT({ jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer((claims.iss as string | undefined) ?? 'pkj')
      .setSubject((claims.sub as string | undefined) ?? 'pkj')
      .setAudience(ISSUER)
      .setIssuedAt(Math.floor(NOW / 1000))
      .setExpirationTime(Math.floor(NOW / 1000) + 60)
      .sign(key)
  const body = (assertion: string) => ({ client_assertion: assertion, client_assertion_type: CLIENT_ASSERTION_TYPE })
  const pkj = (jwks: JSONWebKeySet) => client({ clientId: 'pkj', secretHash: null, jwks })

  t.test('accepted: the method, and the jti remembered in the client assertions namespace', async (t) => {
    const { deps, calls } = services({ clients: { pkj: pkj(firstSet) } })
    const assertion = await assertionBy(first.privateKey, firstSet.keys[0]!.kid!)
    t.same(await authenticateClient(request().request, deps, body(assertion)), {
      client: pkj(firstSet),
      method: 'private_key_jwt',
    })
    t.equal(calls.replay.length, 1)
    t.match(calls.replay[0], /^client_assertion:/)
  })

  t.test('keys rotated elsewhere: the cached client fails, is read again with its new keys, and passes', async (t) => {
    const { deps, calls } = services({
      clients: { pkj: pkj(firstSet) },
      fromCache: true,
      reloaded: { pkj: pkj(secondSet) },
    })
    const assertion = await assertionBy(second.privateKey, secondSet.keys[0]!.kid!)
    t.equal((await authenticateClient(request().request, deps, body(assertion))).method, 'private_key_jwt')
    t.same(calls.reload, ['pkj'])
  })

  t.test('read again with the same keys, or a jwks_uri changed, or not from the cache', async (t) => {
    const wrong = await assertionBy(second.privateKey, firstSet.keys[0]!.kid!)
    const same = services({ clients: { pkj: pkj(firstSet) }, fromCache: true })
    const { request: req, logged } = request()
    t.equal(
      (await refusal(authenticateClient(req, same.deps, body(wrong)))).description,
      'client authentication failed',
    )
    t.same(same.calls.reload, ['pkj'], 'read again once; the same keys: not verified again')
    t.equal(logged.length, 1)
    // A fresh row whose keys differ but still do not verify: read once only (the second attempt reads nothing).
    const other = services({ clients: { pkj: pkj(firstSet) }, fromCache: true, reloaded: { pkj: pkj(secondSet) } })
    t.equal(
      (
        await refusal(
          authenticateClient(request().request, other.deps, body(await assertionBy(first.privateKey, 'nope'))),
        )
      ).error,
      'invalid_client',
    )
    t.same(other.calls.reload, ['pkj'])
    const uncached = services({ clients: { pkj: pkj(firstSet) }, fromCache: false, reloaded: { pkj: pkj(secondSet) } })
    const bySecond = await assertionBy(second.privateKey, secondSet.keys[0]!.kid!)
    t.equal(
      (await refusal(authenticateClient(request().request, uncached.deps, body(bySecond)))).error,
      'invalid_client',
    )
    t.same(uncached.calls.reload, [], 'a row just read is not read again')
    // The same inline keys but another jwks_uri is another key source: verified again.
    const uriChanged = services({
      clients: { pkj: pkj(firstSet) },
      fromCache: true,
      reloaded: {
        pkj: client({ clientId: 'pkj', secretHash: null, jwks: firstSet, jwksUri: 'https://keys.example/jwks' }),
      },
    })
    const { request: uriReq, logged: uriLogged } = request()
    await refusal(authenticateClient(uriReq, uriChanged.deps, body(wrong)))
    t.same(uriChanged.calls.reload, ['pkj'])
    t.equal(uriLogged.length, 1)
  })

  t.test('a fresh row is verified again only when its keys differ from the cached one', async (t) => {
    /** The key sources asked for: one per verification. */
    const counting = (deps: ReturnType<typeof services>['deps']) => {
      const asked: string[] = []
      const keys = createClientKeys({ timeoutMs: 1000 })
      const wrapped = {
        ...deps,
        clientKeys: {
          resolverOf: (c: Client) => {
            asked.push(c.jwksUri ?? 'inline')
            return keys.resolverOf(c)
          },
        },
      } as typeof deps
      return { deps: wrapped, asked }
    }
    const wrong = await assertionBy(second.privateKey, firstSet.keys[0]!.kid!)
    const same = counting(services({ clients: { pkj: pkj(firstSet) }, fromCache: true }).deps)
    await refusal(authenticateClient(request().request, same.deps, body(wrong)))
    t.same(same.asked, ['inline'], 'the same keys: verified once')
    const copy = counting(
      services({ clients: { pkj: pkj(firstSet) }, fromCache: true, reloaded: { pkj: pkj(structuredClone(firstSet)) } })
        .deps,
    )
    await refusal(authenticateClient(request().request, copy.deps, body(wrong)))
    t.same(copy.asked, ['inline'], 'an equal copy of the keys is the same keys')
    const withUri = client({ clientId: 'pkj', secretHash: null, jwks: firstSet, jwksUri: 'http://127.0.0.1:1/jwks' })
    const uri = counting(
      services({ clients: { pkj: pkj(firstSet) }, fromCache: true, reloaded: { pkj: withUri } }).deps,
    )
    await refusal(authenticateClient(request().request, uri.deps, body(wrong)))
    t.same(uri.asked, ['inline', 'http://127.0.0.1:1/jwks'], 'a jwks_uri added: verified again')
  })

  t.test('what each refusal is logged as (the answer is always the same invalid_client)', async (t) => {
    const { deps } = services({ clients: { pkj: pkj(firstSet) } })
    const reasonOf = async (fields: Record<string, unknown>, auth: Record<string, string> = {}) => {
      const { request: req, logged } = request(auth)
      t.same(await refusal(authenticateClient(req, deps, fields)), {
        error: 'invalid_client',
        description: 'client authentication failed',
        headers: {},
      })
      return logged.map((line) => line.reason)
    }
    t.same(await reasonOf({ client_assertion_type: 'urn:example:other', client_assertion: 'a.b.c' }), [
      'client_assertion_type "urn:example:other" is not supported',
    ])
    t.same(await reasonOf({ client_assertion_type: CLIENT_ASSERTION_TYPE }), ['client_assertion is missing'])
    t.same(await reasonOf({ client_assertion: 'a.b.c' }), ['client_assertion_type undefined is not supported'])
    const noSub = await assertionBy(first.privateKey, firstSet.keys[0]!.kid!, { sub: '' })
    t.same(await reasonOf(body(noSub)), ['client_assertion has no sub'])
    const numericSub = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from('{"sub":5,"iss":5}').toString('base64url')}.x`
    t.same(await reasonOf(body(numericSub)), ['client_assertion has no sub'])
    // An id that cannot exist, named by the assertion: no Basic challenge (no Basic was tried).
    const control = await assertionBy(first.privateKey, firstSet.keys[0]!.kid!, { sub: 'pkj\u0001', iss: 'pkj\u0001' })
    t.same(await refusal(authenticateClient(request().request, deps, body(control))), {
      error: 'invalid_client',
      description: 'client authentication failed',
      headers: {},
    })
  })

  t.test(
    "a fault while resolving keys is the server's, not a refusal: it is not hidden as invalid_client",
    async (t) => {
      const { deps, calls } = services({ clients: { pkj: pkj(firstSet) }, fromCache: true })
      const fault = new Error('the key store failed')
      const faulty = {
        ...deps,
        clientKeys: {
          resolverOf: () => {
            throw fault
          },
        },
      } as typeof deps
      const assertion = await assertionBy(first.privateKey, firstSet.keys[0]!.kid!)
      await t.rejects(authenticateClient(request().request, faulty, body(assertion)), fault)
      t.same(calls.reload, [], 'and the client is not read again for it')
    },
  )

  t.test('a client without keys is refused, never an error', async (t) => {
    const { deps } = services({ clients: { pkj: pkj(firstSet) } })
    const keyless = { ...deps, clientKeys: { resolverOf: () => undefined } } as typeof deps
    const { request: req, logged } = request()
    const assertion = await assertionBy(first.privateKey, firstSet.keys[0]!.kid!)
    t.equal((await refusal(authenticateClient(req, keyless, body(assertion)))).error, 'invalid_client')
    t.same(
      logged.map((line) => line.reason),
      ['the client has no registered keys'],
    )
  })
})

t.test('client keys: one resolver per inline set and per jwks_uri, none without keys', async (t) => {
  const keys = createClientKeys({ timeoutMs: 1000 })
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid: 'k' }] }
  const inline = client({ jwks })
  t.equal(keys.resolverOf(inline), keys.resolverOf(inline), 'made once per set')
  t.equal(keys.resolverOf(client()), undefined, 'a client with neither jwks nor jwks_uri has none')
  const byUri = (id: string, uri = `https://keys.example/${id}`) =>
    keys.resolverOf(client({ clientId: id, jwksUri: uri }))
  const first = byUri('c0')
  t.equal(byUri('c0'), first, 'the same uri: the same resolver (its cache kept)')
  t.not(byUri('c0', 'https://keys.example/moved'), first, 'a new uri: a new resolver')
  const moved = byUri('c0', 'https://keys.example/moved')
  for (let i = 1; i < 999; i++) byUri(`c${i}`)
  t.equal(byUri('c0', 'https://keys.example/moved'), moved, '999 clients: all kept')
  t.equal(byUri('c999'), byUri('c999'), 'the 1,000th client: kept')
  t.equal(byUri('c0', 'https://keys.example/moved'), moved, '1,000 clients: all kept')
  byUri('c1000')
  t.not(byUri('c0', 'https://keys.example/moved'), moved, 'the 1,001st client evicted the oldest')
})

t.test('a jwks_uri is read up to its size limit, declared or not', async (t) => {
  let answer: (res: import('node:http').ServerResponse) => void = (res) => res.end()
  const server: Server = createServer((_req, res) => answer(res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  server.unref()
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`
  const fetchAtMost = limitedFetch(100)
  const read = async () => {
    const response = await fetchAtMost(url, { method: 'GET', headers: {}, redirect: 'manual' } as never)
    return Buffer.from(await response.arrayBuffer()).toString()
  }
  answer = (res) => res.end('x'.repeat(100))
  t.equal(await read(), 'x'.repeat(100), 'exactly the limit: read')
  answer = (res) => res.end('x'.repeat(101))
  await t.rejects(read(), { message: 'the JWK Set is larger than 100 bytes' }, 'one byte more, declared')
  answer = (res) => {
    res.write('x'.repeat(60))
    res.end('x'.repeat(41))
  }
  await t.rejects(read(), { message: 'the JWK Set is larger than 100 bytes' }, 'one byte more, chunked')
  answer = (res) => {
    res.writeHead(204)
    res.end()
  }
  t.equal(await read(), '', 'a status without a body (204): answered as such, for jose to refuse as not 200')
  // A declared size over the limit is refused at once, without waiting for a body that may never come.
  answer = (res) => {
    res.writeHead(200, { 'content-length': '5000' })
    res.write('x')
  }
  const started = Date.now()
  const outcome = await Promise.race([
    read().then(
      () => 'read',
      (err: Error) => err.message,
    ),
    new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000).unref()),
  ])
  t.equal(outcome, 'the JWK Set is larger than 100 bytes', `refused after ${Date.now() - started} ms`)
  server.closeAllConnections()
})
