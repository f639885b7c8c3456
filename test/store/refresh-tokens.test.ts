// The refresh-token store's hand-written SQL: what it reads is what Prisma's model reads (dates, booleans,
// lists), on both providers; on SQLite, a rotation that meets Prisma's connection inside a write
// transaction waits for it instead of failing or writing beside it. Then each operation's contract at the
// store: a guarded login, the session and DPoP bindings, revocation, a session's families, the Prisma path
// (taken when SQLite's direct connection is busy) and the direct statements themselves.
import BetterSqlite3 from 'better-sqlite3'
import t from 'tap'
import { build, countStatements, createTestStore, providers, type Test } from '../support/helper.ts'
import type { Provider } from '../../src/store/migrations/schema-engine.ts'
import type { PrismaClient } from '../../src/store/database.ts'
import { sqliteFilePath } from '../../src/store/database-url.ts'
import { StoreError } from '../../src/store/errors.ts'
import { newId } from '../../src/store/ids.ts'
import { createRefreshTokenStore } from '../../src/store/refresh-tokens/index.ts'
import type { RecordRow } from '../../src/store/refresh-tokens/sql.ts'
import { createSqliteRefreshStatements } from '../../src/store/refresh-tokens/sqlite.ts'
import { holdWriteTransaction } from '../support/held-transaction.ts'
import { eventually, until } from '../support/timers.ts'

// Read and written in a time zone that is not UTC: Prisma keeps TIMESTAMP columns in UTC whatever the
// process's zone, and node-postgres (the PostgreSQL path) would read them in local time unless told not to.
process.env.TZ = 'Asia/Kolkata'
import { seed, tokenRequest } from '../support/token-fixtures.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

for (const provider of providers) {
  t.test(`a token read by hash matches the rows Prisma reads (${provider})`, async (t) => {
    t.equal(new Date(0).getTimezoneOffset(), -330, 'the process runs at UTC+05:30')
    const { app, store, db } = await build(t, { provider })
    const { service, alice } = await seed(store)
    const auth = { authorization: service.auth }
    const login = await tokenRequest(
      app,
      { grant_type: 'password', username: alice.username, password: alice.password, scope: 'read write' },
      auth,
    )
    const parent = login.json().refresh_token as string
    const rotated = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: parent }, auth)
    t.equal(rotated.statusCode, 200)

    for (const token of [parent, rotated.json().refresh_token as string]) {
      const record = await store.refreshTokens.findByHash(ANY_TENANT, sha256(token))
      const row = await db.prisma.refreshToken.findUniqueOrThrow({
        where: { tokenHash: sha256(token) },
        include: { family: { include: { user: true } } },
      })
      const { family, ...tokenRow } = row
      const { user, ...familyRow } = family
      t.same(record, {
        token: { ...tokenRow, scope: ['read', 'write'] },
        family: { ...familyRow, scope: ['read', 'write'] },
        user: { id: user.id, username: 'alice', disabled: false, scopes: ['read', 'write'] },
      })
      t.ok(record!.token.expiresAt instanceof Date && record!.family.createdAt instanceof Date, 'dates are Dates')
      t.ok(Math.abs(record!.token.createdAt.getTime() - Date.now()) < 60_000, 'written and read as the same instant')
    }
    const parentRecord = await store.refreshTokens.findByHash(ANY_TENANT, sha256(parent))
    t.ok(parentRecord!.token.usedAt instanceof Date, 'the rotated parent is marked used')
    t.equal(
      await store.refreshTokens.findByHash(ANY_TENANT, sha256('no such token')),
      undefined,
      'an unknown hash is undefined',
    )

    await store.users.update(ANY_TENANT, alice.id, { disabled: true })
    const disabled = await store.refreshTokens.findByHash(ANY_TENANT, sha256(parent))
    t.equal(disabled!.user.disabled, true, 'a disabled user reads as disabled')
    t.equal(disabled!.family.revokedReason, 'user_disabled')
  })
}

t.test('on SQLite a rotation during a Prisma write transaction waits for it, then rotates once', async (t) => {
  const { app, store, db } = await build(t)
  const { service, alice } = await seed(store)
  const auth = { authorization: service.auth }
  const parent = (
    await tokenRequest(app, { grant_type: 'password', username: alice.username, password: alice.password }, auth)
  ).json().refresh_token as string

  const order: string[] = []
  // The transaction is held until both refreshes are inside their rotation (polled with a deadline, not a fixed
  // sleep that a loaded machine can outlast), so that they really wait for it.
  const rotate = store.refreshTokens.rotate
  let rotating = 0
  store.refreshTokens.rotate = (...args) => {
    rotating++
    return rotate(...args)
  }
  t.teardown(() => {
    store.refreshTokens.rotate = rotate
  })
  let entered!: () => void
  const inside = new Promise<void>((resolve) => (entered = resolve))
  let rotatingAtCommit = 0
  const transaction = db.prisma
    .$transaction(
      async (tx) => {
        await tx.user.update({ where: { id: alice.id }, data: { scopes: 'read write' } })
        entered()
        const deadline = Date.now() + 10_000
        while (rotating < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
        await new Promise((resolve) => setTimeout(resolve, 20))
        rotatingAtCommit = rotating
      },
      { timeout: 15_000 },
    )
    .then(() => order.push('transaction'))
  await inside
  const refreshes = Promise.all(
    [1, 2].map(() => tokenRequest(app, { grant_type: 'refresh_token', refresh_token: parent }, auth)),
  ).then((responses) => {
    order.push('refreshes')
    return responses
  })
  const [, responses] = await Promise.all([transaction, refreshes])
  t.equal(rotatingAtCommit, 2, 'both refreshes were rotating while the transaction held the database')
  t.same(order, ['transaction', 'refreshes'], 'the refreshes answered after the transaction committed')
  t.same(
    responses.map((res) => res.statusCode),
    [200, 200],
    'both succeed (grace window)',
  )
  t.equal(new Set(responses.map((res) => res.json().refresh_token)).size, 1, 'one successor')
  t.equal(await db.prisma.refreshToken.count(), 2, 'the parent and one successor')
  const next = await tokenRequest(
    app,
    { grant_type: 'refresh_token', refresh_token: responses[0]!.json().refresh_token },
    auth,
  )
  t.equal(next.statusCode, 200, 'the successor works')
})

for (const provider of providers) {
  t.test(`rotations asked for together are each decided alone (${provider})`, async (t) => {
    const { store, db } = await build(t, { provider })
    const { service, alice } = await seed(store)
    const absoluteExpiresAt = new Date(Date.now() + 86_400_000)
    const families = await Promise.all(
      [1, 2, 3].map((n) =>
        store.refreshTokens.createFamily({
          clientId: service.clientId,
          userId: alice.id,
          scope: ['read'],
          audience: '',
          absoluteExpiresAt,
          tokenHash: sha256(`parent ${n}`),
        }),
      ),
    )
    const rotation = (n: number, overrides: Partial<{ familyId: string; successorHash: string }> = {}) => ({
      parentId: families[n]!.token.id,
      familyId: families[n]!.family.id,
      successorHash: sha256(`successor ${n}`),
      scope: ['read'],
      expiresAt: absoluteExpiresAt,
      ...overrides,
    })
    // All asked for in the same turn of the event loop: on SQLite they share one transaction.
    const results = await Promise.allSettled([
      store.refreshTokens.rotate(rotation(0)),
      store.refreshTokens.rotate(rotation(0)),
      store.refreshTokens.rotate(rotation(1, { familyId: 'no such family' })),
      store.refreshTokens.rotate(rotation(2)),
    ])
    const outcomes = results.map((result) => (result.status === 'fulfilled' ? result.value : 'rejected'))
    // On PostgreSQL the two uses of one parent race on separate connections: either may win.
    t.same([...outcomes.slice(0, 2)].sort(), ['already_used', 'rotated'], 'the same parent twice: one rotation')
    t.same(outcomes.slice(2), ['rejected', 'rotated'], 'a successor that cannot be written fails only its own rotation')
    const parent = async (n: number) =>
      db.prisma.refreshToken.findUniqueOrThrow({ where: { id: families[n]!.token.id } })
    t.equal((await parent(1)).usedAt, null, 'the failed rotation left its parent unused (its mark was undone with it)')
    t.ok(
      (await parent(0)).usedAt instanceof Date && (await parent(2)).usedAt instanceof Date,
      'the others are marked used',
    )
    t.equal(
      await db.prisma.refreshToken.count({
        where: { tokenHash: { in: [sha256('successor 0'), sha256('successor 1'), sha256('successor 2')] } },
      }),
      2,
      'and have their successor, once',
    )

    t.equal(await store.refreshTokens.rotate(rotation(1)), 'rotated', 'the failed one can be rotated later')
  })
}

if (providers.includes('postgresql')) {
  t.test('on PostgreSQL the reads and rotations of one turn are one statement each', async (t) => {
    const { store, db } = await build(t, { provider: 'postgresql' })
    const { service, alice } = await seed(store)
    const absoluteExpiresAt = new Date(Date.now() + 86_400_000)
    const families = await Promise.all(
      [0, 1, 2, 3, 4].map((n) =>
        store.refreshTokens.createFamily({
          clientId: service.clientId,
          userId: alice.id,
          scope: ['read'],
          audience: '',
          absoluteExpiresAt,
          tokenHash: sha256(`turn parent ${n}`),
        }),
      ),
    )
    const reads = countStatements(t, db.pool!, /FROM "RefreshToken" AS t/)
    const writes = countStatements(t, db.pool!, /UPDATE "RefreshToken"/)
    const records = await Promise.all(
      [0, 1, 2, 3, 4, 4, 99].map((n) => store.refreshTokens.findByHash(ANY_TENANT, sha256(`turn parent ${n}`))),
    )
    t.equal(reads.length, 1, 'seven reads, one statement')
    t.same(
      records.map((record) => record?.token.id),
      [...families.map((family) => family.token.id), families[4]!.token.id, undefined],
      'each read gets its own token (or none)',
    )
    const results = await Promise.all(
      families.map((family, n) =>
        store.refreshTokens.rotate({
          parentId: family.token.id,
          familyId: family.family.id,
          successorHash: sha256(`turn successor ${n}`),
          scope: ['read'],
          expiresAt: absoluteExpiresAt,
        }),
      ),
    )
    t.equal(writes.length, 1, 'five rotations, one statement')
    t.same(results, Array(5).fill('rotated'))
    const successors = await db.prisma.refreshToken.findMany({
      where: { parentId: { in: families.map((f) => f.token.id) } },
    })
    t.same(
      successors.map((row) => row.tokenHash).sort(),
      [0, 1, 2, 3, 4].map((n) => sha256(`turn successor ${n}`)).sort(),
      'each parent has its own successor',
    )
    t.ok(
      successors.every((row) => families.some((f) => f.token.id === row.parentId && f.family.id === row.familyId)),
      'in its parent’s family',
    )
  })

  t.test('on PostgreSQL concurrent uses of one token from two instances rotate it once', async (t) => {
    const { store, databaseUrl, db } = await build(t, { provider: 'postgresql' })
    const { openDatabase, createStore } = await import('../../src/store/index.ts')
    const other = createStore(await openDatabase(databaseUrl))
    t.teardown(() => other.close())
    const { service, alice } = await seed(store)
    const absoluteExpiresAt = new Date(Date.now() + 86_400_000)
    const { family, token } = await store.refreshTokens.createFamily({
      clientId: service.clientId,
      userId: alice.id,
      scope: ['read'],
      audience: '',
      absoluteExpiresAt,
      tokenHash: sha256('contended parent'),
    })
    const rotation = {
      parentId: token.id,
      familyId: family.id,
      successorHash: sha256('contended successor'),
      scope: ['read'],
      expiresAt: absoluteExpiresAt,
    }
    // Some in the same turn (one batch per instance), some in later turns, on two pools.
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        if (i % 3 === 2) await new Promise((resolve) => setImmediate(resolve))
        return (i % 2 ? other : store).refreshTokens.rotate(rotation)
      }),
    )
    t.equal(results.filter((result) => result === 'rotated').length, 1, 'one winner')
    t.equal(results.filter((result) => result === 'already_used').length, 11, 'every other use finds it used')
    t.equal(await db.prisma.refreshToken.count({ where: { parentId: token.id } }), 1, 'one successor')
  })

  t.test('on PostgreSQL a lost connection fails its batch without sending it again', async (t) => {
    const { store, db } = await build(t, { provider: 'postgresql' })
    const { service, alice } = await seed(store)
    const absoluteExpiresAt = new Date(Date.now() + 86_400_000)
    const { family, token } = await store.refreshTokens.createFamily({
      clientId: service.clientId,
      userId: alice.id,
      scope: ['read'],
      audience: '',
      absoluteExpiresAt,
      tokenHash: sha256('parent of a lost batch'),
    })
    const query = db.pool!.query
    let sent = 0
    ;(db.pool as unknown as { query: () => Promise<never> }).query = () => {
      sent++
      return Promise.reject(Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' }))
    }
    const rotation = (n: number) => ({
      parentId: token.id,
      familyId: family.id,
      successorHash: sha256(`lost successor ${n}`),
      scope: ['read'],
      expiresAt: absoluteExpiresAt,
    })
    const results = await Promise.allSettled([
      store.refreshTokens.rotate(rotation(1)),
      store.refreshTokens.rotate(rotation(2)),
    ])
    ;(db.pool as unknown as { query: typeof query }).query = query
    t.same(
      results.map((result) => result.status),
      ['rejected', 'rejected'],
      'both fail with the batch',
    )
    t.equal(sent, 1, 'one statement for both, not sent again one by one')
    t.equal(await store.refreshTokens.rotate(rotation(1)), 'rotated', 'the token is still unused')
  })
}

const DAY_MS = 86_400_000

/** A migrated store with the `service` client and alice, and a login (a family and its first token) maker. */
async function storeWithUser(t: Test, provider: Provider = 'sqlite') {
  const { db, store } = await createTestStore(t, provider)
  const { service, alice } = await seed(store)
  const absoluteExpiresAt = new Date(Date.now() + DAY_MS)
  const login = (
    tokenHash: string,
    more: Partial<Parameters<typeof store.refreshTokens.createFamily>[0]> = {},
  ): ReturnType<typeof store.refreshTokens.createFamily> =>
    store.refreshTokens.createFamily({
      clientId: service.clientId,
      userId: alice.id,
      scope: ['read'],
      audience: '',
      absoluteExpiresAt,
      tokenHash,
      ...more,
    })
  return { db, store, alice, absoluteExpiresAt, login }
}

/** What a promise rejected with; undefined when it resolved. */
const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  )

/** An error as better-sqlite3 throws it when another connection holds the lock this one needs. */
const busyError = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })

for (const provider of providers) {
  t.test(
    `a guarded login is written only while its user is enabled with the password it verified (${provider})`,
    async (t) => {
      const { db, store, alice, login } = await storeWithUser(t, provider)
      const { passwordHash } = await db.prisma.user.findUniqueOrThrow({ where: { id: alice.id } })
      const { family } = await login(sha256('guarded'), { whileUser: { passwordHash } })
      t.equal(
        (await store.refreshTokens.findByHash(ANY_TENANT, sha256('guarded')))?.family.id,
        family.id,
        'written while unchanged',
      )

      const refusals = [
        await failureOf(login(sha256('another password'), { whileUser: { passwordHash: `${passwordHash}.` } })),
      ]
      await store.users.update(ANY_TENANT, alice.id, { disabled: true })
      refusals.push(await failureOf(login(sha256('a disabled user'), { whileUser: { passwordHash } })))
      for (const err of refusals) {
        t.ok(err instanceof StoreError, 'a StoreError')
        t.same(
          { code: (err as StoreError).code, message: (err as StoreError).message },
          { code: 'conflict', message: 'the user was disabled or given a new password during the login' },
        )
      }
      t.equal(await db.prisma.refreshFamily.count(), 1, 'no family for the refused logins')
      t.equal(await db.prisma.refreshToken.count(), 1, 'nor a token')
    },
  )

  t.test(`a login keeps the session and DPoP key it was made with, and null without them (${provider})`, async (t) => {
    const { store, login } = await storeWithUser(t, provider)
    const bound = await login(sha256('bound'), { sessionId: 'session one', dpopJkt: 'thumbprint one' })
    const plain = await login(sha256('plain'))
    t.same(
      [bound.family.sessionId, bound.family.dpopJkt, plain.family.sessionId, plain.family.dpopJkt],
      ['session one', 'thumbprint one', null, null],
      'as returned',
    )
    t.equal(plain.family.sessionId, null, 'null, not undefined')
    t.equal(plain.family.dpopJkt, null, 'null, not undefined')
    const [boundRead, plainRead] = await Promise.all(
      [sha256('bound'), sha256('plain')].map((hash) => store.refreshTokens.findByHash(ANY_TENANT, hash)),
    )
    t.same([boundRead!.family.sessionId, boundRead!.family.dpopJkt], ['session one', 'thumbprint one'], 'as stored')
    t.equal(plainRead!.family.sessionId, null)
    t.equal(plainRead!.family.dpopJkt, null)
  })

  t.test(`a family is revoked once, with the first reason and time (${provider})`, async (t) => {
    const { store, login } = await storeWithUser(t, provider)
    const { family } = await login(sha256('to revoke'))
    const first = new Date(Date.now() - 60_000)
    t.equal(
      await store.refreshTokens.revokeFamily(ANY_TENANT, family.id, 'revoked', first),
      true,
      'the first revocation',
    )
    t.equal(
      await store.refreshTokens.revokeFamily(ANY_TENANT, family.id, 'replay_detected'),
      false,
      'a second one says it was already revoked',
    )
    const read = await store.refreshTokens.findByHash(ANY_TENANT, sha256('to revoke'))
    t.same([read!.family.revokedAt, read!.family.revokedReason], [first, 'revoked'], 'the first one stands')
    t.equal(await store.refreshTokens.revokeFamily(ANY_TENANT, 'no such family', 'revoked'), false, 'an unknown family')
  })

  t.test(`a session's families in force are listed and moved, the revoked ones stay (${provider})`, async (t) => {
    const { db, store, login } = await storeWithUser(t, provider)
    const ids = async (sessionId: string) =>
      (await store.refreshTokens.listSessionFamilies(ANY_TENANT, sessionId)).sort()
    const one = (await login(sha256('one'), { sessionId: 's1' })).family.id
    const two = (await login(sha256('two'), { sessionId: 's1' })).family.id
    const ended = (await login(sha256('ended'), { sessionId: 's1' })).family.id
    const other = (await login(sha256('other'), { sessionId: 's2' })).family.id
    await login(sha256('no session'))
    await store.refreshTokens.revokeFamily(ANY_TENANT, ended, 'revoked')

    t.same(await ids('s1'), [one, two].sort(), 'the session’s families in force, by id')
    t.same(await ids('s2'), [other])
    t.same(await ids('none'), [], 'none for a session without families')

    t.equal(await store.refreshTokens.moveSessionFamilies(ANY_TENANT, 's1', 's3'), 2, 'how many moved')
    t.same(await ids('s1'), [], 'none left in force')
    t.same(await ids('s3'), [one, two].sort(), 'they belong to the new session')
    t.same(await ids('s2'), [other], 'another session’s are not moved')
    t.equal(
      (await db.prisma.refreshFamily.findUniqueOrThrow({ where: { id: ended } })).sessionId,
      's1',
      'a revoked family stays with its session',
    )
    t.equal(await store.refreshTokens.moveSessionFamilies(ANY_TENANT, 'none', 's4'), 0, 'nothing to move')
  })
}

// The Prisma path: on SQLite the store takes it when its direct connection is busy, and a store built
// without a direct connection (createRefreshTokenStore's sqlite and postgres are optional) takes it always.
const prismaPaths = [
  ...providers.map((provider) => ({ provider, name: 'without a direct connection', connect: undefined })),
  {
    provider: 'sqlite' as const,
    name: 'with its direct connection busy',
    connect: (): BetterSqlite3.Database => {
      throw busyError()
    },
  },
]
for (const { provider, name, connect } of prismaPaths) {
  t.test(`a store ${name} reads and rotates through Prisma alike (${provider})`, async (t) => {
    const { db, store, login, absoluteExpiresAt } = await storeWithUser(t, provider)
    const viaPrisma = createRefreshTokenStore(db.prisma, connect)
    const { family, token } = await login(sha256('parent'))
    const record = await viaPrisma.findByHash(ANY_TENANT, sha256('parent'))
    t.strictSame(
      record,
      await store.refreshTokens.findByHash(ANY_TENANT, sha256('parent')),
      'the record the store reads',
    )
    t.equal(record?.token.id, token.id)
    t.equal(await viaPrisma.findByHash(ANY_TENANT, sha256('no such token')), undefined, 'an unknown hash is undefined')

    const rotation = {
      parentId: token.id,
      familyId: family.id,
      successorHash: sha256('successor'),
      scope: ['read'],
      expiresAt: absoluteExpiresAt,
    }
    t.equal(await viaPrisma.rotate(rotation), 'rotated', 'the first use rotates')
    t.equal(await viaPrisma.rotate(rotation), 'already_used', 'a second finds it used')
    const successor = await store.refreshTokens.findByHash(ANY_TENANT, sha256('successor'))
    t.same(
      [successor?.token.parentId, successor?.token.familyId, successor?.token.expiresAt],
      [token.id, family.id, absoluteExpiresAt],
      'one successor, in the family',
    )
    t.equal(await db.prisma.refreshToken.count({ where: { parentId: token.id } }), 1, 'once')

    const revoked = await login(sha256('revoked parent'))
    await db.prisma.refreshToken.update({ where: { id: revoked.token.id }, data: { revokedAt: new Date() } })
    t.equal(
      await viaPrisma.rotate({ ...rotation, parentId: revoked.token.id, familyId: revoked.family.id }),
      'already_used',
      'a revoked token is not rotated',
    )
  })
}

const COUNTED = new Set(['$queryRaw', '$queryRawUnsafe', '$executeRaw', '$executeRawUnsafe', '$transaction'])

/** Prisma's client, counting the raw queries and transactions sent through it. */
function countingPrisma(prisma: PrismaClient): { prisma: PrismaClient; calls: string[] } {
  const calls: string[] = []
  const counting = new Proxy(prisma, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof property !== 'string' || !COUNTED.has(property)) return value
      return (...args: unknown[]) => {
        calls.push(property)
        return (value as (...args: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { prisma: counting, calls }
}

t.test('on SQLite reads and rotations use the direct connection, and Prisma’s only while it is busy', async (t) => {
  const { db, alice, login, absoluteExpiresAt } = await storeWithUser(t)
  const { prisma, calls } = countingPrisma(db.prisma)
  const store = createRefreshTokenStore(prisma, db.sqlite)
  const parents = await Promise.all([1, 2].map((n) => login(sha256(`parent ${n}`))))
  const rotation = (n: number) => ({
    parentId: parents[n - 1]!.token.id,
    familyId: parents[n - 1]!.family.id,
    successorHash: sha256(`successor ${n}`),
    scope: ['read'],
    expiresAt: absoluteExpiresAt,
  })

  t.equal((await store.findByHash(ANY_TENANT, sha256('parent 1')))?.token.id, parents[0]!.token.id, 'a read')
  t.equal(await store.findByHash(ANY_TENANT, sha256('no such token')), undefined, 'a read of nothing')
  t.equal(await store.rotate(rotation(1)), 'rotated')
  t.equal(await store.rotate(rotation(1)), 'already_used')
  t.same(calls, [], 'none through Prisma')

  // Prisma's connection inside a write transaction: the direct one cannot write, the rotation queues on Prisma.
  const held = await holdWriteTransaction(db.prisma, (tx) =>
    tx.user.update({ where: { id: alice.id }, data: { scopes: 'read write' } }),
  )
  t.equal((await store.findByHash(ANY_TENANT, sha256('parent 2')))?.token.usedAt, null, 'a read still goes direct')
  t.same(calls, [], 'even then')
  const rotated = store.rotate(rotation(2))
  t.ok(await until(() => calls.includes('$transaction')), 'the rotation went to Prisma')
  await held.commit()
  t.equal(await rotated, 'rotated', 'and rotated once the transaction committed')
  t.ok((await store.findByHash(ANY_TENANT, sha256('successor 2')))?.token, 'with its successor')
})

t.test('on SQLite the direct statements answer busy, or fail alone with their own error', async (t) => {
  const { db, login, absoluteExpiresAt } = await storeWithUser(t)
  const { family, token } = await login(sha256('direct parent'))
  const direct = createSqliteRefreshStatements(db.sqlite!)
  const row = (n: number, more: { parentId?: string; familyId?: string } = {}) => ({
    parentId: token.id,
    familyId: family.id,
    successorId: newId(),
    successorHash: sha256(`direct successor ${n}`),
    scope: 'read',
    expiresAt: absoluteExpiresAt,
    now: new Date(),
    ...more,
  })

  t.equal((direct.find(sha256('direct parent')) as RecordRow).id, token.id, 'a read')
  t.equal(direct.find(sha256('no such token')), undefined, 'a read of nothing')

  // Another connection holds the write lock: every rotation of the turn is 'busy', none is refused.
  const holder = new BetterSqlite3(sqliteFilePath(db.url))
  t.teardown(() => holder.close())
  holder.exec('BEGIN IMMEDIATE')
  t.same(await Promise.all([direct.rotate(row(1)), direct.rotate(row(2))]), ['busy', 'busy'], 'busy, both')
  t.equal((direct.find(sha256('direct parent')) as RecordRow).usedAt, null, 'reads go on meanwhile')
  holder.exec('ROLLBACK')

  t.same(
    await Promise.all([direct.rotate(row(1)), direct.rotate(row(1))]),
    ['rotated', 'already_used'],
    'the lock released, one use rotates and the other finds it used',
  )
  const other = await login(sha256('another parent'))
  const failed = await failureOf(direct.rotate(row(3, { parentId: other.token.id, familyId: 'no such family' })))
  t.equal((failed as { code?: unknown } | undefined)?.code, 'SQLITE_CONSTRAINT_FOREIGNKEY', 'the row’s own error')

  const closed = createSqliteRefreshStatements(() => {
    throw busyError()
  })
  t.equal(closed.find(sha256('direct parent')), 'busy', 'a connection that cannot be opened yet is busy for a read')
  t.equal(await closed.rotate(row(4)), 'busy', 'and for a rotation')
  const broken = createSqliteRefreshStatements(() => {
    throw Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' })
  })
  t.throws(() => broken.find(sha256('direct parent')), { code: 'SQLITE_CANTOPEN' }, 'another error is thrown')
  const refused = await failureOf(broken.rotate(row(4)))
  t.equal((refused as { code?: unknown } | undefined)?.code, 'SQLITE_CANTOPEN', 'or rejected')
})

if (providers.includes('postgresql')) {
  t.test('on PostgreSQL a guarded login waits for a password change in flight, then sees it', async (t) => {
    const { db, alice, login } = await storeWithUser(t, 'postgresql')
    const { passwordHash } = await db.prisma.user.findUniqueOrThrow({ where: { id: alice.id } })
    const change = await db.pool!.connect()
    t.teardown(() => change.release())
    await change.query('BEGIN')
    await change.query('UPDATE "User" SET "passwordHash" = $1 WHERE "id" = $2', ['a new hash', alice.id])

    let outcome: unknown = 'pending'
    const settled = failureOf(login(sha256('racing login'), { whileUser: { passwordHash } })).then(
      (err) => (outcome = err ?? 'written'),
    )
    const waiting = async () =>
      (
        await db.pool!.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      ).rows[0]!.n > 0
    t.ok(await eventually(async () => outcome !== 'pending' || (await waiting())), 'the login or a lock wait')
    t.equal(outcome, 'pending', 'the login waits for the change (the user row is read FOR SHARE)')
    await change.query('COMMIT')
    await settled
    t.ok(outcome instanceof StoreError && outcome.code === 'conflict', 'then refuses it as a conflict')
    t.equal(await db.prisma.refreshFamily.count(), 0, 'no family written')
  })
}
