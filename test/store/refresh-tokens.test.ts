// The refresh-token store's hand-written SQL: what it reads is what Prisma's model reads (dates, booleans,
// lists), on both providers; on SQLite, a rotation that meets Prisma's connection inside a write
// transaction waits for it instead of failing or writing beside it.
import t from 'tap'
import { build, providers } from '../support/helper.ts'

// Read and written in a time zone that is not UTC: Prisma keeps TIMESTAMP columns in UTC whatever the
// process's zone, and node-postgres (the PostgreSQL path) would read them in local time unless told not to.
process.env.TZ = 'Asia/Kolkata'
import { seed, tokenRequest } from '../support/token-fixtures.ts'
import { sha256 } from '../../src/security/secrets.ts'

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
      const record = await store.refreshTokens.findByHash(sha256(token))
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
    const parentRecord = await store.refreshTokens.findByHash(sha256(parent))
    t.ok(parentRecord!.token.usedAt instanceof Date, 'the rotated parent is marked used')
    t.equal(await store.refreshTokens.findByHash(sha256('no such token')), undefined, 'an unknown hash is undefined')

    await store.users.update(alice.id, { disabled: true })
    const disabled = await store.refreshTokens.findByHash(sha256(parent))
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

/** Counts the statements the store sends on the pool whose text matches `pattern`. */
function countStatements(t: { teardown(fn: () => unknown): void }, pool: import('pg').Pool, pattern: RegExp) {
  const seen: string[] = []
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown
  ;(pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const config = args[0] as string | { text: string }
    const text = typeof config === 'string' ? config : config.text
    if (pattern.test(text)) seen.push(text)
    return query(...args)
  }
  t.teardown(() => void ((pool as unknown as { query: unknown }).query = query))
  return seen
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
      [0, 1, 2, 3, 4, 4, 99].map((n) => store.refreshTokens.findByHash(sha256(`turn parent ${n}`))),
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
