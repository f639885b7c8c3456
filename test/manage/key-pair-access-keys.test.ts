// Key-pair access keys through the admin API and /v1/me: a registered public JWK or a generated key pair (the
// private key returned once, never stored), listed with kind and thumbprint, and refused when presented as a
// secret key (Bearer, X-API-Key, token exchange, introspection), since it has none.
import t from 'tap'
import { createPublicKey, generateKeyPairSync, createPrivateKey } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { adminHeaders, client, everyStoredValue, signedToken } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { formPost } from '../support/token-fixtures.ts'
import { sha256 } from '../../src/security/secrets.ts'

const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })
const publicJwk = (pair: ReturnType<typeof ecKey>) => pair.publicKey.export({ format: 'jwk' }) as JWK

for (const provider of providers) {
  t.test(`key-pair access keys on ${provider}`, async (t) => {
    const ctx = await build(t, { provider })
    const admin = client(ctx.app, await adminHeaders(ctx))
    const quinn = (
      await admin.post('/admin/v1/users', {
        username: 'quinn',
        password: 'a long enough password',
        scopes: ['read', 'write', 'keys:write'],
      })
    ).json()

    t.test('a registered public JWK: no secret, kind key_pair, its RFC 7638 thumbprint, alg pinned', async (t) => {
      const pair = ecKey()
      const jwk = publicJwk(pair)
      const response = await admin.post('/admin/v1/access-keys', {
        name: 'signer',
        scopes: ['read'],
        user_id: quinn.id,
        public_key: { ...jwk, kid: 'my-laptop', use: 'sig' },
      })
      t.equal(response.statusCode, 201)
      t.equal(response.headers['cache-control'], 'no-store')
      const body = response.json()
      const thumbprint = await calculateJwkThumbprint(jwk, 'sha256')
      t.same(body.public_key, { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, alg: 'ES256' })
      t.match(body, {
        kind: 'key_pair',
        public_key_thumbprint: thumbprint,
        public_key_alg: 'ES256',
        user_id: quinn.id,
        scopes: ['read'],
        status: 'active',
      })
      t.notOk('key' in body, 'no secret key')
      t.notOk('private_key_jwk' in body || 'private_key_pem' in body, 'no private key')
      const got = (await admin.get(`/admin/v1/access-keys/${body.id}`)).json()
      t.match(got, { kind: 'key_pair', public_key_thumbprint: thumbprint, public_key_alg: 'ES256' })
      const listed = (await admin.get(`/admin/v1/access-keys?user_id=${quinn.id}`)).json()
      t.match(
        listed.items.find((item: { id: string }) => item.id === body.id),
        { kind: 'key_pair', public_key_thumbprint: thumbprint },
      )
      const row = await ctx.db.prisma.accessKey.findUnique({ where: { id: body.id } })
      t.equal(row?.secretHash, null, 'no secret hash is stored')
      t.match((await admin.get('/admin/v1/audit?type=access_key.created&limit=1')).json().items[0], {
        subject: body.id,
        details: { kind: 'key_pair', public_key_thumbprint: thumbprint, alg: 'ES256' },
      })
    })

    t.test('a secret key is listed as kind secret with no thumbprint', async (t) => {
      const body = (await admin.post('/admin/v1/access-keys', { name: 'plain', scopes: ['read'] })).json()
      t.match(body, { kind: 'secret', public_key_thumbprint: null, public_key_alg: null, key: /^pcl_/ })
      t.notOk('public_key' in body)
    })

    t.test('generate_key_pair returns the private key once (JWK and PEM) and stores only the public key', async (t) => {
      for (const [alg, kty] of [
        [undefined, 'EC'],
        ['EdDSA', 'OKP'],
        ['PS256', 'RSA'],
      ] as const) {
        const response = await admin.post('/admin/v1/access-keys', {
          name: `generated ${alg ?? 'default'}`,
          scopes: ['read'],
          generate_key_pair: true,
          ...(alg ? { alg } : {}),
        })
        t.equal(response.statusCode, 201)
        const body = response.json()
        t.match(body, { kind: 'key_pair', public_key_alg: alg ?? 'ES256', public_key: { kty } })
        t.notOk('key' in body)
        t.match(body.private_key_jwk, { kty, kid: body.id, alg: alg ?? 'ES256', d: /./ })
        // PKCS #8 PEM, exactly as node:crypto writes it (not SEC 1's EC or PKCS #1's RSA form).
        t.equal(body.private_key_pem, createPrivateKey(body.private_key_pem).export({ type: 'pkcs8', format: 'pem' }))
        // The PEM and the JWK are the same private key, and its public half is the one stored.
        const fromPem = createPublicKey(createPrivateKey(body.private_key_pem)).export({ format: 'jwk' }) as JWK
        t.equal(await calculateJwkThumbprint(fromPem, 'sha256'), body.public_key_thumbprint)
        const fromJwk = createPublicKey(createPrivateKey({ key: body.private_key_jwk, format: 'jwk' }))
        t.equal(
          await calculateJwkThumbprint(fromJwk.export({ format: 'jwk' }) as JWK, 'sha256'),
          body.public_key_thumbprint,
        )
        const got = await admin.get(`/admin/v1/access-keys/${body.id}`)
        t.notOk('private_key_jwk' in got.json() || 'private_key_pem' in got.json(), 'get shows no private key')
        const stored = await everyStoredValue(ctx)
        t.notOk(stored.includes(body.private_key_jwk.d), 'no row of any table holds the private key')
      }
    })

    t.test('an unusable public key is a field error, a private key above all', async (t) => {
      const pair = ecKey()
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 })
      const cases: [string, Record<string, unknown>, string][] = [
        [
          'private JWK',
          { public_key: pair.privateKey.export({ format: 'jwk' }) },
          'this is a private key: register the public key only (the private key stays with you)',
        ],
        [
          'symmetric JWK',
          { public_key: { kty: 'oct', k: 'c2VjcmV0' } },
          'this is a private key: register the public key only (the private key stays with you)',
        ],
        [
          'P-384',
          { public_key: generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) },
          'the key must be EC P-256, Ed25519 or RSA (of at least 2048 bits)',
        ],
        [
          'short RSA',
          { public_key: rsa.publicKey.export({ format: 'jwk' }) },
          'an RSA key must have at least 2048 bits',
        ],
        [
          'RSA with e = 1',
          { public_key: { ...rsa2048.publicKey.export({ format: 'jwk' }), e: 'AQ' } },
          'an RSA key must have an odd public exponent of at least 3',
        ],
        ['wrong alg for the key', { public_key: publicJwk(pair), alg: 'RS256' }, 'an EC key cannot be used with RS256'],
        [
          'alg disagreeing with the JWK',
          { public_key: { ...publicJwk(pair), alg: 'ES256' }, alg: 'PS256' },
          "the JWK's alg ES256 differs from the alg asked for, PS256",
        ],
        [
          'HS256 in the JWK',
          { public_key: { ...publicJwk(pair), alg: 'HS256' } },
          "the JWK's alg must be one of ES256, RS256, PS256, EdDSA",
        ],
        ['encryption key', { public_key: { ...publicJwk(pair), use: 'enc' } }, 'the JWK member use must be sig'],
        [
          'not on the curve',
          { public_key: { ...publicJwk(pair), x: publicJwk(ecKey()).x } },
          'the JWK is not a valid public key',
        ],
      ]
      for (const [what, extra, message] of cases) {
        const response = await admin.post('/admin/v1/access-keys', { name: 'bad', scopes: ['read'], ...extra })
        t.equal(response.statusCode, 400, what)
        t.same(
          response.json(),
          {
            error: 'invalid_request',
            error_description: `public_key: ${message}`,
            details: [{ field: 'public_key', message }],
          },
          what,
        )
      }
      const both = await admin.post('/admin/v1/access-keys', {
        name: 'both',
        scopes: ['read'],
        public_key: publicJwk(pair),
        generate_key_pair: true,
      })
      t.same(both.json().details, [{ field: 'generate_key_pair', message: 'cannot be combined with public_key' }])
      const algAlone = await admin.post('/admin/v1/access-keys', { name: 'alg', scopes: ['read'], alg: 'ES256' })
      t.same(algAlone.json().details, [{ field: 'alg', message: 'needs public_key or generate_key_pair: true' }])
      const notObject = await admin.post('/admin/v1/access-keys', { name: 'x', scopes: ['read'], public_key: 'abc' })
      t.equal(notObject.statusCode, 400)
      t.equal(
        (await admin.get('/admin/v1/audit?type=access_key.created&limit=200'))
          .json()
          .items.filter((event: { details: { name: string } }) =>
            ['bad', 'both', 'alg', 'x'].includes(event.details.name),
          ).length,
        0,
        'nothing was created',
      )
    })

    t.test('/v1/me creates key-pair keys within the user and the token, like secret keys', async (t) => {
      const me = client(ctx.app, {
        authorization: `Bearer ${(await signedToken(ctx, { scope: 'keys:write read', sub: quinn.id, clientId: 'spa' })).token}`,
      })
      const registered = await me.post('/v1/me/access-keys', {
        name: 'mine',
        scopes: ['read'],
        public_key: publicJwk(ecKey()),
      })
      t.equal(registered.statusCode, 201)
      t.match(registered.json(), { kind: 'key_pair', user_id: quinn.id, public_key_alg: 'ES256' })
      const generated = await me.post('/v1/me/access-keys', {
        name: 'mine too',
        scopes: ['read'],
        generate_key_pair: true,
        alg: 'EdDSA',
      })
      t.match(generated.json(), { kind: 'key_pair', public_key_alg: 'EdDSA', private_key_jwk: { crv: 'Ed25519' } })
      const wider = await me.post('/v1/me/access-keys', {
        name: 'wider',
        scopes: ['write'],
        public_key: publicJwk(ecKey()),
      })
      t.equal(wider.statusCode, 400, 'a scope the token lacks is refused for a key pair as for a secret')
      const listed = (await me.get('/v1/me/access-keys')).json().items
      t.same(
        listed.map((item: { name: string; kind: string }) => [item.name, item.kind]),
        [
          ['signer', 'key_pair'],
          ['mine', 'key_pair'],
          ['mine too', 'key_pair'],
        ],
      )
      t.notOk(JSON.stringify(listed).includes('"d"'), 'no private member in the list')
    })

    t.test('a key-pair key presented as a secret key is refused everywhere: it has none', async (t) => {
      const body = (
        await admin.post('/admin/v1/access-keys', { name: 'no secret', scopes: ['admin'], generate_key_pair: true })
      ).json()
      // Any secret: the key has none, so none may match (an empty or forged one included).
      const presented = [`pcl_${body.id}_${'A'.repeat(43)}`, `pcl_${body.id}_${'0'.repeat(43)}`]
      for (const key of presented) {
        for (const headers of [{ authorization: `Bearer ${key}` }, { 'x-api-key': key }]) {
          const response = await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers })
          t.equal(response.statusCode, 401)
          t.same(response.json(), {
            error: 'invalid_token',
            error_description: 'the access token or access key is invalid, expired or revoked',
          })
        }
        const introspected = await formPost(ctx.app, '/oauth/introspect', { token: key }, await adminHeaders(ctx))
        t.same(introspected.json(), { active: false })
      }
      // Even a row that also held the hash of the presented secret would verify no secret: the kind decides.
      await ctx.db.prisma.accessKey.update({
        where: { id: body.id },
        data: { secretHash: sha256('A'.repeat(43)) },
      })
      t.match(
        await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit', headers: { 'x-api-key': presented[0]! } }),
        {
          statusCode: 401,
        },
      )
    })
  })
}
