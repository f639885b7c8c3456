// @portcullis/client against a real Portcullis and an API behind @portcullis/verify: one refresh for any number
// of concurrent callers, one refresh and one retry after a 401, rotated refresh tokens stored before use, a
// replayed refresh token's revoked family surfacing as SignedOutError, access keys in both headers.
import t from 'tap'
import {
  accessKey,
  clientCredentials,
  ConfigurationError,
  createFetch,
  ForbiddenError,
  fromEnv,
  loopbackSignIn,
  OAuthError,
  password,
  RateLimitedError,
  SignedOutError,
  tokenExchange,
  tokens,
  UnauthorizedError,
  type TokenSet,
} from '../../packages/client/src/index.ts'
import { createVerifier } from '../../packages/verify/src/index.ts'
import { LOOPBACK, signInFlow } from '../support/sign-in.ts'
import { PASSWORD, SECRET, startApi, startPortcullis, tokenResponse } from '../support/sdk-fixtures.ts'
import { providers } from '../support/helper.ts'

// On SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set, like the rest of the suite.
for (const provider of providers) {
  t.test(`on ${provider}`, async (t) => {
    // No reuse grace: a refresh token spent twice is a replay at once (the grace would hide a double refresh).
    const server = await startPortcullis(t, { REFRESH_TOKEN_REUSE_GRACE: '0' }, provider)
    const issuer = server.baseUrl
    const verifier = createVerifier({
      issuer,
      audience: issuer,
      introspection: { clientId: 'gateway', clientSecret: SECRET },
    })
    const api = await startApi(t, verifier)
    const client = { issuer, clientId: 'service', clientSecret: SECRET }
    const tokenRequests = () => server.received('POST /oauth/token')

    const login = () =>
      tokenResponse(server, { grant_type: 'password', username: 'alice', password: PASSWORD, scope: 'read' })

    t.test('50 concurrent requests holding an expired access token make exactly one refresh request', async (t) => {
      const { access_token, refresh_token } = await login()
      const stored: TokenSet[] = []
      const auth = tokens({
        ...client,
        accessToken: access_token,
        refreshToken: refresh_token!,
        expiresAt: Date.now() - 1000,
        onTokens: (set) => void stored.push(set),
      })
      const call = createFetch(auth, { baseUrl: api.url })
      const before = tokenRequests()
      const answers = await Promise.all(Array.from({ length: 50 }, () => call('/whoami')))
      t.same(
        answers.map((answer) => answer.status),
        Array(50).fill(200),
        'all 50 answered',
      )
      t.equal(tokenRequests() - before, 1, 'one refresh request, counted on the server')
      t.equal(stored.length, 1, 'one new token set stored')
      t.not(stored[0]!.refreshToken, refresh_token, 'the rotated refresh token')
      t.equal(((await answers[0]!.json()) as { subject: string }).subject, server.aliceId)
    })

    t.test('a 401 makes one refresh and one retry, never a loop', async (t) => {
      const { refresh_token } = await login()
      const auth = tokens({ ...client, accessToken: 'not.a.token', refreshToken: refresh_token!, expiresIn: 600 })
      const before = { tokens: tokenRequests(), api: api.requests() }
      const answer = await createFetch(auth, { baseUrl: api.url })('/whoami')
      t.equal(answer.status, 200, 'the retry succeeded')
      t.same({ tokens: tokenRequests() - before.tokens, api: api.requests() - before.api }, { tokens: 1, api: 2 })

      // An API that refuses every token of ours (another audience): one refresh, one retry, then UnauthorizedError.
      const elsewhere = await startApi(t, createVerifier({ issuer, audience: 'https://elsewhere.example' }))
      const again = { tokens: tokenRequests(), api: elsewhere.requests() }
      const error = await createFetch(auth, { baseUrl: elsewhere.url })('/whoami').catch((e: unknown) => e)
      t.type(error, UnauthorizedError)
      t.equal((error as UnauthorizedError).challenge?.error, 'invalid_token')
      t.same({ tokens: tokenRequests() - again.tokens, api: elsewhere.requests() - again.api }, { tokens: 1, api: 2 })
    })

    t.test('a rotated refresh token is stored before the next call uses the new access token', async (t) => {
      const { access_token, refresh_token } = await login()
      let clock = Date.now()
      const events: string[] = []
      const auth = tokens({
        ...client,
        accessToken: access_token,
        refreshToken: refresh_token!,
        expiresIn: 60,
        now: () => clock,
        onTokens: async (set) => {
          await new Promise((resolve) => setTimeout(resolve, 10)) // a slow store: the next call still waits for it
          events.push(`stored ${set.refreshToken} for ${set.accessToken}`)
        },
      })
      const call = createFetch(auth, {
        baseUrl: api.url,
        fetch: (input, init) => {
          events.push(`call with ${new Request(input, init).headers.get('authorization')!.slice(7)}`)
          return fetch(input, init)
        },
      })
      await call('/whoami')
      const sets: TokenSet[] = []
      for (let round = 0; round < 2; round++) {
        clock += 3600_000 // past expiry: the next call refreshes
        t.equal((await call('/whoami')).status, 200, `refresh ${round + 1} used the refresh token stored last`)
        sets.push(auth.tokens!.current()!)
      }
      const [first, second] = sets as [TokenSet, TokenSet]
      t.not(first.refreshToken, refresh_token)
      t.not(second.refreshToken, first.refreshToken)
      t.same(events, [
        `call with ${access_token}`,
        `stored ${first.refreshToken} for ${first.accessToken}`,
        `call with ${first.accessToken}`,
        `stored ${second.refreshToken} for ${second.accessToken}`,
        `call with ${second.accessToken}`,
      ])
    })

    t.test('a replayed refresh token revokes the sign-in: both holders get SignedOutError', async (t) => {
      const { access_token, refresh_token } = await login()
      let clock = Date.now()
      const holder = (now: () => number) =>
        tokens({ ...client, accessToken: access_token, refreshToken: refresh_token!, expiresAt: clock - 1000, now })
      const first = createFetch(
        holder(() => clock),
        { baseUrl: api.url },
      )
      t.equal((await first('/whoami')).status, 200, 'the first holder refreshes')
      // A copy of the old refresh token (another process that never got the rotation) spends it again, later than the
      // server's 1 s tolerance for requests that were in flight beside the rotation (those get invalid_grant alone).
      await new Promise((resolve) => setTimeout(resolve, 1100))
      const copy = createFetch(
        holder(() => clock),
        { baseUrl: api.url },
      )
      const replay = await copy('/whoami').catch((e: unknown) => e)
      t.type(replay, SignedOutError)
      t.type((replay as SignedOutError).cause, OAuthError)
      t.equal(((replay as SignedOutError).cause as OAuthError).error, 'invalid_grant')
      clock += 3600_000
      t.type(
        await first('/whoami').catch((e: unknown) => e),
        SignedOutError,
        'the family is revoked: the first holder is out too',
      )
      t.type(
        await first('/whoami').catch((e: unknown) => e),
        SignedOutError,
        'and stays out without asking the server again',
      )
    })

    t.test(
      'two tabs sharing stored tokens refresh once: the Web Lock orders them, the second reads what the first stored',
      async (t) => {
        const { access_token, refresh_token } = await login()
        // A browser's navigator.locks (Node 20 has none): one holder per name at a time, in the order asked.
        const requested: string[] = []
        let tail: Promise<unknown> = Promise.resolve()
        const locks = {
          request<T>(name: string, callback: () => Promise<T>): Promise<T> {
            requested.push(name)
            const run = tail.then(callback)
            tail = run.catch(() => undefined)
            return run
          },
        }
        const previous = Object.getOwnPropertyDescriptor(globalThis, 'navigator')
        Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true, writable: true })
        t.teardown(() => {
          if (previous) Object.defineProperty(globalThis, 'navigator', previous)
          else delete (globalThis as { navigator?: unknown }).navigator
        })
        let storage: TokenSet = {
          accessToken: access_token,
          refreshToken: refresh_token!,
          expiresAt: Date.now() - 1000,
        }
        const tab = () =>
          createFetch(tokens({ ...client, ...storage, onTokens: (set) => void (storage = set), load: () => storage }), {
            baseUrl: api.url,
          })
        const [first, second] = [tab(), tab()]
        const before = tokenRequests()
        const answers = await Promise.all([first('/whoami'), second('/whoami')])
        t.same(
          answers.map((answer) => answer.status),
          [200, 200],
        )
        t.equal(tokenRequests() - before, 1, 'one refresh for both tabs')
        t.same(requested, ['portcullis-token', 'portcullis-token'], 'each tab took the lock')
      },
    )

    t.test('an access key works as Authorization: Bearer and as X-API-Key', async (t) => {
      const key = await server.accessKey(['read'])
      for (const header of ['authorization', 'x-api-key'] as const) {
        const answer = await createFetch(accessKey({ key: key.key, header }), { baseUrl: api.url })('/whoami')
        t.equal(answer.status, 200, header)
        t.match(await answer.json(), { subject: server.aliceId, credential: 'access_key', accessKeyId: key.id })
      }
      const before = api.requests()
      const unknown = 'pcl_00000000000000000000000000_0000000000000000000000000000000000000000000'
      const refused = await createFetch(accessKey({ key: unknown }), { baseUrl: api.url })('/whoami').catch(
        (e: unknown) => e,
      )
      t.type(refused, UnauthorizedError)
      t.equal(api.requests() - before, 1, 'a key cannot be renewed: no retry')
    })

    t.test(
      'client credentials, password and token exchange strategies; a missing scope is ForbiddenError',
      async (t) => {
        const service = createFetch(clientCredentials({ ...client, scope: 'read' }), { baseUrl: api.url })
        const before = tokenRequests()
        for (let i = 0; i < 3; i++)
          t.match(await (await service('/whoami')).json(), { subject: 'client:service', clientId: 'service' })
        t.equal(tokenRequests() - before, 1, 'the token is reused until it nears expiry')
        const forbidden = await service('/write').catch((e: unknown) => e)
        t.type(forbidden, ForbiddenError)
        t.equal((forbidden as ForbiddenError).scope, 'write')

        const person = createFetch(
          password({ ...client, username: 'alice', password: PASSWORD, scope: 'read write' }),
          {
            baseUrl: api.url,
          },
        )
        t.match(await (await person('/write')).json(), { written: true })
        const wrong = await createFetch(password({ ...client, username: 'alice', password: 'wrong' }), {
          baseUrl: api.url,
        })('/whoami').catch((e: unknown) => e)
        t.type(wrong, OAuthError, 'a refused sign-in is the OAuth error, not SignedOutError')
        t.equal((wrong as OAuthError).error, 'invalid_grant')

        const key = await server.accessKey(['read'])
        const exchanged = createFetch(tokenExchange({ ...client, accessKey: key.key }), { baseUrl: api.url })
        t.match(await (await exchanged('/whoami')).json(), {
          credential: 'jwt',
          accessKeyId: key.id,
          subject: server.aliceId,
        })
      },
    )

    t.test(
      'a CLI signs a person in through the browser with a loopback redirect (PKCE), then calls the API',
      async (t) => {
        await server.store.clients.create({
          clientId: 'cli',
          name: 'CLI',
          secretHash: null,
          grantTypes: ['authorization_code', 'refresh_token'],
          scopes: ['read'],
          redirectUris: [LOOPBACK],
        })
        const opened: string[] = []
        const stored: TokenSet[] = []
        const auth = await loopbackSignIn({
          issuer,
          clientId: 'cli',
          scope: 'read',
          onTokens: (set) => void stored.push(set),
          // The person's browser: the login and consent pages, then back to the CLI's loopback address.
          open: async (url) => {
            opened.push(url)
            const browser = signInFlow(server.app)
            let response = await browser.get(url.slice(issuer.length))
            if (response.headers.location?.startsWith('/oauth/login'))
              response = await browser.login(response.headers.location)
            if (response.headers.location?.startsWith('/oauth/consent'))
              response = await browser.consent(response.headers.location)
            const back = await fetch(response.headers.location!)
            t.equal(back.status, 200, 'the loopback page answers')
          },
        })
        const sent = new URL(opened[0]!)
        t.match(Object.fromEntries(sent.searchParams), {
          response_type: 'code',
          client_id: 'cli',
          code_challenge_method: 'S256',
          redirect_uri: /^http:\/\/127\.0\.0\.1:\d+\/callback$/,
        })
        t.equal(stored.length, 1, 'the first tokens were stored')
        t.ok(stored[0]!.refreshToken, 'with a refresh token')
        t.match(await (await createFetch(auth, { baseUrl: api.url })('/whoami')).json(), {
          subject: server.aliceId,
          clientId: 'cli',
        })
      },
    )

    t.test('createFetch adds the context headers and turns 429 into RateLimitedError', async (t) => {
      const seen: Headers[] = []
      const limited = createFetch(accessKey({ key: 'pcl_x_y' }), {
        tenantId: 'acme',
        workspaceId: 'ws-1',
        fetch: async (input, init) => {
          seen.push(new Request(input, init).headers)
          return new Response('{}', { status: 429, headers: { 'retry-after': '7' } })
        },
      })
      const error = await limited('https://api.example/objects').catch((e: unknown) => e)
      t.type(error, RateLimitedError)
      t.equal((error as RateLimitedError).retryAfter, 7)
      t.same(
        [seen[0]!.get('x-tenant-id'), seen[0]!.get('x-workspace-id'), seen[0]!.get('authorization')],
        ['acme', 'ws-1', 'Bearer pcl_x_y'],
      )
    })

    t.test('fromEnv picks the strategy from the conventional variables and names a missing one', async (t) => {
      t.throws(
        () => fromEnv({}),
        new ConfigurationError(
          'PORTCULLIS_URL is not set (needed for client credentials; or set PORTCULLIS_ACCESS_KEY)',
        ),
      )
      t.throws(
        () => fromEnv({ PORTCULLIS_URL: issuer, PORTCULLIS_CLIENT_ID: 'service' }),
        /^PORTCULLIS_CLIENT_SECRET is not set/,
      )
      t.throws(
        () => fromEnv({ PORTCULLIS_ACCESS_KEY: 'pcl_x_y', PORTCULLIS_CLIENT_ID: 'service' }),
        /^PORTCULLIS_URL is not set \(needed to exchange PORTCULLIS_ACCESS_KEY\)/,
      )
      const env = {
        PORTCULLIS_URL: issuer,
        PORTCULLIS_CLIENT_ID: 'service',
        PORTCULLIS_CLIENT_SECRET: SECRET,
        PORTCULLIS_SCOPE: 'read',
      }
      t.match(await (await createFetch(fromEnv(env), { baseUrl: api.url })('/whoami')).json(), {
        subject: 'client:service',
      })
      const key = await server.accessKey(['read'])
      const viaKey = fromEnv({ PORTCULLIS_ACCESS_KEY: key.key, PORTCULLIS_ACCESS_KEY_HEADER: 'x-api-key' })
      t.same(await viaKey.headers(), { 'x-api-key': key.key })
    })
  })
}
