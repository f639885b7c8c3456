// RP-initiated logout (GET/POST /oauth/logout): confirmation with CSRF, the session and its refresh-token
// families ended, and a return only to a registered post_logout_redirect_uri.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, providers } from '../support/helper.ts'
import { authorizeUrl, formFields, pkce, query, REDIRECT, seedSignIn, signInFlow } from '../support/sign-in.ts'
import { basic, FORM, form, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const WEB = basic('web', SECRET)

async function signedIn(app: FastifyInstance) {
  const flow = signInFlow(app)
  const { verifier, challenge } = pkce()
  const params = {
    response_type: 'code',
    client_id: 'web',
    redirect_uri: REDIRECT,
    scope: 'read',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }
  const start = await flow.get(authorizeUrl(params))
  const consentAt = (await flow.login(start.headers.location!)).headers.location!
  const code = query((await flow.consent(consentAt)).headers.location).code!
  const tokens = (
    await tokenRequest(
      app,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      { authorization: WEB },
    )
  ).json()
  return { flow, tokens, params }
}

for (const provider of providers) {
  t.test(`logout on ${provider}`, async (t) => {
    const { app, store } = await build(t, { provider })
    await seedSignIn(store)

    t.test(
      'asks to confirm, then ends the session and the refresh families made in it, and returns to the registered URI with state',
      async (t) => {
        const { flow, tokens, params } = await signedIn(app)
        const ask = await flow.get(
          '/oauth/logout?client_id=web&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye&state=s1',
        )
        t.equal(ask.statusCode, 200)
        t.match(ask.body, /Sign out\?/)
        const fields = formFields(ask.body)
        t.match(fields, {
          client_id: 'web',
          post_logout_redirect_uri: 'https://app.example/bye',
          state: 's1',
          confirm: 'yes',
        })
        const done = await flow.post('/oauth/logout', fields)
        t.equal(done.statusCode, 303)
        t.equal(done.headers.location, 'https://app.example/bye?state=s1')
        t.notOk(flow.jar.cookies.has('portcullis-session'), 'the cookie is cleared')
        const refresh = await tokenRequest(
          app,
          { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
          { authorization: WEB },
        )
        t.same(refresh.json(), { error: 'invalid_grant', error_description: 'the refresh token has been revoked' })
        const introspection = await app.inject({
          method: 'POST',
          url: '/oauth/introspect',
          headers: { ...FORM, authorization: WEB },
          payload: form({ token: tokens.access_token }),
        })
        t.equal(introspection.json().active, false, 'the access token is revoked too')
        const again = await flow.get(authorizeUrl(params))
        t.match(again.headers.location, /^\/oauth\/login/, 'the next authorize asks for a login')
        t.equal((await store.audit.list(ANY_TENANT, { limit: 5, type: 'logout' })).items.length, 1)
      },
    )

    t.test('a confirmation without a valid CSRF token is 403 and ends nothing', async (t) => {
      const { flow, params } = await signedIn(app)
      const forged = await flow.post('/oauth/logout', { confirm: 'yes', _csrf: 'forged' })
      t.equal(forged.statusCode, 403)
      const still = await flow.get(authorizeUrl(params))
      t.match(still.headers.location, /^https:\/\/app\.example\/callback\?code=/, 'still signed in')
    })

    t.test('a post_logout_redirect_uri not registered for the client is refused, never followed', async (t) => {
      for (const url of [
        '/oauth/logout?client_id=web&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F',
        '/oauth/logout?post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye',
        '/oauth/logout?client_id=spa&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye',
      ]) {
        const response = await app.inject({ method: 'GET', url })
        t.equal(response.statusCode, 400, url)
        t.equal(response.headers.location, undefined)
      }
    })

    t.test('without a session: the signed-out page, or the registered URI', async (t) => {
      const page = await app.inject({ method: 'GET', url: '/oauth/logout' })
      t.equal(page.statusCode, 200)
      t.match(page.body, /You are signed out/)
      const back = await app.inject({
        method: 'GET',
        url: '/oauth/logout?client_id=web&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye',
      })
      t.equal(back.headers.location, 'https://app.example/bye')
    })
  })
}
