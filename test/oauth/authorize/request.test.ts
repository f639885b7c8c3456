// The authorization request (src/oauth/authorize/request.ts) as a unit, run as the route runs it: the query as
// Fastify parses it (repeated parameters are arrays), then stage one (client and redirect URI: failures are a
// page, never a redirect; RFC 6749 §4.1.2.1, RFC 9700 §4.11.1), then stage two (every other check: failures go
// back to the client's redirect URI). Each check on both sides of its boundary: PKCE (RFC 7636 §4.2, S256 only,
// RFC 9700 §2.1.1), response_type and response_mode, scope and resource (RFC 6749 §3.3, RFC 8707), prompt,
// max_age, nonce, state and login_hint lengths (OpenID Connect Core §3.1.2.1), dpop_jkt (RFC 9449 §10).
// Through the routes: test/oauth/authorize.test.ts, oidc.test.ts, dpop.test.ts.
import t from 'tap'
import { OAuthError } from '../../../src/errors.ts'
import {
  type AuthorizationRequest,
  PageError,
  type Prompt,
  RedirectError,
  type RedirectTarget,
  singleParameters,
  validateAuthorizationRequest,
  validateClientAndRedirect,
} from '../../../src/oauth/authorize/request.ts'
import type { Client } from '../../../src/store/clients.ts'
import { clientRow } from '../../support/client-row.ts'

const NOW = 1_800_000_000_000
const REDIRECT = 'https://app.example/callback'
const OTHER_REDIRECT = 'https://app.example/other'
const LOOPBACK = 'http://127.0.0.1/native'
const DEFAULT_AUDIENCE = 'https://api.example'
const CONFIG = {
  defaultAudience: DEFAULT_AUDIENCE,
  audiences: [DEFAULT_AUDIENCE, 'https://auth.example', 'https://other.example'],
}
/** RFC 7636 appendix B's code challenge: 43 characters of base64url, with `-`. */
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
/** RFC 7638 §3.1's JWK thumbprint: 43 characters of base64url, with `-` and `_`. */
const JKT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

const client = (extra: Partial<Client> = {}): Client =>
  clientRow({
    clientId: 'web',
    isPublic: true,
    secretHash: null,
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'read', 'write'],
    redirectUris: [REDIRECT, OTHER_REDIRECT, LOOPBACK],
    ...extra,
  })

/** A complete, valid query, as Fastify hands it over. */
const query = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  client_id: 'web',
  redirect_uri: REDIRECT,
  response_type: 'code',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
  state: 'state-1',
  ...extra,
})

const target = (extra: Partial<RedirectTarget> = {}): RedirectTarget => ({
  clientId: 'web',
  redirectUri: REDIRECT,
  responseMode: 'query',
  state: 'state-1',
  ...extra,
})

const accepted = (extra: Partial<AuthorizationRequest> = {}) => ({
  accepted: {
    ...target(),
    redirectUriSent: true,
    scope: ['openid', 'read', 'write'],
    scopeSent: false,
    resource: undefined,
    audience: DEFAULT_AUDIENCE,
    codeChallenge: CHALLENGE,
    nonce: undefined,
    prompt: [],
    maxAge: undefined,
    loginHint: undefined,
    requestedAt: NOW,
    dpopJkt: undefined,
    ...extra,
  },
})

/** Shown to the user (400 page), never sent to the redirect URI. */
const page = (message: string) => ({ page: { class: PageError, name: 'PageError', message } })

/** Sent back to the client's redirect URI. */
const redirected = (error: string, description: string, to: RedirectTarget = target()) => ({
  redirected: {
    class: RedirectError,
    name: 'RedirectError',
    message: description,
    target: to,
    error: { class: OAuthError, error, description, status: 400, headers: {}, details: undefined },
  },
})

/** Both stages, as src/routes/authorize.ts runs them; the outcome as one comparable value. */
function authorize(
  raw: unknown,
  options: { client?: Client | undefined; config?: typeof CONFIG } = { client: client() },
): unknown {
  const { params, repeated } = singleParameters(raw)
  try {
    const to = validateClientAndRedirect(params, repeated, 'client' in options ? options.client : client())
    return {
      accepted: validateAuthorizationRequest(to, params, repeated, client(), options.config ?? CONFIG, NOW),
    }
  } catch (err) {
    return describe(err)
  }
}

/** Stage one alone: the target, or its page. */
function stageOne(raw: unknown, of: Client | undefined = client()): unknown {
  const { params, repeated } = singleParameters(raw)
  try {
    return { target: validateClientAndRedirect(params, repeated, of) }
  } catch (err) {
    return describe(err)
  }
}

/** Stage two alone, for a client other than the default one. */
function stageTwo(raw: Record<string, unknown>, of: Client, config: typeof CONFIG = CONFIG): unknown {
  const { params, repeated } = singleParameters(raw)
  try {
    return { accepted: validateAuthorizationRequest(target(), params, repeated, of, config, NOW) }
  } catch (err) {
    return describe(err)
  }
}

function describe(err: unknown): unknown {
  if (err instanceof PageError) return { page: { class: err.constructor, name: err.name, message: err.message } }
  if (err instanceof RedirectError) {
    const { error } = err
    return {
      redirected: {
        class: err.constructor,
        name: err.name,
        message: err.message,
        target: err.target,
        error: {
          class: error.constructor,
          error: error.error,
          description: error.description,
          status: error.statusCode,
          headers: error.headers,
          details: error.details,
        },
      },
    }
  }
  throw err
}

t.test('singleParameters keeps one non-empty string per parameter and names the first repeated one', async (t) => {
  t.strictSame(
    singleParameters({
      client_id: 'web',
      empty: '',
      scope: ['read', 'write'],
      state: ['a', 'b'],
      one: ['only'],
      number: 5,
      object: { nested: 'x' },
      nothing: undefined,
      nil: null,
      space: ' ',
    }),
    { params: { client_id: 'web', space: ' ' }, repeated: 'scope' },
  )
  t.strictSame(singleParameters({ a: '1', b: ['2', '3'] }), { params: { a: '1' }, repeated: 'b' })
  t.strictSame(singleParameters({}), { params: {}, repeated: undefined })
  const nullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { client_id: 'web' })
  t.strictSame(singleParameters(nullPrototype), { params: { client_id: 'web' }, repeated: undefined })
})

t.test('singleParameters reads nothing from a query that is not an object', async (t) => {
  for (const value of [null, undefined, 'client_id=web', 42, true]) {
    t.strictSame(singleParameters(value), { params: {}, repeated: undefined }, String(value))
  }
})

t.test('a valid request is accepted whole', async (t) => {
  t.strictSame(authorize(query()), accepted())
  t.strictSame(
    authorize(
      query({
        scope: 'read openid',
        resource: 'https://other.example',
        nonce: 'nonce-1',
        prompt: 'login consent',
        max_age: '600',
        login_hint: 'alice@example.com',
        dpop_jkt: JKT,
        response_mode: 'form_post',
      }),
    ),
    accepted({
      responseMode: 'form_post',
      scope: ['read', 'openid'],
      scopeSent: true,
      resource: 'https://other.example',
      audience: 'https://other.example',
      nonce: 'nonce-1',
      prompt: ['login', 'consent'],
      maxAge: 600,
      loginHint: 'alice@example.com',
      dpopJkt: JKT,
    }),
  )
})

t.test('without state, nonce or login_hint the request is accepted, and they stay absent', async (t) => {
  t.strictSame(authorize(query({ state: undefined })), accepted({ state: undefined }))
  t.strictSame(authorize(query({ state: '' })), accepted({ state: undefined }), 'empty is absent')
})

t.test('stage one: a repeated client_id or redirect_uri is a page, whoever the client is', async (t) => {
  // After another repeated parameter, in either order: still a page, never a redirect to the registered URI.
  t.strictSame(
    authorize(
      { state: ['a', 'b'], redirect_uri: ['https://evil.example/cb', REDIRECT], client_id: 'web' },
      {
        client: client({ redirectUris: [REDIRECT] }),
      },
    ),
    page('the parameter redirect_uri was sent more than once'),
  )
  t.strictSame(
    authorize({ scope: ['read', 'write'], client_id: ['web', 'other'], redirect_uri: REDIRECT }),
    page('the parameter client_id was sent more than once'),
  )
  t.strictSame(singleParameters({ state: ['a', 'b'], nonce: ['c', 'd'] }), { params: {}, repeated: 'state' })
  t.strictSame(singleParameters({ client_id: ['a', 'b'], redirect_uri: ['c', 'd'] }), {
    params: {},
    repeated: 'client_id',
  })
  t.strictSame(singleParameters({ state: ['a', 'b'], redirect_uri: ['c', 'd'], client_id: ['e', 'f'] }), {
    params: {},
    repeated: 'redirect_uri',
  })
  t.strictSame(authorize(query({ client_id: ['web', 'web'] })), page('the parameter client_id was sent more than once'))
  t.strictSame(
    authorize(query({ redirect_uri: [REDIRECT, 'https://evil.example/cb'] })),
    page('the parameter redirect_uri was sent more than once'),
  )
  t.strictSame(
    authorize(query({ redirect_uri: [REDIRECT, REDIRECT] }), { client: client({ redirectUris: [REDIRECT] }) }),
    page('the parameter redirect_uri was sent more than once'),
    'not taken as absent, even when one URI is registered',
  )
})

t.test('stage one: another repeated parameter passes it, and stage two sends it back as invalid_request', async (t) => {
  t.strictSame(stageOne(query({ scope: ['read', 'write'] })), { target: target() })
  t.strictSame(
    authorize(query({ scope: ['read', 'write'] })),
    redirected('invalid_request', 'the parameter scope was sent more than once'),
  )
  t.strictSame(
    authorize(query({ state: ['a', 'b'] })),
    redirected('invalid_request', 'the parameter state was sent more than once', target({ state: undefined })),
    'a repeated state is not echoed',
  )
  t.strictSame(
    authorize(query({ response_mode: ['form_post', 'form_post'], prompt: 'bogus' })),
    redirected('invalid_request', 'the parameter response_mode was sent more than once'),
    'checked before anything else',
  )
})

t.test('stage one: no client_id, an unknown one, or no matching redirect URI is a page', async (t) => {
  t.strictSame(
    authorize(query({ client_id: undefined }), { client: undefined }),
    page('the request names no client (client_id is missing)'),
  )
  t.strictSame(
    authorize(query({ client_id: '' }), { client: undefined }),
    page('the request names no client (client_id is missing)'),
    'empty is missing',
  )
  t.strictSame(
    authorize(query({ client_id: 'stranger' }), { client: undefined }),
    page('the application that sent you here is not registered'),
  )
  t.strictSame(
    authorize(query({ redirect_uri: undefined })),
    page('the request names no redirect URI (redirect_uri is missing)'),
    'several are registered',
  )
  t.strictSame(
    authorize(query({ redirect_uri: undefined }), { client: client({ redirectUris: [] }) }),
    page('the request names no redirect URI (redirect_uri is missing)'),
    'none is registered',
  )
  t.strictSame(
    authorize(query({ redirect_uri: 'https://evil.example/callback' })),
    page('the redirect URI is not registered for this application'),
  )
  t.strictSame(
    authorize(query({ redirect_uri: 'https://evil.example/callback' }), {
      client: client({ redirectUris: [REDIRECT] }),
    }),
    page('the redirect URI is not registered for this application'),
    'a wrong one is not replaced by the only registered one',
  )
  t.strictSame(
    authorize(query({ redirect_uri: `${REDIRECT}/` })),
    page('the redirect URI is not registered for this application'),
  )
})

t.test('stage one: the target is the client, its matched redirect URI, the response mode and state', async (t) => {
  t.strictSame(stageOne(query()), { target: target() })
  t.strictSame(stageOne(query({ redirect_uri: OTHER_REDIRECT })), { target: target({ redirectUri: OTHER_REDIRECT }) })
  t.strictSame(
    stageOne(query({ redirect_uri: 'http://127.0.0.1:51004/native' })),
    { target: target({ redirectUri: 'http://127.0.0.1:51004/native' }) },
    'a loopback redirect with the port the app listens on (RFC 8252 §7.3)',
  )
  t.strictSame(
    stageOne(query({ redirect_uri: undefined }), client({ redirectUris: [REDIRECT] })),
    { target: target() },
    'the only registered one when none is sent',
  )
  t.strictSame(
    stageOne(query({ client_id: 'web' }), client({ clientId: 'web-2' })),
    { target: target({ clientId: 'web-2' }) },
    "the client's own id",
  )
  t.strictSame(stageOne(query({ response_mode: 'form_post' })), { target: target({ responseMode: 'form_post' }) })
  t.strictSame(stageOne(query({ response_mode: 'query' })), { target: target() })
  t.strictSame(stageOne(query({ response_mode: 'fragment' })), { target: target() }, 'unknown: query, refused later')
  t.strictSame(stageOne(query({ response_mode: 'FORM_POST' })), { target: target() })
  t.strictSame(stageOne(query({ state: undefined })), { target: target({ state: undefined }) })
})

t.test('redirectUriSent says whether redirect_uri was sent (RFC 6749 §4.1.3)', async (t) => {
  const only = client({ redirectUris: [REDIRECT] })
  t.strictSame(authorize(query({ redirect_uri: undefined }), { client: only }), accepted({ redirectUriSent: false }))
  t.strictSame(authorize(query(), { client: only }), accepted({ redirectUriSent: true }))
})

t.test('response_mode is query or form_post, case-sensitive', async (t) => {
  t.strictSame(authorize(query({ response_mode: 'query' })), accepted())
  t.strictSame(authorize(query({ response_mode: 'form_post' })), accepted({ responseMode: 'form_post' }))
  for (const mode of ['fragment', 'FORM_POST', 'Query', 'form_post.jwt']) {
    t.strictSame(
      authorize(query({ response_mode: mode })),
      redirected('invalid_request', 'response_mode must be query or form_post'),
      mode,
    )
  }
})

t.test('response_type must be code', async (t) => {
  t.strictSame(
    authorize(query({ response_type: undefined })),
    redirected('invalid_request', 'response_type is required'),
  )
  for (const type of ['token', 'code id_token', 'CODE', 'code ']) {
    t.strictSame(
      authorize(query({ response_type: type })),
      redirected('unsupported_response_type', 'only response_type=code is supported'),
      type,
    )
  }
})

t.test('a client without the authorization code grant is unauthorized_client', async (t) => {
  t.strictSame(
    stageTwo(query(), client({ grantTypes: ['client_credentials', 'refresh_token'] })),
    redirected('unauthorized_client', 'this client may not use the authorization code grant'),
  )
})

t.test('PKCE: code_challenge is required, with S256', async (t) => {
  t.strictSame(
    authorize(query({ code_challenge: undefined })),
    redirected('invalid_request', 'code_challenge is required (PKCE, RFC 7636, with S256)'),
  )
  for (const method of [undefined, 'plain', 's256', 'S512']) {
    t.strictSame(
      authorize(query({ code_challenge_method: method })),
      redirected('invalid_request', 'code_challenge_method must be S256'),
      String(method),
    )
  }
})

t.test('PKCE: the challenge is exactly 43 characters of base64url (RFC 7636 §4.2)', async (t) => {
  const refused = redirected(
    'invalid_request',
    'code_challenge must be the 43-character BASE64URL of a SHA-256 (RFC 7636 section 4.2)',
  )
  for (const challenge of ['A'.repeat(43), '-'.repeat(43), '_'.repeat(43), `${'z'.repeat(21)}0${'9'.repeat(21)}`]) {
    t.strictSame(authorize(query({ code_challenge: challenge })), accepted({ codeChallenge: challenge }), challenge)
  }
  for (const challenge of [
    CHALLENGE.slice(0, 42),
    `${CHALLENGE}A`,
    `A${CHALLENGE}`,
    `${CHALLENGE.slice(0, 42)}=`,
    `+${CHALLENGE.slice(1)}`,
    `${CHALLENGE.slice(0, 42)}/`,
    `${CHALLENGE.slice(0, 42)}.`,
    `${CHALLENGE.slice(0, 42)}~`,
    `!${CHALLENGE}`,
    `${CHALLENGE}!`,
    'A'.repeat(128),
  ]) {
    t.strictSame(authorize(query({ code_challenge: challenge })), refused, challenge)
  }
})

t.test('scope: within the client, every client scope when not sent (RFC 6749 §3.3)', async (t) => {
  t.strictSame(authorize(query({ scope: 'read' })), accepted({ scope: ['read'], scopeSent: true }))
  t.strictSame(
    authorize(query({ scope: 'write  read write' })),
    accepted({ scope: ['write', 'read'], scopeSent: true }),
  )
  t.strictSame(
    authorize(query({ scope: 'read delete' })),
    redirected('invalid_scope', "this client may not have the scope 'delete'"),
  )
  t.strictSame(
    authorize(query({ scope: 'read wr\\ite' })),
    redirected('invalid_scope', "scope 'write' is malformed (RFC 6749 section 3.3)"),
  )
})

t.test('audience: the resource when sent, else the default or the client’s first (RFC 8707)', async (t) => {
  t.strictSame(
    stageTwo(query(), client({ audiences: [] })),
    accepted({ audience: DEFAULT_AUDIENCE }),
    'any audience: the default',
  )
  t.strictSame(
    stageTwo(query(), client({ audiences: ['https://other.example', DEFAULT_AUDIENCE] })),
    accepted({ audience: DEFAULT_AUDIENCE }),
    'the default when the client may have it',
  )
  t.strictSame(
    stageTwo(query(), client({ audiences: ['https://other.example', 'https://auth.example'] })),
    accepted({ audience: 'https://other.example' }),
    "the client's first when it may not have the default",
  )
  t.strictSame(
    stageTwo(query({ resource: 'https://auth.example' }), client({ audiences: ['https://auth.example'] })),
    accepted({ resource: 'https://auth.example', audience: 'https://auth.example' }),
  )
  t.strictSame(
    stageTwo(query({ resource: 'https://nowhere.example' }), client()),
    redirected('invalid_target', "resource 'https://nowhere.example' is not a registered audience"),
  )
  t.strictSame(
    stageTwo(query({ resource: DEFAULT_AUDIENCE }), client({ audiences: ['https://other.example'] })),
    redirected('invalid_target', "this client may not request tokens for 'https://api.example'"),
  )
})

t.test('an unexpected failure while checking scope or audience is thrown as it is, not redirected', async (t) => {
  const boom = new Error('the configuration is unreadable')
  const config = {
    defaultAudience: DEFAULT_AUDIENCE,
    get audiences(): string[] {
      throw boom
    },
  }
  let caught: unknown
  try {
    authorize(query({ resource: DEFAULT_AUDIENCE }), { client: client(), config })
  } catch (err) {
    caught = err
  }
  t.equal(caught, boom)
})

t.test('prompt: none, login and consent, deduplicated; none alone (OpenID Connect Core §3.1.2.1)', async (t) => {
  const cases: [string, Prompt[]][] = [
    ['none', ['none']],
    ['login', ['login']],
    ['consent', ['consent']],
    ['consent login consent', ['consent', 'login']],
    ['none none', ['none']],
    ['  login  ', ['login']],
    [' ', []],
  ]
  for (const [prompt, parsed] of cases) {
    t.strictSame(authorize(query({ prompt })), accepted({ prompt: parsed }), prompt)
  }
  t.strictSame(
    authorize(query({ prompt: 'none login' })),
    redirected('invalid_request', 'prompt=none cannot be combined with another prompt'),
  )
  t.strictSame(
    authorize(query({ prompt: 'consent none' })),
    redirected('invalid_request', 'prompt=none cannot be combined with another prompt'),
  )
})

t.test('prompt: an unknown value is refused, named up to 32 characters', async (t) => {
  t.strictSame(
    authorize(query({ prompt: 'login select_account' })),
    redirected('invalid_request', "prompt 'select_account' is not supported (none, login, consent)"),
  )
  t.strictSame(
    authorize(query({ prompt: 'NONE' })),
    redirected('invalid_request', "prompt 'NONE' is not supported (none, login, consent)"),
  )
  t.strictSame(
    authorize(query({ prompt: 'x'.repeat(32) })),
    redirected('invalid_request', `prompt '${'x'.repeat(32)}' is not supported (none, login, consent)`),
  )
  t.strictSame(
    authorize(query({ prompt: `${'x'.repeat(32)}yz` })),
    redirected('invalid_request', `prompt '${'x'.repeat(32)}' is not supported (none, login, consent)`),
  )
  t.strictSame(
    authorize(query({ prompt: 'none bogus' })),
    redirected('invalid_request', "prompt 'bogus' is not supported (none, login, consent)"),
    'an unknown value before the combination',
  )
})

t.test('max_age: 1 to 10 ASCII digits of seconds', async (t) => {
  const cases: [string, number][] = [
    ['0', 0],
    ['600', 600],
    ['0000000007', 7],
    ['9999999999', 9_999_999_999],
  ]
  for (const [value, seconds] of cases) {
    t.strictSame(authorize(query({ max_age: value })), accepted({ maxAge: seconds }), value)
  }
  for (const value of ['12345678901', '-1', '+1', '1.5', '1e3', ' 1', '1 ', 'x5', '5x', '٣', 'Infinity']) {
    t.strictSame(
      authorize(query({ max_age: value })),
      redirected('invalid_request', 'max_age must be a number of seconds'),
      value,
    )
  }
})

t.test('nonce, state and login_hint: at most 512, 2048 and 255 characters', async (t) => {
  const tooLong = 'state, nonce or login_hint is too long'
  t.strictSame(
    authorize(query({ nonce: 'n'.repeat(512), state: 's'.repeat(2048), login_hint: 'h'.repeat(255) })),
    accepted({
      nonce: 'n'.repeat(512),
      state: 's'.repeat(2048),
      loginHint: 'h'.repeat(255),
    }),
    'each at its limit',
  )
  t.strictSame(authorize(query({ nonce: 'n'.repeat(513) })), redirected('invalid_request', tooLong), 'nonce')
  t.strictSame(
    authorize(query({ state: 's'.repeat(2049) })),
    redirected('invalid_request', tooLong, target({ state: 's'.repeat(2049) })),
    'state',
  )
  t.strictSame(authorize(query({ login_hint: 'h'.repeat(256) })), redirected('invalid_request', tooLong), 'login_hint')
})

t.test('dpop_jkt: a 43-character base64url JWK thumbprint (RFC 9449 §10, RFC 7638)', async (t) => {
  const refused = redirected(
    'invalid_request',
    'dpop_jkt must be the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP key',
  )
  t.strictSame(authorize(query({ dpop_jkt: JKT })), accepted({ dpopJkt: JKT }))
  t.strictSame(authorize(query({ dpop_jkt: '_'.repeat(43) })), accepted({ dpopJkt: '_'.repeat(43) }))
  for (const jkt of [
    JKT.slice(0, 42),
    `${JKT}A`,
    `A${JKT}`,
    `!${JKT}`,
    `${JKT}!`,
    `${JKT.slice(0, 42)}=`,
    `+${JKT.slice(1)}`,
    '!'.repeat(43),
    'A',
  ]) {
    t.strictSame(authorize(query({ dpop_jkt: jkt })), refused, jkt)
  }
})
