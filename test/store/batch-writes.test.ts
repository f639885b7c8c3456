// The batched background writes without Prisma (src/store/direct-write.ts): usage counts and access keys' last
// uses. Thousands of rows go in chunks, each written whole or not at all; a failure names exactly the rows not
// written, so a retry of those adds each count once; on SQLite, while Prisma's connection holds the write lock,
// the rest goes through Prisma.
import t from 'tap'
import Database from 'better-sqlite3'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { sqliteFilePath } from '../../src/store/database-url.ts'
import { BatchWriteError } from '../../src/store/direct-write.ts'
import { DEFAULT_TENANT_ID } from '../../src/store/tenants.ts'
import type { UsageIncrement } from '../../src/store/usage.ts'
import { createTestStore, providers } from '../support/helper.ts'
import { holdWriteTransaction } from '../support/held-transaction.ts'
import { until } from '../support/timers.ts'

const HOUR = new Date('2026-12-05T10:00:00.000Z')
const ROWS = 2500
const rows = (count: number): UsageIncrement[] =>
  Array.from({ length: ROWS }, (_, i) => ({
    subjectType: 'access_key',
    subjectId: `key-${String(i).padStart(5, '0')}`,
    hour: HOUR,
    kind: 'api',
    count,
  }))

for (const provider of providers) {
  t.test(`a failed usage write names the rows it did not add; their retry adds each once (${provider})`, async (t) => {
    const { store, db } = await createTestStore(t, provider)
    await store.usage.add(rows(1))
    // A row the database refuses, past the first chunk (SQLite writes 1,000 rows a transaction).
    const refused = 'key-01500'
    if (provider === 'sqlite')
      await db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse BEFORE UPDATE ON "UsageCount"
        WHEN NEW."subjectId" = '${refused}' BEGIN SELECT RAISE(ABORT, 'refused'); END`)
    else {
      await db.prisma.$executeRawUnsafe(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW."subjectId" = '${refused}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`)
      await db.prisma.$executeRawUnsafe(
        `CREATE TRIGGER refuse BEFORE UPDATE ON "UsageCount" FOR EACH ROW EXECUTE FUNCTION refuse()`,
      )
    }
    const error = await store.usage.add(rows(2)).then(
      () => undefined,
      (err: unknown) => err,
    )
    t.ok(error instanceof BatchWriteError, 'the failure names what was not written')
    const unwritten = (error as BatchWriteError<UsageIncrement>).unwritten
    t.ok(
      unwritten.some((row) => row.subjectId === refused),
      'the refused row among them',
    )
    const added = await db.prisma.usageCount.count({ where: { count: 3 } })
    t.equal(added + unwritten.length, ROWS, 'every row either added or named, never both')
    t.equal(await db.prisma.usageCount.count({ where: { count: { notIn: [1, 3] } } }), 0, 'no row added twice')

    await db.prisma.$executeRawUnsafe(`DROP TRIGGER refuse${provider === 'sqlite' ? '' : ' ON "UsageCount"'}`)
    await store.usage.add(unwritten)
    t.same(await db.prisma.usageCount.aggregate({ _min: { count: true }, _max: { count: true }, _count: true }), {
      _min: { count: 3 },
      _max: { count: 3 },
      _count: ROWS,
    })
  })

  t.test(`increments of the same row in one batch are summed, and zero counts not written (${provider})`, async (t) => {
    const { store, db } = await createTestStore(t, provider)
    const row = (count: number, kind = 'api'): UsageIncrement => ({
      subjectType: 'client',
      subjectId: 'c',
      hour: HOUR,
      kind,
      count,
    })
    await store.usage.add([row(2), row(3), row(0, 'refused'), row(4)])
    t.same(
      (await db.prisma.usageCount.findMany()).map((stored) => [stored.kind, stored.count]),
      [['api', 9]],
    )
  })

  t.test(`last uses of thousands of keys: each key written once, never moved back (${provider})`, async (t) => {
    const { store } = await createTestStore(t, provider)
    const keys = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const generated = generateAccessKey()
        return store.accessKeys.create({ ...generated, name: `k${i}`, scopes: ['read'] })
      }),
    )
    const later = new Date('2026-12-05T10:30:00.000Z')
    const earlier = new Date('2026-12-05T10:10:00.000Z')
    // Unknown ids pad the batch past SQLite's chunk: they change nothing.
    const uses = new Map<string, Date>(Array.from({ length: 2000 }, (_, i) => [`missing-${i}`, later]))
    for (const key of keys) uses.set(key.id, later)
    t.equal(await store.accessKeys.touchLastUsed(uses), 30, 'the 30 keys updated')
    t.equal(
      await store.accessKeys.touchLastUsed(new Map(keys.map((key) => [key.id, earlier]))),
      0,
      'an earlier use does not move a key back',
    )
    for (const key of keys.slice(0, 3))
      t.equal(
        (await store.accessKeys.findById(DEFAULT_TENANT_ID, key.id))?.lastUsedAt?.toISOString(),
        later.toISOString(),
      )
  })
}

t.test('on SQLite, while Prisma holds the write lock, a flush goes through Prisma and commits with it', async (t) => {
  const { store, db } = await createTestStore(t, 'sqlite')
  const held = await holdWriteTransaction(db.prisma, (tx) =>
    tx.$executeRawUnsafe(
      `INSERT INTO "UsageCount" ("subjectType", "subjectId", "hour", "kind", "count") VALUES ('client', 'held', '2026-12-05T10:00:00.000+00:00', 'api', 1)`,
    ),
  )
  let done = false
  const flushed = store.usage.add(rows(1)).then(() => (done = true))
  // The direct connection answers busy; the rows go to Prisma's one connection, whose open transaction they join.
  t.ok(await until(() => done, 5000), 'the flush does not fail')
  const reader = new Database(sqliteFilePath(db.url), { readonly: true })
  t.teardown(() => reader.close())
  const committed = () => (reader.prepare('SELECT count(*) AS n FROM "UsageCount"').get() as { n: number }).n
  t.equal(committed(), 0, 'nothing committed around the held write lock')
  await held.commit()
  await flushed
  t.equal(committed(), ROWS + 1, 'both committed once the transaction is')
})
