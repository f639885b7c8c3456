// The authorization response (src/oauth/authorize/response.ts) as a unit: the code (RFC 6749 §4.1.2) or the error
// (§4.1.2.1) with `state` exactly as sent, only when sent, and `iss` (RFC 9207 §2), appended to the redirect URI's
// own query (§3.1.2), or as the fields of a form posted to it (response_mode=form_post). Through the routes:
// test/oauth/authorize.test.ts.
import t from 'tap'
import { OAuthError } from '../../../src/errors.ts'
import type { RedirectTarget } from '../../../src/oauth/authorize/request.ts'
import { codeResponse, errorResponse } from '../../../src/oauth/authorize/response.ts'

const ISSUER = 'https://auth.example/base'
const ISS = 'iss=https%3A%2F%2Fauth.example%2Fbase'
const CODE = 'Abc-_09xyz'

const target = (extra: Partial<RedirectTarget> = {}): RedirectTarget => ({
  clientId: 'web',
  redirectUri: 'https://app.example/callback',
  responseMode: 'query',
  state: 'state-1',
  ...extra,
})

t.test('the code in the query, with state and iss', async (t) => {
  t.strictSame(codeResponse(target(), CODE, ISSUER), {
    mode: 'query',
    location: `https://app.example/callback?code=${CODE}&state=state-1&${ISS}`,
  })
  t.strictSame(
    codeResponse(target({ state: undefined }), CODE, ISSUER),
    { mode: 'query', location: `https://app.example/callback?code=${CODE}&${ISS}` },
    'no state sent: none answered',
  )
  t.strictSame(
    codeResponse(target({ redirectUri: 'https://app.example/callback?tab=1&code=old' }), CODE, ISSUER),
    { mode: 'query', location: `https://app.example/callback?tab=1&code=old&code=${CODE}&state=state-1&${ISS}` },
    "the registered URI's own query is kept, the answer appended (RFC 6749 §3.1.2)",
  )
  t.strictSame(
    codeResponse(target({ redirectUri: 'com.example.app:/oauth', state: undefined }), CODE, ISSUER),
    { mode: 'query', location: `com.example.app:/oauth?code=${CODE}&${ISS}` },
    "a native app's private-use scheme (RFC 8252 §7.1)",
  )
  t.strictSame(
    codeResponse(target({ redirectUri: 'http://127.0.0.1:49152/cb', state: undefined }), CODE, ISSUER),
    { mode: 'query', location: `http://127.0.0.1:49152/cb?code=${CODE}&${ISS}` },
    'a loopback redirect URI with its port (RFC 8252 §7.3)',
  )
})

t.test('state comes back exactly as sent, form-encoded', async (t) => {
  const state = 'a b&c=d/é+%?#'
  const answer = codeResponse(target({ state }), CODE, ISSUER)
  t.strictSame(answer, {
    mode: 'query',
    location: `https://app.example/callback?code=${CODE}&state=a+b%26c%3Dd%2F%C3%A9%2B%25%3F%23&${ISS}`,
  })
  const location = new URL((answer as { location: string }).location)
  t.strictSame(
    [...location.searchParams],
    [
      ['code', CODE],
      ['state', state],
      ['iss', ISSUER],
    ],
    'decoded, the very values',
  )
})

t.test('response_mode=form_post: the fields posted to the redirect URI as registered', async (t) => {
  const post = target({ responseMode: 'form_post', redirectUri: 'https://app.example/callback?tab=1' })
  t.strictSame(codeResponse(post, CODE, ISSUER), {
    mode: 'form_post',
    action: 'https://app.example/callback?tab=1',
    fields: { code: CODE, state: 'state-1', iss: ISSUER },
  })
  t.strictSame(
    codeResponse({ ...post, state: undefined }, CODE, ISSUER),
    { mode: 'form_post', action: 'https://app.example/callback?tab=1', fields: { code: CODE, iss: ISSUER } },
    'no state sent: no state field',
  )
  t.strictSame(errorResponse(post, new OAuthError('access_denied', 'the user denied the request'), ISSUER), {
    mode: 'form_post',
    action: 'https://app.example/callback?tab=1',
    fields: {
      error: 'access_denied',
      error_description: 'the user denied the request',
      state: 'state-1',
      iss: ISSUER,
    },
  })
  t.strictSame(
    errorResponse({ ...post, state: undefined }, new OAuthError('login_required', 'the user is not signed in'), ISSUER),
    {
      mode: 'form_post',
      action: 'https://app.example/callback?tab=1',
      fields: { error: 'login_required', error_description: 'the user is not signed in', iss: ISSUER },
    },
  )
})

t.test('the error in the query, with its description, state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2)', async (t) => {
  const scope = new OAuthError('invalid_scope', 'this user may not have the scope "write" (RFC 6749 §3.3)')
  t.strictSame(errorResponse(target(), scope, ISSUER), {
    mode: 'query',
    location:
      'https://app.example/callback?error=invalid_scope&error_description=this+user+may+not+have+the+scope+%27write%27+%28RFC+6749+section+3.3%29&state=state-1&' +
      ISS,
  })
  t.strictSame(
    errorResponse(target({ state: undefined }), new OAuthError('consent_required', 'no consent'), ISSUER),
    {
      mode: 'query',
      location: `https://app.example/callback?error=consent_required&error_description=no+consent&${ISS}`,
    },
    'no state sent: none answered',
  )
})
