// GET /.well-known/jwks.json (RFC 7517 §5): what it publishes, its caching headers, 304, and that it
// costs no store read or serialisation per request.
import { calculateJwkThumbprint } from 'jose'
import t from 'tap'
import { build } from '../support/helper.ts'
import { SECOND, START, createClock, fetchJwks, kids } from '../support/signing-keys-fixtures.ts'

const JWKS = '/.well-known/jwks.json'

t.test(
  'the JWKS publishes next, active and retired keys with public members only; kid is the RFC 7638 thumbprint',
  async (t) => {
    const clock = createClock()
    const { app, keyring } = await build(t, { now: clock.now })
    const { previous: revoked } = await keyring.manager.rotate({ immediate: true })
    const { key: active, previous: retired } = await keyring.manager.rotate({ immediate: true })
    const { key: next } = await keyring.manager.rotate()
    await keyring.manager.revoke(revoked!.kid)
    const states = Object.fromEntries((await keyring.manager.list()).map((key) => [key.kid, key.state]))
    t.same(states, { [next.kid]: 'next', [active.kid]: 'active', [retired!.kid]: 'retired', [revoked!.kid]: 'revoked' })

    const jwks = await fetchJwks(app)
    t.same(kids(jwks), [retired!.kid, active.kid, next.kid].sort(), 'the revoked key is not published')
    for (const jwk of jwks.keys) {
      t.same(Object.keys(jwk).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use'], 'exactly the public members')
      t.match(jwk, { kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' })
      t.equal(jwk.kid, await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n!, e: jwk.e! }, 'sha256'))
    }
  },
)

t.test('the JWKS carries Cache-Control public max-age=JWKS_MAX_AGE and a strong ETag', async (t) => {
  const { app } = await build(t)
  const res = await app.inject(JWKS)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(res.headers['cache-control'], 'public, max-age=300')
  t.match(res.headers.etag, /^"[A-Za-z0-9_-]{43}"$/)
})

t.test('the pre-publication delay follows JWKS_MAX_AGE', async (t) => {
  const clock = createClock()
  const { app, keyring } = await build(t, { now: clock.now, env: { JWKS_MAX_AGE: '60' } })
  t.equal((await app.inject(JWKS)).headers['cache-control'], 'public, max-age=60')
  const { key } = await keyring.manager.rotate()
  // max-age + KEYRING_REFRESH_INTERVAL (30 s) + CLOCK_SKEW (60 s)
  t.same(key.activatesAt, new Date(START + (60 + 30 + 60) * SECOND))
})

t.test('If-None-Match with the current ETag answers 304 without a body', async (t) => {
  const { app } = await build(t)
  const { etag } = (await app.inject(JWKS)).headers as { etag: string }
  for (const header of [etag, `W/${etag}`, `"something-else", ${etag}`, `"a",W/${etag} , "b"`, '*']) {
    const res = await app.inject({ url: JWKS, headers: { 'if-none-match': header } })
    t.equal(res.statusCode, 304, `If-None-Match: ${header}`)
    t.equal(res.body, '')
    t.equal(res.headers.etag, etag)
    t.equal(res.headers['cache-control'], 'public, max-age=300')
  }
  for (const header of ['"something-else"', etag.slice(1, -1), `W/"x", "y"`, '']) {
    const res = await app.inject({ url: JWKS, headers: { 'if-none-match': header } })
    t.equal(res.statusCode, 200, `If-None-Match: ${header}`)
    t.equal(res.json().keys.length, 1)
  }
})

t.test('the ETag changes with the published key set, and only then', async (t) => {
  const clock = createClock()
  const { app, keyring } = await build(t, { now: clock.now })
  const first = (await app.inject(JWKS)).headers.etag as string
  const { key } = await keyring.manager.rotate()
  const second = await app.inject({ url: JWKS, headers: { 'if-none-match': first } })
  t.equal(second.statusCode, 200, 'a new key is a new document')
  t.not(second.headers.etag, first)
  t.ok(kids(second.json()).includes(key.kid))

  clock.set(key.activatesAt.getTime())
  t.equal(keyring.signingKey().kid, key.kid)
  const afterSwitch = await app.inject({ url: JWKS, headers: { 'if-none-match': second.headers.etag as string } })
  t.equal(afterSwitch.statusCode, 304, 'the switch itself publishes nothing new: caches stay valid')
})

t.test('HEAD answers the headers without the body', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'HEAD', url: JWKS })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '')
  t.equal(res.headers['cache-control'], 'public, max-age=300')
  t.ok(res.headers.etag)
})

t.test('serving the JWKS reads no store and serialises nothing per request', async (t) => {
  const { app, store } = await build(t)
  const expected = (await app.inject(JWKS)).body
  let reads = 0
  const list = store.signingKeys.list
  store.signingKeys.list = async () => {
    reads++
    return list()
  }
  const stringify = JSON.stringify
  let serialisations = 0
  JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
    serialisations++
    return stringify(...args)
  }) as typeof JSON.stringify
  try {
    for (let i = 0; i < 200; i++) {
      const res = await app.inject(JWKS)
      if (res.body !== expected) t.fail('the body changed')
    }
  } finally {
    JSON.stringify = stringify
    store.signingKeys.list = list
  }
  t.equal(reads, 0)
  t.equal(serialisations, 0)
})
