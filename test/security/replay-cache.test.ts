// The replay cache of signed JWTs (security/replay-cache.ts): a jti is accepted once until it expires, by one
// of any number of concurrent callers, across two stores on one database (two instances), in Redis too.
import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import {
  createDatabaseReplayCache,
  createRedisReplayCache,
  createReplayCache,
  type ReplayCache,
} from '../../src/security/replay-cache.ts'
import { createStore, openDatabase, StoreError } from '../../src/store/index.ts'
import { createTestStore, providers, testConfig } from '../support/helper.ts'

const START = Date.parse('2030-01-01T00:00:00Z')
const later = (seconds: number) => new Date(START + seconds * 1000)

/** The rules every replay cache keeps; `clock` moves the cache's own time (`now`). */
async function behaves(t: Test, cache: ReplayCache, clock: { now: number }) {
  const jti = randomBytes(8).toString('hex')
  t.equal(await cache.remember('client_assertion', jti, later(60)), true, 'a new jti is accepted')
  t.equal(await cache.remember('client_assertion', jti, later(60)), false, 'the same jti again is a replay')
  t.equal(await cache.remember('client_assertion', jti, later(120)), false, 'a later expiry does not launder it')
  t.equal(await cache.remember('dpop', jti, later(60)), true, 'another namespace has its own ids')
  const racing = randomBytes(8).toString('hex')
  const results = await Promise.all(Array.from({ length: 10 }, () => cache.remember('jwt_bearer', racing, later(60))))
  t.same(results.filter(Boolean).length, 1, 'of ten concurrent uses of one jti, exactly one is accepted')
  clock.now = START + 61_000
  return jti
}

for (const provider of providers) {
  t.test(`in the database, a jti is accepted once until it expires (${provider})`, async (t) => {
    const { store } = await createTestStore(t, provider)
    const clock = { now: START }
    const cache = createDatabaseReplayCache({ store, now: () => clock.now })
    const jti = await behaves(t, cache, clock)
    t.equal(
      await cache.remember('client_assertion', jti, later(200)),
      true,
      'an expired entry the janitor has not yet deleted is taken over',
    )
    t.equal(await cache.remember('client_assertion', jti, later(200)), false, 'and is then recorded again')
    const policy = {
      retentionMs: 0,
      loginFailureWindowSeconds: 1,
      batchSize: 100,
      auditRetentionMs: 0,
      usageRetentionMs: 0,
    }
    t.equal(
      await store.janitor.deleteBatch('UsedJti', policy, later(100)),
      2,
      'the janitor deletes what expired (the dpop and jwt_bearer ids)',
    )
    t.equal(await store.janitor.deleteBatch('UsedJti', policy, later(100)), 0)
    t.equal(await cache.remember('client_assertion', jti, later(300)), false, 'and keeps what has not')
  })

  t.test(`two instances on one database never both accept a jti (${provider})`, async (t) => {
    const { store, databaseUrl } = await createTestStore(t, provider)
    const db = await openDatabase(databaseUrl, { migrate: false })
    const other = createStore(db)
    t.teardown(() => other.close())
    const now = () => START
    const first = createDatabaseReplayCache({ store, now })
    const second = createDatabaseReplayCache({ store: other, now })
    for (let round = 0; round < 5; round++) {
      const jti = `round-${round}`
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? first : second).remember('client_assertion', jti, later(60))),
      )
      t.equal(results.filter(Boolean).length, 1, `round ${round}: one acceptance in all`)
    }
  })
}

t.test('createReplayCache uses the database unless REDIS_URL is set', async (t) => {
  const { store } = await createTestStore(t)
  const replay = await createReplayCache({ config: testConfig(), store, now: () => START })
  t.teardown(() => replay.close())
  t.equal(await replay.cache.remember('dpop', 'x', later(60)), true)
  t.equal(await replay.cache.remember('dpop', 'x', later(60)), false)
  t.equal(
    await store.replayCache.remember('dpop', 'x', later(60), new Date(START)),
    false,
    'the row is in the database',
  )
})

t.test(
  'in Redis, a jti is accepted once until it expires',
  { skip: !process.env.TEST_REDIS_URL && 'TEST_REDIS_URL is not set' },
  async (t) => {
    const { store } = await createTestStore(t)
    const issuer = `http://portcullis-${randomBytes(4).toString('hex')}.test`
    const replay = await createReplayCache({
      config: testConfig({ REDIS_URL: process.env.TEST_REDIS_URL!, ISSUER: issuer }),
      store,
      now: Date.now,
    })
    t.teardown(() => replay.close())
    const soon = () => new Date(Date.now() + 60_000)
    const jti = randomBytes(8).toString('hex')
    t.equal(await replay.cache.remember('client_assertion', jti, soon()), true)
    t.equal(await replay.cache.remember('client_assertion', jti, soon()), false)
    // The key names the deployment (its issuer), so that two deployments sharing one Redis stay apart.
    const { Redis } = await import('ioredis')
    const direct = new Redis(process.env.TEST_REDIS_URL!)
    t.teardown(() => direct.quit())
    t.equal(await direct.get(`portcullis:jti:${issuer}:client_assertion:${jti}`), '1')
    t.ok((await direct.pttl(`portcullis:jti:${issuer}:client_assertion:${jti}`)) > 50_000, 'expires with the jti')
    t.equal(await replay.cache.remember('dpop', jti, soon()), true, 'another namespace has its own ids')
    const racing = randomBytes(8).toString('hex')
    const results = await Promise.all(
      Array.from({ length: 10 }, () => replay.cache.remember('jwt_bearer', racing, soon())),
    )
    t.equal(results.filter(Boolean).length, 1, 'of ten concurrent uses, one is accepted')
    t.equal(
      await store.replayCache.remember('client_assertion', jti, soon(), new Date()),
      true,
      'nothing went to the database',
    )
    const past = randomBytes(8).toString('hex')
    t.equal(await replay.cache.remember('client_assertion', past, new Date(Date.now() - 1000)), true)
    t.equal(
      await replay.cache.remember('client_assertion', past, new Date(Date.now() + 60_000)),
      true,
      'an entry whose expiry has passed is gone',
    )
  },
)

t.test('a Redis that fails refuses: the error is an unavailable StoreError, never an acceptance', async (t) => {
  const failing = { set: async () => Promise.reject(new Error('Connection is closed.')) }
  const cache = createRedisReplayCache(failing as never, 'p:')
  await t.rejects(cache.remember('client_assertion', 'x', later(60)), StoreError)
  const cause = await cache.remember('client_assertion', 'x', later(60)).catch((err: StoreError) => {
    t.equal(err.code, 'unavailable')
    t.equal(err.message, 'the replay cache (Redis) is unavailable')
    return err.cause
  })
  t.match(cause, { message: 'Connection is closed.' }, "Redis's own error is kept as the cause")
})

t.test('in Redis, a jti is one key, prefixed, set once with an absolute expiry (SET … PXAT … NX)', async (t) => {
  const calls: unknown[][] = []
  const redis = {
    set: async (...args: unknown[]) => {
      calls.push(args)
      return calls.length === 1 ? 'OK' : null
    },
  }
  const cache = createRedisReplayCache(redis as never, 'portcullis:jti:https://a.test:')
  const until = later(60)
  t.equal(await cache.remember('dpop', 'abc', until), true)
  t.equal(await cache.remember('dpop', 'abc', until), false, 'not OK: already there')
  t.same(calls[0], ['portcullis:jti:https://a.test:dpop:abc', '1', 'PXAT', until.getTime(), 'NX'])
})

t.test('a Redis outage is reported once, until Redis is ready again; close disconnects', async (t) => {
  let handlers: { error(err: unknown): void; ready(): void } | undefined
  let disconnected = 0
  const fakeRedis = { set: async () => 'OK', disconnect: () => void disconnected++ }
  const connect = (async (_url: string, on: NonNullable<typeof handlers>) => {
    handlers = on
    return fakeRedis
  }) as unknown as NonNullable<Parameters<typeof createReplayCache>[0]['connect']>
  const withFakeRedis = (deps: Omit<Parameters<typeof createReplayCache>[0], 'connect'>) =>
    createReplayCache({ ...deps, connect })
  const reported: unknown[] = []
  const config = { redisUrl: 'redis://127.0.0.1:1', issuer: 'https://as.example' }
  const replay = await withFakeRedis({
    config,
    store: {} as never,
    now: () => START,
    onError: (err) => reported.push(err),
  })
  t.equal(await replay.cache.remember('dpop', 'j1', later(60)), true, 'the cache is the Redis one')
  const [first, second, third] = [new Error('down'), new Error('still down'), new Error('down again')]
  handlers!.error(first)
  handlers!.error(second)
  t.same(reported, [first], 'one report per outage, not one per reconnection attempt')
  handlers!.ready()
  handlers!.error(third)
  t.same(reported, [first, third], 'reported again after Redis came back')
  await replay.close()
  t.equal(disconnected, 1)
  // Without an onError, an outage is not reported, and nothing throws.
  const quiet = await withFakeRedis({ config, store: {} as never, now: () => START })
  t.doesNotThrow(() => handlers!.error(new Error('down')))
  await quiet.close()
})
