// The revoked-jti store: revocations asked for together are each recorded (and, on PostgreSQL, sent as one
// statement per turn of the event loop, each failing alone should its row be refused).
import t from 'tap'
import type pg from 'pg'
import { build, providers } from '../support/helper.ts'

for (const provider of providers) {
  t.test(`revocations asked for together are each recorded (${provider})`, async (t) => {
    const { store, db } = await build(t, { provider })
    const statements: string[] = []
    if (db.pool) {
      const query = db.pool.query.bind(db.pool) as (...args: unknown[]) => unknown
      ;(db.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as pg.QueryConfig).text
        if (text.includes('"RevokedToken"')) statements.push(text)
        return query(...args)
      }
    }
    const now = new Date()
    const later = new Date(now.getTime() + 600_000)
    await Promise.all([
      store.revokedTokens.revoke('jti-1', later, now),
      store.revokedTokens.revoke('jti-2', later, now),
      store.revokedTokens.revoke('jti-2', later, now),
      store.revokedTokens.revoke('jti-expired', new Date(now.getTime() - 1000), now),
    ])
    if (db.pool) t.equal(statements.length, 1, 'one statement on PostgreSQL')
    t.same(
      (await store.revokedTokens.listActive(now)).map((row) => row.jti).sort(),
      ['jti-1', 'jti-2'],
      'each once; an already expired token is not recorded',
    )
    t.ok(await store.revokedTokens.isRevoked('jti-1'))
    await store.revokedTokens.revoke('jti-1', later, now)
    t.equal(await db.prisma.revokedToken.count(), 2, 'revoking again keeps one row')

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
