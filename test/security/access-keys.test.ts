// Access keys through the front door: shown once, stored as a hash, presented either way, cached within the
// documented bound, dead when expired, revoked or their owner is disabled or deleted.
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { generateAccessKey, parseAccessKey } from '../../src/security/access-keys.ts'
import { adminHeaders, client, everyStoredValue, signedToken } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { eventually, manualTimers } from '../support/timers.ts'

const KEY_FORMAT = /^pcl_[0-9a-z]{9}[0-9A-Za-z]{7}_[0-9A-Za-z]{43}$/
const probe = (key: string) => ({ 'x-api-key': key })

t.test('the key format', async (t) => {
  t.test('is pcl_<id>_<secret> with a 43-character base62 secret (256 bits)', async (t) => {
    const { key, id } = generateAccessKey()
    t.match(key, KEY_FORMAT)
    t.same(parseAccessKey(key), { id, secret: key.split('_')[2] })
  })

  t.test('secrets are random: distinct, of the whole base62 alphabet, and their hash is not the secret', async (t) => {
    // 43 × log2(62) ≥ 256 holds only if each character is drawn uniformly from 62: a fixed or reused secret, a
    // shorter one or a narrower alphabet fails here.
    const generated = Array.from({ length: 500 }, () => generateAccessKey())
    const secrets = generated.map(({ key }) => key.split('_')[2]!)
    t.ok(
      secrets.every((secret) => /^[0-9A-Za-z]{43}$/.test(secret)),
      'each is 43 base62 characters',
    )
    t.equal(new Set(secrets).size, secrets.length, '500 secrets, all distinct')
    t.equal(new Set(generated.map(({ id }) => id)).size, generated.length, '500 ids, all distinct')
    const counts = new Map<string, number>()
    for (const char of secrets.join('')) counts.set(char, (counts.get(char) ?? 0) + 1)
    // 21,500 characters: each of the 62 is expected ~347 times; below 200 or above 500 is ~8 sigma away.
    t.equal(counts.size, 62, 'every base62 character occurs')
    t.ok(
      [...counts.values()].every((n) => n > 200 && n < 500),
      'and about equally often',
    )
    t.ok(
      generated.every(({ key, secretHash }) => !secretHash.includes(key.split('_')[2]!)),
      'the stored hash does not hold the secret',
    )
  })

  t.test('ids sort in creation order', async (t) => {
    const ids = [1, 2, 3].map((i) => generateAccessKey(1_700_000_000_000 + i * 1000).id)
    t.same([...ids].sort(), ids)
  })

  t.test('anything else does not parse, and nothing throws', async (t) => {
    const { key } = generateAccessKey()
    for (const garbage of [
      '',
      'pcl_',
      'pcl__',
      key.slice(0, -1),
      `${key}x`,
      key.replace('pcl_', 'pcx_'),
      key.replace(/_([^_]+)$/, '-$1'),
      `pcl_${'a'.repeat(16)}_${'é'.repeat(43)}`,
      'x'.repeat(100000),
      null,
      42,
      {},
    ]) {
      t.equal(parseAccessKey(garbage), undefined, JSON.stringify(garbage)?.slice(0, 40))
    }
  })
})

for (const provider of providers) {
  t.test(`access keys on ${provider}`, async (t) => {
    // One app on a moved clock for most behaviours (an app costs a database and an RSA key); the cache-bound
    // tests build their own with the setting they need.
    let clock = Date.parse('2030-01-01T00:00:00Z')
    const ctx = await build(t, {
      provider,
      now: () => clock,
      env: { AUDIENCES: 'https://api.example', ACCESS_KEY_LAST_USED_INTERVAL: '60', REVOCATION_SYNC_INTERVAL: '1' },
    })
    const adminAuth = {
      authorization: `Bearer ${(await signedToken(ctx, { scope: 'admin', now: clock, ttl: 86400 })).token}`,
    }
    const admin = client(ctx.app, adminAuth)

    t.test('the key is shown once and stored only as a hash', async (t) => {
      const created = await admin.post('/admin/v1/access-keys', {
        name: 'deploy bot',
        scopes: ['read', 'admin'],
        expires_in: 3600,
      })
      t.equal(created.statusCode, 201)
      t.equal(created.headers['cache-control'], 'no-store')
      const body = created.json()
      t.match(body.key, KEY_FORMAT)
      t.match(body, {
        id: body.key.split('_')[1],
        name: 'deploy bot',
        user_id: null,
        scopes: ['read', 'admin'],
        status: 'active',
        last_used_at: null,
        revoked_at: null,
      })
      const secret = body.key.split('_')[2]

      const got = await admin.get(`/admin/v1/access-keys/${body.id}`)
      const listed = await admin.get('/admin/v1/access-keys')
      const audit = await admin.get('/admin/v1/audit')
      for (const [what, response] of Object.entries({ get: got, list: listed, audit })) {
        t.equal(response.statusCode, 200)
        t.notOk(response.body.includes(secret), `${what} holds no secret`)
      }
      t.notOk('key' in got.json(), 'get has no key field')
      t.notOk(
        listed.json().items.some((item: object) => 'key' in item),
        'list has no key field',
      )
      t.notOk((await everyStoredValue(ctx)).includes(secret), 'no row of any table holds the secret')
      t.notOk((await everyStoredValue(ctx)).includes(body.key), 'no row of any table holds the key')
    })

    t.test('keys made through the API have distinct secrets, and no row holds any of them', async (t) => {
      const keys: string[] = []
      for (let i = 0; i < 20; i++)
        keys.push((await admin.post('/admin/v1/access-keys', { name: `batch ${i}`, scopes: ['read'] })).json().key)
      const secrets = keys.map((key) => key.split('_')[2]!)
      t.ok(keys.every((key) => KEY_FORMAT.test(key)))
      t.equal(new Set(secrets).size, secrets.length, '20 distinct secrets')
      const stored = await everyStoredValue(ctx)
      t.notOk(
        secrets.some((secret) => stored.includes(secret)),
        'none is in any row',
      )
    })

    t.test('a key is accepted as Authorization: Bearer and as X-API-Key', async (t) => {
      const { key } = (await admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['admin'] })).json()
      for (const headers of [
        { authorization: `Bearer ${key}` },
        { authorization: `bearer  ${key}` },
        { 'x-api-key': key },
      ]) {
        const response = await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers })
        t.equal(response.statusCode, 200, Object.keys(headers)[0])
      }
    })

    t.test('bad credentials are 401 with WWW-Authenticate: Bearer, never a 5xx', async (t) => {
      const { key } = (await admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['admin'] })).json()
      const wrongSecret = key.replace(/_([^_]+)$/, `_${'A'.repeat(43)}`)
      const missing = await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit' })
      t.equal(missing.statusCode, 401)
      t.equal(
        missing.headers['www-authenticate'],
        'Bearer realm="portcullis", DPoP algs="RS256 PS256 ES256 EdDSA Ed25519"',
      )
      t.same(missing.json(), { error: 'invalid_token', error_description: 'authentication is required' })
      const cases: Record<string, string>[] = [
        { 'x-api-key': wrongSecret },
        { authorization: `Bearer ${wrongSecret}` },
        { authorization: 'Bearer pcl_garbage' },
        { authorization: 'Bearer not.a.jwt' },
        { authorization: `Bearer ${'x'.repeat(9000)}` },
        { 'x-api-key': (await signedToken(ctx, { scope: 'admin' })).token },
        { authorization: `Basic ${Buffer.from('a:b').toString('base64')}`, 'x-api-key': 'pcl_x' },
      ]
      for (const headers of cases) {
        const response = await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit', headers })
        t.equal(response.statusCode, 401, JSON.stringify(headers).slice(0, 60))
        t.same(response.json(), {
          error: 'invalid_token',
          error_description: 'the access token or access key is invalid, expired or revoked',
        })
        t.match(response.headers['www-authenticate'], /^Bearer realm="portcullis", error="invalid_token"/)
      }
      const none = await ctx.app.inject({
        method: 'GET',
        url: '/admin/v1/audit',
        headers: { authorization: 'Basic abc' },
      })
      t.equal(none.statusCode, 401, 'another scheme is no bearer credential')
    })

    t.test('two credentials in one request are refused (RFC 6750 §2)', async (t) => {
      const headers = { ...adminAuth, 'x-api-key': 'pcl_anything' }
      const response = await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit', headers })
      t.equal(response.statusCode, 400)
      t.same(response.json(), {
        error: 'invalid_request',
        error_description: 'send one credential: Authorization: Bearer or X-API-Key, not both',
      })
    })

    t.test('a key stops working when it expires', async (t) => {
      const created = (
        await admin.post('/admin/v1/access-keys', { name: 'short', scopes: ['admin'], expires_in: 60 })
      ).json()
      t.equal(created.expires_at, new Date(clock + 60_000).toISOString())
      clock += 59_000
      t.equal(
        (await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit', headers: probe(created.key) })).statusCode,
        200,
      )
      clock += 1_000
      t.equal(
        (await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit', headers: probe(created.key) })).statusCode,
        401,
        'expiry is not cached',
      )
      t.equal((await admin.get(`/admin/v1/access-keys/${created.id}`)).json().status, 'expired')
    })

    t.test('revocation takes effect at once here and within ACCESS_KEY_CACHE_TTL on another instance', async (t) => {
      const ctx = await build(t, { provider, env: { ACCESS_KEY_CACHE_TTL: '30' } })
      // The other instance's clock is moved by hand: its cache expiry is a step of the test, not a wait.
      let otherClock = Date.now()
      const other = await buildApp({
        config: ctx.config,
        store: ctx.store,
        keyring: ctx.keyring,
        masterKey: ctx.masterKey,
        logger: false,
        now: () => otherClock,
      })
      t.teardown(() => other.close())
      const admin = client(ctx.app, await adminHeaders(ctx))
      const { id, key } = (await admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['admin'] })).json()
      const use = (app: typeof other) =>
        app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers: probe(key) })
      t.equal((await use(other)).statusCode, 200, 'the other instance has it cached')

      const revoked = await admin.post(`/admin/v1/access-keys/${id}/revoke`)
      t.equal(revoked.statusCode, 200)
      t.equal(revoked.json().status, 'revoked')
      t.equal((await use(ctx.app)).statusCode, 401, 'dead at once on the instance that revoked it')

      otherClock += 30_000 - 1
      t.equal((await use(other)).statusCode, 200, 'still accepted there while its cached entry is younger than the TTL')
      otherClock += 1
      const refused = await use(other)
      t.equal(refused.statusCode, 401, 'dead there once the entry is ACCESS_KEY_CACHE_TTL old')
      t.same(refused.json(), {
        error: 'invalid_token',
        error_description: 'the access token or access key is invalid, expired or revoked',
      })
    })

    t.test('verification is cached: one database lookup per ACCESS_KEY_CACHE_TTL', async (t) => {
      const { key } = (await admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['admin'] })).json()
      const lookup = ctx.store.accessKeys.findForVerification
      let lookups = 0
      ctx.store.accessKeys.findForVerification = (scope, id) => {
        lookups++
        return lookup(scope, id)
      }
      t.teardown(() => {
        ctx.store.accessKeys.findForVerification = lookup
      })
      const useMany = () =>
        Promise.all(
          Array.from({ length: 20 }, () =>
            ctx.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers: probe(key) }),
          ),
        )
      t.same(new Set((await useMany()).map((r) => r.statusCode)), new Set([200]))
      t.equal(lookups, 1)
      clock += ctx.config.accessKeyCacheTtl * 1000
      await useMany()
      t.equal(lookups, 2, 'looked up again once the cached entry is ACCESS_KEY_CACHE_TTL old')
    })

    t.test('with ACCESS_KEY_CACHE_TTL=0 every request looks the key up', async (t) => {
      const ctx = await build(t, { provider, env: { ACCESS_KEY_CACHE_TTL: '0' } })
      const { key } = (
        await client(ctx.app, await adminHeaders(ctx)).post('/admin/v1/access-keys', { name: 'k', scopes: ['admin'] })
      ).json()
      const lookup = ctx.store.accessKeys.findForVerification
      let lookups = 0
      ctx.store.accessKeys.findForVerification = (scope, id) => {
        lookups++
        return lookup(scope, id)
      }
      for (let i = 0; i < 3; i++)
        await ctx.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers: probe(key) })
      t.equal(lookups, 3)
    })

    t.test('last_used_at is written once per interval, in batches, not per request', async (t) => {
      const keys = await Promise.all(
        ['a', 'b'].map(async (name) => (await admin.post('/admin/v1/access-keys', { name, scopes: ['admin'] })).json()),
      )
      const touch = ctx.store.accessKeys.touchLastUsed
      const writes: number[] = []
      // Counted once the write has landed, so a read right after waitForWrites sees it. An earlier subtest's use
      // of its key is written up to a second after it (the batch delay), maybe in the same batch: only this
      // test's keys are counted.
      const ours = new Set(keys.map(({ id }) => id as string))
      ctx.store.accessKeys.touchLastUsed = async (uses) => {
        const updated = await touch(uses)
        const counted = [...uses.keys()].filter((id) => ours.has(id)).length
        if (counted > 0) writes.push(counted)
        return updated
      }
      t.teardown(() => {
        ctx.store.accessKeys.touchLastUsed = touch
      })
      const useAll = () =>
        Promise.all(
          keys.flatMap(({ key }) =>
            Array.from({ length: 10 }, () =>
              ctx.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers: probe(key) }),
            ),
          ),
        )
      const waitForWrites = async (count: number) => {
        for (let i = 0; i < 60 && writes.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 50))
      }

      await useAll()
      await waitForWrites(1)
      t.same(writes, [2], 'one write for 20 uses of 2 keys')
      const first = (await admin.get(`/admin/v1/access-keys/${keys[0].id}`)).json().last_used_at
      t.equal(first, new Date(clock).toISOString())
      t.equal(
        (await admin.get(`/admin/v1/access-keys/${keys[1].id}`)).json().last_used_at,
        first,
        'one timestamp for the batch',
      )

      clock += 30_000
      await useAll()
      await new Promise((resolve) => setTimeout(resolve, 1300))
      t.same(writes, [2], 'no write within the interval')

      clock += 31_000
      await useAll()
      await waitForWrites(2)
      t.same(writes, [2, 2])
      t.equal(
        (await admin.get(`/admin/v1/access-keys/${keys[1].id}`)).json().last_used_at,
        new Date(clock).toISOString(),
      )
    })

    t.test("a user's key dies when the user is disabled or deleted, and shrinks with their scopes", async (t) => {
      const user = (
        await admin.post('/admin/v1/users', {
          username: 'dana',
          password: 'long enough password',
          scopes: ['admin', 'read'],
        })
      ).json()
      const { key } = (
        await admin.post('/admin/v1/access-keys', { name: 'danas', scopes: ['admin', 'read'], user_id: user.id })
      ).json()
      const use = () => ctx.app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers: probe(key) })
      t.equal((await use()).statusCode, 200)

      t.equal((await admin.patch(`/admin/v1/users/${user.id}`, { scopes: ['read'] })).statusCode, 200)
      const narrowed = await use()
      t.equal(narrowed.statusCode, 403, 'the owner lost admin, so the key did')
      t.equal(narrowed.json().error, 'insufficient_scope')

      t.equal((await admin.patch(`/admin/v1/users/${user.id}`, { scopes: ['read', 'admin'] })).statusCode, 200)
      t.equal((await use()).statusCode, 200)
      t.equal((await admin.patch(`/admin/v1/users/${user.id}`, { disabled: true })).statusCode, 200)
      t.equal((await use()).statusCode, 401, 'disabled owner: dead at once')
      t.equal((await admin.patch(`/admin/v1/users/${user.id}`, { disabled: false })).statusCode, 200)
      t.equal((await use()).statusCode, 200, 'enabled again: alive again')
      t.equal((await admin.delete(`/admin/v1/users/${user.id}`)).statusCode, 204)
      t.equal((await use()).statusCode, 401, 'deleted owner: dead')
    })

    t.test("a key's scopes cannot exceed its owner's", async (t) => {
      const user = (
        await admin.post('/admin/v1/users', { username: 'erin', password: 'long enough password', scopes: ['read'] })
      ).json()
      const response = await admin.post('/admin/v1/access-keys', {
        name: 'too wide',
        scopes: ['read', 'admin'],
        user_id: user.id,
      })
      t.equal(response.statusCode, 400)
      t.same(response.json(), {
        error: 'invalid_request',
        error_description: "scopes: the user does not hold 'admin'",
        details: [{ field: 'scopes', message: 'the user does not hold "admin"' }],
      })
      t.equal(await ctx.db.prisma.accessKey.count({ where: { userId: user.id } }), 0)
    })

    t.test('a revoked JWT and a JWT for another audience are refused', async (t) => {
      // An instance without a change feed, whose revocation sync is advanced by hand: the token is revoked in the
      // database as another instance would, and refused here at the next sync.
      const timers = manualTimers()
      const here = await buildApp({
        config: ctx.config,
        store: ctx.store,
        keyring: ctx.keyring,
        masterKey: ctx.masterKey,
        logger: false,
        now: () => clock,
        every: timers.every,
      })
      t.teardown(() => here.close())
      const token = await signedToken(ctx, { scope: 'admin', now: clock })
      const use = (value: string, app = here) =>
        app.inject({ method: 'GET', url: '/admin/v1/audit?limit=1', headers: { authorization: `Bearer ${value}` } })
      t.equal((await use(token.token)).statusCode, 200)
      await ctx.store.revokedTokens.revoke(token.jti, new Date(token.expiresAt * 1000), new Date(clock))
      t.same(timers.intervals(), [1_000], 'synced every REVOCATION_SYNC_INTERVAL')
      timers.tick(999)
      t.equal((await use(token.token)).statusCode, 200, 'not yet read a millisecond before the sync')
      timers.tick(1)
      t.ok(
        await eventually(async () => (await use(token.token)).statusCode === 401),
        'refused from the sync on (within REVOCATION_SYNC_INTERVAL)',
      )
      t.ok(
        await eventually(async () => (await use(token.token, ctx.app)).statusCode === 401),
        'and by the instance that watches the change feed (polled with a deadline)',
      )
      const elsewhere = await signedToken(ctx, { scope: 'admin', aud: 'https://api.example', now: clock })
      t.equal((await use(elsewhere.token)).statusCode, 401)
      t.equal((await use(elsewhere.token, ctx.app)).statusCode, 401)
      const expired = await signedToken(ctx, { scope: 'admin', now: clock - 3600_000, ttl: 60 })
      t.equal((await use(expired.token)).statusCode, 401)
    })
  })
}
