// RFC 7523 §2.1, the JWT bearer grant with key-pair access keys: an assertion signed with jose gets a token whose
// sub, scopes and access_key_id are the key's; every refusal (audience forms, iss/sub, exp, jti and its replay,
// algorithms and key types, unknown, revoked and expired keys, secret keys, scopes) is invalid_grant or its own code.
import t from 'tap'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { decodeJwt, importJWK, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import { sha256 } from '../../src/security/secrets.ts'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { basic, tokenRequest, verifyWithServedJwks } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const SECRET = 'bearer-client-secret-with-plenty-of-entropy-0123456789'
const REFUSED = {
  error: 'invalid_grant',
  error_description: 'the assertion is invalid, or its access key is unknown, revoked or expired',
}

for (const provider of providers) {
  t.test(`JWT bearer grant on ${provider}`, async (t) => {
    const outer = t
    let clock = Date.parse('2026-06-01T08:00:00.000Z')
    const ctx = await build(t, { provider, now: () => clock, env: { ACCESS_TOKEN_TTL: '300' } })
    const { app, store, config } = ctx
    const admin = client(app, await adminHeaders(ctx))
    await store.clients.create({
      clientId: 'signer-app',
      name: 'Signer app',
      secretHash: sha256(SECRET),
      grantTypes: [GRANT],
      scopes: ['read', 'write', 'deploy', 'keys:write'],
    })
    await store.clients.create({
      clientId: 'cli-tool',
      name: 'A public client',
      secretHash: null,
      grantTypes: [GRANT],
      scopes: ['read', 'write', 'deploy'],
    })
    await store.clients.create({
      clientId: 'other-app',
      name: 'Not registered for the grant',
      secretHash: sha256(SECRET),
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
    const user = await store.users.create({ username: 'rosa', passwordHash: 'x', scopes: ['read', 'write'] })
    const confidential = { authorization: basic('signer-app', SECRET) }

    /** A key pair made through the admin API, with its private key as jose uses it. */
    const makeKey = async (body: Record<string, unknown> = {}) => {
      const response = await admin.post('/admin/v1/access-keys', {
        name: 'signer',
        scopes: ['read', 'deploy'],
        generate_key_pair: true,
        ...body,
      })
      t.equal(response.statusCode, 201, response.body)
      const created = response.json()
      const alg = created.public_key_alg as string
      return { id: created.id as string, alg, privateKey: await importJWK(created.private_key_jwk as JWK, alg) }
    }
    const seconds = () => Math.floor(clock / 1000)
    let jtis = 0
    /** An assertion as RFC 7523 §3 asks for it; `claims` overrides (undefined removes a claim). */
    const assertion = async (
      key: { id: string; alg: string; privateKey: CryptoKey | KeyObject | Uint8Array },
      claims: Record<string, unknown> = {},
      header: Record<string, unknown> = {},
    ) => {
      const payload: Record<string, unknown> = {
        iss: key.id,
        sub: key.id,
        aud: config.issuer,
        iat: seconds(),
        exp: seconds() + 120,
        jti: `jti-${++jtis}-${Math.random()}`,
        ...claims,
      }
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
      return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: key.alg, ...header }).sign(key.privateKey)
    }
    const exchange = (
      jwt: string,
      extra: Record<string, string> = {},
      headers: Record<string, string> = confidential,
    ) => tokenRequest(app, { grant_type: GRANT, assertion: jwt, ...extra }, headers)
    const refusedWith = async (t: typeof outer, jwt: string, what: string, headers = confidential) => {
      const response = await exchange(jwt, {}, headers)
      t.equal(response.statusCode, 400, what)
      t.same(response.json(), REFUSED, what)
    }

    t.test("an assertion signed with jose gets a token with the key's sub, scopes and access_key_id", async (t) => {
      const key = await makeKey()
      const response = await exchange(await assertion(key))
      t.equal(response.statusCode, 200, response.body)
      t.equal(response.headers['cache-control'], 'no-store')
      const body = response.json()
      t.match(body, { token_type: 'Bearer', expires_in: 300, scope: 'read deploy' })
      t.notOk('refresh_token' in body)
      const { payload } = await verifyWithServedJwks(app, body.access_token, {
        issuer: config.issuer,
        audience: config.defaultAudience,
        now: clock,
      })
      t.match(payload, {
        sub: `access_key:${key.id}`,
        scope: 'read deploy',
        access_key_id: key.id,
        client_id: 'signer-app',
      })
      t.notOk('username' in payload)
    })

    t.test("a user's key: the token is the user's, within the scopes the user still holds", async (t) => {
      const key = await makeKey({ user_id: user.id, scopes: ['read', 'write'], alg: 'EdDSA' })
      const body = (await exchange(await assertion(key))).json()
      t.match(decodeJwt(body.access_token), {
        sub: user.id,
        username: 'rosa',
        scope: 'read write',
        access_key_id: key.id,
      })
      await admin.patch(`/admin/v1/users/${user.id}`, { scopes: ['read'] })
      t.equal((await exchange(await assertion(key))).json().scope, 'read', 'a scope the user lost is not granted')
      await admin.patch(`/admin/v1/users/${user.id}`, { scopes: ['read', 'write'] })
    })

    t.test('RSA keys, RS256 and PS256, from a registered public key', async (t) => {
      for (const alg of ['RS256', 'PS256']) {
        const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
        const created = (
          await admin.post('/admin/v1/access-keys', {
            name: 'rsa',
            scopes: ['read'],
            public_key: pair.publicKey.export({ format: 'jwk' }),
            alg,
          })
        ).json()
        const key = { id: created.id, alg, privateKey: pair.privateKey }
        t.equal((await exchange(await assertion(key))).statusCode, 200, alg)
        // The key is pinned to its algorithm: the same RSA key under the other one is refused.
        await refusedWith(
          t,
          await assertion({ ...key, alg: alg === 'RS256' ? 'PS256' : 'RS256' }),
          `${alg} key, other alg`,
        )
      }
    })

    t.test('an Ed25519 key: EdDSA and its fully specified name Ed25519 (RFC 9864) both verify', async (t) => {
      const generated = await makeKey({ alg: 'EdDSA' })
      t.equal(generated.alg, 'EdDSA')
      t.equal((await exchange(await assertion({ ...generated, alg: 'Ed25519' }))).statusCode, 200, 'Ed25519')
      t.equal((await exchange(await assertion(generated))).statusCode, 200, 'EdDSA')
      // A public JWK that names its alg Ed25519 is registered, and stored, as EdDSA.
      const pair = generateKeyPairSync('ed25519')
      const registered = await admin.post('/admin/v1/access-keys', {
        name: 'ed',
        scopes: ['read'],
        public_key: { ...pair.publicKey.export({ format: 'jwk' }), alg: 'Ed25519' },
      })
      t.equal(registered.statusCode, 201, registered.body)
      t.equal(registered.json().public_key_alg, 'EdDSA')
      const key = { id: registered.json().id as string, alg: 'Ed25519', privateKey: pair.privateKey }
      t.equal((await exchange(await assertion(key))).statusCode, 200, 'registered as Ed25519')
      // Still one key type: an Ed25519 header over a P-256 key's signature is refused.
      const ec = await makeKey()
      const [, body, signature] = (await assertion(ec)).split('.')
      const relabelled = `${Buffer.from(JSON.stringify({ alg: 'Ed25519' })).toString('base64url')}.${body}.${signature}`
      await refusedWith(t, relabelled, 'Ed25519 header, P-256 key')
    })

    t.test('scope narrows the token; a scope beyond the key or the client is invalid_scope', async (t) => {
      const key = await makeKey()
      const narrow = (await exchange(await assertion(key), { scope: 'deploy' })).json()
      t.equal(narrow.scope, 'deploy')
      t.equal(decodeJwt(narrow.access_token).scope, 'deploy')
      const wider = await exchange(await assertion(key), { scope: 'read write' })
      t.equal(wider.statusCode, 400)
      t.same(wider.json(), {
        error: 'invalid_scope',
        error_description: "this access key may not have the scope 'write'",
      })
      const beyondClient = await exchange(await assertion(key), { scope: 'admin' })
      t.same(beyondClient.json(), {
        error: 'invalid_scope',
        error_description: "this client may not have the scope 'admin'",
      })
    })

    t.test(
      'aud must be the issuer as one string: an array, the token endpoint or another issuer is refused',
      async (t) => {
        const key = await makeKey()
        for (const [what, aud] of [
          ['array holding the issuer', [config.issuer]],
          ['array of the issuer and another', [config.issuer, 'https://other.example']],
          ['token endpoint URL', `${config.issuer}/oauth/token`],
          ['another issuer', 'https://other.example'],
          ['the issuer with a trailing slash', `${config.issuer}/`],
        ] as const) {
          await refusedWith(t, await assertion(key, { aud }), what)
        }
        await refusedWith(t, await assertion(key, { aud: undefined }), 'no aud')
      },
    )

    t.test('iss and sub must both be the key id', async (t) => {
      const key = await makeKey()
      const other = await makeKey()
      await refusedWith(t, await assertion(key, { sub: other.id }), 'sub another key')
      await refusedWith(t, await assertion(key, { sub: undefined }), 'no sub')
      await refusedWith(t, await assertion(key, { iss: other.id }), 'iss another key (signed with this one)')
      await refusedWith(t, await assertion(key, { iss: undefined }), 'no iss')
    })

    t.test('exp is required, not past, at most 5 minutes ahead; jti is required', async (t) => {
      const key = await makeKey()
      await refusedWith(t, await assertion(key, { exp: undefined }), 'no exp')
      await refusedWith(t, await assertion(key, { exp: seconds() - config.clockSkew - 1 }), 'past exp')
      await refusedWith(t, await assertion(key, { exp: seconds() + 3600 }), 'exp an hour ahead')
      await refusedWith(t, await assertion(key, { iat: seconds() + 3600 }), 'iat in the future')
      await refusedWith(t, await assertion(key, { jti: undefined }), 'no jti')
      t.equal((await exchange(await assertion(key, { exp: seconds() + 300 }))).statusCode, 200, 'exactly 5 minutes')
    })

    t.test('a jti is accepted once: the replayed assertion is refused', async (t) => {
      const key = await makeKey()
      const jwt = await assertion(key)
      t.equal((await exchange(jwt)).statusCode, 200)
      await refusedWith(t, jwt, 'the same assertion again')
      await refusedWith(t, await assertion(key, { jti: decodeJwt(jwt).jti }), 'a new assertion reusing the jti')
      t.equal((await exchange(await assertion(key))).statusCode, 200, 'a fresh jti is fine')
    })

    t.test('alg none, HS256 keyed with the public key, a key of another type, another key: refused', async (t) => {
      const key = await makeKey()
      const claims = { iss: key.id, sub: key.id, aud: config.issuer, exp: seconds() + 60, jti: 'unsigned' }
      await refusedWith(t, new UnsecuredJWT(claims).encode(), 'alg none')
      const publicJwk = (await admin.get(`/admin/v1/access-keys/${key.id}`)).json()
      t.equal(publicJwk.kind, 'key_pair')
      const stored = await store.accessKeys.findForVerification(ANY_TENANT, key.id)
      const publicBytes = new TextEncoder().encode(JSON.stringify(stored!.publicKey))
      await refusedWith(
        t,
        await assertion({ ...key, alg: 'HS256', privateKey: publicBytes }),
        'HS256 with the public key',
      )
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      await refusedWith(t, await assertion({ ...key, alg: 'RS256', privateKey: rsa.privateKey }), 'RSA for an EC key')
      const ed = generateKeyPairSync('ed25519')
      await refusedWith(
        t,
        await assertion({ ...key, alg: 'EdDSA', privateKey: ed.privateKey }),
        'Ed25519 for an EC key',
      )
      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      await refusedWith(t, await assertion({ ...key, privateKey: stranger.privateKey }), 'another P-256 key')
      await refusedWith(t, 'not-a-jwt', 'not a JWT')
    })

    t.test('unknown, revoked and expired keys are invalid_grant', async (t) => {
      const key = await makeKey()
      await refusedWith(t, await assertion({ ...key, id: '0000000000000000' }), 'unknown key id')
      const revoked = await makeKey()
      t.equal((await exchange(await assertion(revoked))).statusCode, 200)
      t.equal((await admin.post(`/admin/v1/access-keys/${revoked.id}/revoke`)).statusCode, 200)
      await refusedWith(t, await assertion(revoked), 'revoked key')
      const expiring = await makeKey({ expires_in: 60 })
      const early = (await exchange(await assertion(expiring))).json()
      t.equal(early.expires_in, 60, 'the token expires with the key')
      clock += 61_000
      await refusedWith(t, await assertion(expiring), 'expired key')
      const owned = await makeKey({ user_id: user.id, scopes: ['read'] })
      await admin.patch(`/admin/v1/users/${user.id}`, { disabled: true })
      await refusedWith(t, await assertion(owned), "disabled owner's key")
      await admin.patch(`/admin/v1/users/${user.id}`, { disabled: false })
    })

    t.test('a public client may use a key-pair key, never a secret key', async (t) => {
      const key = await makeKey()
      const publicClient = { client_id: 'cli-tool' }
      const granted = await exchange(await assertion(key), publicClient, {})
      t.equal(granted.statusCode, 200, granted.body)
      t.match(decodeJwt(granted.json().access_token), { sub: `access_key:${key.id}`, client_id: 'cli-tool' })
      const secretKey = (await admin.post('/admin/v1/access-keys', { name: 'secret', scopes: ['read'] })).json()
      const secret = new TextEncoder().encode(secretKey.key.split('_')[2])
      const forged = { id: secretKey.id, alg: 'HS256', privateKey: secret }
      const stranger = {
        id: secretKey.id,
        alg: 'ES256',
        privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
      }
      for (const [what, headers, extra] of [
        ['public client', {}, publicClient],
        ['confidential client', confidential, {}],
      ] as const) {
        for (const jwt of [await assertion(forged), await assertion(stranger)]) {
          const response = await exchange(jwt, extra, headers)
          t.equal(response.statusCode, 400, `${what}, secret key`)
          t.same(response.json(), REFUSED, `${what}, secret key`)
        }
      }
    })

    t.test(
      'a client not registered for the grant is unauthorized_client; no assertion is invalid_request',
      async (t) => {
        const key = await makeKey()
        const other = await exchange(await assertion(key), {}, { authorization: basic('other-app', SECRET) })
        t.equal(other.statusCode, 400)
        t.same(other.json(), {
          error: 'unauthorized_client',
          error_description: `this client may not use the ${GRANT} grant`,
        })
        const missing = await tokenRequest(app, { grant_type: GRANT }, confidential)
        t.same(missing.json(), {
          error: 'invalid_request',
          error_description: `assertion is required for the ${GRANT} grant`,
        })
      },
    )

    t.test('last_used_at records the key’s use', async (t) => {
      const key = await makeKey()
      t.equal((await admin.get(`/admin/v1/access-keys/${key.id}`)).json().last_used_at, null)
      const touch = store.accessKeys.touchLastUsed
      let writes = 0
      store.accessKeys.touchLastUsed = async (uses) => {
        const updated = await touch(uses)
        writes++
        return updated
      }
      t.teardown(() => {
        store.accessKeys.touchLastUsed = touch
      })
      t.equal((await exchange(await assertion(key))).statusCode, 200)
      // Written in a batch shortly after the use (security/access-keys.ts): wait for the write, not for a time.
      for (let i = 0; i < 100 && writes === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))
      t.equal((await admin.get(`/admin/v1/access-keys/${key.id}`)).json().last_used_at, new Date(clock).toISOString())
    })

    t.test(
      'a token from a key-pair key makes children of that key at /v1/me, capped by it and revoked with it',
      async (t) => {
        // Past the second the user was re-enabled in (disabling ended the user's tokens up to then).
        clock += 2000
        await admin.patch(`/admin/v1/users/${user.id}`, { scopes: ['read', 'write', 'keys:write'] })
        const parent = await makeKey({ user_id: user.id, scopes: ['read', 'keys:write'], expires_in: 3600 })
        const token = (await exchange(await assertion(parent))).json().access_token as string
        const me = client(app, { authorization: `Bearer ${token}` })
        const child = await me.post('/v1/me/access-keys', {
          name: 'child',
          scopes: ['read'],
          generate_key_pair: true,
          expires_in: 86400,
        })
        t.equal(child.statusCode, 201, child.body)
        t.match(child.json(), {
          kind: 'key_pair',
          parent_id: parent.id,
          expires_at: new Date(clock + 3600_000).toISOString(),
        })
        const wider = await me.post('/v1/me/access-keys', { name: 'wider', scopes: ['write'], generate_key_pair: true })
        t.equal(wider.statusCode, 400, 'no scope the token lacks')
        await admin.post(`/admin/v1/access-keys/${parent.id}/revoke`)
        t.match((await admin.get(`/admin/v1/access-keys/${child.json().id}`)).json(), { status: 'revoked' })
        await admin.patch(`/admin/v1/users/${user.id}`, { scopes: ['read', 'write'] })
      },
    )

    t.test('discovery lists the grant type', async (t) => {
      const metadata = (await app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json()
      t.ok(metadata.grant_types_supported.includes(GRANT))
    })
  })
}
