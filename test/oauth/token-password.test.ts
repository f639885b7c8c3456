// The password grant's defences: brute-force throttling per username and per client IP (shared through the
// database, reserved before the password is compared, waiting while a key is full of attempts in flight,
// IPv6 counted per /64), the dummy-hash compare for unknown usernames, and bcrypt in a worker pool that runs from src/
// under tsx and from compiled JavaScript alike.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { build, providers, tempDir, type Test } from '../support/helper.ts'
import { seed, type Seeded } from '../support/token-fixtures.ts'
import { createPasswordHasher, passwordWorkerFile, type PasswordHasher } from '../../src/security/password-hasher.ts'
import { updateUser } from '../../src/manage/users.ts'
import { bcryptCost, hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { StoreError, type Store, ANY_TENANT } from '../../src/store/index.ts'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { DEFAULT_TENANT_ID } from '../../src/store/index.ts'

const THROTTLED = { error: 'too_many_requests', error_description: 'too many failed logins; try again later' }
const WRONG = { error: 'invalid_grant', error_description: 'the username or password is wrong' }

function loginAs(app: FastifyInstance, seeded: Seeded) {
  return (username: string, password: string, ip = '203.0.113.7') =>
    app.inject({
      method: 'POST',
      url: '/oauth/token',
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: seeded.service.auth },
      payload: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
    })
}

/** The service with the seeded fixtures, and a login function for them: what every throttling test starts from. */
async function throttledApp(t: Test, options: Parameters<typeof build>[1]) {
  const context = await build(t, options)
  const seeded = await seed(context.store)
  return { ...context, seeded, login: loginAs(context.app, seeded) }
}

const UNAVAILABLE = {
  error: 'temporarily_unavailable',
  error_description: 'the service is temporarily unavailable; try again later',
}

/** A real bcrypt pool whose compares are counted: what a guess costs, and what the lockout must bound. */
function countingHasher(t: Test): { passwords: PasswordHasher; verifications: () => number; mostAtOnce: () => number } {
  const real = createPasswordHasher({ workers: 1, cost: 4 })
  t.teardown(() => real.close())
  let verifications = 0
  let atOnce = 0
  let mostAtOnce = 0
  const passwords: PasswordHasher = {
    ...real,
    verify: async (password, hash) => {
      verifications++
      mostAtOnce = Math.max(mostAtOnce, ++atOnce)
      try {
        return await real.verify(password, hash)
      } finally {
        atOnce--
      }
    },
  }
  return { passwords, verifications: () => verifications, mostAtOnce: () => mostAtOnce }
}

/** A counting pool whose compares all wait until `open()`: attempts held in flight for as long as a test needs. */
function gatedHasher(t: Test): {
  passwords: PasswordHasher
  verifications: () => number
  started: () => number
  open: () => void
} {
  const counting = countingHasher(t)
  let open = () => {}
  const gate = new Promise<void>((resolve) => (open = resolve))
  let started = 0
  const passwords: PasswordHasher = {
    ...counting.passwords,
    verify: async (password, hash) => {
      started++
      await gate
      return counting.passwords.verify(password, hash)
    },
  }
  return { passwords, verifications: counting.verifications, started: () => started, open }
}

/** The keys the store has answered `busy` for since the call: logins that wait. */
function watchBusy(store: Store): () => string[] {
  const keys: string[] = []
  const reserve = store.loginThrottle.reserve
  store.loginThrottle.reserve = async (key, ...rest) => {
    const result = await reserve(key, ...rest)
    if (result.outcome === 'busy') keys.push(key)
    return result
  }
  return () => keys
}

/** Polls until `check` holds, for 10 s at most. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** How many answers of each kind: `issued`, or the error code. */
function tally(responses: readonly LightMyRequestResponse[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const res of responses) {
    const kind = res.statusCode === 200 ? 'issued' : (res.json().error as string)
    counts[kind] = (counts[kind] ?? 0) + 1
  }
  return counts
}

for (const provider of providers) {
  t.test(`failures per username lock that username, then reset (${provider})`, async (t) => {
    let clock = Date.now()
    const { store, seeded, login } = await throttledApp(t, {
      provider,
      now: () => clock,
      env: {
        LOGIN_MAX_FAILURES_PER_USER: '3',
        LOGIN_MAX_FAILURES_PER_IP: '1000',
        LOGIN_FAILURE_WINDOW: '300',
        LOGIN_LOCKOUT: '60',
      },
    })
    const { alice } = seeded

    t.test('the limit of failures locks the username: 429 with Retry-After, even for the right password', async (t) => {
      for (let i = 0; i < 3; i++) t.same((await login('alice', 'wrong')).json(), WRONG)
      const locked = await login('alice', alice.password)
      t.equal(locked.statusCode, 429)
      t.equal(locked.headers['retry-after'], '60')
      t.equal(locked.headers['cache-control'], 'no-store')
      t.same(locked.json(), THROTTLED)
      clock += 30_000
      t.equal((await login('alice', alice.password)).headers['retry-after'], '30', 'Retry-After counts down')
      const events = await store.audit.list(ANY_TENANT, { limit: 10, type: 'login.throttled' })
      t.equal(events.items.length, 1, 'audited once, when the lock starts')
      t.match(events.items[0], {
        subject: 'alice',
        ip: '203.0.113.7',
        actor: 'client:service',
        details: { by: 'username', failures: 3 },
      })
    })

    t.test('another username from the same address is not affected', async (t) => {
      await store.users.create({
        username: 'bob',
        passwordHash: (await store.users.findByUsername(DEFAULT_TENANT_ID, 'alice'))!.passwordHash,
        scopes: ['read'],
      })
      t.equal((await login('bob', alice.password)).statusCode, 200)
    })

    t.test('the lock ends after LOGIN_LOCKOUT', async (t) => {
      clock += 30_000
      t.equal((await login('alice', alice.password)).statusCode, 200)
    })

    t.test('a successful login resets the count', async (t) => {
      for (let i = 0; i < 2; i++) t.same((await login('alice', 'wrong')).json(), WRONG)
      t.equal((await login('alice', alice.password)).statusCode, 200)
      for (let i = 0; i < 2; i++) t.same((await login('alice', 'wrong')).json(), WRONG)
      t.equal((await login('alice', alice.password)).statusCode, 200, 'two plus two failures never reached three')
    })

    t.test('failures older than the window do not count', async (t) => {
      for (let i = 0; i < 2; i++) await login('alice', 'wrong')
      clock += 300_000
      for (let i = 0; i < 2; i++) t.same((await login('alice', 'wrong')).json(), WRONG)
      t.equal((await login('alice', alice.password)).statusCode, 200)
    })

    t.test('unknown usernames are throttled alike, so a lock says nothing about existence', async (t) => {
      for (let i = 0; i < 3; i++) t.same((await login('ghost', 'x')).json(), WRONG)
      t.same((await login('ghost', 'x')).json(), THROTTLED)
    })
  })

  t.test(`failures per client IP lock that address for every username (${provider})`, async (t) => {
    let clock = Date.now()
    const { store, db, seeded, login } = await throttledApp(t, {
      provider,
      now: () => clock,
      env: {
        LOGIN_MAX_FAILURES_PER_USER: '100',
        LOGIN_MAX_FAILURES_PER_IP: '4',
        LOGIN_FAILURE_WINDOW: '300',
        LOGIN_LOCKOUT: '120',
      },
    })
    for (const name of ['u1', 'u2', 'u3']) t.same((await login(name, 'x', '198.51.100.1')).json(), WRONG)
    t.equal(
      (await login('alice', seeded.alice.password, '198.51.100.1')).statusCode,
      200,
      'a success does not clear the address count',
    )
    t.same((await login('u4', 'x', '198.51.100.1')).json(), WRONG)
    const locked = await login('alice', seeded.alice.password, '198.51.100.1')
    t.equal(locked.statusCode, 429)
    t.equal(locked.headers['retry-after'], '120')
    t.equal(
      (await login('alice', seeded.alice.password, '198.51.100.2')).statusCode,
      200,
      'another address is not affected',
    )
    t.match((await store.audit.list(ANY_TENANT, { limit: 10, type: 'login.throttled' })).items, [
      { ip: '198.51.100.1', details: { by: 'ip', failures: 4 } },
    ])
    t.ok(
      await db.prisma.loginThrottle.findUnique({ where: { key: 'ip:198.51.100.1' } }),
      'counters live in the database, shared by every instance',
    )
    clock += 120_000
    t.equal((await login('alice', seeded.alice.password, '198.51.100.1')).statusCode, 200)
  })
}

for (const provider of providers) {
  t.test(`concurrent guesses are counted before they are compared (${provider})`, async (t) => {
    const { passwords, verifications } = countingHasher(t)
    const { store, db, seeded, login } = await throttledApp(t, {
      provider,
      deps: { passwords },
      env: {
        LOGIN_MAX_FAILURES_PER_USER: '5',
        LOGIN_MAX_FAILURES_PER_IP: '5',
        LOGIN_FAILURE_WINDOW: '300',
        LOGIN_LOCKOUT: '60',
      },
    })
    let address = 0
    const nextAddress = () => `192.0.2.${++address}`

    t.test(
      '20 logins for one username at once, 19 wrong and the right one last: 5 are compared, 15 refused',
      async (t) => {
        const before = verifications()
        const guesses = Array.from({ length: 19 }, (_, i) => login('alice', `wrong-${i}`, nextAddress()))
        const responses = await Promise.all([...guesses, login('alice', seeded.alice.password, nextAddress())])
        t.equal(verifications() - before, 5, 'exactly LOGIN_MAX_FAILURES_PER_USER bcrypt compares')
        t.same(tally(responses), { invalid_grant: 5, too_many_requests: 15 })
        t.same(
          responses.at(-1)!.json(),
          THROTTLED,
          'the right password, arriving while the username is locked, is refused too',
        )
        t.equal(responses.at(-1)!.headers['retry-after'], '60')
        const events = await store.audit.list(ANY_TENANT, { limit: 10, type: 'login.throttled' })
        t.match(
          events.items,
          [{ subject: 'alice', details: { by: 'username', failures: 5 } }],
          'one lock, audited once',
        )
        t.equal(events.items.length, 1)
        const again = await login('alice', seeded.alice.password, nextAddress())
        t.same([again.statusCode, again.json()], [429, THROTTLED], 'the username stays locked')
        t.equal(verifications() - before, 5, 'and nothing more was compared')
      },
    )

    t.test('20 logins from one address for 20 usernames at once: 5 are compared, 15 refused', async (t) => {
      const before = verifications()
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => login(`sprayed-${i}`, 'Winter2026!', '198.51.100.20')),
      )
      t.equal(verifications() - before, 5, 'exactly LOGIN_MAX_FAILURES_PER_IP bcrypt compares')
      t.same(tally(responses), { invalid_grant: 5, too_many_requests: 15 })
      const users = await db.prisma.loginThrottle.findMany({ where: { key: { startsWith: 'user:' }, failures: 1 } })
      t.equal(users.length, 5, 'a login refused for its address does not count against its username')
      const again = await login('alice', seeded.alice.password, '198.51.100.20')
      t.same([again.statusCode, again.json()], [429, THROTTLED], 'the address stays locked')
    })
  })

  t.test(
    `concurrent logins with the right password wait for their turn instead of being refused (${provider})`,
    async (t) => {
      const { passwords, verifications, mostAtOnce } = countingHasher(t)
      const { store, db, seeded, login } = await throttledApp(t, {
        provider,
        deps: { passwords },
        env: {
          LOGIN_MAX_FAILURES_PER_USER: '5',
          LOGIN_MAX_FAILURES_PER_IP: '5',
          LOGIN_FAILURE_WINDOW: '300',
          LOGIN_LOCKOUT: '60',
        },
      })

      t.test(
        '20 logins with the right password for one username at once all succeed, at most 5 compared at a time',
        async (t) => {
          const before = verifications()
          const responses = await Promise.all(
            Array.from({ length: 20 }, (_, i) => login('alice', seeded.alice.password, `192.0.2.${100 + i}`)),
          )
          t.same(tally(responses), { issued: 20 })
          t.equal(verifications() - before, 20, 'each compared once')
          t.ok(mostAtOnce() <= 5, `at most LOGIN_MAX_FAILURES_PER_USER compared at a time (${mostAtOnce()})`)
          t.equal(await db.prisma.loginThrottle.count(), 0, 'no counter is left')
        },
      )

      t.test(
        '20 logins with the right password from one address for 20 usernames at once all succeed, at most 5 compared at a time',
        async (t) => {
          const hash = (await store.users.findByUsername(DEFAULT_TENANT_ID, 'alice'))!.passwordHash
          for (let i = 0; i < 20; i++)
            await store.users.create({ username: `office-${i}`, passwordHash: hash, scopes: ['read'] })
          const before = verifications()
          const responses = await Promise.all(
            Array.from({ length: 20 }, (_, i) => login(`office-${i}`, seeded.alice.password, '198.51.100.60')),
          )
          t.same(tally(responses), { issued: 20 })
          t.equal(verifications() - before, 20, 'each compared once')
          t.ok(mostAtOnce() <= 5, `at most LOGIN_MAX_FAILURES_PER_IP compared at a time (${mostAtOnce()})`)
          t.equal(await db.prisma.loginThrottle.count(), 0, 'no counter is left')
        },
      )

      t.test(
        '20 logins with the right password for one username from one address at once all succeed: neither key waits for the other',
        async (t) => {
          const before = verifications()
          const responses = await Promise.all(
            Array.from({ length: 20 }, () => login('alice', seeded.alice.password, '198.51.100.61')),
          )
          t.same(tally(responses), { issued: 20 })
          t.equal(verifications() - before, 20, 'each compared once')
          t.ok(mostAtOnce() <= 5, `at most 5 compared at a time (${mostAtOnce()})`)
          t.equal(await db.prisma.loginThrottle.count(), 0, 'no counter is left')
        },
      )
    },
  )

  t.test(
    `a login waiting behind attempts in flight is refused 429 when they turn out wrong and lock the key (${provider})`,
    async (t) => {
      const { passwords, verifications, started, open } = gatedHasher(t)
      const { store, seeded, login } = await throttledApp(t, {
        provider,
        deps: { passwords },
        env: {
          LOGIN_MAX_FAILURES_PER_USER: '5',
          LOGIN_MAX_FAILURES_PER_IP: '50',
          LOGIN_FAILURE_WINDOW: '300',
          LOGIN_LOCKOUT: '60',
        },
      })
      const busy = watchBusy(store)
      const guesses = Array.from({ length: 5 }, (_, i) => login('alice', `wrong-${i}`, `192.0.2.${200 + i}`))
      await until('the five guesses are being compared', () => started() === 5)
      let answered = false
      const right = login('alice', seeded.alice.password, '192.0.2.210').finally(() => (answered = true))
      await until('the right password waits for the username', () => busy().some((key) => key.startsWith('user:')))
      t.equal(answered, false, 'it waits rather than being refused while the guesses are compared')
      open()
      t.same(
        (await Promise.all(guesses)).map((res) => res.json()),
        Array(5).fill(WRONG),
      )
      const refused = await right
      t.same([refused.statusCode, refused.json()], [429, THROTTLED], 'the guesses locked the username meanwhile')
      t.equal(refused.headers['retry-after'], '60')
      t.equal(verifications(), 5, 'and it was never compared')
      t.equal(
        (await store.audit.list(ANY_TENANT, { limit: 10, type: 'login.throttled' })).items.length,
        1,
        'one lock, audited once',
      )
    },
  )

  t.test(
    `a login waits for attempts in flight on other instances, for LOGIN_WAIT_TIMEOUT at most (${provider})`,
    async (t) => {
      let clock = Date.now()
      const { store, db, seeded, login } = await throttledApp(t, {
        provider,
        now: () => clock,
        env: {
          LOGIN_MAX_FAILURES_PER_USER: '5',
          LOGIN_MAX_FAILURES_PER_IP: '50',
          LOGIN_FAILURE_WINDOW: '300',
          LOGIN_LOCKOUT: '60',
          LOGIN_WAIT_TIMEOUT: '2',
        },
      })
      const policy = { maxFailures: 5, window: 300, lockout: 60 }
      /** Five attempts in flight on another instance: the key is full. */
      const elsewhere = async (username: string) => {
        const results = await Promise.all(
          Array.from({ length: 5 }, () =>
            store.loginThrottle.reserve(`user:${sha256(username)}`, policy, new Date(clock)),
          ),
        )
        return results.map((result) => {
          if (result.outcome !== 'admitted') throw new Error(`not reserved: ${result.outcome}`)
          return result.reservation
        })
      }

      t.test('one of them ending lets the waiting login in (seen by polling the database)', async (t) => {
        const held = await elsewhere('alice')
        const busy = watchBusy(store)
        const waiting = login('alice', seeded.alice.password)
        await until('the login waits', () => busy().length > 0)
        await store.loginThrottle.release(held[0]!, new Date(clock))
        t.equal((await waiting).statusCode, 200)
        const row = await db.prisma.loginThrottle.findUnique({ where: { key: `user:${sha256('alice')}` } })
        t.match(row, { failures: 0, pending: 4 }, 'the other attempts in flight stay counted after the success')
      })

      t.test('a key that stays full is refused after LOGIN_WAIT_TIMEOUT, with a short Retry-After', async (t) => {
        await elsewhere('bob')
        const res = await login('bob', 'anything')
        t.same(
          [res.statusCode, res.json()],
          [429, { error: 'too_many_requests', error_description: 'too many logins at once; try again shortly' }],
        )
        t.equal(res.headers['retry-after'], '1')
      })

      t.test('reservations lost with a crashed instance hold the key for one window at most', async (t) => {
        clock += 300_000
        t.same((await login('bob', 'wrong')).json(), WRONG, 'a new window: compared')
        t.match(await db.prisma.loginThrottle.findUnique({ where: { key: `user:${sha256('bob')}` } }), {
          failures: 1,
          pending: 0,
        })
      })
    },
  )

  t.test(`failures counted under a higher limit lock at once when the limit is lowered (${provider})`, async (t) => {
    const clock = Date.now()
    const { passwords, verifications } = countingHasher(t)
    const { app, store } = await build(t, {
      provider,
      now: () => clock,
      deps: { passwords },
      env: {
        LOGIN_MAX_FAILURES_PER_USER: '2',
        LOGIN_MAX_FAILURES_PER_IP: '50',
        LOGIN_FAILURE_WINDOW: '300',
        LOGIN_LOCKOUT: '60',
        LOGIN_WAIT_TIMEOUT: '10',
      },
    })
    const seeded = await seed(store)
    // Three failures counted 100 s ago while the limit was 5: no lock was set.
    const before = { maxFailures: 5, window: 300, lockout: 60 }
    for (let i = 0; i < 3; i++) {
      const reserved = await store.loginThrottle.reserve(`user:${sha256('alice')}`, before, new Date(clock - 100_000))
      if (reserved.outcome !== 'admitted') throw new Error(`not reserved: ${reserved.outcome}`)
      await store.loginThrottle.fail(reserved.reservation, before, new Date(clock - 100_000))
    }
    const res = await loginAs(app, seeded)('alice', seeded.alice.password)
    t.same([res.statusCode, res.json()], [429, THROTTLED], 'refused as locked, not left waiting as busy')
    t.equal(res.headers['retry-after'], '200', 'until the window of those failures ends')
    t.equal(verifications(), 0, 'nothing compared')
  })

  t.test(
    `a password change or a disable that commits while a login is in bcrypt leaves that login no refresh token (${provider})`,
    async (t) => {
      const cases = [
        { name: 'a new password', change: { passwordHash: await hashPassword('a brand new password', 4) } },
        { name: 'a disable', change: { disabled: true } },
      ]
      for (const { name, change } of cases) {
        t.test(name, async (t) => {
          const { passwords, started, open } = gatedHasher(t)
          const { app, store, db, config } = await build(t, { provider, deps: { passwords } })
          const seeded = await seed(store)
          const login = loginAs(app, seeded)('alice', seeded.alice.password)
          await until('the login is comparing the old password', () => started() === 1)
          await updateUser({ store, config, now: Date.now }, DEFAULT_TENANT_ID, seeded.alice.id, change)
          open()
          const res = await login
          t.same(
            [res.statusCode, res.json()],
            [
              400,
              {
                error: 'invalid_grant',
                error_description: 'the user was disabled or given a new password during the login',
              },
            ],
          )
          t.equal(
            await db.prisma.refreshFamily.count({ where: { userId: seeded.alice.id, revokedAt: null } }),
            0,
            'no live login is left behind',
          )
          t.equal(await db.prisma.refreshToken.count(), 0, 'nor a refresh token')
        })
      }
    },
  )

  t.test(`a login that is not a failure gives its reservation back (${provider})`, async (t) => {
    const { passwords, verifications } = countingHasher(t)
    const { app, store, db, seeded, login } = await throttledApp(t, {
      provider,
      deps: { passwords },
      env: {
        LOGIN_MAX_FAILURES_PER_USER: '3',
        LOGIN_MAX_FAILURES_PER_IP: '5',
        LOGIN_FAILURE_WINDOW: '300',
        LOGIN_LOCKOUT: '60',
      },
    })
    const counter = async (key: string) => (await db.prisma.loginThrottle.findUnique({ where: { key } }))?.failures ?? 0
    const userKey = async () =>
      (await db.prisma.loginThrottle.findMany({ where: { key: { startsWith: 'user:' } } })).length

    t.test('a successful login after failures resets the username and leaves the address as it was', async (t) => {
      for (let i = 0; i < 2; i++) t.same((await login('alice', 'wrong', '198.51.100.30')).json(), WRONG)
      t.same([await counter('ip:198.51.100.30'), await userKey()], [2, 1])
      t.equal((await login('alice', seeded.alice.password, '198.51.100.30')).statusCode, 200)
      t.equal(await counter('ip:198.51.100.30'), 2, 'the address counts the two failures, not the success')
      t.equal(await userKey(), 0, 'the username has no counter left')
      t.equal((await login('alice', seeded.alice.password, '198.51.100.31')).statusCode, 200)
      t.equal(await counter('ip:198.51.100.31'), 0, 'a good login from a clean address leaves no counter')
    })

    t.test('the attempt that reaches the limit is compared, and a right password there locks nothing', async (t) => {
      for (let i = 0; i < 2; i++) t.same((await login('alice', 'wrong', '198.51.100.32')).json(), WRONG)
      const before = verifications()
      t.equal(
        (await login('alice', seeded.alice.password, '198.51.100.32')).statusCode,
        200,
        'the third attempt of three is compared',
      )
      t.equal(verifications() - before, 1)
      t.equal(
        (await login('alice', seeded.alice.password, '198.51.100.32')).statusCode,
        200,
        "its reservation's lock was lifted",
      )
      for (let i = 0; i < 2; i++) t.same((await login(`other-${i}`, 'x', '198.51.100.32')).json(), WRONG)
      t.equal(await counter('ip:198.51.100.32'), 4)
      t.same(
        (await login('other-2', 'x', '198.51.100.32')).json(),
        WRONG,
        'the fifth failure of the address is compared',
      )
      const locked = await login('alice', seeded.alice.password, '198.51.100.32')
      t.same([locked.statusCode, locked.json()], [429, THROTTLED])
      t.equal(
        (await store.audit.list(ANY_TENANT, { limit: 10, type: 'login.throttled' })).items.length,
        1,
        'one lock, audited once; none for the lifted one',
      )
    })

    t.test("a disabled user's right password is no failure; a wrong one, or one past 72 bytes, is", async (t) => {
      const hash = (await store.users.findByUsername(DEFAULT_TENANT_ID, 'alice'))!.passwordHash
      const dora = await store.users.create({ username: 'dora', passwordHash: hash, scopes: ['read'] })
      await store.users.update(ANY_TENANT, dora.id, { disabled: true })
      const disabled = { error: 'invalid_grant', error_description: 'this user is disabled' }
      for (let i = 0; i < 4; i++) t.same((await login('dora', seeded.alice.password, '198.51.100.33')).json(), disabled)
      t.same((await login('dora', 'wrong', '198.51.100.33')).json(), WRONG)
      for (let i = 0; i < 2; i++)
        t.same((await login('dora', `${seeded.alice.password}${'x'.repeat(80)}`, '198.51.100.33')).json(), WRONG)
      t.same(
        (await login('dora', seeded.alice.password, '198.51.100.34')).json(),
        THROTTLED,
        'three failures lock the username',
      )
      t.equal(await counter('ip:198.51.100.33'), 3, 'the address counts the three failures only')
    })

    t.test('a refused scope after the right password is no failure', async (t) => {
      for (let i = 0; i < 4; i++) {
        const res = await app.inject({
          method: 'POST',
          url: '/oauth/token',
          remoteAddress: '198.51.100.35',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: seeded.service.auth },
          payload: new URLSearchParams({
            grant_type: 'password',
            username: 'alice',
            password: seeded.alice.password,
            scope: 'admin',
          }).toString(),
        })
        t.same(res.json(), { error: 'invalid_scope', error_description: "this user may not have the scope 'admin'" })
      }
      t.equal(await counter('ip:198.51.100.35'), 0)
      t.equal((await login('alice', seeded.alice.password, '198.51.100.35')).statusCode, 200)
    })
  })

  t.test(`a database error while reserving is 503 and nothing is compared (${provider})`, async (t) => {
    const { passwords, verifications } = countingHasher(t)
    const { app, store, db } = await build(t, { provider, deps: { passwords } })
    const seeded = await seed(store)
    // The address's reservation fails (say its connection broke) after the username's was made.
    const reserve = store.loginThrottle.reserve
    store.loginThrottle.reserve = async (key, ...rest) => {
      if (key.startsWith('ip:')) throw new StoreError('unavailable', 'the database is unavailable')
      return reserve(key, ...rest)
    }
    const res = await loginAs(app, seeded)('alice', seeded.alice.password)
    t.same([res.statusCode, res.json()], [503, UNAVAILABLE])
    t.equal(res.headers['retry-after'] !== undefined, true)
    t.equal(verifications(), 0, 'no login without a reservation')
    t.equal(await db.prisma.loginThrottle.count(), 0, "the username's reservation was given back")
  })

  t.test(`IPv6 addresses count per /64, IPv4-mapped ones as their IPv4 address (${provider})`, async (t) => {
    const { seeded, login } = await throttledApp(t, {
      provider,
      env: {
        LOGIN_MAX_FAILURES_PER_USER: '100',
        LOGIN_MAX_FAILURES_PER_IP: '3',
        LOGIN_FAILURE_WINDOW: '300',
        LOGIN_LOCKOUT: '60',
      },
    })
    for (const [i, address] of [
      '2001:db8:1:2::a',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:0:0:0:c',
    ].entries()) {
      t.same((await login(`guess-${i}`, 'x', address)).json(), WRONG)
    }
    const sameNetwork = await login('alice', seeded.alice.password, '2001:db8:1:2:1234::99')
    t.same([sameNetwork.statusCode, sameNetwork.json()], [429, THROTTLED], 'three addresses of one /64 locked it')
    t.equal(
      (await login('alice', seeded.alice.password, '2001:db8:1:3::a')).statusCode,
      200,
      'the next /64 is not locked',
    )
    for (let i = 0; i < 2; i++) t.same((await login(`mapped-${i}`, 'x', '::ffff:198.51.100.40')).json(), WRONG)
    t.same((await login('mapped-2', 'x', '198.51.100.40')).json(), WRONG)
    t.same(
      (await login('alice', seeded.alice.password, '::ffff:c633:6428')).json(),
      THROTTLED,
      'an IPv4-mapped address is its IPv4 address',
    )
  })
}

t.test('an unknown username is compared against the dummy hash, like a wrong password', async (t) => {
  const real = createPasswordHasher({ workers: 1, cost: 4 })
  t.teardown(() => real.close())
  const compared: string[] = []
  const spy: PasswordHasher = {
    ...real,
    verify: async (password, hash) => {
      compared.push(hash)
      return real.verify(password, hash)
    },
  }
  const { app, store } = await build(t, { deps: { passwords: spy } })
  const seeded = await seed(store)
  const login = loginAs(app, seeded)
  const aliceHash = (await store.users.findByUsername(DEFAULT_TENANT_ID, 'alice'))!.passwordHash

  const unknown = await login('nobody', 'guess')
  const wrong = await login('alice', 'guess')
  t.same(unknown.json(), wrong.json(), 'the same answer')
  t.equal(unknown.statusCode, wrong.statusCode)
  const dummy = await real.dummyHash()
  t.same(compared, [dummy, aliceHash], 'one bcrypt compare each: the dummy hash, then the user hash')
  t.equal(bcryptCost(dummy), 4, 'the dummy hash has the configured cost, so it costs what a real compare costs')
  t.not(dummy, aliceHash)
  t.equal(await real.dummyHash(), dummy, 'made once per pool')
})

t.test('the worker pool', async (t) => {
  t.test('runs the TypeScript worker beside the module under tsx', async (t) => {
    t.equal(passwordWorkerFile(), resolve('src/security/password-worker.ts'))
    const hasher = createPasswordHasher({ workers: 2, cost: 4 })
    t.teardown(() => hasher.close())
    const hash = await hasher.hash('pässword')
    t.equal(bcryptCost(hash), 4)
    const results = await Promise.all([
      hasher.verify('pässword', hash),
      hasher.verify('password', hash),
      hasher.verify('pässword', hash),
    ])
    t.same(results, [true, false, true])
  })

  t.test('runs the compiled JavaScript worker from compiled code', async (t) => {
    const dir = tempDir(t, 'portcullis-dist-')
    const out = join(dir, 'dist')
    mkdirSync(out)
    // node_modules found by module resolution, not under the working directory: a mutation run's sandbox has none
    // of its own.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    symlinkSync(resolve(dirname(tsc), '../..'), join(dir, 'node_modules'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
    execFileSync(process.execPath, [
      tsc,
      '--outDir',
      out,
      // src, as the build has it: the hasher's imports reach beyond security/ (secrets.ts draws from store/ids.ts).
      '--rootDir',
      'src',
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--target',
      'ES2022',
      '--skipLibCheck',
      '--types',
      'node',
      'src/security/password-hasher.ts',
    ])
    const script = `
      const { createPasswordHasher, passwordWorkerFile } = await import(${JSON.stringify(join(out, 'security', 'password-hasher.js'))})
      const hasher = createPasswordHasher({ workers: 1, cost: 4 })
      const hash = await hasher.hash('secret')
      console.log(JSON.stringify({ file: passwordWorkerFile(), ok: await hasher.verify('secret', hash), wrong: await hasher.verify('other', hash) }))
      await hasher.close()`
    // A plain node process: no TypeScript loader, as when the server runs from dist/.
    writeFileSync(join(dir, 'run.js'), script)
    const output = execFileSync(process.execPath, [join(dir, 'run.js')], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '' },
    }).toString()
    t.same(JSON.parse(output), { file: join(out, 'security', 'password-worker.js'), ok: true, wrong: false })
  })
})
