// Browser sign-in: GET /oauth/authorize, the login and consent pages, and the authorization_code grant
// (RFC 6749 §4.1, RFC 7636, RFC 9207, RFC 9700 §2.1 and §4, RFC 8252 §7.3), through app.inject with the
// cookies carried by hand.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { createKeyring } from '../../src/keys/keyring.ts'
import { createStore, openDatabase, ANY_TENANT } from '../../src/store/index.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { build, providers } from '../support/helper.ts'
import {
  authorizeUrl,
  cookieJar,
  formFields,
  pkce,
  query,
  REDIRECT,
  seedSignIn,
  signInFlow,
} from '../support/sign-in.ts'
import { basic, FORM, form, SECRET, tokenRequest } from '../support/token-fixtures.ts'

const ISSUER = 'http://portcullis.test'
const WEB = basic('web', SECRET)

function authorizeParams(challenge: string, extra: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: 'web',
    redirect_uri: REDIRECT,
    scope: 'read',
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }
}

/** Signs alice in and allows, returning the code and the flow (its cookies). */
async function codeFor(
  app: FastifyInstance,
  challenge: string,
  extra: Record<string, string> = {},
  flow = signInFlow(app),
) {
  const start = await flow.get(authorizeUrl(authorizeParams(challenge, extra)))
  let response = start
  if (response.headers.location?.startsWith('/oauth/login')) response = await flow.login(response.headers.location)
  if (response.headers.location?.startsWith('/oauth/consent')) response = await flow.consent(response.headers.location)
  const answer = query(response.headers.location)
  return { code: answer.code!, answer, response, flow }
}

function redeem(
  app: FastifyInstance,
  code: string,
  verifier: string | undefined,
  extra: Record<string, string> = {},
  auth: string | undefined = WEB,
) {
  return tokenRequest(
    app,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      ...(verifier === undefined ? {} : { code_verifier: verifier }),
      ...extra,
    },
    auth ? { authorization: auth } : {},
  )
}

/** A Set-Cookie line's attributes, sorted (their order is the cookie library's). */
const attributes = (line: string) => line.split('; ').slice(1).sort()

const introspect = async (app: FastifyInstance, token: string) =>
  (
    await app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: { ...FORM, authorization: WEB },
      payload: form({ token }),
    })
  ).json().active as boolean

for (const provider of providers) {
  t.test(`authorization code flow on ${provider}`, async (t) => {
    let clock = Date.now()
    const { app, store } = await build(t, { provider, now: () => clock })
    await seedSignIn(store)

    t.test('authorize → login page → consent page → code with state and iss → tokens', async (t) => {
      const { verifier, challenge } = pkce()
      const flow = signInFlow(app)
      const start = await flow.get(authorizeUrl(authorizeParams(challenge)))
      t.equal(start.statusCode, 303)
      t.match(start.headers.location, /^\/oauth\/login\?request=[A-Za-z0-9_-]{43}$/)
      const page = await flow.get(start.headers.location!)
      t.equal(page.statusCode, 200)
      t.match(page.headers['content-type'], /^text\/html/)
      t.match(page.body, /name="username"/)
      t.match(page.body, /Web &lt;App&gt;/, 'the client name is escaped')
      const afterLogin = await flow.login(start.headers.location!)
      t.equal(afterLogin.statusCode, 303)
      t.match(afterLogin.headers.location, /^\/oauth\/consent\?request=/)
      const consent = await flow.get(afterLogin.headers.location!)
      t.match(consent.body, /name="consent" value="allow"/)
      t.match(consent.body, /<li><code>read<\/code><\/li>/)
      const done = await flow.consent(afterLogin.headers.location!)
      t.equal(done.statusCode, 303)
      const answer = query(done.headers.location)
      t.same(Object.keys(answer).sort(), ['code', 'iss', 'state'])
      t.equal(answer.state, 'xyz')
      t.equal(answer.iss, ISSUER)
      t.match(answer.code, /^[A-Za-z0-9_-]{43}$/)
      t.ok(done.headers.location!.startsWith(`${REDIRECT}?`))
      const tokens = await redeem(app, answer.code!, verifier)
      t.equal(tokens.statusCode, 200, tokens.body)
      t.match(tokens.json(), { token_type: 'Bearer', scope: 'read', refresh_token: /.+/ })
      const refreshed = await tokenRequest(
        app,
        { grant_type: 'refresh_token', refresh_token: tokens.json().refresh_token },
        { authorization: WEB },
      )
      t.equal(refreshed.statusCode, 200, 'the refresh token rotates like any other')
    })

    t.test('a U+0000 in the login form is a 400 page, not a database error', async (t) => {
      const flow = signInFlow(app)
      const start = await flow.get(authorizeUrl(authorizeParams(pkce().challenge)))
      const answer = await flow.login(start.headers.location!, 'ali\u0000ce')
      t.equal(answer.statusCode, 400)
      t.match(answer.headers['content-type'], /^text\/html/)
      t.notMatch(answer.body, /prisma|invalid byte sequence|at .+\.ts:/i)
    })

    t.test('a second authorize within the session skips the login page, and the remembered consent', async (t) => {
      const { challenge } = pkce()
      const first = await codeFor(app, challenge)
      const again = await first.flow.get(authorizeUrl(authorizeParams(pkce().challenge)))
      t.equal(again.statusCode, 303)
      t.ok(again.headers.location!.startsWith(`${REDIRECT}?code=`), 'straight back with a code')
    })

    t.test('consent is asked again when more scopes are requested', async (t) => {
      const first = await codeFor(app, pkce().challenge)
      const more = await first.flow.get(authorizeUrl(authorizeParams(pkce().challenge, { scope: 'read write' })))
      t.match(more.headers.location, /^\/oauth\/consent\?/)
      const allowed = await first.flow.consent(more.headers.location!)
      t.ok(query(allowed.headers.location).code)
      const third = await first.flow.get(authorizeUrl(authorizeParams(pkce().challenge, { scope: 'write' })))
      t.ok(query(third.headers.location).code, 'read write are both remembered now')
      const prompted = await first.flow.get(authorizeUrl(authorizeParams(pkce().challenge, { prompt: 'consent' })))
      t.match(prompted.headers.location, /^\/oauth\/consent\?/, 'prompt=consent asks anyway')
    })

    t.test('a scope the client may have but the user may not is invalid_scope after the login', async (t) => {
      const flow = signInFlow(app)
      const start = await flow.get(authorizeUrl(authorizeParams(pkce().challenge, { scope: 'admin' })))
      const back = await flow.login(start.headers.location!)
      t.same(query(back.headers.location), {
        error: 'invalid_scope',
        error_description: "this user may not have the scope 'admin'",
        state: 'xyz',
        iss: ISSUER,
      })
    })

    t.test('deny on the consent page redirects with access_denied', async (t) => {
      const flow = signInFlow(app)
      const start = await flow.get(
        authorizeUrl(authorizeParams(pkce().challenge, { scope: 'write', prompt: 'consent' })),
      )
      const consentAt = (await flow.login(start.headers.location!)).headers.location!
      const denied = await flow.consent(consentAt, 'deny')
      t.equal(denied.statusCode, 303)
      t.same(query(denied.headers.location), {
        error: 'access_denied',
        error_description: 'the user denied the request',
        state: 'xyz',
        iss: ISSUER,
      })
      const events = await store.audit.list(ANY_TENANT, { limit: 5, type: 'consent.denied' })
      t.equal(events.items.length, 1)
    })

    t.test('a first-party client gets no consent page', async (t) => {
      const flow = signInFlow(app)
      const start = await flow.get(
        authorizeUrl({
          ...authorizeParams(pkce().challenge),
          client_id: 'first',
          redirect_uri: 'https://console.example/cb',
        }),
      )
      const back = await flow.login(start.headers.location!)
      t.ok(back.headers.location!.startsWith('https://console.example/cb?code='))
    })

    t.test(
      'replaying a code is invalid_grant and revokes the refresh token and access token issued from it',
      async (t) => {
        const { verifier, challenge } = pkce()
        const { code } = await codeFor(app, challenge)
        const tokens = (await redeem(app, code, verifier)).json()
        t.equal(await introspect(app, tokens.access_token), true)
        const replay = await redeem(app, code, verifier)
        t.equal(replay.statusCode, 400)
        t.same(replay.json(), {
          error: 'invalid_grant',
          error_description: 'the authorization code was already used; the tokens issued from it have been revoked',
        })
        const refresh = await tokenRequest(
          app,
          { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
          { authorization: WEB },
        )
        t.same(refresh.json(), { error: 'invalid_grant', error_description: 'the refresh token has been revoked' })
        t.equal(await introspect(app, tokens.access_token), false, 'the access token introspects inactive')
      },
    )

    t.test(
      'two concurrent redemptions of one code: exactly one token response; the other is invalid_grant and revokes its tokens',
      async (t) => {
        const { verifier, challenge } = pkce()
        const { code } = await codeFor(app, challenge)
        // Both read the code unused before either marks it (where the database lets them): the loser still revokes.
        const responses = await Promise.all([redeem(app, code, verifier), redeem(app, code, verifier)])
        const won = responses.filter((response) => response.statusCode === 200)
        t.equal(won.length, 1, 'one token response')
        const lost = responses.filter((response) => response.statusCode !== 200)
        t.same(
          lost.map((response) => response.json()),
          [
            {
              error: 'invalid_grant',
              error_description: 'the authorization code was already used; the tokens issued from it have been revoked',
            },
          ],
        )
        const tokens = won[0]!.json()
        const refresh = await tokenRequest(
          app,
          { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
          { authorization: WEB },
        )
        t.same(refresh.json(), { error: 'invalid_grant', error_description: 'the refresh token has been revoked' })
        t.equal(await introspect(app, tokens.access_token), false, 'the access token introspects inactive')
      },
    )

    t.test('an expired code is invalid_grant', async (t) => {
      const { verifier, challenge } = pkce()
      const { code } = await codeFor(app, challenge)
      clock += 61_000
      const late = await redeem(app, code, verifier)
      t.same(late.json(), { error: 'invalid_grant', error_description: 'the authorization code has expired' })
    })

    t.test('a code is bound to its client and its redirect URI', async (t) => {
      const { verifier, challenge } = pkce()
      const { code } = await codeFor(app, challenge)
      const other = await redeem(app, code, verifier, {}, basic('machine', SECRET))
      t.same(other.json(), {
        error: 'unauthorized_client',
        error_description: 'this client may not use the authorization_code grant',
      })
      const stolen = await redeem(app, code, verifier, {}, basic('other', SECRET))
      t.same(stolen.json(), {
        error: 'invalid_grant',
        error_description: 'the authorization code was issued to another client',
      })
      const wrongUri = await redeem(app, code, verifier, { redirect_uri: 'https://app.example/other' })
      t.same(wrongUri.json(), {
        error: 'invalid_grant',
        error_description: 'redirect_uri does not match the one of the authorization request',
      })
      const noUri = await tokenRequest(
        app,
        { grant_type: 'authorization_code', code, code_verifier: verifier },
        { authorization: WEB },
      )
      t.same(
        noUri.json(),
        {
          error: 'invalid_grant',
          error_description: 'redirect_uri does not match the one of the authorization request',
        },
        'it was sent to authorize, so it is required',
      )
      t.equal((await redeem(app, code, verifier)).statusCode, 200, 'the failures did not use the code')
    })

    t.test('PKCE: a wrong verifier, or none, is invalid_grant', async (t) => {
      const { verifier, challenge } = pkce()
      const { code } = await codeFor(app, challenge)
      t.same((await redeem(app, code, undefined)).json(), {
        error: 'invalid_grant',
        error_description: 'code_verifier is required: the authorization request had a code_challenge',
      })
      t.same((await redeem(app, code, pkce().verifier)).json(), {
        error: 'invalid_grant',
        error_description: 'code_verifier does not match the code_challenge',
      })
      t.same(
        (await redeem(app, code, challenge)).json(),
        { error: 'invalid_grant', error_description: 'code_verifier does not match the code_challenge' },
        'the challenge itself is no verifier (plain)',
      )
      t.equal((await redeem(app, code, verifier)).statusCode, 200)
    })

    t.test(
      'the code keeps the nonce, the resource, the session and its login time for the token response',
      async (t) => {
        const { code } = await codeFor(app, pkce().challenge, { nonce: 'n-0S6', resource: ISSUER })
        const stored = await store.authorizationCodes.findByHash(ANY_TENANT, sha256(code))
        t.match(stored, {
          nonce: 'n-0S6',
          audience: ISSUER,
          sessionId: /^[0-9a-f-]{36}$/,
          authTime: Date,
          clientId: 'web',
          redirectUri: REDIRECT,
          redirectUriSent: true,
        })
      },
    )

    t.test(
      'a public client redeems with PKCE alone, and gets no refresh token without the refresh_token grant',
      async (t) => {
        const { verifier, challenge } = pkce()
        const { code } = await codeFor(app, challenge, { client_id: 'spa', redirect_uri: 'https://spa.example/cb' })
        const tokens = await tokenRequest(app, {
          grant_type: 'authorization_code',
          code,
          client_id: 'spa',
          redirect_uri: 'https://spa.example/cb',
          code_verifier: verifier,
        })
        t.equal(tokens.statusCode, 200, tokens.body)
        t.equal(tokens.json().refresh_token, undefined)
      },
    )
  })
}

t.test('authorization request validation', async (t) => {
  const { app, store } = await build(t)
  await seedSignIn(store)
  const { challenge } = pkce()
  const get = (params: Record<string, string>) => app.inject({ method: 'GET', url: authorizeUrl(params) })

  t.test('an unknown client or a redirect URI not registered is a 400 page, never a redirect', async (t) => {
    for (const params of [
      authorizeParams(challenge, { client_id: 'nobody' }),
      authorizeParams(challenge, { redirect_uri: 'https://evil.example/callback' }),
      authorizeParams(challenge, { redirect_uri: `${REDIRECT}/` }),
      authorizeParams(challenge, { redirect_uri: 'https://APP.example/callback' }),
      authorizeParams(challenge, { redirect_uri: `${REDIRECT}?x=1` }),
      authorizeParams(challenge, { redirect_uri: 'http://127.0.0.1/other' }),
      authorizeParams(challenge, { redirect_uri: 'http://localhost/callback' }),
      { ...authorizeParams(challenge), redirect_uri: '' },
    ]) {
      const response = await get(params)
      t.equal(response.statusCode, 400, JSON.stringify(params))
      t.equal(response.headers.location, undefined)
      t.match(response.headers['content-type'], /^text\/html/)
    }
  })

  t.test('the port of a loopback redirect URI may vary (RFC 8252 §7.3), nothing else', async (t) => {
    const response = await get(authorizeParams(challenge, { redirect_uri: 'http://127.0.0.1:51004/callback' }))
    t.equal(response.statusCode, 303)
    t.match(response.headers.location, /^\/oauth\/login/)
  })

  t.test('every other error redirects with error, error_description, state and iss', async (t) => {
    const cases: [Record<string, string>, string, string][] = [
      [
        authorizeParams(challenge, { response_type: 'token' }),
        'unsupported_response_type',
        'only response_type=code is supported',
      ],
      [{ ...authorizeParams(challenge), response_type: '' }, 'invalid_request', 'response_type is required'],
      [
        { ...authorizeParams(challenge), code_challenge: '' },
        'invalid_request',
        'code_challenge is required (PKCE, RFC 7636, with S256)',
      ],
      [
        authorizeParams(challenge, { code_challenge_method: 'plain' }),
        'invalid_request',
        'code_challenge_method must be S256',
      ],
      [
        { ...authorizeParams(challenge), code_challenge_method: '' },
        'invalid_request',
        'code_challenge_method must be S256',
      ],
      [authorizeParams(challenge, { scope: 'delete' }), 'invalid_scope', "this client may not have the scope 'delete'"],
      [
        authorizeParams(challenge, { resource: 'https://elsewhere.example' }),
        'invalid_target',
        "resource 'https://elsewhere.example' is not a registered audience",
      ],
      [
        authorizeParams(challenge, { prompt: 'none login' }),
        'invalid_request',
        'prompt=none cannot be combined with another prompt',
      ],
      [authorizeParams(challenge, { prompt: 'none' }), 'login_required', 'the user is not signed in'],
      [authorizeParams(challenge, { max_age: 'soon' }), 'invalid_request', 'max_age must be a number of seconds'],
    ]
    for (const [params, error, description] of cases) {
      const response = await get(params)
      t.equal(response.statusCode, 303, error)
      t.same(query(response.headers.location), { error, error_description: description, state: 'xyz', iss: ISSUER })
    }
    const unauthorized = await get({ ...authorizeParams(challenge), client_id: 'machine' })
    t.same(query(unauthorized.headers.location), {
      error: 'unauthorized_client',
      error_description: 'this client may not use the authorization code grant',
      state: 'xyz',
      iss: ISSUER,
    })
  })

  t.test('response_mode=form_post answers a page posting to the redirect URI', async (t) => {
    const response = await get(authorizeParams(challenge, { prompt: 'none', response_mode: 'form_post' }))
    t.equal(response.statusCode, 200)
    t.match(response.body, `<form method="post" action="${REDIRECT}" id="form-post">`)
    t.match(response.body, '<input type="hidden" name="error" value="login_required">')
    t.match(response.body, `<input type="hidden" name="iss" value="${ISSUER}">`)
    t.match(response.headers['content-security-policy'], "form-action 'self' https://app.example")
  })

  t.test('pages are never cached nor framed', async (t) => {
    const response = await get(authorizeParams(challenge, { client_id: 'nobody' }))
    t.match(response.headers, {
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': /frame-ancestors 'none'/,
    })
  })

  t.test('a redirect URI may be omitted when the client has exactly one', async (t) => {
    const { redirect_uri: _, ...params } = authorizeParams(challenge, { client_id: 'spa', prompt: 'none' })
    const response = await get(params)
    t.ok(response.headers.location!.startsWith('https://spa.example/cb?error=login_required'))
    const { redirect_uri: __, ...many } = authorizeParams(challenge)
    t.equal((await get(many)).statusCode, 400, 'web has three')
  })
})

t.test('sessions and logins', async (t) => {
  let clock = Date.now()
  const { app, store } = await build(t, { now: () => clock, env: { LOGIN_MAX_FAILURES_PER_USER: '2' } })
  await seedSignIn(store)

  t.test('the session cookie is HttpOnly, SameSite=Lax, Path=/ and not Secure over http', async (t) => {
    const flow = signInFlow(app)
    const start = await flow.get(authorizeUrl(authorizeParams(pkce().challenge)))
    const login = await flow.login(start.headers.location!)
    const cookie = ([] as string[])
      .concat(login.headers['set-cookie'] ?? [])
      .find((line) => line.startsWith('portcullis-session='))
    t.match(cookie, /^portcullis-session=[A-Za-z0-9_-]{43};/)
    t.same(attributes(cookie!), ['HttpOnly', 'Max-Age=1209600', 'Path=/', 'SameSite=Lax'])
  })

  t.test('a POST without a valid CSRF token is 403', async (t) => {
    const flow = signInFlow(app)
    const start = await flow.get(authorizeUrl(authorizeParams(pkce().challenge)))
    const request = start.headers.location!.split('=')[1]!
    await flow.get(start.headers.location!)
    const forged = await flow.post('/oauth/login', { request, username: 'alice', password: 'x', _csrf: 'forged' })
    t.equal(forged.statusCode, 403)
    const noCookie = await app.inject({
      method: 'POST',
      url: '/oauth/login',
      headers: FORM,
      payload: form({ request, username: 'alice', password: 'x' }),
    })
    t.equal(noCookie.statusCode, 403)
  })

  t.test(
    'a wrong password re-shows the form without saying whether the user exists, then the login is throttled',
    async (t) => {
      const flow = signInFlow(app)
      const location = (await flow.get(authorizeUrl(authorizeParams(pkce().challenge)))).headers.location!
      const unknown = await flow.login(location, 'mallory', 'guess')
      const wrong = await flow.login(location, 'alice', 'guess')
      t.equal(unknown.statusCode, 401)
      t.equal(wrong.statusCode, 401)
      t.equal(unknown.body.replace(/value="[^"]*"/g, ''), wrong.body.replace(/value="[^"]*"/g, ''), 'the same page')
      await flow.login(location, 'alice', 'guess again')
      const locked = await flow.login(location, 'alice')
      t.equal(locked.statusCode, 429, 'even the right password, once locked')
      t.match(locked.body, /Too many failed sign-ins/)
      t.ok(Number(locked.headers['retry-after']) > 0)
      t.equal((await store.audit.list(ANY_TENANT, { limit: 5, type: 'login.throttled' })).items.length, 1)
      t.equal((await store.audit.list(ANY_TENANT, { limit: 5, type: 'login.failed' })).items.length, 3)
      clock += 3600_000
    },
  )

  t.test(
    'prompt=none with a session but no consent is consent_required; prompt=login and max_age ask for the login again',
    async (t) => {
      const { flow } = await codeFor(app, pkce().challenge, {
        client_id: 'first',
        redirect_uri: 'https://console.example/cb',
      })
      const none = await flow.get(authorizeUrl(authorizeParams(pkce().challenge, { prompt: 'none' })))
      t.match(query(none.headers.location), { error: 'consent_required', state: 'xyz', iss: ISSUER })
      clock += 1000
      const login = await flow.get(
        authorizeUrl(
          authorizeParams(pkce().challenge, {
            client_id: 'first',
            redirect_uri: 'https://console.example/cb',
            prompt: 'login',
          }),
        ),
      )
      t.match(login.headers.location, /^\/oauth\/login/)
      clock += 10_000
      const fresh = await flow.get(
        authorizeUrl(
          authorizeParams(pkce().challenge, {
            client_id: 'first',
            redirect_uri: 'https://console.example/cb',
            max_age: '60',
          }),
        ),
      )
      t.ok(query(fresh.headers.location).code, 'a login 10 s old satisfies max_age=60')
      const stale = await flow.get(
        authorizeUrl(
          authorizeParams(pkce().challenge, {
            client_id: 'first',
            redirect_uri: 'https://console.example/cb',
            max_age: '5',
          }),
        ),
      )
      t.match(stale.headers.location, /^\/oauth\/login/)
      const staleNone = await flow.get(
        authorizeUrl(
          authorizeParams(pkce().challenge, {
            client_id: 'first',
            redirect_uri: 'https://console.example/cb',
            max_age: '5',
            prompt: 'none',
          }),
        ),
      )
      t.match(query(staleNone.headers.location), { error: 'login_required' })
    },
  )

  t.test('the session ends after SESSION_IDLE_TTL without use', async (t) => {
    const { flow } = await codeFor(app, pkce().challenge, {
      client_id: 'first',
      redirect_uri: 'https://console.example/cb',
    })
    clock += 86_400_000 + 1000
    const later = await flow.get(
      authorizeUrl(
        authorizeParams(pkce().challenge, { client_id: 'first', redirect_uri: 'https://console.example/cb' }),
      ),
    )
    t.match(later.headers.location, /^\/oauth\/login/)
  })
})

t.test('over https the cookies are Secure with the __Host- prefix', async (t) => {
  const { app, store } = await build(t, { env: { ISSUER: 'https://login.example' } })
  await seedSignIn(store)
  const flow = signInFlow(app)
  const start = await flow.get(authorizeUrl(authorizeParams(pkce().challenge)))
  const page = await flow.get(start.headers.location!)
  t.match(page.headers['set-cookie'], /^__Host-portcullis-csrf=[^;]+;/)
  const login = await flow.login(start.headers.location!)
  const cookie = ([] as string[])
    .concat(login.headers['set-cookie'] ?? [])
    .find((line) => line.startsWith('__Host-portcullis-session='))
  t.same(attributes(cookie!), ['HttpOnly', 'Max-Age=1209600', 'Path=/', 'SameSite=Lax', 'Secure'])
  t.ok(flow.jar.cookies.has('__Host-portcullis-session'))
})

for (const provider of providers) {
  t.test(
    `a login on one instance is seen by another, and a logout on either ends it on both, on the same ${provider} database`,
    async (t) => {
      const one = await build(t, { provider })
      await seedSignIn(one.store)
      const db = await openDatabase(one.databaseUrl, { migrate: false })
      const store = createStore(db)
      const keyring = await createKeyring({ config: one.config, store, masterKey: one.masterKey, autoRefresh: false })
      const two = await buildApp({ config: one.config, store, keyring, masterKey: one.masterKey, logger: false })
      t.teardown(async () => {
        await two.close()
        keyring.close()
        await store.close()
      })
      const jar = cookieJar()
      await codeFor(
        one.app,
        pkce().challenge,
        { client_id: 'first', redirect_uri: 'https://console.example/cb' },
        signInFlow(one.app, jar),
      )
      const stolen = jar.cookies.get('portcullis-session')!
      const elsewhere = await signInFlow(two, jar).get(
        authorizeUrl(
          authorizeParams(pkce().challenge, { client_id: 'first', redirect_uri: 'https://console.example/cb' }),
        ),
      )
      t.ok(query(elsewhere.headers.location).code, 'no login page on the second instance')

      // Signed out through the second instance: the first no longer knows the session either.
      const ask = await signInFlow(two, jar).get('/oauth/logout')
      t.match(ask.body, /Sign out\?/, 'the second instance sees the session to end')
      const done = await signInFlow(two, jar).post('/oauth/logout', formFields(ask.body))
      t.equal(done.statusCode, 200)
      t.match(done.body, /You are signed out/)
      const signedOut = (await one.store.audit.list(ANY_TENANT, { limit: 1, type: 'logout' })).items[0]!
      jar.cookies.set('portcullis-session', stolen)
      const back = await signInFlow(one.app, jar).get(
        authorizeUrl(
          authorizeParams(pkce().challenge, { client_id: 'first', redirect_uri: 'https://console.example/cb' }),
        ),
      )
      t.match(
        back.headers.location,
        /^\/oauth\/login\?/,
        'the first instance asks for a login, even with the old cookie',
      )
      t.match(signedOut, { subject: /^session:/ })

      // And the other way round: a new login on the first, ended through the first, is gone on the second.
      await codeFor(
        one.app,
        pkce().challenge,
        { client_id: 'first', redirect_uri: 'https://console.example/cb' },
        signInFlow(one.app, jar),
      )
      const secondCookie = jar.cookies.get('portcullis-session')!
      t.not(secondCookie, stolen)
      const again = await signInFlow(one.app, jar).get('/oauth/logout')
      await signInFlow(one.app, jar).post('/oauth/logout', formFields(again.body))
      jar.cookies.set('portcullis-session', secondCookie)
      t.match(
        (await signInFlow(two, jar).get('/oauth/logout')).body,
        /You are signed out/,
        'the second instance has no session to end',
      )
    },
  )
}
