// Usage statistics, counted (src/ops/usage.ts): every kind for its key or client, refusals and throttling, exact
// sums when two instances on one database count and flush at once, nothing lost on close or when a write fails,
// and the janitor's retention.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { importJWK, SignJWT, type JWK } from 'jose'
import { buildApp } from '../../src/app.ts'
import { createKeyring } from '../../src/keys/keyring.ts'
import { readUsage, usagePeriod } from '../../src/manage/usage.ts'
import { janitorPolicy } from '../../src/ops/janitor-schedule.ts'
import { createUsageCounter, tokenUsageKind, type UsageCounter } from '../../src/ops/usage.ts'
import { GRANT_TYPES } from '../../src/oauth/grants/index.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { BatchWriteError } from '../../src/store/direct-write.ts'
import { createStore, openDatabase, type Store } from '../../src/store/index.ts'
import type { UsageIncrement } from '../../src/store/usage.ts'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { build, createTestStore, providers, testConfig, type Test, type TestContext } from '../support/helper.ts'
import { basic, FORM, form, seed, tokenRequest } from '../support/token-fixtures.ts'

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const ACCESS_KEY_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'
const SECRET = 'usage-client-secret-with-plenty-of-entropy-0123456789'
const NOW = Date.parse('2026-12-05T10:20:00.000Z')
const HOUR = '2026-12-05T10:00:00.000Z'

/** A usage counter the test flushes itself (no timer in play), writing to the store the app is given. */
function manualCounter(now: () => number): { usage: UsageCounter; attach(store: Store): void } {
  let target: Store | undefined
  const usage = createUsageCounter({
    store: { usage: { add: (rows) => target!.usage.add(rows) } },
    config: { usageFlushInterval: 3600 },
    now,
  })
  return { usage, attach: (store) => (target = store) }
}

async function buildCounted(t: Test, provider: (typeof providers)[number], env: Record<string, string> = {}) {
  const counter = manualCounter(() => NOW)
  const ctx = await build(t, { provider, now: () => NOW, env, deps: { usage: counter.usage } })
  counter.attach(ctx.store)
  return { ...ctx, usage: counter.usage }
}

/** Counts of one key or client over the hour of NOW, as the API reads them. */
async function countsOf(ctx: Pick<TestContext, 'store'>, type: 'access_key' | 'client', id: string) {
  return (await readUsage(ctx, { type, id }, usagePeriod({ from: HOUR, to: '2026-12-05T11:00:00Z' }, NOW))).totals
}

const exchange = (subjectToken: string) => ({
  grant_type: EXCHANGE,
  subject_token: subjectToken,
  subject_token_type: ACCESS_KEY_TYPE,
})

t.test('every grant type has a usage kind', async (t) => {
  t.same(
    GRANT_TYPES.map((type) => tokenUsageKind(type)),
    [
      'token.password',
      'token.refresh_token',
      'token.client_credentials',
      'token.token_exchange',
      'token.authorization_code',
      'token.jwt_bearer',
    ],
  )
  t.equal(tokenUsageKind('urn:example:unknown'), undefined)
})

for (const provider of providers) {
  t.test(`every kind is counted for its key or client, refusals too (${provider})`, async (t) => {
    const ctx = await buildCounted(t, provider)
    const { app, store } = ctx
    const seeded = await seed(store)
    await store.clients.create({
      clientId: 'exchanger',
      name: 'Exchanger',
      secretHash: sha256(SECRET),
      grantTypes: [EXCHANGE, JWT_BEARER],
      scopes: ['read', 'admin', 'introspect'],
    })
    const exchanger = { authorization: basic('exchanger', SECRET) }
    const admin = client(app, await adminHeaders(ctx))
    const newKey = async (body: Record<string, unknown>) => {
      const response = await admin.post('/admin/v1/access-keys', { name: 'k', ...body })
      t.equal(response.statusCode, 201, response.body)
      return response.json()
    }
    const reader = await newKey({ scopes: ['read'] })
    const operator = await newKey({ scopes: ['admin'] })
    const inspector = await newKey({ scopes: ['introspect'] })
    const revoked = await newKey({ scopes: ['read'] })
    await admin.post(`/admin/v1/access-keys/${revoked.id}/revoke`)
    const signer = await newKey({ scopes: ['read'], generate_key_pair: true })
    const owner = (
      await admin.post('/admin/v1/users', {
        username: 'uma',
        password: 'a long enough password',
        scopes: ['keys:write'],
      })
    ).json()
    const own = await newKey({ scopes: ['keys:write'], user_id: owner.id })

    // Tokens: client_credentials twice, password and its refresh, token exchange, JWT bearer.
    for (let i = 0; i < 2; i++)
      t.equal(
        (await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: seeded.machine.auth }))
          .statusCode,
        200,
      )
    const password = await tokenRequest(
      app,
      { grant_type: 'password', username: 'alice', password: seeded.alice.password, scope: 'read' },
      { authorization: seeded.service.auth },
    )
    t.equal(password.statusCode, 200, password.body)
    const refreshed = await tokenRequest(
      app,
      { grant_type: 'refresh_token', refresh_token: password.json().refresh_token },
      { authorization: seeded.service.auth },
    )
    t.equal(refreshed.statusCode, 200, refreshed.body)
    const exchanged = await tokenRequest(app, exchange(reader.key), exchanger)
    t.equal(exchanged.statusCode, 200, exchanged.body)
    const privateKey = await importJWK(signer.private_key_jwk as JWK, signer.public_key_alg)
    const assertion = await new SignJWT({ jti: `usage-${Math.random()}` })
      .setProtectedHeader({ alg: signer.public_key_alg })
      .setIssuer(signer.id)
      .setSubject(signer.id)
      .setAudience(ctx.config.issuer)
      .setIssuedAt(Math.floor(NOW / 1000))
      .setExpirationTime(Math.floor(NOW / 1000) + 60)
      .sign(privateKey)
    const bearer = await tokenRequest(app, { grant_type: JWT_BEARER, assertion }, exchanger)
    t.equal(bearer.statusCode, 200, bearer.body)

    // Introspection, by a client and by an access key.
    const introspect = (headers: Record<string, string>, token: string) =>
      app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        headers: { ...FORM, ...headers },
        payload: form({ token }),
      })
    const machineToken = (
      await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: seeded.machine.auth })
    ).json()
    t.equal((await introspect({ authorization: seeded.machine.auth }, machineToken.access_token)).json().active, true)
    t.equal((await introspect({ 'x-api-key': inspector.key }, machineToken.access_token)).json().active, true)

    // API calls by keys: the admin API, /v1/me.
    t.equal((await app.inject({ url: '/admin/v1/users', headers: { 'x-api-key': operator.key } })).statusCode, 200)
    t.equal((await app.inject({ url: '/admin/v1/clients', headers: { 'x-api-key': operator.key } })).statusCode, 200)
    t.equal((await app.inject({ url: '/v1/me/access-keys', headers: { 'x-api-key': own.key } })).statusCode, 200)

    // Refusals: a wrong client secret, a revoked key exchanged, a key without the scope, a key's wrong secret, a
    // scope the client may not have; an unknown client or key is nobody's and counts for no one.
    t.equal(
      (await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic('machine', 'wrong') }))
        .statusCode,
      401,
    )
    t.equal(
      (await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic('ghost', 'wrong') }))
        .statusCode,
      401,
    )
    t.equal((await tokenRequest(app, exchange(revoked.key), exchanger)).statusCode, 400)
    t.equal(
      (
        await tokenRequest(
          app,
          { grant_type: 'client_credentials', scope: 'admin' },
          { authorization: seeded.machine.auth },
        )
      ).statusCode,
      400,
    )
    t.equal((await app.inject({ url: '/admin/v1/users', headers: { 'x-api-key': reader.key } })).statusCode, 403)
    const wrongSecret = `${operator.key.slice(0, -4)}AAAA`
    t.equal((await app.inject({ url: '/admin/v1/users', headers: { 'x-api-key': wrongSecret } })).statusCode, 401)
    const ghostKey = `pcl_${'0'.repeat(16)}_${'A'.repeat(43)}`
    t.equal((await app.inject({ url: '/admin/v1/users', headers: { 'x-api-key': ghostKey } })).statusCode, 401)
    t.equal((await introspect({ 'x-api-key': reader.key }, machineToken.access_token)).statusCode, 403)

    await ctx.usage.flush()
    t.same(await countsOf(ctx, 'client', 'machine'), {
      'token.client_credentials': 3,
      introspection: 1,
      refused: 2,
    })
    t.same(await countsOf(ctx, 'client', 'service'), { 'token.password': 1, 'token.refresh_token': 1 })
    t.same(await countsOf(ctx, 'client', 'exchanger'), {
      'token.token_exchange': 1,
      'token.jwt_bearer': 1,
      refused: 1,
    })
    t.same(await countsOf(ctx, 'access_key', reader.id), { 'token.token_exchange': 1, refused: 2 })
    t.same(await countsOf(ctx, 'access_key', signer.id), { 'token.jwt_bearer': 1 })
    t.same(await countsOf(ctx, 'access_key', revoked.id), { refused: 1 })
    t.same(await countsOf(ctx, 'access_key', operator.id), { api: 2, refused: 1 })
    t.same(await countsOf(ctx, 'access_key', inspector.id), { introspection: 1 })
    t.same(await countsOf(ctx, 'access_key', own.id), { api: 1 })
    t.same(await countsOf(ctx, 'client', 'ghost'), {}, 'an unknown client id makes no row')
    t.same(
      (await ctx.db.prisma.usageCount.findMany({ where: { subjectId: { in: ['ghost', '0'.repeat(16)] } } })).length,
      0,
    )
  })

  t.test(`a token request over the client's rate limit is counted as throttled (${provider})`, async (t) => {
    const ctx = await buildCounted(t, provider, { RATE_LIMIT_PER_CLIENT: '2' })
    const seeded = await seed(ctx.store)
    const statuses = []
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await tokenRequest(ctx.app, { grant_type: 'client_credentials' }, { authorization: seeded.machine.auth }))
          .statusCode,
      )
    t.same(statuses, [200, 200, 429])
    await ctx.usage.flush()
    t.same(await countsOf(ctx, 'client', 'machine'), { 'token.client_credentials': 2, throttled: 1 })
  })

  t.test(`N requests by one key across two instances on one database add up to N (${provider})`, async (t) => {
    const a = await buildCounted(t, provider)
    const seeded = await seed(a.store)
    await a.store.clients.create({
      clientId: 'exchanger',
      name: 'Exchanger',
      secretHash: sha256(SECRET),
      grantTypes: [EXCHANGE],
      scopes: ['read'],
    })
    // The second instance: its own connection, keyring, app and counter, as another process would have.
    const db = await openDatabase(a.databaseUrl)
    const storeB = createStore(db)
    const keyringB = await createKeyring({ config: a.config, store: storeB, masterKey: a.masterKey })
    const counterB = manualCounter(() => NOW)
    counterB.attach(storeB)
    const b = await buildApp({
      config: a.config,
      store: storeB,
      keyring: keyringB,
      masterKey: a.masterKey,
      logger: false,
      now: () => NOW,
      usage: counterB.usage,
    })
    t.teardown(async () => {
      await b.close()
      keyringB.close()
      await storeB.close()
    })
    const key = (
      await client(a.app, await adminHeaders(a)).post('/admin/v1/access-keys', { name: 'busy', scopes: ['read'] })
    ).json()
    const auth = { authorization: basic('exchanger', SECRET) }
    const N = 120
    const WAVE = 30
    for (let wave = 0; wave < N / WAVE; wave++) {
      const answers = await Promise.all(
        Array.from({ length: WAVE }, (_, i) => tokenRequest(i % 3 === 0 ? b : a.app, exchange(key.key), auth)),
      )
      t.ok(
        answers.every((answer) => answer.statusCode === 200),
        `wave ${wave}: every exchange answered 200`,
      )
      // Both instances write at once, to the same rows.
      await Promise.all([a.usage.flush(), counterB.usage.flush()])
    }
    // One more from each, flushed at once too.
    await Promise.all([tokenRequest(a.app, exchange(key.key), auth), tokenRequest(b, exchange(key.key), auth)])
    await Promise.all([a.usage.flush(), counterB.usage.flush()])
    t.same(await countsOf(a, 'access_key', key.id), { 'token.token_exchange': N + 2 })
    t.same(await countsOf(a, 'client', 'exchanger'), { 'token.token_exchange': N + 2 })
    t.same(await countsOf(a, 'client', seeded.machine.clientId), {})
  })

  t.test(`closing the app writes what it counted: nothing is lost (${provider})`, async (t) => {
    const { store, databaseUrl } = await createTestStore(t, provider)
    const seeded = await seed(store)
    // A flush interval far longer than the test: only the close can have written the counts.
    const config = testConfig({ DATABASE_URL: databaseUrl, USAGE_FLUSH_INTERVAL: '1h' })
    const masterKey = randomBytes(32)
    const keyring = await createKeyring({ config, store, masterKey })
    t.teardown(() => keyring.close())
    const app = await buildApp({ config, store, keyring, masterKey, logger: false, now: () => NOW })
    for (let i = 0; i < 5; i++)
      t.equal(
        (await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: seeded.machine.auth }))
          .statusCode,
        200,
      )
    t.same(await countsOf({ store }, 'client', 'machine'), {}, 'nothing written before the close')
    await app.close()
    t.same(await countsOf({ store }, 'client', 'machine'), { 'token.client_credentials': 5 })
  })

  t.test(`the janitor deletes usage hours older than USAGE_RETENTION; 0 keeps them (${provider})`, async (t) => {
    const { store, db } = await createTestStore(t, provider)
    const DAY = 86_400_000
    const hourAt = (ms: number) => new Date(ms - (ms % 3_600_000))
    const row = (hour: Date, count = 1): UsageIncrement => ({
      subjectType: 'client',
      subjectId: 'machine',
      hour,
      kind: 'refused',
      count,
    })
    const old = hourAt(NOW - 91 * DAY)
    const recent = hourAt(NOW - 89 * DAY)
    await store.usage.add([row(old), row(recent), row(hourAt(NOW))])
    const keepAll = janitorPolicy(testConfig({ USAGE_RETENTION: '0' }))
    t.equal(keepAll.usageRetentionMs, 0)
    const kept = await store.janitor.sweep(keepAll, { now: new Date(NOW) })
    t.equal(kept !== 'busy' && kept.deleted.UsageCount, 0)
    t.equal(await db.prisma.usageCount.count(), 3)
    const swept = await store.janitor.sweep(janitorPolicy(testConfig()), { now: new Date(NOW) })
    t.equal(swept !== 'busy' && swept.deleted.UsageCount, 1, 'the default (90 days) deletes the 91-day-old hour')
    t.same(
      (await db.prisma.usageCount.findMany({ orderBy: { hour: 'asc' } })).map((r) => r.hour.toISOString()),
      [recent.toISOString(), hourAt(NOW).toISOString()],
    )
  })

  t.test(`increments add to the stored counts; rows of zero are not written (${provider})`, async (t) => {
    const { store, db } = await createTestStore(t, provider)
    const hour = new Date(HOUR)
    const rows = (count: number): UsageIncrement[] =>
      Array.from({ length: 700 }, (_, i) => ({
        subjectType: 'access_key',
        subjectId: `key-${i}`,
        hour,
        kind: 'api',
        count,
      }))
    // More rows than one statement takes, twice: each row ends at the sum.
    await store.usage.add(rows(2))
    await Promise.all([store.usage.add(rows(3)), store.usage.add(rows(0))])
    t.equal(await db.prisma.usageCount.count(), 700)
    t.same(await db.prisma.usageCount.aggregate({ _min: { count: true }, _max: { count: true } }), {
      _min: { count: 5 },
      _max: { count: 5 },
    })
  })
}

t.test('a failed write keeps its counts for the next one; close writes them', async (t) => {
  const written: UsageIncrement[][] = []
  let failures = 1
  const errors: unknown[] = []
  const clock = NOW
  const usage = createUsageCounter({
    store: {
      usage: {
        add: async (rows) => {
          if (failures-- > 0) throw new Error('database down')
          written.push([...rows])
        },
      },
    },
    config: { usageFlushInterval: 3600 },
    now: () => clock,
    onError: (err) => errors.push(err),
  })
  usage.count('client', 'machine', 'token.client_credentials')
  usage.count('client', 'machine', 'token.client_credentials')
  usage.count('access_key', 'k1', 'api', NOW + 3_600_000)
  await usage.flush()
  t.equal(errors.length, 1, 'the failure is reported')
  t.same(written, [])
  usage.count('client', 'machine', 'token.client_credentials')
  await usage.close()
  t.same(
    written.flat().map((row) => [row.subjectType, row.subjectId, row.hour.toISOString(), row.kind, row.count]),
    [
      ['client', 'machine', HOUR, 'token.client_credentials', 3],
      ['access_key', 'k1', '2026-12-05T11:00:00.000Z', 'api', 1],
    ],
  )
  await usage.flush()
  t.equal(written.length, 1, 'nothing left to write')
})

t.test('a write that failed part-way keeps only what it did not write: nothing is counted twice', async (t) => {
  const written: UsageIncrement[] = []
  let failures = 1
  const usage = createUsageCounter({
    store: {
      usage: {
        add: async (rows) => {
          // The first row written, then a failure naming the rest (as the store's chunked writes do).
          if (failures-- > 0) {
            written.push(rows[0]!)
            throw new BatchWriteError(rows.slice(1), new Error('database down'))
          }
          written.push(...rows)
        },
      },
    },
    config: { usageFlushInterval: 3600 },
    now: () => NOW,
    onError: () => undefined,
  })
  for (const id of ['a', 'b', 'c']) usage.count('client', id, 'api')
  await usage.flush()
  await usage.close()
  t.same(written.map((row) => [row.subjectId, row.count]).sort(), [
    ['a', 1],
    ['b', 1],
    ['c', 1],
  ])
})

t.test('while writes fail, a flood of distinct ids is held up to a bound, not without end', async (t) => {
  let failing = true
  let written = 0
  const usage = createUsageCounter({
    store: {
      usage: {
        add: async (rows) => {
          if (failing) throw new Error('database down')
          written += rows.length
        },
      },
    },
    config: { usageFlushInterval: 3600 },
    now: () => NOW,
  })
  for (let i = 0; i < 150_000; i++) usage.count('client', `client-${i}`, 'refused')
  await usage.flush()
  failing = false
  await usage.close()
  t.equal(written, 100_000, 'at most 100,000 distinct rows held')
})
