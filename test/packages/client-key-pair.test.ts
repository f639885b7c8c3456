// @portcullis/client's keyPair strategy (the JWT bearer grant with a key-pair access key) and DPoP-bound tokens,
// against a real Portcullis: the token is the key's, a new assertion is signed for every new token (one request
// for any number of concurrent callers), a revoked key is a clear invalid_grant, and with DPoP the token is bound
// (cnf.jkt), API calls carry `Authorization: DPoP` with a fresh proof, and server nonces are picked up by themselves.
import t from 'tap'
import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose'
import {
  ConfigurationError,
  createFetch,
  fromEnv,
  JWT_BEARER_GRANT,
  keyPair,
  OAuthError,
  tokens,
  UnauthorizedError,
} from '../../packages/client/src/index.ts'
import { generateKeyPair } from 'oauth4webapi'
import { providers, type Test } from '../support/helper.ts'
import { adminHeaders } from '../support/admin-fixtures.ts'
import { type Portcullis, startPortcullis } from '../support/sdk-fixtures.ts'

// On SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set, like the rest of the suite.
for (const provider of providers) {
  t.test(`on ${provider}`, async (t) => {
    interface CreatedKey {
      id: string
      private_key_jwk: JWK
      private_key_pem: string
      public_key_alg: string
    }

    /** Portcullis with a public client for the grant and a user dora (read, keys:write) whose keys the tests make. */
    async function setUp(t: Test, env: Record<string, string> = {}) {
      const server = await startPortcullis(t, env, provider)
      await server.store.clients.create({
        clientId: 'deployer',
        name: 'Deploy job',
        secretHash: null,
        grantTypes: [JWT_BEARER_GRANT],
        scopes: ['read', 'write', 'keys:write'],
      })
      const dora = await server.store.users.create({
        username: 'dora',
        passwordHash: 'x',
        scopes: ['read', 'keys:write'],
      })
      const admin = await adminHeaders(server)
      const makeKey = async (body: Record<string, unknown> = {}): Promise<CreatedKey> => {
        const response = await fetch(`${server.baseUrl}/admin/v1/access-keys`, {
          method: 'POST',
          headers: { ...admin, 'content-type': 'application/json' },
          body: JSON.stringify({
            name: 'deploy',
            scopes: ['read', 'keys:write'],
            user_id: dora.id,
            generate_key_pair: true,
            ...body,
          }),
        })
        if (response.status !== 201)
          throw new Error(`creating a key answered ${response.status}: ${await response.text()}`)
        return (await response.json()) as CreatedKey
      }
      const revoke = async (id: string) => {
        const response = await fetch(`${server.baseUrl}/admin/v1/access-keys/${id}/revoke`, {
          method: 'POST',
          headers: admin,
        })
        if (response.status !== 200) throw new Error(`revoking answered ${response.status}: ${await response.text()}`)
      }
      return { server, doraId: dora.id, makeKey, revoke }
    }

    /** A fetch that records the headers of every request and the status of every answer. */
    function recordingFetch() {
      const sent: {
        method: string
        path: string
        authorization: string | null
        dpop: string | null
        status: number
      }[] = []
      const record: typeof fetch = async (input, init) => {
        const request = new Request(input, init)
        const response = await fetch(request)
        sent.push({
          method: request.method,
          path: new URL(request.url).pathname,
          authorization: request.headers.get('authorization'),
          dpop: request.headers.get('dpop'),
          status: response.status,
        })
        return response
      }
      return { fetch: record, sent }
    }

    const tokenRequests = (server: Portcullis) => server.received('POST /oauth/token')

    t.test('keyPair: the token is the key’s, and each new token is obtained with a new assertion', async (t) => {
      const { server, doraId, makeKey } = await setUp(t)
      const key = await makeKey()
      const recorded = recordingFetch()
      // A leeway longer than the token's life: every call needs a new token, as when the held one nears expiry.
      const auth = keyPair({
        issuer: server.baseUrl,
        clientId: 'deployer',
        keyId: key.id,
        privateKey: key.private_key_jwk,
        leeway: 24 * 3600,
        fetch: recorded.fetch,
      })
      const before = tokenRequests(server)
      const first = await auth.tokens!.accessToken()
      const claims = decodeJwt(first)
      t.match(claims, { sub: doraId, scope: 'read keys:write', access_key_id: key.id, client_id: 'deployer' })
      t.equal(auth.tokens!.current()?.tokenType, 'Bearer')

      const concurrent = await Promise.all(Array.from({ length: 20 }, () => auth.tokens!.accessToken()))
      t.equal(new Set(concurrent).size, 1, '20 concurrent callers share one new token')
      t.not(concurrent[0], first, 'a new token, re-minted')
      t.equal(tokenRequests(server) - before, 2, 'two token requests in all, counted on the server')
      const assertions = recorded.sent.filter((request) => request.path === '/oauth/token')
      t.equal(assertions.length, 2)

      // The same key as PEM (its algorithm, ES256, by default) and a narrower scope; the API call works with it.
      const pem = keyPair({
        issuer: server.baseUrl,
        clientId: 'deployer',
        keyId: key.id,
        privateKey: key.private_key_pem,
        scope: 'keys:write',
      })
      const answer = await createFetch(pem, { baseUrl: server.baseUrl })('/v1/me/access-keys')
      t.equal(answer.status, 200)
      t.match(decodeJwt(await pem.tokens!.accessToken()), { sub: doraId, scope: 'keys:write', access_key_id: key.id })

      // Every algorithm Portcullis registers keys for.
      for (const alg of ['EdDSA', 'RS256', 'PS256']) {
        const other = await makeKey({ alg })
        const token = await keyPair({
          issuer: server.baseUrl,
          clientId: 'deployer',
          keyId: other.id,
          privateKey: other.private_key_jwk,
        }).tokens!.accessToken()
        t.equal(decodeJwt(token).access_key_id, other.id, `${alg} key`)
      }
    })

    t.test('keyPair: a revoked key is OAuthError invalid_grant; bad options are ConfigurationError', async (t) => {
      const { server, makeKey, revoke } = await setUp(t)
      const key = await makeKey()
      const auth = keyPair({
        issuer: server.baseUrl,
        clientId: 'deployer',
        keyId: key.id,
        privateKey: key.private_key_jwk,
      })
      t.equal((await createFetch(auth, { baseUrl: server.baseUrl })('/v1/me/access-keys')).status, 200)
      await revoke(key.id)
      const later = keyPair({
        issuer: server.baseUrl,
        clientId: 'deployer',
        keyId: key.id,
        privateKey: key.private_key_jwk,
      })
      const error = await createFetch(later, { baseUrl: server.baseUrl })('/v1/me/access-keys').catch((e: unknown) => e)
      t.type(error, OAuthError)
      t.equal((error as OAuthError).error, 'invalid_grant')
      t.match((error as OAuthError).message, /revoked/)

      // Another key's private key: the signature does not verify, the same refusal.
      const other = await makeKey()
      const wrong = keyPair({
        issuer: server.baseUrl,
        clientId: 'deployer',
        keyId: other.id,
        privateKey: key.private_key_jwk,
      })
      t.match(await wrong.tokens!.accessToken().catch((e: unknown) => e), { error: 'invalid_grant' })

      t.throws(
        () => keyPair({ issuer: server.baseUrl, clientId: 'deployer', keyId: '', privateKey: key.private_key_jwk }),
        ConfigurationError,
      )
      const { d: _d, ...publicJwk } = key.private_key_jwk
      const notPrivate = keyPair({ issuer: server.baseUrl, clientId: 'deployer', keyId: key.id, privateKey: publicJwk })
      t.match(await notPrivate.tokens!.accessToken().catch((e: unknown) => e), {
        name: 'ConfigurationError',
        message: /public JWK/,
      })
      const notPem = keyPair({ issuer: server.baseUrl, clientId: 'deployer', keyId: key.id, privateKey: 'not a key' })
      t.type(await notPem.tokens!.accessToken().catch((e: unknown) => e), ConfigurationError)
    })

    t.test(
      'fromEnv: PORTCULLIS_KEY_ID and PORTCULLIS_PRIVATE_KEY (a JWK, or PEM on one line) make keyPair',
      async (t) => {
        const { server, doraId, makeKey } = await setUp(t)
        const key = await makeKey()
        const base = { PORTCULLIS_URL: server.baseUrl, PORTCULLIS_CLIENT_ID: 'deployer', PORTCULLIS_KEY_ID: key.id }
        const jwk = fromEnv({ ...base, PORTCULLIS_PRIVATE_KEY: JSON.stringify(key.private_key_jwk) })
        t.equal((await createFetch(jwk, { baseUrl: server.baseUrl })('/v1/me/access-keys')).status, 200)
        t.match(decodeJwt(await jwk.tokens!.accessToken()), {
          sub: doraId,
          access_key_id: key.id,
          scope: 'read keys:write',
        })
        // PEM as a .env file or a CI secret holds it: one line, its breaks written \n; and a scope.
        const oneLine = key.private_key_pem.trim().replace(/\n/g, '\\n')
        t.notMatch(oneLine, /\n/, 'no real line break left')
        const pem = fromEnv({ ...base, PORTCULLIS_PRIVATE_KEY: oneLine, PORTCULLIS_SCOPE: 'keys:write' })
        t.match(decodeJwt(await pem.tokens!.accessToken()), { access_key_id: key.id, scope: 'keys:write' })
        // A PEM key of another algorithm than ES256 names it.
        const ed = await makeKey({ alg: 'EdDSA' })
        const edEnv = { ...base, PORTCULLIS_KEY_ID: ed.id, PORTCULLIS_PRIVATE_KEY: ed.private_key_pem }
        t.match(
          await fromEnv(edEnv)
            .tokens!.accessToken()
            .catch((e: unknown) => e),
          { name: 'ConfigurationError' },
        )
        const edToken = await fromEnv({ ...edEnv, PORTCULLIS_KEY_ALGORITHM: 'EdDSA' }).tokens!.accessToken()
        t.equal(decodeJwt(edToken).access_key_id, ed.id, 'with PORTCULLIS_KEY_ALGORITHM=EdDSA')

        t.throws(() => fromEnv({ ...base }), {
          name: 'ConfigurationError',
          message: 'PORTCULLIS_PRIVATE_KEY is not set (needed for a key-pair access key)',
        })
        t.throws(
          () =>
            fromEnv({ PORTCULLIS_CLIENT_ID: 'deployer', PORTCULLIS_PRIVATE_KEY: oneLine, PORTCULLIS_KEY_ID: key.id }),
          {
            message: 'PORTCULLIS_URL is not set (needed for a key-pair access key)',
          },
        )
        t.throws(() => fromEnv({ ...base, PORTCULLIS_PRIVATE_KEY: '{not json' }), {
          message: 'PORTCULLIS_PRIVATE_KEY is not valid JSON (a JWK) nor PEM',
        })
        t.throws(() => fromEnv({ ...base, PORTCULLIS_PRIVATE_KEY: oneLine, PORTCULLIS_ACCESS_KEY: 'pcl_a_b' }), {
          message: /not both/,
        })
      },
    )

    t.test('DPoP: a bound token (cnf.jkt), API calls as Authorization: DPoP with a fresh proof each', async (t) => {
      const { server, doraId, makeKey } = await setUp(t)
      const key = await makeKey()
      const recorded = recordingFetch()
      const auth = keyPair({
        issuer: server.baseUrl,
        clientId: 'deployer',
        keyId: key.id,
        privateKey: key.private_key_jwk,
        dpop: true,
        fetch: recorded.fetch,
      })
      const api = createFetch(auth, { baseUrl: server.baseUrl, fetch: recorded.fetch })
      for (let i = 0; i < 2; i++) t.equal((await api('/v1/me/access-keys')).status, 200, `call ${i + 1}`)
      const token = await auth.tokens!.accessToken()
      t.equal(auth.tokens!.current()?.tokenType, 'DPoP')
      const claims = decodeJwt(token) as { sub: string; cnf?: { jkt?: string } }
      t.equal(claims.sub, doraId)
      t.type(claims.cnf?.jkt, 'string', 'the token is bound to a key')

      const tokenRequest = recorded.sent.find((request) => request.path === '/oauth/token')!
      t.ok(tokenRequest.dpop, 'the token request carried a proof')
      const calls = recorded.sent.filter((request) => request.path === '/v1/me/access-keys')
      t.same(
        calls.map((call) => [call.authorization, call.status]),
        [
          [`DPoP ${token}`, 200],
          [`DPoP ${token}`, 200],
        ],
      )
      const proofs = calls.map((call) => decodeJwt(call.dpop!))
      t.not(proofs[0]!.jti, proofs[1]!.jti, 'a fresh proof for each call')
      t.match(proofs[0], { htm: 'GET', htu: `${server.baseUrl}/v1/me/access-keys`, ath: /^[\w-]{43}$/ })
      t.equal(decodeProtectedHeader(calls[0]!.dpop!).typ, 'dpop+jwt')

      // The same token as Bearer is refused: the binding holds.
      const stolen = await fetch(`${server.baseUrl}/v1/me/access-keys`, {
        headers: { authorization: `Bearer ${token}` },
      })
      t.equal(stolen.status, 401)
    })

    t.test(
      'DPoP with server nonces: use_dpop_nonce at the token endpoint and at the API is retried once',
      async (t) => {
        const { server, makeKey } = await setUp(t, { DPOP_NONCES: 'true' })
        const key = await makeKey()
        const keys = await generateKeyPair('ES256')
        const recorded = recordingFetch()
        const auth = keyPair({
          issuer: server.baseUrl,
          clientId: 'deployer',
          keyId: key.id,
          privateKey: key.private_key_jwk,
          dpop: keys,
          fetch: recorded.fetch,
        })
        const before = tokenRequests(server)
        const answer = await createFetch(auth, { baseUrl: server.baseUrl, fetch: recorded.fetch })('/v1/me/access-keys')
        t.equal(answer.status, 200)
        t.equal(tokenRequests(server) - before, 2, 'the token request, refused for its nonce, then again with it')
        t.same(
          recorded.sent.filter((request) => request.path === '/oauth/token').map((request) => request.status),
          [400, 200],
        )
        const proofs = recorded.sent.filter((request) => request.dpop).map((request) => decodeJwt(request.dpop!))
        t.notOk(proofs[0]!.nonce, 'the first proof had no nonce')
        t.type(proofs[1]!.nonce, 'string', 'the retry carried the server’s nonce')
        t.equal(proofs[2]!.nonce, proofs[1]!.nonce, 'the API call used the nonce it already had')

        // A process that holds a token bound to its key but no nonce yet: the API's 401 use_dpop_nonce, then once more.
        const held = auth.tokens!.current()!
        const resumed = tokens({
          issuer: server.baseUrl,
          clientId: 'deployer',
          accessToken: held.accessToken,
          refreshToken: 'never-used',
          expiresAt: held.expiresAt!,
          dpop: keys,
        })
        const atApi = recordingFetch()
        const again = await createFetch(resumed, { baseUrl: server.baseUrl, fetch: atApi.fetch })('/v1/me/access-keys')
        t.equal(again.status, 200)
        t.same(
          atApi.sent.map((request) => [request.path, request.status]),
          [
            ['/v1/me/access-keys', 401],
            ['/v1/me/access-keys', 200],
          ],
          'refused for its nonce, then accepted with it; no token request',
        )
        t.notOk(decodeJwt(atApi.sent[0]!.dpop!).nonce)
        t.type(decodeJwt(atApi.sent[1]!.dpop!).nonce, 'string')

        // A proof the API keeps refusing is retried once only.
        const other = tokens({
          issuer: server.baseUrl,
          clientId: 'deployer',
          accessToken: held.accessToken,
          refreshToken: 'never-used',
          expiresAt: held.expiresAt!,
          dpop: await generateKeyPair('ES256'),
        })
        const refused = recordingFetch()
        const error = await createFetch(other, { baseUrl: server.baseUrl, fetch: refused.fetch })(
          '/v1/me/access-keys',
        ).catch((e: unknown) => e)
        t.type(error, UnauthorizedError, 'another key than the token is bound to')
        t.equal(refused.sent.length, 2, 'the nonce retry, then no loop')
      },
    )
  })
}
