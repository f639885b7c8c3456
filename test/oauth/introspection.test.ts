// Token introspection (RFC 7662) at POST /oauth/introspect, on every provider: who may ask, what an active
// answer holds for each kind of token, that every inactive answer is exactly {"active": false}, and that a
// JWT costs one indexed lookup.
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { generateKeyPairSync } from 'node:crypto'
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { DEFAULT_TENANT_ID, type Store, ANY_TENANT } from '../../src/store/index.ts'
import { build, providers } from '../support/helper.ts'
import { goodClaims, ourToken } from '../support/forged-token-fixtures.ts'
import { basic, FORM, form, seed, SECRET, tokenRequest, formPost } from '../support/token-fixtures.ts'

type Assert = Pick<typeof t, 'equal' | 'same'>

const INACTIVE = { active: false }
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'

const introspect = (
  app: FastifyInstance,
  params: Record<string, string> | string,
  headers: Record<string, string> = {},
) => formPost(app, '/oauth/introspect', params, headers)

/** Counts every call into the store from now on (the store is shared by reference, so wrapping in place works). */
function countStoreCalls(store: Store): { calls: string[] } {
  const record = { calls: [] as string[] }
  for (const [area, functions] of Object.entries(store)) {
    if (typeof functions !== 'object' || functions === null) continue
    for (const [name, fn] of Object.entries(functions)) {
      if (typeof fn !== 'function') continue
      ;(functions as Record<string, unknown>)[name] = (...args: unknown[]) => {
        record.calls.push(`${area}.${name}`)
        return (fn as (...a: unknown[]) => unknown).apply(functions, args)
      }
    }
  }
  return record
}

async function createKey(store: Store, options: { scopes: string[]; userId?: string; expiresAt?: Date; now: number }) {
  const generated = generateAccessKey(options.now)
  await store.accessKeys.create(
    {
      id: generated.id,
      prefix: generated.prefix,
      secretHash: generated.secretHash,
      name: 'test key',
      scopes: options.scopes,
      userId: options.userId ?? null,
      expiresAt: options.expiresAt ?? null,
    },
    new Date(options.now),
  )
  return generated
}

for (const provider of providers) {
  t.test(`POST /oauth/introspect on ${provider}`, async (t) => {
    let clock = Date.now()
    const { app, store, config, keyring } = await build(t, { provider, now: () => clock })
    const { service, machine, app: spa, alice } = await seed(store)
    // A resource server's client that may introspect every token, and one that may exchange access keys.
    await store.clients.create({
      clientId: 'gateway',
      name: 'Gateway',
      secretHash: sha256(SECRET),
      grantTypes: ['client_credentials'],
      scopes: ['introspect', 'read'],
    })
    await store.clients.create({
      clientId: 'exchanger',
      name: 'Exchanger',
      secretHash: sha256(SECRET),
      grantTypes: [TOKEN_EXCHANGE],
      scopes: ['read'],
    })
    const gateway = { auth: basic('gateway', SECRET) }

    const token = async (params: Record<string, string>, auth: string) => {
      const response = await tokenRequest(app, params, { authorization: auth })
      t.equal(response.statusCode, 200, response.body)
      return response.json() as { access_token: string; refresh_token?: string; scope: string }
    }
    const login = () =>
      token(
        { grant_type: 'password', username: alice.username, password: alice.password, scope: 'read write' },
        service.auth,
      )
    const expectInactive = async (t: Assert, response: LightMyRequestResponse, message = 'inactive') => {
      t.equal(response.statusCode, 200)
      t.same(response.json(), INACTIVE, message)
      t.equal(response.body, '{"active":false}', 'nothing but active:false')
      t.equal(response.headers['cache-control'], 'no-store')
    }

    t.test('an active JWT access token is described by its own claims', async (t) => {
      const { access_token: jwt } = await login()
      const claims = decodeJwt(jwt)
      const response = await introspect(
        app,
        { token: jwt, token_type_hint: 'access_token' },
        { authorization: service.auth },
      )
      t.equal(response.statusCode, 200)
      t.equal(response.headers['cache-control'], 'no-store')
      t.equal(response.headers.pragma, 'no-cache')
      t.same(response.json(), {
        active: true,
        scope: 'read write',
        client_id: 'service',
        ...(typeof claims.username === 'string' ? { username: claims.username } : {}),
        token_type: 'Bearer',
        exp: claims.exp,
        iat: claims.iat,
        sub: alice.id,
        aud: config.defaultAudience,
        iss: config.issuer,
        jti: claims.jti,
        tenant_id: DEFAULT_TENANT_ID,
      })
    })

    t.test("a JWT from before tenants (no tenant_id claim) is answered as the default tenant's", async (t) => {
      const ctx = { keyring, config }
      const claims = goodClaims(ctx, { sub: alice.id, scope: 'read', now: clock })
      const legacy = ourToken(ctx, claims)
      t.notOk('tenant_id' in decodeJwt(legacy), 'the token names no tenant')
      t.match((await introspect(app, { token: legacy }, { authorization: gateway.auth })).json(), {
        active: true,
        sub: alice.id,
        tenant_id: DEFAULT_TENANT_ID,
      })
    })

    t.test('the hint is only a hint: a wrong or unknown one still finds the token', async (t) => {
      const tokens = await login()
      t.equal(
        (
          await introspect(
            app,
            { token: tokens.access_token, token_type_hint: 'refresh_token' },
            { authorization: service.auth },
          )
        ).json().active,
        true,
      )
      t.equal(
        (
          await introspect(
            app,
            { token: tokens.refresh_token!, token_type_hint: 'access_token' },
            { authorization: service.auth },
          )
        ).json().active,
        true,
      )
      t.equal(
        (
          await introspect(
            app,
            { token: tokens.refresh_token!, token_type_hint: 'urn:example:unknown' },
            { authorization: service.auth },
          )
        ).json().active,
        true,
      )
    })

    t.test('a client_credentials token has the client as its subject and no username', async (t) => {
      const { access_token: jwt } = await token({ grant_type: 'client_credentials', scope: 'read' }, machine.auth)
      const body = (await introspect(app, { token: jwt }, { authorization: machine.auth })).json()
      t.match(body, { active: true, sub: 'client:machine', client_id: 'machine', scope: 'read', token_type: 'Bearer' })
      t.notOk('username' in body)
    })

    t.test("a token-exchange token names the key's owner", async (t) => {
      const key = await createKey(store, { scopes: ['read'], userId: alice.id, now: clock })
      const { access_token: jwt } = await token(
        {
          grant_type: TOKEN_EXCHANGE,
          subject_token: key.key,
          subject_token_type: 'urn:portcullis:params:oauth:token-type:access_key',
        },
        basic('exchanger', SECRET),
      )
      t.match((await introspect(app, { token: jwt }, { authorization: basic('exchanger', SECRET) })).json(), {
        active: true,
        sub: alice.id,
        username: 'alice',
        client_id: 'exchanger',
        scope: 'read',
      })
    })

    t.test('an active refresh token is described from its grant', async (t) => {
      const tokens = await login()
      const row = await store.refreshTokens.findByHash(ANY_TENANT, sha256(tokens.refresh_token!))
      const response = await introspect(
        app,
        { token: tokens.refresh_token!, token_type_hint: 'refresh_token' },
        { authorization: service.auth },
      )
      t.equal(response.headers['cache-control'], 'no-store')
      t.same(response.json(), {
        active: true,
        scope: 'read write',
        client_id: 'service',
        username: 'alice',
        token_type: 'refresh_token',
        exp: Math.floor(row!.token.expiresAt.getTime() / 1000), // its idle expiry, before the family's absolute one
        iat: Math.floor(row!.token.createdAt.getTime() / 1000),
        sub: alice.id,
        aud: config.defaultAudience,
        iss: config.issuer,
        jti: row!.token.id,
        tenant_id: DEFAULT_TENANT_ID,
      })
    })

    t.test('an active access key is described for a caller allowed to see it', async (t) => {
      const expiresAt = new Date(clock + 3600_000)
      const key = await createKey(store, { scopes: ['read', 'write'], userId: alice.id, expiresAt, now: clock })
      const stored = (await store.accessKeys.findById(ANY_TENANT, key.id))!
      t.same(
        (
          await introspect(app, { token: key.key, token_type_hint: 'access_key' }, { authorization: gateway.auth })
        ).json(),
        {
          active: true,
          scope: 'read write',
          username: 'alice',
          token_type: 'access_key',
          exp: Math.floor(expiresAt.getTime() / 1000),
          iat: Math.floor(stored.createdAt.getTime() / 1000),
          sub: alice.id,
          iss: config.issuer,
          jti: key.id,
          tenant_id: DEFAULT_TENANT_ID,
        },
      )
      const service_ = await createKey(store, { scopes: ['read'], now: clock })
      const body = (await introspect(app, { token: service_.key }, { authorization: gateway.auth })).json()
      t.match(body, { active: true, sub: `access_key:${service_.id}`, token_type: 'access_key' })
      t.notOk('exp' in body || 'username' in body, 'a service key without expiry has neither exp nor username')
      await expectInactive(
        t,
        await introspect(app, { token: key.key }, { authorization: service.auth }),
        'access keys are not issued to clients',
      )
    })

    t.test('every inactive token gets {"active": false} and nothing else', async (t) => {
      const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      const { access_token: jwt } = await login()
      const kid = decodeProtectedHeader(jwt).kid!
      const forged = await new SignJWT({ client_id: 'service', scope: 'read' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
        .setIssuer(config.issuer)
        .setSubject(alice.id)
        .setAudience(config.defaultAudience)
        .setIssuedAt()
        .setExpirationTime('10m')
        .setJti('forged')
        .sign(foreignKey)
      const otherIssuer = await new SignJWT({ client_id: 'service', scope: 'read' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: keyring.signingKey().kid })
        .setIssuer('https://elsewhere.example')
        .setSubject(alice.id)
        .setIssuedAt()
        .setExpirationTime('10m')
        .setJti('elsewhere')
        .sign(keyring.signingKey().privateKey)
      const unsigned = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: config.issuer, sub: alice.id, client_id: 'service', exp: 9999999999, jti: 'x' })).toString('base64url')}.`
      const used = await login()
      await tokenRequest(
        app,
        { grant_type: 'refresh_token', refresh_token: used.refresh_token! },
        { authorization: service.auth },
      )
      const revokedFamily = await login()
      await app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { ...FORM, authorization: service.auth },
        payload: form({ token: revokedFamily.refresh_token! }),
      })
      const revokedJwt = (await login()).access_token
      await app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { ...FORM, authorization: service.auth },
        payload: form({ token: revokedJwt }),
      })
      const revokedKey = await createKey(store, { scopes: ['read'], now: clock })
      await store.accessKeys.revoke(ANY_TENANT, revokedKey.id)
      const cases: Record<string, string> = {
        garbage: 'not a token',
        'a JWS signed by a key that is not ours': forged,
        'a JWT of another issuer': otherIssuer,
        'an unsigned JWT': unsigned,
        'an unknown refresh token': 'K1P4w08rFGmOCcbkHPjv22mLfQ_Icw5A7Eeux8VTf1c',
        'a refresh token already rotated': used.refresh_token!,
        'a refresh token of a revoked grant': revokedFamily.refresh_token!,
        'a revoked JWT': revokedJwt,
        'a revoked access key': revokedKey.key,
        'an access key with a wrong secret': `${generateAccessKey(clock).key}`,
        'a token longer than any we issue': 'a'.repeat(9000),
      }
      for (const [name, value] of Object.entries(cases))
        await expectInactive(t, await introspect(app, { token: value }, { authorization: gateway.auth }), name)
    })

    t.test('tokens are inactive once expired, and refresh tokens once their user is disabled', async (t) => {
      const tokens = await login()
      const key = await createKey(store, { scopes: ['read'], expiresAt: new Date(clock + 60_000), now: clock })
      const saved = clock
      try {
        clock += (config.accessTokenTtl + config.clockSkew + 1) * 1000
        await expectInactive(
          t,
          await introspect(app, { token: tokens.access_token }, { authorization: service.auth }),
          'the JWT past exp and the skew allowance',
        )
        await expectInactive(
          t,
          await introspect(app, { token: key.key }, { authorization: gateway.auth }),
          'the access key past its expiry',
        )
        t.equal(
          (await introspect(app, { token: tokens.refresh_token! }, { authorization: service.auth })).json().active,
          true,
          'the refresh token lives longer',
        )
        clock = saved + (config.refreshTokenTtl + 1) * 1000
        await expectInactive(
          t,
          await introspect(app, { token: tokens.refresh_token! }, { authorization: service.auth }),
          'the refresh token past its absolute lifetime',
        )
      } finally {
        clock = saved
      }
      const other = await login()
      await store.users.update(ANY_TENANT, alice.id, { disabled: true })
      try {
        await expectInactive(
          t,
          await introspect(app, { token: other.refresh_token! }, { authorization: service.auth }),
          "a disabled user's refresh token",
        )
      } finally {
        await store.users.update(ANY_TENANT, alice.id, { disabled: false })
      }
    })

    t.test('a client sees only the tokens issued to it, unless it holds the introspect scope', async (t) => {
      const tokens = await login()
      const own = await token({ grant_type: 'client_credentials' }, machine.auth)
      await expectInactive(
        t,
        await introspect(app, { token: tokens.access_token }, { authorization: machine.auth }),
        "another client's JWT",
      )
      await expectInactive(
        t,
        await introspect(app, { token: tokens.refresh_token! }, { authorization: machine.auth }),
        "another client's refresh token",
      )
      t.equal(
        (await introspect(app, { token: own.access_token }, { authorization: machine.auth })).json().active,
        true,
        'its own token',
      )
      t.equal(
        (await introspect(app, { token: tokens.access_token }, { authorization: gateway.auth })).json().active,
        true,
        'introspect scope: any JWT',
      )
      t.equal(
        (await introspect(app, { token: tokens.refresh_token!, client_id: 'gateway', client_secret: SECRET })).json()
          .active,
        true,
        'client_secret_post works too',
      )
    })

    t.test('a public client cannot introspect', async (t) => {
      const response = await introspect(app, { token: 'anything', client_id: spa.clientId })
      t.equal(response.statusCode, 401)
      t.same(response.json(), {
        error: 'invalid_client',
        error_description: 'a public client cannot introspect tokens',
      })
    })

    t.test('a Bearer token or access key needs the introspect or admin scope', async (t) => {
      const target = (await login()).access_token
      const introspector = (await token({ grant_type: 'client_credentials', scope: 'introspect' }, gateway.auth))
        .access_token
      t.equal(
        (await introspect(app, { token: target }, { authorization: `Bearer ${introspector}` })).json().active,
        true,
        'JWT with introspect',
      )
      const adminKey = await createKey(store, { scopes: ['admin'], now: clock })
      t.equal(
        (await introspect(app, { token: target }, { 'x-api-key': adminKey.key })).json().active,
        true,
        'access key with admin, in X-API-Key',
      )
      t.equal(
        (await introspect(app, { token: target }, { authorization: `Bearer ${adminKey.key}` })).json().active,
        true,
        'access key with admin, as a Bearer token',
      )

      const reader = (await token({ grant_type: 'client_credentials', scope: 'read' }, machine.auth)).access_token
      const forbidden = await introspect(app, { token: target }, { authorization: `Bearer ${reader}` })
      t.equal(forbidden.statusCode, 403)
      t.same(forbidden.json(), {
        error: 'insufficient_scope',
        error_description: "this request needs the scope 'introspect'",
      })
      t.equal(
        forbidden.headers['www-authenticate'],
        'Bearer realm="portcullis", error="insufficient_scope", scope="introspect"',
      )

      await app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { ...FORM, authorization: gateway.auth },
        payload: form({ token: introspector }),
      })
      const revoked = await introspect(app, { token: target }, { authorization: `Bearer ${introspector}` })
      t.equal(revoked.statusCode, 401, 'a revoked Bearer token no longer authenticates')
      t.same(revoked.json(), {
        error: 'invalid_token',
        error_description: 'the access token or access key is invalid, expired or revoked',
      })
      t.match(revoked.headers['www-authenticate'], /^Bearer realm="portcullis", error="invalid_token"/)
    })

    t.test('an unauthenticated caller is refused with 401 and both challenges', async (t) => {
      const response = await introspect(app, { token: 'anything' })
      t.equal(response.statusCode, 401)
      t.same(response.json(), {
        error: 'invalid_client',
        error_description:
          'authenticate as a client (HTTP Basic or client_secret_post), or with a Bearer token or access key holding the introspect scope',
      })
      t.equal(
        response.headers['www-authenticate'],
        'Basic realm="portcullis", charset="UTF-8", Bearer realm="portcullis"',
      )
      const wrong = await introspect(app, { token: 'anything' }, { authorization: basic('service', 'wrong') })
      t.equal(wrong.statusCode, 401)
      t.same(wrong.json(), { error: 'invalid_client', error_description: 'client authentication failed' })
    })

    t.test('one authentication method at a time, and a well-formed request', async (t) => {
      const introspector = (await token({ grant_type: 'client_credentials', scope: 'introspect' }, gateway.auth))
        .access_token
      const both = await introspect(
        app,
        { token: 'x', client_id: 'gateway', client_secret: SECRET },
        { authorization: `Bearer ${introspector}` },
      )
      t.equal(both.statusCode, 400)
      t.same(both.json(), {
        error: 'invalid_request',
        error_description: 'use one authentication method: client credentials or a Bearer token / access key, not both',
      })
      const missing = await introspect(app, {}, { authorization: gateway.auth })
      t.equal(missing.statusCode, 400)
      t.equal(missing.json().error, 'invalid_request')
      const json = await app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        headers: { 'content-type': 'application/json', authorization: gateway.auth },
        payload: { token: 'x' },
      })
      t.equal(json.statusCode, 415)
      t.equal(json.json().error, 'invalid_request')
    })

    t.test('a JWT is introspected without a database query: the revoked jtis are in memory', async (t) => {
      const target = (await login()).access_token
      const adminKey = await createKey(store, { scopes: ['admin'], now: clock })
      // The revocation list's timed read (every REVOCATION_SYNC_INTERVAL) and the usage counts' timed write (every
      // USAGE_FLUSH_INTERVAL) may fall in this window; they are not the request's.
      const timed = ['revokedTokens.listRecordedSince', 'usage.add']
      // The callers are then cached: the key by the access-key verifier, the client by the client cache. Writes
      // made beside the app (this key's creation, earlier subtests' rows) reach the app's change feed when it next
      // polls or is notified, which empties a cache once: the pair of requests is measured again (within a
      // deadline) until a round in which no such refresh fell. A path that needed the database never has one.
      // One counter, wrapping the store once; emptied before each measured pair.
      const counter = countStoreCalls(store)
      const queried = () => counter.calls.filter((call) => !timed.includes(call))
      const deadline = Date.now() + 10_000
      let byKey: Awaited<ReturnType<typeof introspect>>
      let byClient: Awaited<ReturnType<typeof introspect>>
      for (;;) {
        await introspect(app, { token: target }, { 'x-api-key': adminKey.key })
        await introspect(app, { token: target }, { authorization: gateway.auth })
        counter.calls.length = 0
        byKey = await introspect(app, { token: target }, { 'x-api-key': adminKey.key })
        byClient = await introspect(app, { token: target }, { authorization: gateway.auth })
        if (queried().length === 0 || Date.now() > deadline) break
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      t.equal(byKey.json().active, true)
      t.equal(byClient.json().active, true)
      t.same(queried(), [], 'neither by an access key nor by a client (both are cached)')
    })
  })
}
