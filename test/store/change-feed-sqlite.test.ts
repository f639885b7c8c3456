// SQLite's change watcher (src/store/change-feed-sqlite.ts) against a real database file: a commit of another
// process is reported, whichever of this instance's two connections sees it first; this instance's own commits,
// on Prisma's connection or on the direct one (revocations, rotations, usage counts), are not.
import Database from 'better-sqlite3'
import t from 'tap'
import { watchSqlite } from '../../src/store/change-feed-sqlite.ts'
import type { ChangeKind } from '../../src/store/change-kinds.ts'
import { sqliteFilePath } from '../../src/store/database-url.ts'
import { createTestStore, type Test } from '../support/helper.ts'
import { until } from '../support/timers.ts'

const CHECK_MS = 10
/** Checks that run in this time and find nothing: the watcher had every chance to report. */
const QUIET_MS = 150

const insert = `INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt") VALUES (?, '2099-01-01T00:00:00.000+00:00', '2026-12-06T00:00:00.000+00:00')`

async function setup(t: Test) {
  const { db } = await createTestStore(t, 'sqlite')
  const reports: ChangeKind[][] = []
  const errors: string[] = []
  const watch = watchSqlite(
    db,
    (kinds) => reports.push([...kinds]),
    { info: () => undefined, error: (_details, message) => errors.push(message) },
    CHECK_MS,
  )
  t.teardown(() => watch.close())
  await watch.ready
  // Another process: a connection of its own on the same file, as the CLI or a second server has.
  const other = new Database(sqliteFilePath(db.url))
  t.teardown(() => other.close())
  let n = 0
  const jti = () => `jti-${++n}`
  return {
    reports,
    errors,
    direct: () => db.sqlite!().prepare(insert).run(jti()),
    prisma: () => db.prisma.$executeRawUnsafe(insert.replace('?', `'${jti()}'`)),
    elsewhere: () => other.prepare(insert).run(jti()),
    quiet: () => new Promise((resolve) => setTimeout(resolve, QUIET_MS)),
  }
}

t.test("this instance's own commits, on either connection, are not reported", async (t) => {
  const s = await setup(t)
  for (let i = 0; i < 5; i++) s.direct()
  await s.quiet()
  t.same(s.reports, [], 'direct connection')
  s.elsewhere()
  t.ok(await until(() => s.reports.length === 1), "another process's commit is")
  t.same(s.reports, [['revokedTokens']])

  for (let i = 0; i < 5; i++) await s.prisma()
  await s.quiet()
  t.same(s.reports, [['revokedTokens']], "Prisma's connection")
  s.elsewhere()
  t.ok(await until(() => s.reports.length === 2), 'and the next commit of another process is')
  t.same(s.errors, [])
})

t.test('a commit of another process among a stream of direct commits is reported', async (t) => {
  const s = await setup(t)
  let writing = true
  // Direct commits all the time, as under a flood of revocations: the other process's commit falls between the
  // watcher's two reads in some checks, and is then seen by one connection in one check, the other in the next.
  const flood = (async () => {
    while (writing) {
      s.direct()
      await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  for (let round = 1; round <= 5; round++) {
    await s.quiet()
    const before = s.reports.length
    s.elsewhere()
    t.ok(await until(() => s.reports.length > before), `round ${round}: reported`)
  }
  writing = false
  await flood
  t.ok(s.reports.length <= 10, `no report of the flood itself beyond those (${s.reports.length} for 5)`)
})

t.test('without a direct connection, every move of Prisma’s counts', async (t) => {
  const { db } = await createTestStore(t, 'sqlite')
  const reports: ChangeKind[][] = []
  const watch = watchSqlite(
    { prisma: db.prisma },
    (kinds) => reports.push([...kinds]),
    { info: () => undefined, error: () => undefined },
    CHECK_MS,
  )
  t.teardown(() => watch.close())
  await watch.ready
  const other = new Database(sqliteFilePath(db.url))
  t.teardown(() => other.close())
  other.prepare(insert).run('jti-x')
  t.ok(await until(() => reports.length === 1))
})
