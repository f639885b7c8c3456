// RFC 8693 token exchange: an access key for a short-lived RFC 9068 access token, and every refusal.
import t from 'tap'
import { decodeJwt } from 'jose'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { basic, form, FORM, tokenRequest, verifyWithServedJwks } from '../support/token-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { ANY_TENANT } from '../../src/store/index.ts'
import { DEFAULT_TENANT_ID } from '../../src/store/tenants.ts'

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const KEY_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'
const SECRET = 'exchanger-secret-with-plenty-of-entropy-0123456789'
const API = 'https://api.example'

for (const provider of providers) {
  t.test(`token exchange on ${provider}`, async (t) => {
    let clock = Date.now()
    const ctx = await build(t, {
      provider,
      now: () => clock,
      env: { AUDIENCES: `${API} https://other.example`, ACCESS_TOKEN_TTL: '300' },
    })
    const { store, app, config } = ctx
    await store.clients.create({
      clientId: 'exchanger',
      name: 'Exchanger',
      secretHash: sha256(SECRET),
      grantTypes: [GRANT],
      scopes: ['read', 'write', 'admin'],
      audiences: [config.defaultAudience, API],
    })
    await store.clients.create({
      clientId: 'reader',
      name: 'Reader',
      secretHash: sha256(SECRET),
      grantTypes: [GRANT],
      scopes: ['read'],
    })
    await store.clients.create({
      clientId: 'plain',
      name: 'Plain',
      secretHash: sha256(SECRET),
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
    const auth = { authorization: basic('exchanger', SECRET) }
    const user = await store.users.create({ username: 'frank', passwordHash: 'x', scopes: ['read', 'write'] })

    const makeKey = async (
      options: { userId?: string; scopes?: string[]; expiresAt?: Date; workspaceId?: string } = {},
    ) => {
      const generated = generateAccessKey(clock)
      await store.accessKeys.create({
        id: generated.id,
        prefix: generated.prefix,
        secretHash: generated.secretHash,
        name: 'k',
        scopes: options.scopes ?? ['read', 'write'],
        userId: options.userId ?? null,
        expiresAt: options.expiresAt ?? null,
        ...(options.workspaceId === undefined ? {} : { workspaceId: options.workspaceId }),
      })
      return generated
    }
    const exchange = (key: string, extra: Record<string, string> = {}, headers: Record<string, string> = auth) =>
      tokenRequest(app, { grant_type: GRANT, subject_token: key, subject_token_type: KEY_TYPE, ...extra }, headers)
    const refused = (error: string, description: string) => ({ error, error_description: description })

    t.test('a service key becomes an access token for access_key:<id>, verified with the JWKS', async (t) => {
      const { key, id } = await makeKey()
      const response = await exchange(key)
      t.equal(response.statusCode, 200)
      t.equal(response.headers['cache-control'], 'no-store')
      const body = response.json()
      t.match(body, {
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'read write',
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      })
      t.notOk('refresh_token' in body)
      const { payload, protectedHeader } = await verifyWithServedJwks(app, body.access_token, {
        issuer: config.issuer,
        audience: config.defaultAudience,
        now: clock,
      })
      t.match(protectedHeader, { alg: 'RS256', typ: 'at+jwt' })
      t.match(payload, {
        sub: `access_key:${id}`,
        client_id: 'exchanger',
        scope: 'read write',
        access_key_id: id,
        iss: config.issuer,
        tenant_id: DEFAULT_TENANT_ID,
      })
      t.equal(payload.exp! - payload.iat!, 300)
      t.notOk('username' in payload)
      t.notOk('workspace_id' in payload, 'a key outside any workspace: no workspace_id')
    })

    t.test("a workspace's key becomes a token naming the workspace; another workspace named is refused", async (t) => {
      const staging = await store.tenants.workspaces.create(DEFAULT_TENANT_ID, { slug: 'staging', name: 'Staging' })
      await store.tenants.workspaces.create(DEFAULT_TENANT_ID, { slug: 'other', name: 'Other' })
      const { key, id } = await makeKey({ workspaceId: staging.id })
      const body = (await exchange(key)).json()
      t.match(decodeJwt(body.access_token), {
        sub: `access_key:${id}`,
        tenant_id: DEFAULT_TENANT_ID,
        workspace_id: staging.id,
      })
      t.equal(decodeJwt((await exchange(key, { workspace: 'staging' })).json().access_token).workspace_id, staging.id)
      const other = await exchange(key, { workspace: 'other' })
      t.equal(other.statusCode, 400)
      t.same(other.json(), refused('invalid_target', 'this access key does not belong to the named workspace'))
    })

    t.test('the token expires no later than the key it was exchanged from', async (t) => {
      const { key } = await makeKey({ expiresAt: new Date(clock + 120_000) })
      const body = (await exchange(key)).json()
      t.equal(body.expires_in, 120, 'not ACCESS_TOKEN_TTL (300)')
      const payload = decodeJwt(body.access_token)
      t.equal(payload.exp, Math.floor(clock / 1000) + 120)
      const { key: lasting } = await makeKey({ expiresAt: new Date(clock + 3600_000) })
      t.equal(
        (await exchange(lasting)).json().expires_in,
        300,
        'a key that outlives ACCESS_TOKEN_TTL: the usual lifetime',
      )
    })

    t.test('a token exchanged before its key is revoked lives until its exp (README), then not', async (t) => {
      const { key, id } = await makeKey()
      const token = (await exchange(key)).json().access_token as string
      await store.accessKeys.revoke(ANY_TENANT, id)
      const introspect = async () =>
        (
          await app.inject({
            method: 'POST',
            url: '/oauth/introspect',
            headers: { ...FORM, ...auth },
            payload: form({ token }),
          })
        ).json()
      await verifyWithServedJwks(app, token, {
        issuer: config.issuer,
        audience: config.defaultAudience,
        now: clock + 299_000,
      })
      t.match(await introspect(), { active: true, sub: `access_key:${id}` }, 'active after the revocation')
      clock += 300_000 + config.clockSkew * 1000 + 1000
      t.same(await introspect(), { active: false }, 'inactive past exp (and the clock skew allowed)')
    })

    t.test("a user's key becomes an access token for the user", async (t) => {
      const { key, id } = await makeKey({ userId: user.id, scopes: ['read'] })
      const body = (await exchange(key)).json()
      t.match(decodeJwt(body.access_token), { sub: user.id, username: 'frank', scope: 'read', access_key_id: id })
    })

    t.test('a narrower scope and a registered audience are honoured', async (t) => {
      const { key } = await makeKey()
      const body = (await exchange(key, { scope: 'write', audience: API })).json()
      t.equal(body.scope, 'write')
      const { payload } = await verifyWithServedJwks(app, body.access_token, {
        issuer: config.issuer,
        audience: API,
        now: clock,
      })
      t.equal(payload.scope, 'write')
      const viaResource = (await exchange(key, { resource: API })).json()
      t.equal(decodeJwt(viaResource.access_token).aud, API)
    })

    t.test('a wider scope is invalid_scope', async (t) => {
      const { key } = await makeKey({ scopes: ['read'] })
      const response = await exchange(key, { scope: 'read admin' })
      t.equal(response.statusCode, 400)
      t.same(response.json(), refused('invalid_scope', "this access key may not have the scope 'admin'"))
    })

    t.test("the token's scope lies within the client's registered scopes, as for every grant", async (t) => {
      const { key } = await makeKey({ scopes: ['read', 'admin'] })
      const asReader = (extra: Record<string, string> = {}) =>
        exchange(key, extra, { authorization: basic('reader', SECRET) })
      const unasked = await asReader()
      t.equal(unasked.statusCode, 200)
      t.equal(unasked.json().scope, 'read', 'no scope asked: what both the key and the client hold')
      t.equal(decodeJwt(unasked.json().access_token).scope, 'read')
      const wider = await asReader({ scope: 'admin' })
      t.equal(wider.statusCode, 400)
      t.same(wider.json(), refused('invalid_scope', "this client may not have the scope 'admin'"))
      t.same(
        (await asReader({ scope: 'read admin' })).json(),
        refused('invalid_scope', "this client may not have the scope 'admin'"),
      )
      t.equal((await asReader({ scope: 'read' })).json().scope, 'read')
    })

    t.test("the owner's lost scopes are not exchanged", async (t) => {
      const grace = await store.users.create({ username: 'grace', passwordHash: 'x', scopes: ['read', 'write'] })
      const { key } = await makeKey({ userId: grace.id, scopes: ['read', 'write'] })
      await store.users.update(ANY_TENANT, grace.id, { scopes: ['read'] })
      // The cache may hold the old owner for ACCESS_KEY_CACHE_TTL seconds.
      clock += config.accessKeyCacheTtl * 1000
      t.equal((await exchange(key)).json().scope, 'read')
      t.same(
        (await exchange(key, { scope: 'write' })).json(),
        refused('invalid_scope', "this access key may not have the scope 'write'"),
      )
    })

    t.test('an unregistered audience, or one the client may not use, is invalid_target', async (t) => {
      const { key } = await makeKey()
      const unknown = await exchange(key, { audience: 'https://evil.example' })
      t.equal(unknown.statusCode, 400)
      t.same(
        unknown.json(),
        refused('invalid_target', "the audience 'https://evil.example' is not registered for this client"),
      )
      t.same(
        (await exchange(key, { audience: 'https://other.example' })).json(),
        refused('invalid_target', "the audience 'https://other.example' is not registered for this client"),
      )
      t.same(
        (await exchange(key, { audience: API, resource: config.defaultAudience })).json(),
        refused('invalid_target', 'audience and resource name different targets'),
      )
    })

    t.test('a bad, unknown, revoked or expired key, or a disabled owner, is invalid_request', async (t) => {
      const invalid = refused(
        'invalid_request',
        'subject_token is not a valid access key (unknown, expired or revoked)',
      )
      const good = await makeKey()
      const wrongSecret = good.key.replace(/_([^_]+)$/, `_${'B'.repeat(43)}`)
      for (const bad of ['garbage', 'pcl_', wrongSecret, generateAccessKey().key, 'x'.repeat(3000)]) {
        const response = await exchange(bad)
        t.equal(response.statusCode, 400)
        t.same(response.json(), invalid, bad.slice(0, 30))
      }
      const revoked = await makeKey()
      await store.accessKeys.revoke(ANY_TENANT, revoked.id)
      t.same((await exchange(revoked.key)).json(), invalid, 'revoked')
      const expiring = await makeKey({ expiresAt: new Date(clock + 1000) })
      t.equal((await exchange(expiring.key)).statusCode, 200)
      clock += 1000
      t.same((await exchange(expiring.key)).json(), invalid, 'expired')
      const henry = await store.users.create({ username: 'henry', passwordHash: 'x', scopes: ['read'] })
      const disabled = await makeKey({ userId: henry.id, scopes: ['read'] })
      await store.users.update(ANY_TENANT, henry.id, { disabled: true })
      t.same((await exchange(disabled.key)).json(), invalid, 'owner disabled')
    })

    t.test('the subject token type and the other parameters are checked', async (t) => {
      const { key } = await makeKey()
      t.same(
        (await exchange(key, { subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' })).json(),
        refused('invalid_request', `subject_token_type must be ${KEY_TYPE}`),
      )
      t.same(
        (await exchange(key, { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' })).json(),
        refused('invalid_request', 'requested_token_type must be urn:ietf:params:oauth:token-type:access_token'),
      )
      t.equal(
        (await exchange(key, { requested_token_type: 'urn:ietf:params:oauth:token-type:access_token' })).statusCode,
        200,
      )
      t.same(
        (await exchange(key, { actor_token: 'x', actor_token_type: KEY_TYPE })).json(),
        refused('invalid_request', 'actor_token is not supported'),
      )
      const missing = await tokenRequest(app, { grant_type: GRANT, subject_token_type: KEY_TYPE }, auth)
      t.same(missing.json(), refused('invalid_request', `subject_token is required for the ${GRANT} grant`))
    })

    t.test('a client not registered for token exchange is unauthorized_client', async (t) => {
      const { key } = await makeKey()
      const response = await exchange(key, {}, { authorization: basic('plain', SECRET) })
      t.equal(response.statusCode, 400)
      t.same(response.json(), refused('unauthorized_client', `this client may not use the ${GRANT} grant`))
    })

    t.test('an unauthenticated exchange is invalid_client', async (t) => {
      const { key } = await makeKey()
      const response = await exchange(key, {}, { authorization: basic('exchanger', 'wrong') })
      t.equal(response.statusCode, 401)
      t.equal(response.json().error, 'invalid_client')
    })

    t.test('discovery advertises the grant type', async (t) => {
      const metadata = (await app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json()
      t.ok(metadata.grant_types_supported.includes(GRANT))
    })
  })
}
