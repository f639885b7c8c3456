// The in-memory list of revoked JWT ids of one app instance, over a store double: what it reads at start and
// on each sync, when entries leave it, and what a failed read or close() does. Through the front door and on
// a real database: test/oauth/revocation.test.ts.
import t from 'tap'
import {
  consentAccessTokenCutoff,
  consentRevocationId,
  createRevocationList,
  grantRevocationId,
  revokeGrantAccessTokens,
  SYNC_OVERLAP_MS,
  userAccessTokenCutoff,
  userRevocationId,
} from '../../src/security/revocation-list.ts'
import { newId } from '../../src/store/ids.ts'
import type { RevokedJti } from '../../src/store/revoked-tokens.ts'
import { manualTimers, settle, until } from '../support/timers.ts'

const START = Date.parse('2030-01-01T00:00:00Z')

function fakeStore(rows: RevokedJti[]) {
  const reads: { since?: Date; now: Date; writer?: string | null }[] = []
  let failure: Error | undefined
  const active = (now: Date) => rows.filter((row) => row.expiresAt > now).map((row) => ({ ...row }))
  return {
    reads,
    rows,
    fail(err: Error | undefined) {
      failure = err
    },
    revokedTokens: {
      async listActive(now: Date) {
        reads.push({ now })
        return active(now)
      },
      async listRecordedSince(since: Date, now: Date, writer?: string | null) {
        reads.push({ since, now, ...(writer === undefined ? {} : { writer }) })
        if (failure) throw failure
        return active(now).filter((row) => rows.find((r) => r.jti === row.jti)!.createdAt >= since)
      },
    },
  }
}

t.test('reads every unexpired revocation at start', async (t) => {
  const store = fakeStore([
    { jti: 'live', expiresAt: new Date(START + 60_000), createdAt: new Date(START - 600_000) },
    { jti: 'expired', expiresAt: new Date(START - 1), createdAt: new Date(START - 600_000) },
  ])
  const list = await createRevocationList({ store, now: () => START, syncIntervalSeconds: 60 })
  t.teardown(() => list.close())
  t.equal(list.isRevoked('live'), true)
  t.equal(list.isRevoked('expired'), false)
  t.equal(list.isRevoked('never-revoked'), false)
  t.equal(list.size(), 1)
  t.same(store.reads, [{ now: new Date(START) }])
})

t.test('a sync reads the rows recorded since the previous read, less the overlap, and adds them', async (t) => {
  let clock = START
  const store = fakeStore([])
  const list = await createRevocationList({ store, now: () => clock, syncIntervalSeconds: 60 })
  t.teardown(() => list.close())
  clock += 2_000
  store.rows.push({ jti: 'elsewhere', expiresAt: new Date(clock + 60_000), createdAt: new Date(clock - 1) })
  await list.sync()
  t.same(
    store.reads[1],
    { since: new Date(START - SYNC_OVERLAP_MS), now: new Date(clock), writer: list.writer },
    "without the list's own rows",
  )
  t.match(list.writer, /^[0-9a-f-]{36}$/)
  t.equal(list.isRevoked('elsewhere'), true)
  const syncedAt = clock
  clock += 2_000
  await list.sync()
  t.same(store.reads[2], { since: new Date(syncedAt - SYNC_OVERLAP_MS), now: new Date(clock), writer: list.writer })
  t.equal(list.size(), 1, 'a row read twice is held once')
})

t.test('a sync during a read waits for the next read, which the calls made meanwhile share', async (t) => {
  const store = fakeStore([])
  const list = await createRevocationList({ store, now: () => START, syncIntervalSeconds: 60 })
  t.teardown(() => list.close())
  const first = list.sync()
  store.rows.push({ jti: 'during-the-first-read', expiresAt: new Date(START + 60_000), createdAt: new Date(START) })
  await Promise.all([first, list.sync(), list.sync()])
  t.equal(store.reads.length, 3, 'the start, the read in progress, then one more for both later calls')
  t.equal(list.isRevoked('during-the-first-read'), true, 'a row written after the first read began is seen')
  await list.sync()
  t.equal(store.reads.length, 4, 'a call with no read in progress reads once')
})

t.test('an entry stops counting when its token expires, and leaves the list at the next sync', async (t) => {
  let clock = START
  const list = await createRevocationList({ store: fakeStore([]), now: () => clock, syncIntervalSeconds: 60 })
  t.teardown(() => list.close())
  list.add('local', new Date(clock + 1_000))
  list.add('already-expired', new Date(clock))
  t.equal(list.isRevoked('local'), true, 'added by this instance: at once')
  t.equal(list.isRevoked('already-expired'), false)
  t.equal(list.size(), 1, 'an expired token is not added')
  clock += 1_000
  t.equal(list.isRevoked('local'), false, 'the token has expired: no longer needed')
  await list.sync()
  t.equal(list.size(), 0, 'dropped from memory')
})

t.test('the timer syncs every syncIntervalSeconds, reports a failed read and keeps the list as it was', async (t) => {
  let clock = START
  const store = fakeStore([])
  const errors: unknown[] = []
  const timers = manualTimers()
  const list = await createRevocationList({
    store,
    now: () => clock,
    syncIntervalSeconds: 5,
    onError: (err) => errors.push(err),
    every: timers.every,
  })
  t.teardown(() => list.close())
  t.same(timers.intervals(), [5_000], 'one timer, of syncIntervalSeconds')
  t.equal(store.reads.length, 1, 'the start reads once; nothing more before the interval')
  list.add('kept', new Date(START + 3_600_000))
  store.fail(new Error('database down'))
  timers.tick(4_999)
  await settle()
  t.equal(store.reads.length, 1, 'no read a millisecond before the interval')
  timers.tick(1)
  await settle()
  t.equal(store.reads.length, 2, 'the start, then one timed read')
  t.match(errors, [{ message: 'database down' }])
  t.equal(list.isRevoked('kept'), true)

  store.fail(undefined)
  clock += 5_000
  store.rows.push({ jti: 'later', expiresAt: new Date(clock + 60_000), createdAt: new Date(clock) })
  timers.tick()
  await settle()
  t.equal(list.isRevoked('later'), true, 'the next timed read catches up, from where the last good read left off')
  t.same(store.reads.at(-1)?.since, new Date(START - SYNC_OVERLAP_MS))
  t.equal(errors.length, 1, 'the good read reports nothing')
})

t.test(
  'close() stops the timer and waits for a read in progress; a read failing after close is not reported',
  async (t) => {
    const store = fakeStore([])
    const errors: unknown[] = []
    const timers = manualTimers()
    let release: (() => void) | undefined
    const list = await createRevocationList({
      store,
      now: () => START,
      syncIntervalSeconds: 1,
      onError: (err) => errors.push(err),
      every: timers.every,
    })
    const listRecordedSince = store.revokedTokens.listRecordedSince
    store.revokedTokens.listRecordedSince = async (since, now) => {
      await new Promise<void>((resolve) => {
        release = resolve
      })
      await listRecordedSince(since, now)
      throw new Error('store closed')
    }
    timers.tick()
    await settle()
    t.ok(release, 'the timed read is in progress')
    let closed = false
    const closing = list.close().then(() => {
      closed = true
    })
    await settle()
    t.equal(closed, false, 'waits for the read in progress')
    t.equal(timers.running(), 0, 'the timer is stopped')
    release?.()
    await closing
    t.equal(closed, true)
    const reads = store.reads.length
    timers.tick(10_000)
    await settle()
    t.equal(store.reads.length, reads, 'no read after close')
    t.same(errors, [], 'the read failing after close is not reported')
  },
)

t.test(
  "a user cutoff refuses the user's tokens from logins started, or issued without a login, at or before it",
  async (t) => {
    let clock = START + 10_000
    const list = await createRevocationList({ store: fakeStore([]), now: () => clock, syncIntervalSeconds: 60 })
    t.teardown(() => list.close())
    const cutoff = START + 5_500
    const token = (claims: { sub?: unknown; iat?: unknown; sid?: unknown }) => ({ jti: newId(clock), ...claims })
    const loginAt = (ms: number) => newId(ms)
    const [before, at, after] = [loginAt(cutoff - 1), loginAt(cutoff), loginAt(cutoff + 1)]
    list.cutOffUser('u1', new Date(cutoff), new Date(START + 60_000))
    t.equal(list.size(), 1)
    t.equal(
      list.revokes(token({ sub: 'u1', iat: START / 1000 + 9, sid: before })),
      true,
      'a login started before, even refreshed since',
    )
    t.equal(list.revokes(token({ sub: 'u1', iat: START / 1000 + 9, sid: at })), true, 'a login started at the cutoff')
    t.equal(
      list.revokes(token({ sub: 'u1', iat: START / 1000 + 5, sid: after })),
      false,
      'a login started a millisecond after (same second) works',
    )
    t.equal(
      list.revokes(token({ sub: 'u1', iat: START / 1000 + 5 })),
      true,
      'without a login: issued in the cutoff’s second',
    )
    t.equal(
      list.revokes(token({ sub: 'u1', iat: START / 1000 + 6 })),
      false,
      'without a login: issued in a later second',
    )
    t.equal(list.revokes(token({ sub: 'u1' })), true, 'without iat nor sid: refused')
    t.equal(list.revokes(token({ sub: 'u2', iat: START / 1000 })), false, 'another user')
    t.equal(
      list.revokes(token({ sub: 'u1', iat: START / 1000, sid: 'not-a-uuid-v7' })),
      true,
      'a sid that is not ours: by iat',
    )
    clock = START + 60_000
    t.equal(list.revokes(token({ sub: 'u1', iat: START / 1000 })), false, 'once every token it covers has expired')
    await list.sync()
    t.equal(list.size(), 0, 'dropped from memory')
  },
)

t.test(
  'a user cutoff read from the database counts from when it was recorded; a later one moves it forward, an earlier one does not',
  async (t) => {
    let clock = START
    const store = fakeStore([
      { jti: userRevocationId('u1'), expiresAt: new Date(START + 60_000), createdAt: new Date(START - 2_000) },
    ])
    const list = await createRevocationList({ store, now: () => clock, syncIntervalSeconds: 60 })
    t.teardown(() => list.close())
    const issuedAt = (ms: number) => ({ jti: 'j', sub: 'u1', iat: ms / 1000 })
    t.equal(list.revokes(issuedAt(START - 3_000)), true)
    t.equal(list.revokes(issuedAt(START - 1_000)), false)
    t.equal(list.isRevoked(userRevocationId('u1')), false, 'not a jti')
    clock += 1_000
    store.rows[0] = { jti: userRevocationId('u1'), expiresAt: new Date(clock + 60_000), createdAt: new Date(clock) }
    await list.sync()
    t.equal(list.revokes(issuedAt(START - 1_000)), true, 'the later cutoff, read at the next sync')
    list.cutOffUser('u1', new Date(START - 10_000), new Date(START + 60_000))
    t.equal(list.revokes(issuedAt(START - 1_000)), true, 'an earlier cutoff changes nothing')
    t.equal(list.size(), 1)
  },
)

t.test(
  "a user cutoff written with a shorter token lifetime (the CLI run with another ACCESS_TOKEN_TTL) is held for this instance's",
  async (t) => {
    let clock = START
    // Recorded at START with a lifetime of 60 s; this instance's tokens live an hour.
    const store = fakeStore([
      { jti: userRevocationId('u1'), expiresAt: new Date(START + 60_000), createdAt: new Date(START) },
    ])
    const list = await createRevocationList({
      store,
      now: () => clock,
      syncIntervalSeconds: 60,
      accessTokenLifetimeMs: 3_600_000,
    })
    t.teardown(() => list.close())
    const before = { jti: 'j', sub: 'u1', iat: (START - 1_000) / 1000 }
    clock = START + 120_000
    await list.sync()
    t.equal(list.revokes(before), true, 'still refused after the written lifetime')
    clock = START + 3_600_000
    t.equal(list.revokes(before), false, 'until every token of this instance it covers has expired')
  },
)

t.test(
  'a consent cutoff refuses only the tokens that client holds for that user, from logins started at or before it; read from the database too',
  async (t) => {
    let clock = START + 10_000
    const cutoff = START + 5_500
    const store = fakeStore([
      { jti: consentRevocationId('u2', 'app:2'), expiresAt: new Date(START + 60_000), createdAt: new Date(cutoff) },
    ])
    const list = await createRevocationList({ store, now: () => clock, syncIntervalSeconds: 60 })
    t.teardown(() => list.close())
    list.cutOffConsent('u1', 'web', new Date(cutoff), new Date(START + 60_000))
    t.equal(list.size(), 2)
    const token = (sub: string, clientId: unknown, sid: string) => ({
      jti: newId(clock),
      sub,
      client_id: clientId,
      sid,
    })
    t.equal(list.revokes(token('u1', 'web', newId(cutoff - 1))), true, 'that client, that user, an earlier login')
    t.equal(list.revokes(token('u1', 'web', newId(cutoff))), true, 'a login started at the cutoff')
    t.equal(list.revokes(token('u1', 'web', newId(cutoff + 1))), false, 'a login after it (a new consent) works')
    t.equal(list.revokes(token('u1', 'other', newId(cutoff - 1))), false, 'another client of the user')
    t.equal(list.revokes(token('u3', 'web', newId(cutoff - 1))), false, 'another user of the client')
    t.equal(list.revokes(token('u1', undefined, newId(cutoff - 1))), false, 'no client named')
    t.equal(list.revokes(token('u2', 'app:2', newId(cutoff - 1))), true, 'read at start (a client id with a colon)')
    t.equal(list.isRevoked(consentRevocationId('u1', 'web')), false, 'not a jti')
    clock = START + 60_000
    t.equal(list.revokes(token('u1', 'web', newId(cutoff - 1))), false, 'once every token it covers has expired')
  },
)

t.test('a revoked grant refuses the access tokens whose sid names it, and only those', async (t) => {
  const list = await createRevocationList({ store: fakeStore([]), now: () => START, syncIntervalSeconds: 60 })
  t.teardown(() => list.close())
  t.equal(grantRevocationId('family-1'), 'grant:family-1', 'the stored entry: its format must not change')
  list.add(grantRevocationId('family-1'), new Date(START + 60_000))
  t.equal(list.revokes({ jti: 'a', sid: 'family-1' }), true, 'issued from the revoked grant')
  t.equal(list.revokes({ jti: 'a', sid: 'family-2' }), false, 'another grant')
  t.equal(list.revokes({ jti: 'a' }), false, 'no grant named')
  t.equal(list.isRevoked('family-1'), false, 'the family id itself is not a revoked jti')
  list.add('revoked-jti', new Date(START + 60_000))
  t.equal(list.revokes({ jti: 'revoked-jti', sid: 'family-2' }), true, 'a revoked jti, whatever its grant')
  t.equal(list.revokes({ jti: 'revoked-jti' }), true, 'a revoked jti without a grant')
  // Entries whose ids an absent claim would spell: an absent claim must never match them.
  list.add(grantRevocationId('undefined'), new Date(START + 60_000))
  list.cutOffUser('undefined', new Date(START), new Date(START + 60_000))
  list.cutOffConsent('u1', 'undefined', new Date(START), new Date(START + 60_000))
  t.equal(list.revokes({ jti: 'b', iat: START / 1000 - 10 }), false, 'no sid, no sub')
  t.equal(list.revokes({ jti: 'b', sub: 'u1', iat: START / 1000 - 10 }), false, 'no client_id')
  t.equal(list.revokes({ jti: 'b', sid: 42, sub: 'u2' }), false, 'a sid that is not a string')
})

t.test(
  'revokeGrantAccessTokens records the grant for ACCESS_TOKEN_TTL plus the clock skew, then adds it',
  async (t) => {
    const calls: unknown[][] = []
    const store = { revokedTokens: { revoke: async (...args: unknown[]) => void calls.push(['revoke', ...args]) } }
    const revocations = { writer: 'list-1', add: (...args: unknown[]) => void calls.push(['add', ...args]) }
    await revokeGrantAccessTokens({ store, revocations, config: { accessTokenTtl: 600, clockSkew: 30 } }, 'f1', START)
    t.same(calls, [
      ['revoke', 'grant:f1', new Date(START + 630_000), new Date(START), 'list-1'],
      ['add', 'grant:f1', new Date(START + 630_000)],
    ])
    // Without a list (the CLI), the row is nobody's: every list reads it.
    calls.length = 0
    await revokeGrantAccessTokens(
      { store, revocations: { add: () => undefined }, config: { accessTokenTtl: 600, clockSkew: 30 } },
      'f2',
      START,
    )
    t.same(calls, [['revoke', 'grant:f2', new Date(START + 630_000), new Date(START), null]])
  },
)

t.test('the cutoffs of a user and of a consent last ACCESS_TOKEN_TTL plus the clock skew', async (t) => {
  const config = { accessTokenTtl: 600, clockSkew: 30 }
  t.same(userAccessTokenCutoff(config, 'u1', START), { jti: 'user:u1', expiresAt: new Date(START + 630_000) })
  t.same(consentAccessTokenCutoff(config, 'u1', 'app:2', START), {
    jti: 'consent:u1:app:2',
    expiresAt: new Date(START + 630_000),
  })
})

t.test('a cutoff made by this instance is held only while it can refuse a token', async (t) => {
  const list = await createRevocationList({ store: fakeStore([]), now: () => START, syncIntervalSeconds: 60 })
  t.teardown(() => list.close())
  list.cutOffUser('u1', new Date(START - 1_000), new Date(START))
  list.cutOffConsent('u1', 'web', new Date(START - 1_000), new Date(START - 1))
  list.cutOffConsent('u1', 'app', new Date(START - 1_000), new Date(START))
  t.equal(list.size(), 0, 'expiring now or earlier: not held')
  const old = { jti: 'j', sub: 'u1', client_id: 'web', iat: (START - 2_000) / 1000 }
  t.equal(list.revokes(old), false)
  list.cutOffUser('u1', new Date(START - 1_000), new Date(START + 1))
  list.cutOffConsent('u1', 'web', new Date(START - 1_000), new Date(START + 1))
  t.equal(list.size(), 2)
})

t.test(
  'a token issued in the very millisecond of a cutoff is refused; a second cutoff at the same time changes nothing',
  async (t) => {
    let clock = START
    const list = await createRevocationList({ store: fakeStore([]), now: () => clock, syncIntervalSeconds: 60 })
    t.teardown(() => list.close())
    list.cutOffUser('u1', new Date(START), new Date(START + 60_000))
    t.equal(list.revokes({ jti: 'j', sub: 'u1', iat: START / 1000 }), true, 'iat × 1000 = the cutoff')
    t.equal(list.revokes({ jti: 'j', sub: 'u1', iat: START / 1000 + 1 }), false)
    list.cutOffUser('u1', new Date(START), new Date(START + 1_000))
    clock = START + 30_000
    t.equal(list.revokes({ jti: 'j', sub: 'u1', iat: START / 1000 }), true, 'the first, longer lifetime is kept')
  },
)

t.test('with no onError, a failing timed sync is swallowed (no unhandled rejection)', async (t) => {
  const unhandled: unknown[] = []
  const onUnhandled = (err: unknown) => void unhandled.push(err)
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => void process.off('unhandledRejection', onUnhandled))
  const store = fakeStore([])
  const list = await createRevocationList({ store, now: () => START, syncIntervalSeconds: 0.01 })
  t.teardown(() => list.close())
  store.fail(new Error('database down'))
  t.ok(await until(() => store.reads.length >= 4), 'the timer kept reading')
  await new Promise((resolve) => setImmediate(resolve))
  t.same(unhandled, [])
})
