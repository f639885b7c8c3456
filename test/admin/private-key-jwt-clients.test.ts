// Registering private_key_jwt clients (RFC 7591 §2 token_endpoint_auth_method, jwks, jwks_uri) through the
// admin API: only public keys of the allowed types, one of jwks and jwks_uri, no secret; replacing the keys is the
// rotation. Through the CLI: test/cli/private-key-jwt-clients.test.ts. Authentication with them:
// test/oauth/private-key-jwt.test.ts.
import { generateKeyPairSync } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import t from 'tap'
import { client, signedToken } from '../support/admin-fixtures.ts'
import { build } from '../support/helper.ts'
import { clientKey, jwksOf, signAssertion, withAssertion } from '../support/private-key-jwt-fixtures.ts'
import { tokenRequest } from '../support/token-fixtures.ts'

const CC = { grant_type: 'client_credentials', scope: 'read' }
const BASE = { name: 'Signer', grant_types: ['client_credentials'], scopes: ['read'] }

t.test('the admin API', async (t) => {
  const ctx = await build(t)
  const admin = client(ctx.app, {
    authorization: `Bearer ${(await signedToken(ctx, { scope: 'admin', ttl: 3600 })).token}`,
  })
  const key = await clientKey('ES256', 'one')
  const problems = async (
    body: Record<string, unknown>,
    path = '/admin/v1/clients',
    method: 'post' | 'patch' = 'post',
  ) => {
    const response = await admin[method](path, body)
    t.equal(response.statusCode, 400, response.body)
    return response.json().details as { field: string; message: string }[]
  }

  t.test('a private_key_jwt client gets no secret, shows its public keys, and authenticates with them', async (t) => {
    const created = await admin.post('/admin/v1/clients', {
      ...BASE,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: jwksOf(key),
    })
    t.equal(created.statusCode, 201, created.body)
    const body = created.json()
    t.notOk('client_secret' in body, 'no secret')
    t.match(body, {
      public: false,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', kid: 'one', alg: 'ES256', x: String, y: String }] },
      jwks_uri: null,
      token_endpoint_audience: false,
    })
    const issued = await tokenRequest(ctx.app, { ...CC, ...withAssertion(await signAssertion(key, body.client_id)) })
    t.equal(issued.statusCode, 200)
    const rotate = await admin.post(`/admin/v1/clients/${body.client_id}/rotate-secret`, {})
    t.same(
      [rotate.statusCode, rotate.json().error_description],
      [409, 'a private_key_jwt client has no secret: replace its keys (jwks or jwks_uri) instead'],
    )
    const audit = (await admin.get('/admin/v1/audit?type=client.created')).json().items
    t.match(audit.at(-1), { subject: body.client_id, details: { token_endpoint_auth_method: 'private_key_jwt' } })

    const moved = await admin.patch(`/admin/v1/clients/${body.client_id}`, {
      jwks_uri: 'https://keys.example/jwks.json',
      token_endpoint_audience: true,
    })
    t.equal(moved.statusCode, 200, moved.body)
    t.match(moved.json(), { jwks: null, jwks_uri: 'https://keys.example/jwks.json', token_endpoint_audience: true })
    const updated = (await admin.get('/admin/v1/audit?type=client.updated')).json().items
    t.match(updated.at(-1), { details: { changed: ['jwks_uri', 'token_endpoint_audience'] } })
  })

  t.test('a secret client and a public client say so', async (t) => {
    const secret = (await admin.post('/admin/v1/clients', BASE)).json()
    t.match(secret, { token_endpoint_auth_method: 'client_secret_basic', jwks: null, jwks_uri: null })
    t.match(await problems({ jwks: jwksOf(key) }, `/admin/v1/clients/${secret.client_id}`, 'patch'), [
      { field: 'jwks', message: 'only a private_key_jwt client has keys (jwks, jwks_uri, token_endpoint_audience)' },
    ])
    const pub = await admin.post('/admin/v1/clients', { ...BASE, grant_types: ['password'], public: true })
    t.match(pub.json(), { public: true, token_endpoint_auth_method: 'none' })
  })

  t.test('only public keys of the allowed types are accepted, and the member at fault is named', async (t) => {
    const rsa = await generateKeyPair('RS256', { extractable: true })
    const privateJwk = await exportJWK(rsa.privateKey)
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' })
    const pkj = (jwks: unknown) => ({ ...BASE, token_endpoint_auth_method: 'private_key_jwt', jwks })
    t.same(await problems(pkj({ keys: [privateJwk] })), [
      {
        field: 'jwks.keys.0',
        message:
          'must be a public key: the private members "d", "p", "q", "dp", "dq", "qi" are not accepted (that key is exposed: make a new one)',
      },
    ])
    t.same(await problems(pkj({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })), [
      {
        field: 'jwks.keys.0',
        message: 'must be a public key: the private member "k" is not accepted (that key is exposed: make a new one)',
      },
    ])
    t.same(await problems(pkj({ keys: [{ kty: 'oct' }] })), [
      { field: 'jwks.keys.0.kty', message: 'must be RSA, EC (P-256) or OKP (Ed25519)' },
    ])
    t.same(await problems(pkj({ keys: [small] })), [
      { field: 'jwks.keys.0.n', message: 'an RSA key must have at least 2048 bits' },
    ])
    t.same(await problems(pkj({ keys: [p384] })), [{ field: 'jwks.keys.0.crv', message: 'must be P-256 for kty EC' }])
    t.same(await problems(pkj({ keys: [{ ...key.jwk, alg: 'HS256' }] })), [
      { field: 'jwks.keys.0.alg', message: 'must be one of ES256 for kty EC' },
    ])
    t.same(await problems(pkj({ keys: [{ ...key.jwk, use: 'enc' }] })), [
      { field: 'jwks.keys.0.use', message: 'must be "sig"' },
    ])
    t.same(await problems(pkj({ keys: [key.jwk, { ...key.jwk }] })), [
      { field: 'jwks.keys', message: 'each kid must be different' },
    ])
    t.match(await problems(pkj({ keys: [{ ...key.jwk, x: 'AAAA' }] })), [
      { field: 'jwks.keys.0', message: /^is not a usable public key: / },
    ])
  })

  t.test('one of jwks and jwks_uri, only with private_key_jwt, the URI https', async (t) => {
    const pkj = { ...BASE, token_endpoint_auth_method: 'private_key_jwt' }
    t.same(await problems(pkj), [
      { field: 'jwks', message: 'private_key_jwt needs the client’s public keys: jwks or jwks_uri' },
    ])
    t.same(await problems({ ...pkj, jwks: jwksOf(key), jwks_uri: 'https://keys.example/jwks' }), [
      { field: 'jwks', message: 'give jwks or jwks_uri, not both' },
    ])
    t.same(await problems({ ...BASE, jwks: jwksOf(key) }), [
      {
        field: 'token_endpoint_auth_method',
        message: 'jwks, jwks_uri and token_endpoint_audience are for token_endpoint_auth_method private_key_jwt',
      },
    ])
    t.same(await problems({ ...pkj, public: true, jwks: jwksOf(key) }), [
      { field: 'token_endpoint_auth_method', message: 'a public client authenticates with none' },
    ])
    for (const uri of [
      'http://keys.example/jwks',
      'ftp://keys.example/jwks',
      'not a url',
      'https://u:p@keys.example/',
    ]) {
      t.equal((await problems({ ...pkj, jwks_uri: uri }))[0]?.field, 'jwks_uri', uri)
    }
    const loopback = await admin.post('/admin/v1/clients', { ...pkj, jwks_uri: 'http://127.0.0.1:9/jwks' })
    t.equal(loopback.statusCode, 201, 'http on a loopback host (development)')
  })
})
