// The store's hand-written SQL sent through raw-sql.ts: one Prisma.sql template for both databases, through
// Prisma on SQLite and on PostgreSQL's pool without it. The same statement must read and write the same
// values either way, Dates as UTC included, whatever the process's time zone.
import t from 'tap'
import { Prisma } from '../../src/store/generated/sqlite/client.ts'
import { createRawSql } from '../../src/store/raw-sql.ts'
import { createTestStore, providers } from '../support/helper.ts'

for (const provider of providers) {
  t.test(`a template reads and writes what Prisma reads and writes (${provider})`, async (t) => {
    const { db } = await createTestStore(t, provider)
    const paths = [
      { name: 'raw-sql', raw: createRawSql(db.prisma, db.pool) },
      { name: 'Prisma', raw: createRawSql(db.prisma) },
    ]
    const windowStart = new Date('2026-01-02T03:04:05.678Z')
    for (const { name, raw } of paths) {
      const key = `key-${name}`
      const inserted = await raw.execute`
        INSERT INTO "LoginThrottle" ("key", "failures", "pending", "windowStart", "lockedUntil", "updatedAt")
        VALUES (${key}, 0, 2, ${windowStart}, NULL, ${windowStart})`
      t.equal(inserted, 1, `${name}: an insert changes one row`)
      // A fragment inside the template keeps its own parameters.
      const matches = Prisma.sql`"windowStart" = ${windowStart}`
      const rows = await raw.query<{ pending: number | bigint; windowStart: Date | string }[]>`
        UPDATE "LoginThrottle" SET "pending" = "pending" - ${1} WHERE "key" = ${key} AND ${matches}
        RETURNING "pending", "windowStart"`
      t.equal(rows.length, 1, `${name}: the fragment's Date matches the stored one`)
      t.equal(Number(rows[0]!.pending), 1)
      t.equal(new Date(rows[0]!.windowStart).toISOString(), windowStart.toISOString(), `${name}: read back as UTC`)
      t.equal(await raw.execute`DELETE FROM "LoginThrottle" WHERE "key" = ${'nothing'}`, 0, `${name}: no row, 0`)
    }
    // Each path reads the other's row alike.
    const both = await db.prisma.loginThrottle.findMany({ orderBy: { key: 'asc' } })
    t.same(
      both.map((row) => [row.key, row.pending, row.windowStart.toISOString()]),
      [
        ['key-Prisma', 1, windowStart.toISOString()],
        ['key-raw-sql', 1, windowStart.toISOString()],
      ],
    )
    if (db.pool) {
      const [stored] = await createRawSql(db.prisma, db.pool).query<{ text: string }[]>`
        SELECT "windowStart"::text AS "text" FROM "LoginThrottle" WHERE "key" = ${'key-raw-sql'}`
      t.equal(stored?.text, '2026-01-02 03:04:05.678', 'stored as the UTC wall time, as the adapter stores it')
    }
  })
}
