// Authorization server metadata (RFC 8414), and the whole OAuth surface driven by real client libraries
// (openid-client v6 and oauth4webapi) against a listening server, as an application would use them.
import t from 'tap'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import { GRANTS } from '../../src/oauth/grants/index.ts'
import { build } from '../support/helper.ts'
import { listen } from '../support/listen.ts'
import { seed, tokenRequest } from '../support/token-fixtures.ts'

const WELL_KNOWN = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']

t.test('the metadata document', async (t) => {
  t.test('is built from ISSUER, and both addresses serve the same document', async (t) => {
    const { app } = await build(t, { env: { ISSUER: 'https://id.example.com', SCOPES: 'read write admin' } })
    const [oauthServer, openid] = await Promise.all(WELL_KNOWN.map((url) => app.inject({ method: 'GET', url })))
    t.equal(oauthServer!.statusCode, 200)
    t.match(oauthServer!.headers['content-type'], /^application\/json/)
    t.equal(oauthServer!.headers['cache-control'], 'public, max-age=3600')
    t.equal(openid!.body, oauthServer!.body)
    t.same(oauthServer!.json(), {
      issuer: 'https://id.example.com',
      token_endpoint: 'https://id.example.com/oauth/token',
      jwks_uri: 'https://id.example.com/.well-known/jwks.json',
      authorization_endpoint: 'https://id.example.com/oauth/authorize',
      userinfo_endpoint: 'https://id.example.com/oauth/userinfo',
      end_session_endpoint: 'https://id.example.com/oauth/logout',
      revocation_endpoint: 'https://id.example.com/oauth/revoke',
      introspection_endpoint: 'https://id.example.com/oauth/introspect',
      grant_types_supported: [
        'password',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'authorization_code',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
      ],
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'form_post'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
      revocation_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'none',
      ],
      revocation_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      introspection_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
      scopes_supported: ['openid', 'profile', 'email', 'read', 'write', 'admin'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      dpop_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
      claims_supported: [
        'iss',
        'sub',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'nonce',
        'at_hash',
        'sid',
        'amr',
        'name',
        'email',
        'email_verified',
      ],
      prompt_values_supported: ['none', 'login', 'consent'],
      service_documentation: 'https://id.example.com/docs',
    })
  })

  t.test(
    'lists only the OpenID Connect scopes when SCOPES is not configured, and points service_documentation where SERVICE_DOCUMENTATION says',
    async (t) => {
      const { app } = await build(t, { env: { SERVICE_DOCUMENTATION: 'https://docs.example.com/portcullis' } })
      const body = (await app.inject({ method: 'GET', url: WELL_KNOWN[0] })).json()
      t.same(body.scopes_supported, ['openid', 'profile', 'email'])
      t.equal(body.service_documentation, 'https://docs.example.com/portcullis')
    },
  )

  t.test('of an issuer with a path is also served at the path-inserted address (RFC 8414 §3.1)', async (t) => {
    const { app } = await build(t, { env: { ISSUER: 'https://example.com/auth' } })
    const inserted = await app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server/auth' })
    t.equal(inserted.statusCode, 200)
    t.equal(inserted.body, (await app.inject({ method: 'GET', url: WELL_KNOWN[0] })).body)
    t.match(inserted.json(), {
      issuer: 'https://example.com/auth',
      token_endpoint: 'https://example.com/auth/oauth/token',
      jwks_uri: 'https://example.com/auth/.well-known/jwks.json',
    })
  })

  t.test('advertises exactly the grant types the token endpoint accepts', async (t) => {
    const { app, store } = await build(t)
    const { service } = await seed(store)
    const { grant_types_supported: advertised } = (await app.inject({ method: 'GET', url: WELL_KNOWN[0] })).json()
    t.same(advertised, [...GRANTS.keys()])
    for (const grantType of advertised as string[]) {
      const response = await tokenRequest(app, { grant_type: grantType }, { authorization: service.auth })
      t.not(response.json().error, 'unsupported_grant_type', `${grantType} is handled`)
    }
    const unknown = await tokenRequest(
      app,
      { grant_type: 'urn:ietf:params:oauth:grant-type:device_code' },
      { authorization: service.auth },
    )
    t.equal(unknown.json().error, 'unsupported_grant_type', 'a grant type not advertised is refused')
  })
})

t.test('real client libraries against a listening server', async (t) => {
  const { baseUrl, store } = await listen(t)
  const { service, alice } = await seed(store)
  const issuer = new URL(baseUrl)

  // openid-client refuses http:// issuers unless told otherwise; the test server has no TLS.
  const config = await client.discovery(
    issuer,
    service.clientId,
    service.secret,
    client.ClientSecretBasic(service.secret),
    {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    },
  )

  t.test('oauth4webapi discovers both documents and accepts them for this issuer', async (t) => {
    for (const algorithm of ['oauth2', 'oidc'] as const) {
      const response = await oauth.discoveryRequest(issuer, { algorithm, [oauth.allowInsecureRequests]: true })
      const as = await oauth.processDiscoveryResponse(issuer, response)
      t.equal(as.issuer, baseUrl)
      t.equal(as.token_endpoint, `${baseUrl}/oauth/token`)
      t.equal(as.introspection_endpoint, `${baseUrl}/oauth/introspect`)
      t.equal(as.revocation_endpoint, `${baseUrl}/oauth/revoke`)
    }
  })

  t.test('openid-client discovers through the OpenID Connect address too', async (t) => {
    const oidc = await client.discovery(
      issuer,
      service.clientId,
      service.secret,
      client.ClientSecretBasic(service.secret),
      { execute: [client.allowInsecureRequests] },
    )
    t.equal(oidc.serverMetadata().issuer, baseUrl)
    t.same(oidc.serverMetadata().grant_types_supported, config.serverMetadata().grant_types_supported)
  })

  t.test('client_credentials through openid-client, introspected and revoked through it', async (t) => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' })
    t.equal(tokens.token_type, 'bearer')
    t.equal(tokens.scope, 'read')
    t.ok(tokens.expiresIn()! > 0)
    const introspected = await client.tokenIntrospection(config, tokens.access_token)
    t.match(introspected, {
      active: true,
      client_id: 'service',
      sub: 'client:service',
      scope: 'read',
      token_type: 'Bearer',
      iss: baseUrl,
    })
    await client.tokenRevocation(config, tokens.access_token, { token_type_hint: 'access_token' })
    t.same({ ...(await client.tokenIntrospection(config, tokens.access_token)) }, { active: false })
  })

  t.test(
    'password grant as a raw request (oauth4webapi), then refresh, introspection and revocation through openid-client',
    async (t) => {
      const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }),
      )
      const response = await oauth.genericTokenEndpointRequest(
        as,
        { client_id: service.clientId },
        oauth.ClientSecretPost(service.secret),
        'password',
        new URLSearchParams({ username: alice.username, password: alice.password, scope: 'read write' }),
        { [oauth.allowInsecureRequests]: true },
      )
      const login = await oauth.processGenericTokenEndpointResponse(as, { client_id: service.clientId }, response)
      t.equal(login.scope, 'read write')
      t.type(login.refresh_token, 'string')

      const refreshed = await client.refreshTokenGrant(config, login.refresh_token!)
      t.type(refreshed.refresh_token, 'string')
      t.not(refreshed.refresh_token, login.refresh_token, 'the refresh token rotates')

      const active = await client.tokenIntrospection(config, refreshed.refresh_token!)
      t.match(active, {
        active: true,
        client_id: 'service',
        sub: alice.id,
        username: 'alice',
        token_type: 'refresh_token',
        scope: 'read write',
      })
      t.same(
        { ...(await client.tokenIntrospection(config, login.refresh_token!)) },
        { active: false },
        'the rotated-away token is inactive',
      )

      await client.tokenRevocation(config, refreshed.refresh_token!)
      t.same({ ...(await client.tokenIntrospection(config, refreshed.refresh_token!)) }, { active: false })
      const refused = await client.refreshTokenGrant(config, refreshed.refresh_token!).then(
        () => undefined,
        (err: unknown) => err,
      )
      t.match(refused, { error: 'invalid_grant' }, 'a revoked refresh token is refused at the token endpoint')
    },
  )

  t.test('revocation answers 200 to the library for a token it does not know', async (t) => {
    await t.resolves(client.tokenRevocation(config, 'not-a-token-of-ours'))
  })
})
