// Delegated login and consent (LOGIN_URL, CONSENT_URL): /oauth/authorize → the team's login app with a
// challenge → the admin API's login and consent requests → redirect_to back to /oauth/authorize/continue →
// the code, through app.inject with the browser's cookies carried by hand.
import t from 'tap'
import { sha256 } from '../../src/security/secrets.ts'
import { build, providers } from '../support/helper.ts'
import { client, signedToken } from '../support/admin-fixtures.ts'
import { authorizeUrl, cookieJar, pkce, query, REDIRECT, seedSignIn, signInFlow } from '../support/sign-in.ts'
import { basic, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { DEFAULT_TENANT_ID, ANY_TENANT } from '../../src/store/index.ts'

const ISSUER = 'http://portcullis.test'
const LOGIN_URL = 'https://login.example/sign-in?tenant=acme'
const CONSENT_URL = 'https://login.example/consent'

const authorizeParams = (challenge: string, extra: Record<string, string> = {}) => ({
  response_type: 'code',
  client_id: 'web',
  redirect_uri: REDIRECT,
  scope: 'read write',
  state: 'xyz',
  code_challenge: challenge,
  code_challenge_method: 'S256',
  ...extra,
})

/** The path of a redirect_to (it names our issuer), for app.inject. */
const path = (redirectTo: string) => {
  if (!redirectTo.startsWith(`${ISSUER}/oauth/authorize/continue?`))
    throw new Error(`redirect_to leads elsewhere: ${redirectTo}`)
  return redirectTo.slice(ISSUER.length)
}

for (const provider of providers) {
  t.test(`delegated login and consent on ${provider}`, async (t) => {
    let clock = Date.now()
    const ctx = await build(t, { provider, now: () => clock, env: { LOGIN_URL, CONSENT_URL } })
    const { app, store } = ctx
    const { alice } = await seedSignIn(store)
    const bob = await store.users.create({ username: 'bob', passwordHash: 'x', scopes: ['read'] })
    await store.users.update(ANY_TENANT, bob.id, { disabled: true })
    const token = async (scope: string) => ({
      authorization: `Bearer ${(await signedToken(ctx, { scope, ttl: 86400, now: clock })).token}`,
    })
    const loginApp = client(app, await token('login'))

    /** authorize in `flow`'s browser; the challenge of the 303 to LOGIN_URL (or CONSENT_URL). */
    async function start(flow = signInFlow(app), extra: Record<string, string> = {}) {
      const { verifier, challenge } = pkce()
      const response = await flow.get(authorizeUrl(authorizeParams(challenge, extra)))
      return { flow, verifier, response, location: response.headers.location ?? '' }
    }
    const challengeOf = (location: string, kind: 'login' | 'consent') =>
      new URL(location).searchParams.get(`${kind}_challenge`)!

    /** Signs alice in through the login app and lets the consent app allow; the final answer to the client. */
    async function signIn(
      flow = signInFlow(app),
      options: { remember?: boolean; extra?: Record<string, string> } = {},
    ) {
      const started = await start(flow, options.extra)
      const accepted = await loginApp.post(
        `/admin/v1/login-requests/${challengeOf(started.location, 'login')}/accept`,
        { subject: 'alice', remember: options.remember ?? true },
      )
      const back = await flow.get(path(accepted.json().redirect_to))
      const consent = await loginApp.post(
        `/admin/v1/consent-requests/${challengeOf(back.headers.location!, 'consent')}/accept`,
        { grant_scope: ['read'], remember: true },
      )
      const answer = await flow.get(path(consent.json().redirect_to))
      return { ...started, answer: query(answer.headers.location) }
    }

    t.test('authorize → login app → accept → consent app → accept → code with state and iss → tokens', async (t) => {
      const { flow, verifier, response, location } = await start()
      t.equal(response.statusCode, 303)
      t.match(
        location,
        /^https:\/\/login\.example\/sign-in\?tenant=acme&login_challenge=[A-Za-z0-9_-]{43}$/,
        'LOGIN_URL keeps its query',
      )
      t.match(
        response.headers['set-cookie'],
        /portcullis-binding=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax/,
        'the browser is bound',
      )
      t.notMatch(String(response.headers['set-cookie']), /portcullis-session/, 'no session yet')
      const login = await loginApp.get(`/admin/v1/login-requests/${challengeOf(location, 'login')}`)
      t.equal(login.statusCode, 200)
      t.same(login.json(), {
        challenge: challengeOf(location, 'login'),
        client: { client_id: 'web', name: 'Web <App>' },
        requested_scope: ['read', 'write'],
        login_hint: null,
        prompt: [],
        max_age: null,
        skip: false,
        subject: null,
        requested_at: new Date(clock).toISOString(),
        expires_at: new Date(clock + 600_000).toISOString(),
      })
      const accepted = await loginApp.post(`/admin/v1/login-requests/${challengeOf(location, 'login')}/accept`, {
        subject: 'alice',
        remember: true,
      })
      t.equal(accepted.statusCode, 200)
      t.match(accepted.json(), {
        redirect_to: /^http:\/\/portcullis\.test\/oauth\/authorize\/continue\?login_verifier=[A-Za-z0-9_-]{43}$/,
      })
      const back = await flow.get(path(accepted.json().redirect_to))
      t.equal(back.statusCode, 303)
      t.match(
        back.headers['set-cookie'],
        /portcullis-session=[A-Za-z0-9_-]{43}; Max-Age=1209600; Path=\/; HttpOnly; SameSite=Lax/,
        'remember: the session cookie',
      )
      t.match(back.headers.location, /^https:\/\/login\.example\/consent\?consent_challenge=[A-Za-z0-9_-]{43}$/)
      const consentChallenge = challengeOf(back.headers.location!, 'consent')
      const consent = await loginApp.get(`/admin/v1/consent-requests/${consentChallenge}`)
      t.same(consent.json(), {
        challenge: consentChallenge,
        client: { client_id: 'web', name: 'Web <App>' },
        subject: alice.id,
        username: 'alice',
        requested_scope: ['read', 'write'],
        skip: false,
        requested_at: new Date(clock).toISOString(),
        expires_at: new Date(clock + 600_000).toISOString(),
      })
      const allowed = await loginApp.post(`/admin/v1/consent-requests/${consentChallenge}/accept`, {
        grant_scope: ['read'],
        remember: true,
      })
      t.equal(allowed.statusCode, 200)
      const answer = await flow.get(path(allowed.json().redirect_to))
      t.equal(answer.statusCode, 303)
      const params = query(answer.headers.location)
      t.same(Object.keys(params).sort(), ['code', 'iss', 'state'])
      t.match(params, { state: 'xyz', iss: ISSUER })
      t.ok(answer.headers.location!.startsWith(`${REDIRECT}?`))
      const tokens = await tokenRequest(
        app,
        { grant_type: 'authorization_code', code: params.code!, redirect_uri: REDIRECT, code_verifier: verifier },
        { authorization: basic('web', SECRET) },
      )
      t.equal(tokens.statusCode, 200)
      t.match(tokens.json(), { token_type: 'Bearer', scope: 'read', refresh_token: String })
      t.same(
        (await store.consents.findActive(ANY_TENANT, alice.id, 'web'))?.scopes,
        ['read'],
        'remember: the consent is kept',
      )

      const again = await start(flow, { scope: 'read' })
      t.match(
        query(again.location),
        { code: String, state: 'xyz', iss: ISSUER },
        'the session and the consent: straight back with a code',
      )
      const types = (await store.audit.list(ANY_TENANT, { limit: 50 })).items.map((event) => event.type)
      for (const type of [
        'login_request.accepted',
        'login.succeeded',
        'consent_request.accepted',
        'consent.granted',
      ] as const)
        t.ok(types.includes(type), `${type} is audited`)
      t.match((await store.audit.list(ANY_TENANT, { limit: 1, type: 'login.succeeded' })).items[0], {
        actor: 'client:web',
        subject: `user:${alice.id}`,
        details: { via: 'login_app' },
      })
    })

    t.test(
      'a login request with a login_hint, prompt and max_age shows them, and the browser’s session user',
      async (t) => {
        const { flow } = await signIn()
        clock += 120_000
        const { location } = await start(flow, { login_hint: 'alice', prompt: 'login', max_age: '60' })
        const login = await loginApp.get(`/admin/v1/login-requests/${challengeOf(location, 'login')}`)
        t.match(login.json(), { login_hint: 'alice', prompt: ['login'], max_age: 60, skip: false, subject: alice.id })
      },
    )

    t.test(
      'a session that satisfies the request (max_age not exceeded, no prompt=login) never reaches the login app: the requests Hydra marks with skip',
      async (t) => {
        const { flow } = await signIn()
        clock += 30_000
        const within = await start(flow, { scope: 'read', max_age: '60' })
        t.match(query(within.location), { code: String, state: 'xyz', iss: ISSUER }, 'straight back with a code')
        clock += 60_000
        const past = await start(flow, { scope: 'read', max_age: '60' })
        const login = await loginApp.get(`/admin/v1/login-requests/${challengeOf(past.location, 'login')}`)
        t.match(login.json(), { skip: false, subject: alice.id }, 'max_age exceeded: the login app, which must ask')
      },
    )

    t.test('remember=false: no session cookie, the next request goes to the login app again', async (t) => {
      const flow = signInFlow(app)
      const { answer } = await signIn(flow, { remember: false })
      t.ok(answer.code)
      t.notOk(flow.jar.cookies.has('portcullis-session'))
      const again = await start(flow, { scope: 'read' })
      t.match(again.location, /^https:\/\/login\.example\/sign-in\?tenant=acme&login_challenge=/)
    })

    t.test(
      'a login app’s answer for another user ends the browser’s older session, even without remember',
      async (t) => {
        await store.users.create({ username: 'dave', passwordHash: 'x', scopes: ['read', 'write'] })
        const { flow } = await signIn()
        const before = (await store.sessions.findActiveByHash(
          ANY_TENANT,
          sha256(flow.jar.cookies.get('portcullis-session')!),
        ))!
        clock += 1000
        const started = await start(flow, { prompt: 'login' })
        const accepted = await loginApp.post(
          `/admin/v1/login-requests/${challengeOf(started.location, 'login')}/accept`,
          { subject: 'dave', remember: false },
        )
        const back = await flow.get(path(accepted.json().redirect_to))
        t.match(back.headers.location, /^https:\/\/login\.example\/consent\?/, 'on to the consent app')
        t.ok(
          (await store.sessions.findById(ANY_TENANT, before.id))!.revokedAt,
          'alice’s session is ended on the server',
        )
        t.notOk(flow.jar.cookies.has('portcullis-session'), 'and its cookie cleared')
        t.match((await store.audit.list(ANY_TENANT, { limit: 1, type: 'session.ended' })).items[0], {
          subject: `session:${before.id}`,
          details: { reason: 'replaced', user_id: alice.id },
        })
      },
    )

    t.test('a rejected login reaches the client as its error, with state and iss', async (t) => {
      const { flow, location } = await start()
      const rejected = await loginApp.post(`/admin/v1/login-requests/${challengeOf(location, 'login')}/reject`, {
        error: 'access_denied',
        error_description: 'The user cancelled',
      })
      t.equal(rejected.statusCode, 200)
      const answer = await flow.get(path(rejected.json().redirect_to))
      t.equal(answer.statusCode, 303)
      t.same(query(answer.headers.location), {
        error: 'access_denied',
        error_description: 'The user cancelled',
        state: 'xyz',
        iss: ISSUER,
      })
      t.notOk(flow.jar.cookies.has('portcullis-session'))
      t.equal(
        (await store.audit.list(ANY_TENANT, { limit: 1, type: 'login_request.rejected' })).items.length,
        1,
        'audited',
      )
    })

    t.test(
      'a rejected consent reaches the client as its error (access_denied by default), with state and iss',
      async (t) => {
        const { flow, location } = await start()
        const accepted = await loginApp.post(`/admin/v1/login-requests/${challengeOf(location, 'login')}/accept`, {
          subject: alice.id,
        })
        const back = await flow.get(path(accepted.json().redirect_to))
        const rejected = await loginApp.post(
          `/admin/v1/consent-requests/${challengeOf(back.headers.location!, 'consent')}/reject`,
        )
        const answer = await flow.get(path(rejected.json().redirect_to))
        t.same(query(answer.headers.location), {
          error: 'access_denied',
          error_description: 'the consent was refused',
          state: 'xyz',
          iss: ISSUER,
        })
        t.equal(
          (await store.audit.list(ANY_TENANT, { limit: 1, type: 'consent_request.rejected' })).items.length,
          1,
          'audited',
        )
      },
    )

    t.test('challenges and verifiers are single use', async (t) => {
      const { flow, location } = await start()
      const challenge = challengeOf(location, 'login')
      const accepted = await loginApp.post(`/admin/v1/login-requests/${challenge}/accept`, { subject: 'alice' })
      const again = await loginApp.post(`/admin/v1/login-requests/${challenge}/accept`, { subject: 'alice' })
      t.equal(again.statusCode, 409)
      t.same(again.json(), { error: 'conflict', error_description: 'this login request was already answered' })
      const reject = await loginApp.post(`/admin/v1/login-requests/${challenge}/reject`, {})
      t.equal(reject.statusCode, 409)
      t.equal((await loginApp.get(`/admin/v1/login-requests/${challenge}`)).statusCode, 409)
      t.equal((await flow.get(path(accepted.json().redirect_to))).statusCode, 303)
      const replay = await flow.get(path(accepted.json().redirect_to))
      t.equal(replay.statusCode, 400, 'a used verifier is refused')
      t.match(replay.body, /This sign-in has expired/)
      t.equal((await loginApp.get('/admin/v1/login-requests/unknown')).statusCode, 404)
      t.same((await loginApp.get('/admin/v1/login-requests/unknown')).json(), {
        error: 'not_found',
        error_description: 'no login request has this challenge, or it has expired',
      })
    })

    t.test('a challenge expires 10 minutes after the authorization request', async (t) => {
      const { location } = await start()
      const challenge = challengeOf(location, 'login')
      clock += 600_000
      t.equal((await loginApp.get(`/admin/v1/login-requests/${challenge}`)).statusCode, 404)
      const late = await loginApp.post(`/admin/v1/login-requests/${challenge}/accept`, { subject: 'alice' })
      t.equal(late.statusCode, 404)
    })

    t.test('an answer cannot be finished in another browser', async (t) => {
      const { flow, location } = await start()
      const accepted = await loginApp.post(`/admin/v1/login-requests/${challengeOf(location, 'login')}/accept`, {
        subject: 'alice',
        remember: true,
      })
      const thief = signInFlow(app)
      const stolen = await thief.get(path(accepted.json().redirect_to))
      t.equal(stolen.statusCode, 400)
      t.match(stolen.body, /started in another browser/)
      t.notOk(thief.jar.cookies.has('portcullis-session'), 'no session for the other browser')
      const forged = signInFlow(app, cookieJar())
      forged.jar.cookies.set('portcullis-binding', 'A'.repeat(43))
      t.equal(
        (await forged.get(path(accepted.json().redirect_to))).statusCode,
        400,
        'nor with a binding cookie of its own',
      )
      const own = await flow.get(path(accepted.json().redirect_to))
      t.equal(own.statusCode, 303, 'the browser that started it still can')
      t.match(own.headers.location, /^https:\/\/login\.example\/consent\?consent_challenge=/)
    })

    t.test('the subject must be an existing, enabled user', async (t) => {
      const { location } = await start()
      const challenge = challengeOf(location, 'login')
      for (const subject of ['nobody', bob.id, 'bob']) {
        const response = await loginApp.post(`/admin/v1/login-requests/${challenge}/accept`, { subject })
        t.equal(response.statusCode, 400, subject)
        t.same(response.json(), {
          error: 'invalid_request',
          error_description: 'subject: no enabled user has this id or username',
          details: [{ field: 'subject', message: 'no enabled user has this id or username' }],
        })
      }
      const schema = await loginApp.post(`/admin/v1/login-requests/${challenge}/accept`, { remember: 'yes', extra: 1 })
      t.equal(schema.statusCode, 400)
      t.ok(schema.json().details.length >= 2, 'every problem at once')
      t.equal(
        (await loginApp.post(`/admin/v1/login-requests/${challenge}/accept`, { subject: 'alice' })).statusCode,
        200,
        'still open after the refusals',
      )
    })

    t.test('a user disabled between the answer and the browser’s return is not signed in', async (t) => {
      const carol = await store.users.create({ username: 'carol', passwordHash: 'x', scopes: ['read'] })
      const { flow, location } = await start(signInFlow(app), { scope: 'read' })
      const accepted = await loginApp.post(`/admin/v1/login-requests/${challengeOf(location, 'login')}/accept`, {
        subject: 'carol',
        remember: true,
      })
      await store.users.update(ANY_TENANT, carol.id, { disabled: true })
      const answer = await flow.get(path(accepted.json().redirect_to))
      t.same(query(answer.headers.location), {
        error: 'access_denied',
        error_description: 'the user cannot sign in',
        state: 'xyz',
        iss: ISSUER,
      })
      t.notOk(flow.jar.cookies.has('portcullis-session'))
    })

    t.test('grant_scope must lie within the requested scopes', async (t) => {
      const { flow, location } = await start(signInFlow(app), { scope: 'write' })
      const accepted = await loginApp.post(`/admin/v1/login-requests/${challengeOf(location, 'login')}/accept`, {
        subject: 'alice',
      })
      const back = await flow.get(path(accepted.json().redirect_to))
      const response = await loginApp.post(
        `/admin/v1/consent-requests/${challengeOf(back.headers.location!, 'consent')}/accept`,
        { grant_scope: ['write', 'read'] },
      )
      t.equal(response.statusCode, 400)
      t.same(response.json().details, [{ field: 'grant_scope.1', message: '"read" was not requested' }])
    })

    t.test('scope login reaches the login and consent requests and nothing else of the admin API', async (t) => {
      const { location } = await start()
      const url = `/admin/v1/login-requests/${challengeOf(location, 'login')}`
      t.equal((await app.inject({ method: 'GET', url, headers: await token('admin') })).statusCode, 200, 'admin')
      t.equal((await app.inject({ method: 'GET', url, headers: await token('login') })).statusCode, 200, 'login')
      const read = await app.inject({ method: 'GET', url, headers: await token('read') })
      t.equal(read.statusCode, 403)
      t.equal(read.json().error, 'insufficient_scope')
      t.equal((await app.inject({ method: 'GET', url })).statusCode, 401)
      const users = await app.inject({ method: 'GET', url: '/admin/v1/users', headers: await token('login') })
      t.equal(users.statusCode, 403, 'login cannot list users')
    })
  })
}

for (const provider of providers) {
  t.test(`one of the two delegated on ${provider}: the other page is ours`, async (t) => {
    t.test(
      'LOGIN_URL only: after the login app, our consent page (a browser-session cookie when not remembered)',
      async (t) => {
        const ctx = await build(t, { provider, env: { LOGIN_URL } })
        await seedSignIn(ctx.store)
        const loginApp = client(ctx.app, {
          authorization: `Bearer ${(await signedToken(ctx, { scope: 'login' })).token}`,
        })
        const flow = signInFlow(ctx.app)
        const { challenge } = pkce()
        const start = await flow.get(authorizeUrl(authorizeParams(challenge)))
        const accepted = await loginApp.post(
          `/admin/v1/login-requests/${new URL(start.headers.location!).searchParams.get('login_challenge')}/accept`,
          { subject: 'alice' },
        )
        const back = await flow.get(path(accepted.json().redirect_to))
        t.match(back.headers.location, /^\/oauth\/consent\?request=/)
        const cookie = [back.headers['set-cookie']]
          .flat()
          .find((line) => String(line).startsWith('portcullis-session='))
        t.ok(cookie, 'a session cookie for our consent page')
        t.notMatch(String(cookie), /Max-Age|Expires/, 'that ends when the browser closes')
        const answer = await flow.consent(back.headers.location!)
        t.match(query(answer.headers.location), { code: String, state: 'xyz', iss: ISSUER })
      },
    )

    t.test('CONSENT_URL only: after our login page, the consent app', async (t) => {
      const ctx = await build(t, { provider, env: { CONSENT_URL } })
      await seedSignIn(ctx.store)
      const consentApp = client(ctx.app, {
        authorization: `Bearer ${(await signedToken(ctx, { scope: 'login' })).token}`,
      })
      const flow = signInFlow(ctx.app)
      const { challenge } = pkce()
      const start = await flow.get(authorizeUrl(authorizeParams(challenge)))
      t.match(start.headers.location, /^\/oauth\/login\?request=/)
      const afterLogin = await flow.login(start.headers.location!)
      t.match(afterLogin.headers.location, /^https:\/\/login\.example\/consent\?consent_challenge=/)
      const consentChallenge = new URL(afterLogin.headers.location!).searchParams.get('consent_challenge')
      const accepted = await consentApp.post(`/admin/v1/consent-requests/${consentChallenge}/accept`, {
        grant_scope: ['read', 'write'],
      })
      const answer = await flow.get(path(accepted.json().redirect_to))
      t.match(query(answer.headers.location), { code: String, state: 'xyz', iss: ISSUER })
      t.equal(
        await ctx.store.consents.findActive(
          ANY_TENANT,
          (await ctx.store.users.findByUsername(DEFAULT_TENANT_ID, 'alice'))!.id,
          'web',
        ),
        undefined,
        'not remembered',
      )
    })
  })
}

t.test('without LOGIN_URL and CONSENT_URL the pages are ours and there is no continuation to take', async (t) => {
  const { app, store } = await build(t)
  await seedSignIn(store)
  const { challenge } = pkce()
  const flow = signInFlow(app)
  const start = await flow.get(authorizeUrl(authorizeParams(challenge)))
  t.match(start.headers.location, /^\/oauth\/login\?request=/)
  t.notOk(flow.jar.cookies.has('portcullis-binding'))
  t.equal((await flow.get('/oauth/authorize/continue?login_verifier=x')).statusCode, 400)
})
