// Rows that can no longer matter are deleted now and then by the writes that make such rows, on both
// providers: refresh-token families past their absolute expiry (with their tokens) and login-failure
// counters whose window is over and that hold no lock.
import t from 'tap'
import { createTestStore, providers } from './helper.ts'
import { sha256 } from '../src/security/secrets.ts'

const HOUR = 60 * 60 * 1000

for (const provider of providers) {
  t.test(`refresh families past their absolute expiry are purged, with their tokens (${provider})`, async (t) => {
    const { store } = await createTestStore(t, provider)
    const user = await store.users.create({ username: 'ada', passwordHash: 'x', scopes: ['read'] })
    await store.clients.create({ clientId: 'app', name: 'App', secretHash: sha256('s'), grantTypes: ['password', 'refresh_token'], scopes: ['read'] })
    const t0 = new Date('2030-01-01T00:00:00Z')
    const family = (hash: string, expiresInMs: number, now: Date) =>
      store.refreshTokens.createFamily({ clientId: 'app', userId: user.id, scope: ['read'], audience: 'api', absoluteExpiresAt: new Date(now.getTime() + expiresInMs), tokenHash: sha256(hash) }, now)

    await family('short', 60_000, t0) // the first family of this store instance purges (nothing yet)
    await family('long', 30 * 24 * HOUR, t0)
    await family('half-hour later', 10 * 60_000, new Date(t0.getTime() + 30 * 60_000))
    t.ok(await store.refreshTokens.findByHash(sha256('short')), 'expired, but the next purge is not due within the hour')

    await family('an hour later', 30 * 24 * HOUR, new Date(t0.getTime() + HOUR + 1))
    t.equal(await store.refreshTokens.findByHash(sha256('short')), undefined, 'purged by the first new family an hour on')
    t.equal(await store.refreshTokens.findByHash(sha256('half-hour later')), undefined, 'every expired family goes')
    t.ok(await store.refreshTokens.findByHash(sha256('long')), 'an unexpired family stays')
    t.ok(await store.refreshTokens.findByHash(sha256('an hour later')))

    t.equal(await store.refreshTokens.purgeExpired(new Date(t0.getTime() + 31 * 24 * HOUR)), 2, 'both others, once expired')
    t.equal(await store.refreshTokens.findByHash(sha256('long')), undefined)
  })

  t.test(`login-failure counters that no longer count are purged, locks in force are kept (${provider})`, async (t) => {
    const { store } = await createTestStore(t, provider)
    const policy = { maxFailures: 3, window: 60, lockout: 3600 }
    const t0 = new Date('2030-01-01T00:00:00Z')
    await store.loginThrottle.recordFailure('ip:198.51.100.1', policy, t0) // purges nothing: no row was stale
    await store.loginThrottle.recordFailure('ip:198.51.100.2', { ...policy, maxFailures: 1 }, t0) // locked for an hour
    await store.loginThrottle.recordFailure('ip:198.51.100.3', policy, new Date(t0.getTime() + 90_000))
    const keys = ['ip:198.51.100.1', 'ip:198.51.100.2', 'ip:198.51.100.3']
    t.same((await store.loginThrottle.check(keys, t0)).counted.sort(), keys, 'the next purge is not due within the hour')

    const later = new Date(t0.getTime() + 120_000)
    t.equal(await store.loginThrottle.purgeStale(policy.window, later), 1, 'only the counter whose window is over and holds no lock')
    const state = await store.loginThrottle.check(keys, later)
    t.same(state.counted.sort(), ['ip:198.51.100.2', 'ip:198.51.100.3'])
    t.equal(state.lockedUntil?.getTime(), t0.getTime() + 3600_000, 'the lock is still in force')

    await store.loginThrottle.recordFailure('ip:198.51.100.4', policy, new Date(t0.getTime() + 2 * HOUR))
    t.same((await store.loginThrottle.check(keys, new Date(t0.getTime() + 2 * HOUR))).counted, [], 'a failure an hour on purged the rest, the ended lock too')
  })
}
