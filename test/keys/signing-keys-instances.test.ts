// Instances sharing one database (issue 4): they agree on the keys, rotate once between them, and
// notice each other's changes within KEYRING_REFRESH_INTERVAL. Runs on PostgreSQL when TEST_DATABASE_URL is set.
import t from 'tap'
import { createKeyring } from '../../src/keys/keyring.ts'
import { createKeyManager } from '../../src/keys/key-manager.ts'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { build, createTestStore, providers, testConfig } from '../support/helper.ts'
import { SECOND, START, DAY, createClock, fetchJwks, kids, secondInstance } from '../support/signing-keys-fixtures.ts'
import { manualTimers, settle, until } from '../support/timers.ts'

const PRE_PUBLICATION = (300 + 30 + 60) * SECOND
const ROTATION_DUE = START + 30 * DAY - PRE_PUBLICATION

for (const provider of providers) {
  t.test(`instances sharing one ${provider} database`, async (t) => {
    t.test('instances deciding to rotate at the same moment end with exactly one new key', async (t) => {
      const clock = createClock()
      const a = await build(t, { provider, now: clock.now })
      const b = await secondInstance(t, a.config, a.databaseUrl, { masterKey: a.masterKey, now: clock.now })
      const third = createStore(await openDatabase(a.databaseUrl))
      t.teardown(() => third.close())
      const c = createKeyManager({
        config: a.config,
        store: third,
        masterKey: { key: a.masterKey, source: 'test' },
        now: clock.now,
      })
      clock.set(ROTATION_DUE)
      const results = await Promise.all([
        a.keyring.manager.rotateIfDue(),
        b.keyring.manager.rotateIfDue(),
        c.rotateIfDue(),
      ])
      t.equal(results.filter((result) => result?.changed).length, 1, 'one rotation happened')
      const keys = await a.keyring.manager.list()
      t.same(
        keys.map((key) => [key.generation, key.state]),
        [
          [2, 'next'],
          [1, 'active'],
        ],
      )
      await Promise.all([a.keyring.refresh(), b.keyring.refresh()])
      t.equal(a.keyring.jwks().etag, b.keyring.jwks().etag, 'both publish the same JWKS')
      clock.set(ROTATION_DUE + PRE_PUBLICATION)
      t.equal(a.keyring.signingKey().kid, keys[0]!.kid)
      t.equal(b.keyring.signingKey().kid, keys[0]!.kid, 'and agree on the active key')
    })

    t.test('instances starting at the same moment on an empty database make one first key', async (t) => {
      const { store: storeA, databaseUrl } = await createTestStore(t, provider)
      const storeB = createStore(await openDatabase(databaseUrl))
      t.teardown(() => storeB.close())
      const config = testConfig({ DATABASE_URL: databaseUrl })
      const masterKey = Buffer.alloc(32, 7)
      const [a, b] = await Promise.all([
        createKeyring({ config, store: storeA, masterKey, autoRefresh: false }),
        createKeyring({ config, store: storeB, masterKey, autoRefresh: false }),
      ])
      t.teardown(() => {
        a.close()
        b.close()
      })
      t.equal((await storeA.signingKeys.list()).length, 1)
      t.equal(a.signingKey().kid, b.signingKey().kid)
    })

    t.test("an instance notices another instance's change within KEYRING_REFRESH_INTERVAL", async (t) => {
      const a = await build(t, { provider, env: { KEYRING_REFRESH_INTERVAL: '60' } })
      // b has no change feed: only its refresh timer, advanced by hand, can tell it of a's change.
      const timers = manualTimers()
      const b = await secondInstance(t, a.config, a.databaseUrl, {
        masterKey: a.masterKey,
        autoRefresh: true,
        every: timers.every,
      })
      const old = b.keyring.signingKey().kid
      t.equal(a.keyring.signingKey().kid, old, 'both sign with the first key')
      const { key } = await a.keyring.manager.revoke(old)
      t.not(a.keyring.signingKey().kid, old, 'the instance that revoked switched at once')
      t.same(timers.intervals(), [60_000], 'one timer, of KEYRING_REFRESH_INTERVAL')
      timers.tick(59_999)
      await settle()
      t.equal(b.keyring.signingKey().kid, old, 'the other one has not read it before the interval')
      timers.tick(1)
      t.ok(await until(() => b.keyring.signingKey().kid !== old), 'the other one switched at the interval')
      t.equal(b.keyring.signingKey().kid, a.keyring.signingKey().kid)
      t.notOk(kids(await fetchJwks(b.app)).includes(key.kid), 'and no longer publishes the revoked key')
    })
  })
}

t.test(
  'the refresh timer: one query when nothing changed, failures logged while the held keys keep signing, stopped by close()',
  async (t) => {
    const { store, databaseUrl } = await createTestStore(t)
    const config = testConfig({ DATABASE_URL: databaseUrl, KEYRING_REFRESH_INTERVAL: '30' })
    const timers = manualTimers()
    const logged: string[] = []
    const keyring = await createKeyring({
      config,
      store,
      masterKey: Buffer.alloc(32, 3),
      every: timers.every,
      log: {
        info: () => undefined,
        error: (details, message) => void logged.push(`${message} ${JSON.stringify(details)}`),
      },
    })
    t.teardown(() => keyring.close())
    const kid = keyring.signingKey().kid
    const list = store.signingKeys.list
    let reads = 0
    store.signingKeys.list = async () => {
      reads++
      return list()
    }
    await keyring.refresh()
    t.equal(reads, 1, 'a quiet refresh is one read')

    store.signingKeys.list = async () => {
      reads++
      throw new Error('connection refused')
    }
    t.same(timers.intervals(), [30_000], 'one timer, of KEYRING_REFRESH_INTERVAL')
    timers.tick(29_999)
    await settle()
    t.equal(reads, 1, 'not before the interval')
    timers.tick(1)
    t.ok(await until(() => logged.length > 0), 'its failure is logged')
    t.equal(reads, 2, 'the timer fired once')
    t.same(logged[0], 'keyring refresh failed; keeping the keys held {"reason":"connection refused"}')
    t.equal(keyring.signingKey().kid, kid)

    keyring.close()
    t.equal(timers.running(), 0, 'close() stops the timer')
    const after = reads
    timers.tick(60_000)
    await settle()
    t.equal(reads, after, 'no refresh after close()')
  },
)
