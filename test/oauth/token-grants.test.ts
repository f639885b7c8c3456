// The three grants through the front door: happy paths, the access token verified with jose against the
// served JWKS, scope, audience, rotation, replay, lifetimes and the end of a family.
import t from 'tap'
import { decodeJwt } from 'jose'
import { buildApp } from '../../src/app.ts'
import { adminHeaders, client, everyStoredValue } from '../support/admin-fixtures.ts'
import { build, providers, testConfig } from '../support/helper.ts'
import { basic, form, seed, SECRET, tokenRequest, verifyWithServedJwks } from '../support/token-fixtures.ts'
import { hashPassword, bcryptCost } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const ISSUER = 'http://portcullis.test'
const API = 'https://api.example.com'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

t.test('client_credentials', async (t) => {
  const { app, store, config } = await build(t, { env: { AUDIENCES: `${API} https://other.example.com` } })
  const { service, machine } = await seed(store)

  t.test('issues an RFC 9068 access token for the client itself, no refresh token', async (t) => {
    const res = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: service.auth })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'no-store')
    t.equal(res.headers.pragma, 'no-cache')
    t.match(res.headers['content-type'], /^application\/json/)
    const body = res.json()
    t.same(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type'])
    t.same(
      { ...body, access_token: 'x' },
      { access_token: 'x', token_type: 'Bearer', expires_in: config.accessTokenTtl, scope: 'read write admin' },
    )

    const { payload, protectedHeader } = await verifyWithServedJwks(app, body.access_token, {
      issuer: ISSUER,
      audience: config.defaultAudience,
    })
    t.equal(protectedHeader.alg, 'RS256')
    t.equal(protectedHeader.typ, 'at+jwt')
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
      keys: { kid: string }[]
    }
    t.ok(
      jwks.keys.some((key) => key.kid === protectedHeader.kid),
      'the kid is a published key',
    )
    t.match(payload, {
      iss: ISSUER,
      sub: 'client:service',
      aud: config.defaultAudience,
      client_id: 'service',
      scope: 'read write admin',
    })
    t.equal(payload.exp! - payload.iat!, config.accessTokenTtl)
    t.match(payload.jti, UUID)
  })

  t.test('the subject cannot collide with a user subject', async (t) => {
    const res = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: machine.auth })
    const { sub } = decodeJwt(res.json().access_token)
    t.equal(sub, 'client:machine')
    t.notMatch(sub, UUID)
  })

  t.test('every token has its own jti', async (t) => {
    const tokens = await Promise.all(
      [1, 2, 3].map(() => tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: service.auth })),
    )
    t.equal(new Set(tokens.map((res) => decodeJwt(res.json().access_token).jti)).size, 3)
  })

  t.test('jtis are UUIDv7s in the order the tokens were issued (RevokedToken grows at its index edge)', async (t) => {
    const jtis: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: service.auth })
      jtis.push(decodeJwt(res.json().access_token).jti!)
    }
    for (const jti of jtis) t.match(jti, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    t.same([...jtis].sort(), jtis, 'each sorts after the one issued before it')
  })

  t.test('client_secret_post authenticates too', async (t) => {
    const res = await tokenRequest(app, {
      grant_type: 'client_credentials',
      client_id: 'service',
      client_secret: SECRET,
    })
    t.equal(res.statusCode, 200)
  })

  t.test('a requested scope narrows the token', async (t) => {
    const res = await tokenRequest(
      app,
      { grant_type: 'client_credentials', scope: 'read' },
      { authorization: service.auth },
    )
    t.equal(res.json().scope, 'read')
    t.equal(decodeJwt(res.json().access_token).scope, 'read')
  })

  t.test('a scope beyond the client is invalid_scope', async (t) => {
    const res = await tokenRequest(
      app,
      { grant_type: 'client_credentials', scope: 'read delete' },
      { authorization: service.auth },
    )
    t.equal(res.statusCode, 400)
    t.same(res.json(), { error: 'invalid_scope', error_description: "this client may not have the scope 'delete'" })
  })

  t.test('resource selects a registered audience (RFC 8707)', async (t) => {
    const res = await tokenRequest(
      app,
      { grant_type: 'client_credentials', resource: API },
      { authorization: service.auth },
    )
    t.equal(res.statusCode, 200)
    const { payload } = await verifyWithServedJwks(app, res.json().access_token, { issuer: ISSUER, audience: API })
    t.equal(payload.aud, API)
  })

  t.test('an unknown resource is invalid_target', async (t) => {
    const res = await tokenRequest(
      app,
      { grant_type: 'client_credentials', resource: 'https://evil.example.com' },
      { authorization: service.auth },
    )
    t.equal(res.statusCode, 400)
    t.same(res.json(), {
      error: 'invalid_target',
      error_description: "resource 'https://evil.example.com' is not a registered audience",
    })
  })

  t.test("a client's own audience list limits resource and sets its default", async (t) => {
    await store.clients.create({
      clientId: 'api-only',
      name: 'API only',
      secretHash: sha256(SECRET),
      grantTypes: ['client_credentials'],
      scopes: ['read'],
      audiences: [API],
    })
    const auth = basic('api-only', SECRET)
    const byDefault = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: auth })
    t.equal(decodeJwt(byDefault.json().access_token).aud, API)
    const other = await tokenRequest(
      app,
      { grant_type: 'client_credentials', resource: 'https://other.example.com' },
      { authorization: auth },
    )
    t.same(other.json(), {
      error: 'invalid_target',
      error_description: "this client may not request tokens for 'https://other.example.com'",
    })
  })

  t.test('a public client may not use it, even when registered for it', async (t) => {
    await store.clients.create({
      clientId: 'public-cc',
      name: 'Misregistered',
      secretHash: null,
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
    const res = await tokenRequest(app, { grant_type: 'client_credentials', client_id: 'public-cc' })
    t.equal(res.statusCode, 400)
    t.same(res.json(), {
      error: 'unauthorized_client',
      error_description: 'client_credentials is only for confidential clients',
    })
  })

  t.test('HTTP Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1)', async (t) => {
    const clientId = 'odd id:with+chars%'
    const secret = 'sécret with spaces & + : %41'
    await store.clients.create({
      clientId,
      name: 'Odd',
      secretHash: sha256(secret),
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
    const res = await tokenRequest(
      app,
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, secret) },
    )
    t.equal(res.statusCode, 200)
    t.equal(decodeJwt(res.json().access_token).client_id, clientId)
  })
})

t.test('password', async (t) => {
  const { app, store, config } = await build(t)
  const { service, alice } = await seed(store)

  t.test('a confidential client gets an access and a refresh token for the user', async (t) => {
    const res = await tokenRequest(
      app,
      { grant_type: 'password', username: alice.username, password: alice.password },
      { authorization: service.auth },
    )
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'no-store')
    const body = res.json()
    t.same(Object.keys(body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'])
    t.equal(body.scope, 'read write', 'what both the client and the user may have')
    t.ok(body.refresh_token.length >= 43, 'at least 256 bits')
    const { payload } = await verifyWithServedJwks(app, body.access_token, {
      issuer: ISSUER,
      audience: config.defaultAudience,
    })
    t.match(payload, { sub: alice.id, client_id: 'service', scope: 'read write' })
    t.match(payload.sub, UUID)
  })

  t.test('a public client identifies itself with client_id only', async (t) => {
    const res = await tokenRequest(app, {
      grant_type: 'password',
      client_id: 'spa',
      username: alice.username,
      password: alice.password,
      scope: 'read',
    })
    t.equal(res.statusCode, 200)
    t.equal(res.json().scope, 'read')
    t.equal(decodeJwt(res.json().access_token).client_id, 'spa')
  })

  t.test('a scope the user lacks is invalid_scope', async (t) => {
    const res = await tokenRequest(
      app,
      { grant_type: 'password', username: alice.username, password: alice.password, scope: 'read admin' },
      { authorization: service.auth },
    )
    t.same(res.json(), { error: 'invalid_scope', error_description: "this user may not have the scope 'admin'" })
  })

  t.test('a client without the refresh_token grant gets no refresh token', async (t) => {
    await store.clients.create({
      clientId: 'no-refresh',
      name: 'No refresh',
      secretHash: sha256(SECRET),
      grantTypes: ['password'],
      scopes: ['read'],
    })
    const res = await tokenRequest(
      app,
      { grant_type: 'password', username: alice.username, password: alice.password },
      { authorization: basic('no-refresh', SECRET) },
    )
    t.equal(res.statusCode, 200)
    t.equal(res.json().refresh_token, undefined)
  })

  t.test('a disabled user cannot log in', async (t) => {
    const bob = await store.users.create({
      username: 'bob',
      passwordHash: await hashPassword('bob password', 4),
      scopes: ['read'],
    })
    await store.users.update(ANY_TENANT, bob.id, { disabled: true })
    const res = await tokenRequest(
      app,
      { grant_type: 'password', username: 'bob', password: 'bob password' },
      { authorization: service.auth },
    )
    t.same(res.json(), { error: 'invalid_grant', error_description: 'this user is disabled' })
  })

  t.test('a hash of another cost works and is re-hashed at the configured cost', async (t) => {
    const old = await store.users.create({
      username: 'carol',
      passwordHash: await hashPassword('carol password', 5),
      scopes: ['read'],
    })
    const res = await tokenRequest(
      app,
      { grant_type: 'password', username: 'carol', password: 'carol password' },
      { authorization: service.auth },
    )
    t.equal(res.statusCode, 200)
    const after = await store.users.requireById(ANY_TENANT, old.id)
    t.equal(bcryptCost(after.passwordHash), config.bcryptCost)
    t.not(after.passwordHash, old.passwordHash)
    const again = await tokenRequest(
      app,
      { grant_type: 'password', username: 'carol', password: 'carol password' },
      { authorization: service.auth },
    )
    t.equal(again.statusCode, 200, 'the new hash verifies the same password')
  })
})

for (const provider of providers) {
  t.test(`refresh_token on ${provider}`, async (t) => {
    let clock = Date.now()
    const { app, store, config, db } = await build(t, {
      provider,
      now: () => clock,
      env: { REFRESH_TOKEN_TTL: '300', REFRESH_TOKEN_REUSE_GRACE: '10' },
    })
    const { service, alice } = await seed(store)
    const login = async (
      client: { auth?: string; clientId?: string } = service,
      extra: Record<string, string> = {},
    ) => {
      const headers: Record<string, string> = client.auth ? { authorization: client.auth } : {}
      const params = {
        grant_type: 'password',
        username: alice.username,
        password: alice.password,
        ...(client.auth ? {} : { client_id: client.clientId! }),
        ...extra,
      }
      const res = await tokenRequest(app, params, headers)
      t.equal(res.statusCode, 200, 'login')
      return res.json() as { access_token: string; refresh_token: string; scope: string }
    }
    const refresh = (
      refreshToken: string,
      extra: Record<string, string> = {},
      headers: Record<string, string> = { authorization: service.auth },
    ) => tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, headers)

    t.test('each use rotates: a new access token and a new refresh token', async (t) => {
      const first = await login()
      const res = await refresh(first.refresh_token)
      t.equal(res.statusCode, 200)
      const body = res.json()
      t.same(Object.keys(body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'])
      t.not(body.refresh_token, first.refresh_token)
      t.equal(body.scope, 'read write')
      const { payload } = await verifyWithServedJwks(app, body.access_token, {
        issuer: ISSUER,
        audience: config.defaultAudience,
        now: clock,
      })
      t.match(payload, { sub: alice.id, client_id: 'service', scope: 'read write' })
      const next = await refresh(body.refresh_token)
      t.equal(next.statusCode, 200, 'the successor works')
    })

    t.test('within the grace window a retry gets the same successor', async (t) => {
      const first = await login()
      const a = await refresh(first.refresh_token)
      clock += 5_000
      const b = await refresh(first.refresh_token)
      t.equal(b.statusCode, 200)
      t.equal(b.json().refresh_token, a.json().refresh_token)
      t.not(b.json().access_token, a.json().access_token, 'a fresh access token each time')
    })

    t.test('a replay after the grace window revokes the whole family', async (t) => {
      const first = await login()
      const second = (await refresh(first.refresh_token)).json().refresh_token as string
      const third = (await refresh(second)).json().refresh_token as string
      clock += 11_000
      const replay = await refresh(first.refresh_token)
      t.equal(replay.statusCode, 400)
      t.same(replay.json(), {
        error: 'invalid_grant',
        error_description: 'the refresh token was already used; every token of this login has been revoked',
      })
      const current = await refresh(third)
      t.same(
        current.json(),
        { error: 'invalid_grant', error_description: 'the refresh token has been revoked' },
        'the newest token is dead too',
      )
      const sid = decodeJwt(first.access_token).sid as string
      t.equal(
        await store.revokedTokens.isRevoked(`grant:${sid}`),
        true,
        "the login's access tokens are revoked with it",
      )
      const events = await store.audit.list(ANY_TENANT, { limit: 10, type: 'refresh_token.replay_detected' })
      t.equal(events.items.length, 1)
      t.match(events.items[0], { actor: 'client:service', subject: `user:${alice.id}`, details: { usedAt: String } })
      const again = await refresh(first.refresh_token)
      t.equal(again.statusCode, 400)
      t.equal(
        (await store.audit.list(ANY_TENANT, { limit: 10, type: 'refresh_token.replay_detected' })).items.length,
        1,
        'recorded once per family',
      )
    })

    t.test('scope may narrow the access token, never widen it; the refresh token keeps the original', async (t) => {
      const first = await login()
      const narrowed = await refresh(first.refresh_token, { scope: 'read' })
      t.equal(narrowed.statusCode, 200)
      t.equal(narrowed.json().scope, 'read')
      t.equal(decodeJwt(narrowed.json().access_token).scope, 'read')
      const widened = await refresh(narrowed.json().refresh_token, { scope: 'read admin' })
      t.same(widened.json(), {
        error: 'invalid_scope',
        error_description: "this refresh token may not have the scope 'admin'",
      })
      const full = await refresh(narrowed.json().refresh_token)
      t.equal(full.json().scope, 'read write', 'the successor carries the original grant')
    })

    t.test('a scope taken from the user since the login is not granted any more', async (t) => {
      const dave = await store.users.create({
        username: 'dave',
        passwordHash: await hashPassword('dave password', 4),
        scopes: ['read', 'write'],
      })
      const res = await tokenRequest(
        app,
        { grant_type: 'password', username: 'dave', password: 'dave password' },
        { authorization: service.auth },
      )
      await store.users.update(ANY_TENANT, dave.id, { scopes: ['read'] })
      const refreshed = await refresh(res.json().refresh_token)
      t.equal(refreshed.json().scope, 'read')
    })

    t.test('another client presenting the token gets invalid_grant and changes nothing', async (t) => {
      const first = await login({ clientId: 'spa' })
      const stolen = await refresh(first.refresh_token)
      t.equal(stolen.statusCode, 400)
      t.same(stolen.json(), {
        error: 'invalid_grant',
        error_description: 'the refresh token was issued to another client',
      })
      const own = await refresh(first.refresh_token, { client_id: 'spa' }, {})
      t.equal(own.statusCode, 200, 'the rightful client can still use it')
    })

    t.test('a resource other than the login one is invalid_target', async (t) => {
      const first = await login()
      const res = await refresh(first.refresh_token, { resource: 'https://elsewhere.example.com' })
      t.equal(res.json().error, 'invalid_target')
    })

    t.test(
      'an audience taken from the client or the configuration since the login is refused at refresh, as a new login is',
      async (t) => {
        const OLD = 'https://old.example.com'
        const ctx = await build(t, { provider, env: { AUDIENCES: `${API} ${OLD}` } })
        const fixtures = await seed(ctx.store)
        const admin = client(ctx.app, await adminHeaders(ctx))
        t.equal(
          (await admin.patch('/admin/v1/clients/service', { audiences: [ctx.config.defaultAudience, API, OLD] }))
            .statusCode,
          200,
        )
        const password = {
          grant_type: 'password',
          username: fixtures.alice.username,
          password: fixtures.alice.password,
        }
        const loginFor = async (resource: string) =>
          (await tokenRequest(ctx.app, { ...password, resource }, { authorization: fixtures.service.auth })).json()
            .refresh_token as string
        const refreshOn = (app: typeof ctx.app, token: string) =>
          tokenRequest(
            app,
            { grant_type: 'refresh_token', refresh_token: token },
            { authorization: fixtures.service.auth },
          )
        const oldLogin = await loginFor(OLD)
        const apiLogin = await loginFor(API)
        const rotated = await refreshOn(ctx.app, oldLogin)
        t.equal(rotated.statusCode, 200, 'allowed at the login')
        t.equal(decodeJwt(rotated.json().access_token).aud, OLD)

        t.equal(
          (await admin.patch('/admin/v1/clients/service', { audiences: [ctx.config.defaultAudience, API] })).statusCode,
          200,
        )
        const forClient = {
          error: 'invalid_target',
          error_description: `this client may not request tokens for '${OLD}'`,
        }
        const newLogin = await tokenRequest(
          ctx.app,
          { ...password, resource: OLD },
          { authorization: fixtures.service.auth },
        )
        t.equal(newLogin.statusCode, 400)
        t.same(newLogin.json(), forClient, 'a new login for the removed audience')
        const refused = await refreshOn(ctx.app, rotated.json().refresh_token)
        t.equal(refused.statusCode, 400)
        t.same(refused.json(), forClient, 'the older login, refreshed: the same answer')
        const kept = await refreshOn(ctx.app, apiLogin)
        t.equal(kept.statusCode, 200, 'an audience the client keeps still refreshes')

        // The same database served with OLD and API no longer configured (AUDIENCES changed, instance restarted).
        t.equal((await admin.patch('/admin/v1/clients/service', { audiences: [] })).statusCode, 200)
        const config = testConfig({ DATABASE_URL: ctx.databaseUrl, KEYS_DIR: ctx.config.keysDir })
        const narrowed = await buildApp({
          config,
          store: ctx.store,
          keyring: ctx.keyring,
          masterKey: ctx.masterKey,
          logger: false,
        })
        t.teardown(() => narrowed.close())
        const unregistered = {
          error: 'invalid_target',
          error_description: `resource '${API}' is not a registered audience`,
        }
        t.same(
          (
            await tokenRequest(narrowed, { ...password, resource: API }, { authorization: fixtures.service.auth })
          ).json(),
          unregistered,
          'a new login for an audience no longer configured',
        )
        const stale = await refreshOn(narrowed, kept.json().refresh_token)
        t.equal(stale.statusCode, 400)
        t.same(stale.json(), unregistered, 'the older login, refreshed: the same answer')
      },
    )

    t.test('the family has an absolute lifetime that rotation never extends', async (t) => {
      const start = clock
      let token = (await login()).refresh_token
      for (const at of [100_000, 200_000, 299_000]) {
        clock = start + at
        const res = await refresh(token)
        t.equal(res.statusCode, 200, `still valid ${at / 1000}s after the login`)
        token = res.json().refresh_token
      }
      clock = start + 300_000
      const res = await refresh(token)
      t.same(res.json(), { error: 'invalid_grant', error_description: 'the refresh token has expired' })
    })

    t.test(
      'a refresh token left unused past REFRESH_TOKEN_IDLE_TTL expires; each rotation starts it again (RFC 9700 §4.14.2)',
      async (t) => {
        let idleClock = clock
        const idle = await build(t, {
          provider,
          now: () => idleClock,
          env: { REFRESH_TOKEN_TTL: '3600', REFRESH_TOKEN_IDLE_TTL: '120' },
        })
        const fixtures = await seed(idle.store)
        const loginIdle = async () =>
          (
            await tokenRequest(
              idle.app,
              { grant_type: 'password', username: fixtures.alice.username, password: fixtures.alice.password },
              { authorization: fixtures.service.auth },
            )
          ).json().refresh_token as string
        const refreshIdle = (token: string) =>
          tokenRequest(
            idle.app,
            { grant_type: 'refresh_token', refresh_token: token },
            { authorization: fixtures.service.auth },
          )
        const start = idleClock

        let token = await loginIdle()
        for (const at of [100_000, 219_000, 338_000]) {
          idleClock = start + at
          const res = await refreshIdle(token)
          t.equal(res.statusCode, 200, `used within 120 s of its issue (${at / 1000}s after the login)`)
          token = res.json().refresh_token
        }
        idleClock = start + 338_000 + 120_000
        t.same(
          (await refreshIdle(token)).json(),
          { error: 'invalid_grant', error_description: 'the refresh token has expired' },
          'idle for 120 s',
        )

        idleClock = start
        const unused = await loginIdle()
        const stored = await idle.store.refreshTokens.findByHash(ANY_TENANT, sha256(unused))
        t.equal(stored?.token.expiresAt.getTime(), start + 120_000, 'stored with its idle expiry')
        t.equal(stored?.family.absoluteExpiresAt.getTime(), start + 3600_000, 'the login keeps its absolute expiry')
        idleClock = start + 120_000
        t.same(
          (await refreshIdle(unused)).json(),
          { error: 'invalid_grant', error_description: 'the refresh token has expired' },
          "a login's first token too",
        )
      },
    )

    t.test('disabling the user ends the family', async (t) => {
      const erin = await store.users.create({
        username: 'erin',
        passwordHash: await hashPassword('erin password', 4),
        scopes: ['read'],
      })
      const res = await tokenRequest(
        app,
        { grant_type: 'password', username: 'erin', password: 'erin password' },
        { authorization: service.auth },
      )
      await store.users.update(ANY_TENANT, erin.id, { disabled: true })
      const refreshed = await refresh(res.json().refresh_token)
      t.same(refreshed.json(), { error: 'invalid_grant', error_description: 'the refresh token has been revoked' })
    })

    t.test('deleting the user ends the family', async (t) => {
      const frank = await store.users.create({
        username: 'frank',
        passwordHash: await hashPassword('frank password', 4),
        scopes: ['read'],
      })
      const res = await tokenRequest(
        app,
        { grant_type: 'password', username: 'frank', password: 'frank password' },
        { authorization: service.auth },
      )
      await store.users.delete(ANY_TENANT, frank.id)
      t.same((await refresh(res.json().refresh_token)).json(), {
        error: 'invalid_grant',
        error_description: 'the refresh token is invalid',
      })
    })

    t.test('deleting the client ends its families, even if its id is registered again', async (t) => {
      await store.clients.create({
        clientId: 'short-lived',
        name: 'Short-lived',
        secretHash: sha256(SECRET),
        grantTypes: ['password', 'refresh_token'],
        scopes: ['read'],
      })
      const auth = basic('short-lived', SECRET)
      const res = await tokenRequest(
        app,
        { grant_type: 'password', username: alice.username, password: alice.password },
        { authorization: auth },
      )
      await store.clients.delete(ANY_TENANT, 'short-lived')
      await store.clients.create({
        clientId: 'short-lived',
        name: 'Again',
        secretHash: sha256(SECRET),
        grantTypes: ['password', 'refresh_token'],
        scopes: ['read'],
      })
      t.same((await refresh(res.json().refresh_token, {}, { authorization: auth })).json(), {
        error: 'invalid_grant',
        error_description: 'the refresh token is invalid',
      })
    })

    t.test('refresh tokens are stored only as hashes', async (t) => {
      const first = await login()
      const rows = await db.prisma.refreshToken.findMany({ where: { tokenHash: sha256(first.refresh_token) } })
      t.equal(rows.length, 1)
      const anyPlain = await db.prisma.refreshToken.count({ where: { tokenHash: first.refresh_token } })
      t.equal(anyPlain, 0)
      // Every column of every table, not only tokenHash: rotated, replaced and current tokens alike.
      const rotated = (await refresh(first.refresh_token)).json() as { access_token: string; refresh_token: string }
      const stored = await everyStoredValue({ db })
      t.same(
        [first.refresh_token, rotated.refresh_token].filter((token) => stored.includes(token)),
        [],
        'no row of any table holds a refresh token',
      )
    })

    t.test('a refresh token changed in one character is refused, and changes nothing', async (t) => {
      const first = await login()
      const last = first.refresh_token.at(-1) === 'A' ? 'B' : 'A'
      const modified = first.refresh_token.slice(0, -1) + last
      t.same((await refresh(modified)).json(), {
        error: 'invalid_grant',
        error_description: 'the refresh token is invalid',
      })
      t.equal((await refresh(first.refresh_token)).statusCode, 200, 'the real one still works')
    })

    t.test(
      'refresh tokens are random: 20 logins give 20 distinct 43-character base64url tokens (256 bits)',
      async (t) => {
        const tokens: string[] = []
        for (let i = 0; i < 20; i++) tokens.push((await login()).refresh_token)
        t.ok(
          tokens.every((token) => /^[A-Za-z0-9_-]{43}$/.test(token)),
          'each is 32 random bytes in base64url',
        )
        t.equal(new Set(tokens).size, 20, 'all distinct')
      },
    )

    t.test('access tokens (JWTs) are in no row of any table', async (t) => {
      const first = await login()
      const rotated = (await refresh(first.refresh_token)).json() as { access_token: string }
      const machine = (
        await tokenRequest(app, { grant_type: 'client_credentials', scope: 'read' }, { authorization: service.auth })
      ).json() as { access_token: string }
      const tokens = [first.access_token, rotated.access_token, machine.access_token]
      t.equal(
        tokens.filter((token) => typeof token === 'string' && token.split('.').length === 3).length,
        3,
        'three JWTs issued',
      )
      const stored = await everyStoredValue({ db })
      t.same(
        tokens.filter((token) => stored.includes(token) || stored.includes(token.split('.')[2]!)),
        [],
        'neither a whole token nor its signature is stored',
      )
    })
  })
}

t.test('client secret rotation keeps the previous secret until its deadline', async (t) => {
  let clock = Date.now()
  const { app, store } = await build(t, { now: () => clock })
  await seed(store)
  await store.clients.rotateSecret(ANY_TENANT, 'service', sha256('the new secret'), new Date(clock + 60_000))
  const request = (secret: string) =>
    tokenRequest(app, form({ grant_type: 'client_credentials' }), { authorization: basic('service', secret) })
  t.equal((await request('the new secret')).statusCode, 200)
  t.equal((await request(SECRET)).statusCode, 200, 'the previous secret during the grace period')
  clock += 60_000
  const late = await request(SECRET)
  t.equal(late.statusCode, 401)
  t.same(late.json(), { error: 'invalid_client', error_description: 'client authentication failed' })
  t.equal((await request('the new secret')).statusCode, 200)
})
