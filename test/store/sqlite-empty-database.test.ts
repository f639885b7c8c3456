// A new SQLite file is migrated in one transaction without the schema engine: the result must be exactly what
// the engine builds and records, later engine runs must accept it, and a failing script must leave nothing.
import { createHash } from 'node:crypto'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import BetterSqlite3 from 'better-sqlite3'
import t from 'tap'
import { sqliteFilePath } from '../../src/store/database-url.ts'
import { noFilters, readMigrations, withSchemaEngine } from '../../src/store/migrations/schema-engine.ts'
import { applyToEmptySqlite } from '../../src/store/migrations/sqlite-empty-database.ts'
import { createDatabaseUrl } from '../support/helper.ts'

async function applyWithEngine(file: string): Promise<string[]> {
  const migrationsList = await readMigrations('sqlite')
  const output = await withSchemaEngine('sqlite', new PrismaBetterSqlite3({ url: file }), (engine) =>
    engine.applyMigrations({ migrationsList, filters: noFilters } as never),
  )
  return (output as { appliedMigrationNames: string[] }).appliedMigrationNames
}

function read<T>(file: string, sql: string): T[] {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return db.prepare(sql).all() as T[]
  } finally {
    db.close()
  }
}

const SCHEMA = `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`
const RECORDS = `SELECT migration_name, checksum, logs, rolled_back_at, applied_steps_count,
  finished_at IS NOT NULL AS finished, started_at IS NOT NULL AS started FROM _prisma_migrations ORDER BY migration_name`

t.test('an empty file gets the schema and the records the schema engine makes', async (t) => {
  const viaEngine = sqliteFilePath(await createDatabaseUrl(t))
  const direct = sqliteFilePath(await createDatabaseUrl(t))
  const migrations = await readMigrations('sqlite')
  const names = migrations.migrationDirectories.map((migration) => migration.path)

  t.same(await applyWithEngine(viaEngine), names, 'the engine applies every migration')
  t.same(applyToEmptySqlite(direct, migrations, 1000), names, 'so does the single transaction, in order')

  t.same(read(direct, SCHEMA), read(viaEngine, SCHEMA), 'the same tables, indexes and triggers, the same SQL')
  const records = read<{ checksum: string }>(direct, RECORDS)
  t.same(records, read(viaEngine, RECORDS), 'the same _prisma_migrations rows')
  const first = migrations.migrationDirectories[0]!.migrationFile.content
  t.equal(
    records[0]!.checksum,
    createHash('sha256')
      .update(first.tag === 'ok' ? first.value : '')
      .digest('hex'),
    'the checksum is the script’s SHA-256',
  )
  const [timestamps] = read<{ started_at: string; finished_at: string }>(
    direct,
    'SELECT started_at, finished_at FROM _prisma_migrations LIMIT 1',
  )
  t.match(timestamps, { started_at: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/ }, 'the engine’s timestamp format')

  t.same(await applyWithEngine(direct), [], 'the engine then finds nothing to apply')
})

t.test('a file that already holds a table is left to the engine', async (t) => {
  const file = sqliteFilePath(await createDatabaseUrl(t))
  const db = new BetterSqlite3(file)
  db.exec('CREATE TABLE "Other" (id TEXT)')
  db.close()
  t.equal(applyToEmptySqlite(file, await readMigrations('sqlite'), 1000), undefined)
  t.same(
    read<{ name: string }>(file, `SELECT name FROM sqlite_master WHERE type = 'table'`).map((row) => row.name),
    ['Other'],
    'nothing was added',
  )
})

t.test('a script that fails leaves the file empty: all or nothing', async (t) => {
  const file = sqliteFilePath(await createDatabaseUrl(t))
  const migrations = await readMigrations('sqlite')
  const broken = {
    ...migrations,
    migrationDirectories: [
      migrations.migrationDirectories[0]!,
      {
        path: '20990101000000_broken',
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok' as const, value: 'ALTER TABLE "Nope" ADD COLUMN x TEXT;' },
        },
      },
    ],
  }
  t.throws(() => applyToEmptySqlite(file, broken, 1000), /no such table: Nope/)
  t.same(read(file, SCHEMA), [], 'no table, no migration record')
  t.same(
    applyToEmptySqlite(file, migrations, 1000)?.length,
    migrations.migrationDirectories.length,
    'and can be migrated after',
  )
})

t.test('a file another process is writing waits for its lock, then gives up with SQLITE_BUSY', async (t) => {
  const file = sqliteFilePath(await createDatabaseUrl(t))
  const holder = new BetterSqlite3(file)
  t.teardown(() => holder.close())
  const migrations = await readMigrations('sqlite')
  holder.exec('BEGIN IMMEDIATE')
  t.throws(() => applyToEmptySqlite(file, migrations, 50), /database is locked/)
  holder.exec('ROLLBACK')
})
