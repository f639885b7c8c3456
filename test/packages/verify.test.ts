// @portcullis/verify against a real Portcullis: it accepts what the server issues and refuses, each with the
// RFC 6750 §3 status and challenge, every token a resource server must refuse; access keys through introspection
// within the cache bound; a rotated signing key picked up without a restart and without a fetch per request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import t from 'tap'
import {
  createVerifier,
  expressAuth,
  portcullisAuth,
  requireAnyScope,
  requireScopes,
  UnavailableError,
  VerificationError,
  verifyRequest,
  type ScopeRequirement,
  type Verifier,
} from '../../packages/verify/src/index.ts'
import { signAccessToken } from '../../src/keys/access-token.ts'
import { revokeAccessKey } from '../../src/manage/access-keys.ts'
import { forgedTokens, goodClaims, ourToken } from '../support/forged-token-fixtures.ts'
import { countingFetch, SECRET, startPortcullis, tokenResponse } from '../support/sdk-fixtures.ts'
import { providers } from '../support/helper.ts'

// On SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set, like the rest of the suite.
for (const provider of providers) {
  t.test(`on ${provider}`, async (t) => {
    // The server's own access-key cache off, so a revocation reaches introspection at once and the bound measured
    // below is the verifier's alone.
    const server = await startPortcullis(t, { ACCESS_KEY_CACHE_TTL: '0' }, provider)
    const issuer = server.baseUrl
    const introspection = { clientId: 'gateway', clientSecret: SECRET }

    const verifierFor = (options: Partial<Parameters<typeof createVerifier>[0]> = {}) =>
      createVerifier({ issuer, audience: issuer, introspection, ...options })

    const clientToken = async (scope = 'read') =>
      (await tokenResponse(server, { grant_type: 'client_credentials', scope })).access_token

    /** What the verifier refuses `token` with: status, code and challenge. */
    async function refusal(verifier: Verifier, headers: Record<string, string>, required?: ScopeRequirement) {
      try {
        await verifier.verify({ headers }, required)
      } catch (error) {
        if (!(error instanceof VerificationError)) throw error
        return { status: error.status, code: error.code, wwwAuthenticate: error.wwwAuthenticate }
      }
      return 'accepted'
    }

    const invalidToken = (description: string) => ({
      status: 401,
      code: 'invalid_token',
      wwwAuthenticate: `Bearer error="invalid_token", error_description="${description}"`,
    })

    t.test('accepts a token Portcullis issues, and says who the caller is and what they may do', async (t) => {
      const token = await clientToken('read write')
      const auth = await verifierFor().verify({ headers: { authorization: `Bearer ${token}` } }, requireScopes('read'))
      t.equal(auth.subject, 'client:service')
      t.same(auth.scopes, ['read', 'write'])
      t.equal(auth.clientId, 'service')
      t.equal(auth.credential, 'jwt')
      t.equal(auth.claims.iss, issuer)
      t.equal(auth.accessKeyId, undefined)
    })

    t.test('accepts a web Request, and a token exchanged for an access key names the key', async (t) => {
      const key = await server.accessKey(['read'])
      const exchanged = await tokenResponse(server, {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: key.key,
        subject_token_type: 'urn:portcullis:params:oauth:token-type:access_key',
      })
      const request = new Request('http://api.test/', {
        headers: { authorization: `Bearer ${exchanged.access_token}` },
      })
      const auth = await verifierFor().verify(request)
      t.equal(auth.subject, server.aliceId)
      t.equal(auth.accessKeyId, key.id)
      t.same(auth.scopes, ['read'])
    })

    t.test('refuses each token a resource server must refuse, with 401 invalid_token', async (t) => {
      const verifier = verifierFor()
      const ctx = { keyring: server.keyring, config: server.config }
      const sign = (options: { issuer?: string; aud?: string; now?: number }) =>
        signAccessToken(
          server.keyring,
          { issuer: options.issuer ?? issuer, ttl: 300, ...(options.now === undefined ? {} : { now: options.now }) },
          { sub: 'client:service', aud: options.aud ?? issuer, clientId: 'service', scope: 'read' },
        ).then((issued) => issued.token)
      const forged = forgedTokens(ctx, goodClaims(ctx, { scope: 'read' }))
      const cases: [string, string, string][] = [
        ['an expired token', await sign({ now: Date.now() - 3600_000 }), 'the token has expired'],
        [
          'a token for another audience',
          await sign({ aud: 'https://other-api.example' }),
          'the token is for another audience',
        ],
        [
          'another issuer’s token',
          await sign({ issuer: 'https://other-issuer.example' }),
          'the token was issued by another server',
        ],
        [
          'typ JWT',
          ourToken(ctx, goodClaims(ctx, { scope: 'read' }), { typ: 'JWT' }),
          'the token is not an access token (typ at+jwt)',
        ],
        ['alg none', forged['alg none, no signature']!, 'the token is signed with an algorithm not accepted here'],
        [
          'HS256 keyed with the public key',
          forged['HS256 keyed with our public key as PEM']!,
          'the token is signed with an algorithm not accepted here',
        ],
        [
          'a foreign key claiming our kid',
          forged['RS256 by a foreign key claiming our kid']!,
          'the token signature is invalid',
        ],
        ['not a token at all', 'not-a-jwt', 'the token is neither a JWT nor an access key'],
      ]
      t.equal(
        await refusal(verifier, { authorization: `Bearer ${ourToken(ctx, goodClaims(ctx, { scope: 'read' }))}` }),
        'accepted',
        'the control: a well-signed token of the same claims',
      )
      for (const [name, token, description] of cases) {
        t.same(await refusal(verifier, { authorization: `Bearer ${token}` }), invalidToken(description), name)
      }
      // Every forgery the server itself refuses, but one: a token signed by our key without a kid is ours (the server
      // insists on a kid; a resource server may try each published key, as jose does).
      for (const [name, token] of Object.entries(forged)) {
        if (name === 'RS256 by our key, no kid') continue
        t.match(
          await refusal(verifier, { authorization: `Bearer ${token}` }),
          { status: 401, code: 'invalid_token' },
          name,
        )
      }
    })

    t.test('a token verified once is remembered, and refused once it expires', async (t) => {
      let clock = Date.now()
      const counter = countingFetch()
      const verifier = verifierFor({ now: () => clock, fetch: counter.fetch })
      const token = await clientToken()
      const headers = { authorization: `Bearer ${token}` }
      const first = await verifier.verify({ headers })
      t.equal(
        await verifier.verify({ headers }).then((auth) => auth.claims),
        first.claims,
        'the second answer is the remembered one',
      )
      clock += (server.config.accessTokenTtl + 6) * 1000 // past exp and the 5 s tolerance
      t.same(await refusal(verifier, headers), invalidToken('the token has expired'))
    })

    t.test('answers 401 with a bare challenge when no credential is sent, 400 for two credentials', async (t) => {
      const verifier = verifierFor()
      t.same(await refusal(verifier, {}), { status: 401, code: undefined, wwwAuthenticate: 'Bearer' })
      t.same(await refusal(verifier, { authorization: 'Basic Zm9vOmJhcg==' }), {
        status: 401,
        code: undefined,
        wwwAuthenticate: 'Bearer',
      })
      const key = await server.accessKey(['read'])
      t.same(await refusal(verifier, { authorization: `Bearer ${await clientToken()}`, 'x-api-key': key.key }), {
        status: 400,
        code: 'invalid_request',
        wwwAuthenticate:
          'Bearer error="invalid_request", error_description="send one credential: an Authorization header or an X-API-Key header, not both"',
      })
    })

    t.test('a missing scope is 403 insufficient_scope naming the scope needed (all-of and any-of)', async (t) => {
      const verifier = verifierFor()
      const headers = { authorization: `Bearer ${await clientToken('read')}` }
      t.same(await refusal(verifier, headers, requireScopes('read', 'write')), {
        status: 403,
        code: 'insufficient_scope',
        wwwAuthenticate:
          'Bearer error="insufficient_scope", error_description="this request needs the scope read write", scope="read write"',
      })
      t.same(await refusal(verifier, headers, requireAnyScope('write', 'admin')), {
        status: 403,
        code: 'insufficient_scope',
        wwwAuthenticate:
          'Bearer error="insufficient_scope", error_description="this request needs the scope write admin", scope="write admin"',
      })
      t.equal(await refusal(verifier, headers, requireAnyScope('write', 'read')), 'accepted')
    })

    t.test(
      'access keys: accepted as Bearer and as X-API-Key; a revoked key is refused once the 5 s cache bound passes',
      async (t) => {
        let clock = Date.now()
        const counter = countingFetch()
        const verifier = verifierFor({ now: () => clock, fetch: counter.fetch })
        const key = await server.accessKey(['read'])
        const bearer = await verifier.verify({ headers: { authorization: `Bearer ${key.key}` } })
        t.match(bearer, {
          subject: server.aliceId,
          scopes: ['read'],
          credential: 'access_key',
          accessKeyId: key.id,
          clientId: undefined,
        })
        const viaHeader = await verifier.verify({ headers: { 'x-api-key': key.key } })
        t.equal(viaHeader.accessKeyId, key.id)
        t.equal(counter.calls('/oauth/introspect'), 1, 'one introspection for both requests (the cached answer)')

        await revokeAccessKey({ store: server.store, now: () => Date.now() } as never, key.id, {
          actor: 'test',
        } as never)
        clock += 4_000
        t.equal(
          await refusal(verifier, { 'x-api-key': key.key }),
          'accepted',
          'within the bound, the cached answer still holds',
        )
        clock += 1_001
        t.same(
          await refusal(verifier, { 'x-api-key': key.key }),
          invalidToken('the access key is invalid, expired or revoked'),
        )
        t.equal(counter.calls('/oauth/introspect'), 2, 'asked again once the bound passed')

        t.same(
          await refusal(verifierFor({ introspection: undefined }), { 'x-api-key': key.key }),
          invalidToken('access keys are not accepted here'),
          'a verifier without introspection credentials refuses keys',
        )
        t.same(
          await refusal(verifier, { 'x-api-key': await clientToken() }),
          invalidToken('X-API-Key carries access keys only'),
        )
      },
    )

    t.test(
      'after signing-keys rotate --now, tokens of the new key verify without a restart or a fetch per request',
      async (t) => {
        const counter = countingFetch()
        // No cooldown: the first token of the new key makes the one refetch at once.
        const verifier = verifierFor({ fetch: counter.fetch, jwksCooldown: 0 })
        const jwksFetches = () => counter.calls('/.well-known/jwks.json')
        const before = server.received('GET /.well-known/jwks.json')
        for (let i = 0; i < 10; i++)
          await verifier.verify({ headers: { authorization: `Bearer ${await clientToken()}` } })
        t.equal(jwksFetches(), 1, 'one fetch for ten tokens of the first key')

        const oldKid = server.keyring.signingKey().kid
        await server.keyring.manager.rotate({ immediate: true, actor: 'test' })
        const newKid = server.keyring.signingKey().kid
        t.not(newKid, oldKid, 'a new key signs')
        for (let i = 0; i < 20; i++) {
          const token = await clientToken()
          t.equal(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid, newKid)
          await verifier.verify({ headers: { authorization: `Bearer ${token}` } })
        }
        t.equal(jwksFetches(), 2, 'one more fetch for twenty tokens of the new key')
        t.equal(server.received('GET /.well-known/jwks.json') - before, 2, 'and the server saw the same two')
      },
    )

    t.test('a token signed by a key that signing-keys revoke pulled is refused', async (t) => {
      const ctx = { keyring: server.keyring, config: server.config }
      const pulledKid = server.keyring.signingKey().kid
      const token = ourToken(ctx, goodClaims(ctx, { scope: 'read' }))
      t.equal(await refusal(verifierFor(), { authorization: `Bearer ${token}` }), 'accepted', 'before the revocation')
      await server.keyring.manager.revoke(pulledKid, { actor: 'test' })
      t.not(server.keyring.signingKey().kid, pulledKid, 'another key took over')
      const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
      t.notOk(
        jwks.keys.some((key) => key.kid === pulledKid),
        'the key is out of the JWKS',
      )
      t.same(
        await refusal(verifierFor(), { authorization: `Bearer ${token}` }),
        invalidToken('the token is signed by a key the issuer does not publish'),
      )
    })

    t.test('adapters: Fastify plugin and preHandler, connect middleware, web Request', async (t) => {
      const verifier = verifierFor()
      const token = await clientToken('read')

      const app = Fastify()
      await app.register(portcullisAuth, { verifier })
      const authenticate = (app as unknown as { authenticate: (r?: object) => never }).authenticate
      app.get('/read', { preHandler: authenticate(requireScopes('read')) }, async (request) => ({
        subject: (request as unknown as { auth: { subject: string } }).auth.subject,
      }))
      app.get('/write', { preHandler: authenticate(requireScopes('write')) }, async () => ({ ok: true }))
      t.teardown(() => app.close())
      const read = await app.inject({ url: '/read', headers: { authorization: `Bearer ${token}` } })
      t.same({ status: read.statusCode, body: read.json() }, { status: 200, body: { subject: 'client:service' } })
      // The same token again: answered from the remembered verification (synchronously), same answer.
      const headers = { authorization: `Bearer ${token}` }
      t.equal(verifier.remembered({ headers }, requireScopes('read'))?.subject, 'client:service', 'remembered')
      t.equal(verifier.remembered({ headers }, requireScopes('write')), undefined, 'not for a scope it lacks')
      const again = await app.inject({ url: '/read', headers })
      t.same({ status: again.statusCode, body: again.json() }, { status: 200, body: { subject: 'client:service' } })
      const write = await app.inject({ url: '/write', headers: { authorization: `Bearer ${token}` } })
      t.equal(write.statusCode, 403)
      t.equal(
        write.headers['www-authenticate'],
        'Bearer error="insufficient_scope", error_description="this request needs the scope write", scope="write"',
      )
      t.same(write.json(), { error: 'insufficient_scope', error_description: 'this request needs the scope write' })
      const none = await app.inject({ url: '/read' })
      t.same(
        { status: none.statusCode, challenge: none.headers['www-authenticate'] },
        { status: 401, challenge: 'Bearer' },
      )

      const middleware = expressAuth(verifier, requireScopes('read'))
      const connect = createServer((request: IncomingMessage, response: ServerResponse) =>
        middleware(request as never, response, () => {
          response.setHeader('content-type', 'application/json')
          response.end(JSON.stringify({ subject: (request as unknown as { auth: { subject: string } }).auth.subject }))
        }),
      )
      await new Promise<void>((resolve) => connect.listen(0, '127.0.0.1', resolve))
      t.teardown(() => connect.close())
      const base = `http://127.0.0.1:${(connect.address() as AddressInfo).port}`
      const ok = await fetch(base, { headers: { authorization: `Bearer ${token}` } })
      t.same({ status: ok.status, body: await ok.json() }, { status: 200, body: { subject: 'client:service' } })
      const expired = await fetch(base, { headers: { authorization: 'Bearer a.b.c' } })
      t.equal(expired.status, 401)
      t.match(expired.headers.get('www-authenticate'), /^Bearer error="invalid_token"/)

      const web = await verifyRequest(
        verifier,
        new Request('http://api.test/', { headers: { authorization: `Bearer ${token}` } }),
      )
      t.ok('auth' in web && web.auth.subject === 'client:service', 'a web Request is verified')
      const refused = await verifyRequest(verifier, new Request('http://api.test/'))
      t.ok(
        'response' in refused &&
          refused.response.status === 401 &&
          refused.response.headers.get('www-authenticate') === 'Bearer',
      )
    })

    t.test('a JWKS outage is 503 with Retry-After and a clear body in every adapter, not a 500', async (t) => {
      const token = await clientToken('read')
      const headers = { authorization: `Bearer ${token}` }
      const BODY = {
        error: 'temporarily_unavailable',
        error_description:
          "the token cannot be verified now: the authorization server's signing keys (JWKS) could not be fetched",
      }
      // The JWKS host refuses connections; then it takes longer than jwksTimeout; then it answers a 500.
      const refusing: typeof fetch = async () => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        })
      }
      const hanging: typeof fetch = (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))
        })
      const failing: typeof fetch = async () => new Response('upstream down', { status: 500 })
      for (const [outage, fetchImpl] of [
        ['refused', refusing],
        ['timed out', hanging],
        ['answering 500', failing],
      ] as const) {
        const verifier = verifierFor({ jwksUri: `${issuer}/.well-known/jwks.json`, fetch: fetchImpl, jwksTimeout: 50 })
        const error = await verifier.verify({ headers }).catch((err: unknown) => err)
        t.type(error, UnavailableError, `${outage}: an UnavailableError`)
        t.match(error, { status: 503, retryAfter: 5 }, outage)
        t.ok((error as Error).cause, `${outage}: the failure is its cause, for the log`)

        const app = Fastify()
        await app.register(portcullisAuth, { verifier })
        const authenticate = (app as unknown as { authenticate: (r?: object) => never }).authenticate
        app.get('/read', { preHandler: authenticate(requireScopes('read')) }, async () => ({ ok: true }))
        const fastify = await app.inject({ url: '/read', headers })
        await app.close()
        t.same(
          { status: fastify.statusCode, retryAfter: fastify.headers['retry-after'], body: fastify.json() },
          { status: 503, retryAfter: '5', body: BODY },
          `${outage}: Fastify`,
        )

        const middleware = expressAuth(verifier)
        const connect = createServer((request: IncomingMessage, response: ServerResponse) =>
          middleware(request as never, response, () => response.end('{}')),
        )
        await new Promise<void>((resolve) => connect.listen(0, '127.0.0.1', resolve))
        const answer = await fetch(`http://127.0.0.1:${(connect.address() as AddressInfo).port}`, { headers })
        await new Promise((resolve) => connect.close(resolve))
        t.same(
          { status: answer.status, retryAfter: answer.headers.get('retry-after'), body: await answer.json() },
          { status: 503, retryAfter: '5', body: BODY },
          `${outage}: connect middleware`,
        )

        const web = await verifyRequest(verifier, new Request('http://api.test/', { headers }))
        t.ok('response' in web, `${outage}: a web Request gets a response`)
        if ('response' in web)
          t.same(
            {
              status: web.response.status,
              retryAfter: web.response.headers.get('retry-after'),
              body: await web.response.json(),
            },
            { status: 503, retryAfter: '5', body: BODY },
            `${outage}: web Request`,
          )
      }

      // Discovery down too (no jwksUri given), and the introspection endpoint for an access key: the same 503.
      const down = verifierFor({ fetch: refusing })
      t.match(await down.verify({ headers }).catch((err: unknown) => err), { status: 503, message: /discovery/ })
      const key = await server.accessKey(['read'])
      const introspectionDown = verifierFor({ fetch: refusing, introspectionEndpoint: `${issuer}/oauth/introspect` })
      const keyError = await introspectionDown
        .verify({ headers: { 'x-api-key': key.key } })
        .catch((err: unknown) => err)
      t.type(keyError, UnavailableError)
      t.match((keyError as UnavailableError).body(), {
        error: 'temporarily_unavailable',
        error_description: /introspection/,
      })

      // Once the key set is reachable again, the same verifier accepts the token: a failure is not cached.
      let up = false
      const recovering: typeof fetch = (input, init) => (up ? fetch(input, init) : refusing(input, init))
      const verifier = verifierFor({ jwksUri: `${issuer}/.well-known/jwks.json`, fetch: recovering, jwksCooldown: 0 })
      t.type(await verifier.verify({ headers }).catch((err: unknown) => err), UnavailableError)
      up = true
      t.equal((await verifier.verify({ headers })).subject, 'client:service', 'verified once the JWKS answers')
    })

    t.test('createVerifier refuses settings that would make it unsafe or useless', async (t) => {
      t.throws(() => createVerifier({ issuer, audience: issuer, algorithms: ['HS256'] }), /HS256 is not an algorithm/)
      t.throws(() => createVerifier({ issuer, audience: [] }), /audience is required/)
      t.throws(() => createVerifier({ issuer: '', audience: issuer }), /issuer is required/)
      const wrongIssuer = createVerifier({ issuer: `${issuer}/other`, audience: issuer })
      await t.rejects(
        wrongIssuer.verify({ headers: { authorization: `Bearer ${await clientToken()}` } }),
        /discovery at .* answered 404|names the issuer/,
      )
    })
  })
}
