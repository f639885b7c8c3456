// The authorization code flow as a certified client library runs it (oauth4webapi), against a listening
// server: PKCE S256, the iss check of RFC 9207, the code exchange, then a refresh; the browser's part (the
// redirects, the cookies and the two forms) by fetch.
import t from 'tap'
import * as oauth from 'oauth4webapi'
import { listen } from '../support/listen.ts'
import { formFields, seedSignIn } from '../support/sign-in.ts'
import { PASSWORD, SECRET } from '../support/token-fixtures.ts'

const REDIRECT = 'https://app.example/callback'

t.test('oauth4webapi signs alice in with the authorization code flow, redeems the code and refreshes', async (t) => {
  const { store, baseUrl } = await listen(t)
  await seedSignIn(store)
  const as: oauth.AuthorizationServer = {
    issuer: baseUrl,
    authorization_endpoint: `${baseUrl}/oauth/authorize`,
    token_endpoint: `${baseUrl}/oauth/token`,
    authorization_response_iss_parameter_supported: true,
    code_challenge_methods_supported: ['S256'],
  }
  const client: oauth.Client = { client_id: 'web' }
  const auth = oauth.ClientSecretBasic(SECRET)
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(as.authorization_endpoint!)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'web',
    redirect_uri: REDIRECT,
    scope: 'read write',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString()

  // The browser: follows redirects on the server's origin, keeps its cookies, fills in the forms.
  const cookies = new Map<string, string>()
  const browse = async (target: string, body?: Record<string, string>): Promise<Response> => {
    const response = await fetch(new URL(target, baseUrl), {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body: new URLSearchParams(body).toString() } : {}),
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      cookies.set(pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1))
    }
    return response
  }
  const toLogin = (await browse(url.href)).headers.get('location')!
  const loginPage = await (await browse(toLogin)).text()
  const toConsent = (
    await browse('/oauth/login', { ...formFields(loginPage), username: 'alice', password: PASSWORD })
  ).headers.get('location')!
  const consentPage = await (await browse(toConsent)).text()
  const callback = (await browse('/oauth/consent', { ...formFields(consentPage), consent: 'allow' })).headers.get(
    'location',
  )!
  t.ok(callback.startsWith(REDIRECT))

  const params = oauth.validateAuthResponse(as, client, new URL(callback), state)
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, {
    [oauth.allowInsecureRequests]: true,
  })
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response)
  t.match(tokens, { token_type: 'bearer', scope: 'read write', access_token: /^eyJ/, refresh_token: /.+/ })
  const refreshed = await oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, {
      [oauth.allowInsecureRequests]: true,
    }),
  )
  t.match(refreshed, { scope: 'read write', access_token: /^eyJ/ })

  t.throws(
    () => oauth.validateAuthResponse({ ...as, issuer: 'https://other.example' }, client, new URL(callback), state),
    'a callback from another issuer is refused (RFC 9207)',
  )
})
