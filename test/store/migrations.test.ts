// The committed migrations: applied in full to an empty database, idempotent, safe when two instances
// start at once, and exactly the schema of prisma/models.prisma (a model change without its migration fails here).
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import BetterSqlite3 from 'better-sqlite3'
import t from 'tap'
import { openDatabase, type Database } from '../../src/store/index.ts'
import { sqliteFilePath } from '../../src/store/database-url.ts'
import { noFilters, providerFolder, withSchemaEngine, type Provider } from '../../src/store/migrations/schema-engine.ts'
import { createDatabaseUrl, providers, type Test } from '../support/helper.ts'

function committedMigrations(provider: Provider): string[] {
  return readdirSync(join(providerFolder(provider), 'migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
}

async function open(t: Test, url: string): Promise<Database> {
  const db = await openDatabase(url, { migrate: true })
  t.teardown(() => db.close())
  return db
}

async function recorded(db: Database): Promise<{ migration_name: string; finished: boolean }[]> {
  const rows = await db.prisma.$queryRawUnsafe<
    { migration_name: string; finished_at: unknown; rolled_back_at: unknown }[]
  >('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name')
  return rows.map((row) => ({
    migration_name: row.migration_name,
    finished: row.finished_at !== null && row.rolled_back_at === null,
  }))
}

/**
 * The SQL that would take a live SQLite database to prisma/models.prisma; empty when they agree. The change
 * counters (store/change-feed.ts) are SQLite's alone and no model: written by triggers, read by the feed.
 */
async function sqliteDrift(url: string): Promise<string> {
  const result = await withSchemaEngine(
    'sqlite',
    new PrismaBetterSqlite3({ url: sqliteFilePath(url) }),
    (engine, schema) =>
      engine.diff({
        from: { tag: 'schemaDatasource', files: [schema], configDir: providerFolder('sqlite') },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters: { ...noFilters, externalTables: ['_ChangeCount'] },
      } as never),
  )
  return (result as { stdout?: string }).stdout?.replace(/^--.*$/gm, '').trim() ?? ''
}

t.test('no model change is waiting for its migration', async (t) => {
  for (const provider of ['sqlite', 'postgresql'] as const) {
    const migrations = join(providerFolder(provider), 'migrations')
    const snapshot = {
      path: join(migrations, 'schema.snapshot.prisma'),
      content: readFileSync(join(migrations, 'schema.snapshot.prisma'), 'utf8'),
    }
    const result = await withSchemaEngine(provider, new PrismaBetterSqlite3({ url: ':memory:' }), (engine, schema) =>
      engine.diff({
        from: { tag: 'schemaDatamodel', files: [snapshot] },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters: noFilters,
      } as never),
    )
    t.equal(
      (result as { stdout?: string }).stdout?.replace(/^--.*$/gm, '').trim(),
      '',
      `${provider}: npm run db:migration -- NAME`,
    )
  }
})

t.test('the provider schemas are generated from prisma/models.prisma', async (t) => {
  const models = readFileSync(new URL('../../prisma/models.prisma', import.meta.url), 'utf8')
  for (const provider of ['sqlite', 'postgresql'] as const) {
    t.ok(
      readFileSync(join(providerFolder(provider), 'schema.prisma'), 'utf8').endsWith(models),
      `${provider}: run npm run db:schemas`,
    )
  }
})

for (const provider of providers) {
  t.test(`migrations on ${provider}`, async (t) => {
    const all = committedMigrations(provider)
    t.ok(all.length >= 1, 'there are committed migrations')

    t.test('an empty database gets every migration, in order, then nothing on the next start', async (t) => {
      const url = await createDatabaseUrl(t, provider)
      const first = await open(t, url)
      t.same(first.migrationsApplied, all)
      t.same(
        await recorded(first),
        all.map((name) => ({ migration_name: name, finished: true })),
      )
      await first.close()

      const second = await open(t, url)
      t.same(second.migrationsApplied, [], 're-running applies nothing')
      t.same(
        await recorded(second),
        all.map((name) => ({ migration_name: name, finished: true })),
        'and records nothing twice',
      )
      await second.prisma.user.create({ data: { id: 'u1', username: 'after-migrate', passwordHash: 'x' } })
      t.equal(await second.prisma.user.count(), 1, 'the tables are usable')
    })

    t.test('two instances starting at once migrate once', async (t) => {
      const url = await createDatabaseUrl(t, provider)
      const [a, b] = await Promise.all([open(t, url), open(t, url)])
      t.same([...a.migrationsApplied, ...b.migrationsApplied].sort(), all)
      t.same(
        await recorded(a),
        all.map((name) => ({ migration_name: name, finished: true })),
      )
    })
  })
}

// Introspecting a live PostgreSQL database through the WebAssembly engine and node-postgres fails on
// pg_catalog's "char" columns, so the live check runs on SQLite; both providers get the snapshot check.
t.test('an up-to-date SQLite database opens while a running server holds it', async (t) => {
  const url = await createDatabaseUrl(t, 'sqlite')
  const server = await open(t, url)
  await server.prisma.user.create({ data: { id: 'u1', username: 'held', passwordHash: 'x' } })
  const cli = await open(t, url)
  t.same(cli.migrationsApplied, [])
  t.equal(await cli.prisma.user.count(), 1)
})

t.test('processes opening a new SQLite file at once wait for the one migrating it instead of failing', async (t) => {
  const url = await createDatabaseUrl(t, 'sqlite')
  const all = committedMigrations('sqlite')
  // Another process migrating: it holds the write lock for longer than the busy timeout of those waiting.
  const holder = new BetterSqlite3(sqliteFilePath(url))
  holder.exec('BEGIN IMMEDIATE')
  const released = setTimeout(() => holder.exec('COMMIT'), 600)
  t.teardown(() => {
    clearTimeout(released)
    holder.close()
  })
  const opened = await Promise.all(
    [1, 2, 3].map(async () => {
      const db = await openDatabase(url, { migrate: true, timeoutMs: 200 })
      t.teardown(() => db.close())
      return db
    }),
  )
  t.same(opened.flatMap((db) => db.migrationsApplied).sort(), all, 'every migration applied once, by one of them')
  t.same(
    await recorded(opened[2]!),
    all.map((name) => ({ migration_name: name, finished: true })),
  )
})

// SQLite's change feed (store/change-feed-sqlite.ts) counts changes with triggers. A migration that rebuilds a
// table (how SQLite changes a column) drops that table's triggers with it, and nothing else would notice.
t.test('every table the SQLite change feed watches keeps its change triggers after all the migrations', async (t) => {
  const url = await createDatabaseUrl(t, 'sqlite')
  const db = await open(t, url)
  const rows = await db.prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`,
  )
  const expected = ['AccessKey', 'Client', 'Membership', 'Role', 'SigningKey', 'User']
    .flatMap((table) => ['delete', 'insert', 'update'].map((event) => `${table}_${event}_change`))
    .concat('RevokedToken_insert_change')
    .sort()
  t.same(
    rows.map((row) => row.name).filter((name) => name.endsWith('_change')),
    expected,
  )
})

t.test('the migrations build exactly prisma/models.prisma on a live SQLite database', async (t) => {
  const url = await createDatabaseUrl(t, 'sqlite')
  await (await open(t, url)).close()
  t.equal(await sqliteDrift(url), '', 'no difference')
})

t.test('a live database that differs from the models is detected', async (t) => {
  const url = await createDatabaseUrl(t, 'sqlite')
  const db = await open(t, url)
  await db.prisma.$executeRawUnsafe('ALTER TABLE "User" ADD COLUMN "stray" TEXT')
  await db.close()
  t.match(await sqliteDrift(url), /CREATE TABLE "new_User"/)
})
