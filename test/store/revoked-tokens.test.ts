// The revoked-jti store: revocations asked for together are each recorded (on PostgreSQL sent as one statement
// per turn of the event loop, each failing alone should its row be refused; on SQLite written on the direct
// connection, prepared once, and through Prisma while Prisma's own connection holds the write lock).
import Database from 'better-sqlite3'
import t from 'tap'
import type pg from 'pg'
import { sqliteFilePath } from '../../src/store/database-url.ts'
import { build, providers } from '../support/helper.ts'
import { holdWriteTransaction } from '../support/held-transaction.ts'
import { until } from '../support/timers.ts'

for (const provider of providers) {
  t.test(`revocations asked for together are each recorded (${provider})`, async (t) => {
    const { store, db } = await build(t, { provider })
    const statements: string[] = []
    if (db.pool) {
      const query = db.pool.query.bind(db.pool) as (...args: unknown[]) => unknown
      ;(db.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as pg.QueryConfig).text
        if (text.includes('INSERT INTO "RevokedToken"')) statements.push(text)
        return query(...args)
      }
    }
    if (db.sqlite) {
      const connection = db.sqlite()
      const prepare = connection.prepare.bind(connection)
      connection.prepare = ((source: string) => {
        if (source.includes('INSERT INTO "RevokedToken"')) statements.push(source)
        return prepare(source)
      }) as typeof connection.prepare
    }
    const now = new Date()
    const later = new Date(now.getTime() + 600_000)
    await Promise.all([
      store.revokedTokens.revoke('jti-1', later, now),
      store.revokedTokens.revoke('jti-2', later, now),
      store.revokedTokens.revoke('jti-2', later, now),
      store.revokedTokens.revoke('jti-expired', new Date(now.getTime() - 1000), now),
    ])
    t.equal(statements.length, 1, 'one statement on PostgreSQL; one prepared statement on SQLite')
    t.same(
      (await store.revokedTokens.listActive(now)).map((row) => row.jti).sort(),
      ['jti-1', 'jti-2'],
      'each once; an already expired token is not recorded',
    )
    t.ok(await store.revokedTokens.isRevoked('jti-1'))
    await store.revokedTokens.revoke('jti-1', later, now)
    t.equal(await db.prisma.revokedToken.count(), 2, 'revoking again keeps one row')
    t.equal(
      statements.length,
      db.pool ? 2 : 1,
      'a second batch: a second statement on PostgreSQL, the same prepared one on SQLite',
    )
    t.match(await db.prisma.revokedToken.findUnique({ where: { jti: 'jti-2' } }), { expiresAt: later, createdAt: now })

    if (provider === 'sqlite') {
      // Prisma's connection inside a write transaction: the direct connection never waits for the lock, so the
      // revocation goes to Prisma's one connection, whose open transaction it joins, and commits with it.
      const held = await holdWriteTransaction(
        db.prisma,
        (tx) =>
          tx.$executeRaw`INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt") VALUES ('jti-held', ${later}, ${now})`,
      )
      let done = false
      const revoking = store.revokedTokens.revoke('jti-5', later, now).then(() => (done = true))
      t.ok(await until(() => done, 5000), 'the revocation does not fail')
      const reader = new Database(sqliteFilePath(db.url), { readonly: true })
      t.teardown(() => reader.close())
      const committed = (jti: string) =>
        reader.prepare('SELECT 1 FROM "RevokedToken" WHERE "jti" = ?').get(jti) !== undefined
      t.equal(committed('jti-5'), false, 'not committed around the held write lock')
      await held.commit()
      await revoking
      t.ok(committed('jti-5') && committed('jti-held'), 'both committed once the transaction is')
      t.equal(statements.length, 1, 'the direct statement was not prepared again')
    }

    if (provider === 'postgresql') {
      // A value PostgreSQL refuses (a NUL character in text) fails its own revocation, not the others'.
      const results = await Promise.allSettled([
        store.revokedTokens.revoke('jti-3', later, now),
        store.revokedTokens.revoke('bad\u0000jti', later, now),
        store.revokedTokens.revoke('jti-4', later, now),
      ])
      t.same(
        results.map((result) => result.status),
        ['fulfilled', 'rejected', 'fulfilled'],
        'only the refused one fails',
      )
      t.ok((await store.revokedTokens.isRevoked('jti-3')) && (await store.revokedTokens.isRevoked('jti-4')))
    }
  })
}
