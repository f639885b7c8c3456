// Applies the committed migrations (prisma/<provider>/migrations) and records them in
// _prisma_migrations, like `prisma migrate deploy`, through the WebAssembly schema engine. Applying is
// idempotent: an up-to-date database gets nothing. On SQLite it must run before the PrismaClient
// connects (the engine writes through its own connection), which is why openDatabase calls it.
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import type pg from 'pg'
import { resolveInterruptedMigrations, resolveInterruptedSqliteMigrations } from './interrupted-migrations.js'
import { noFilters, readMigrations, withSchemaEngine, type Provider } from './schema-engine.js'
import { applyToEmptySqlite } from './sqlite-empty-database.js'

export interface MigrationResult {
  applied: string[]
}

/** The migrations recorded as applied; none when the database is new (no _prisma_migrations yet). */
async function appliedMigrationNames(factory: SqlMigrationAwareDriverAdapterFactory): Promise<Set<string>> {
  const connection = await factory.connect()
  try {
    const result = await connection.queryRaw({
      sql: 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      args: [],
      argTypes: [],
    })
    return new Set(result.rows.map((row) => String(row[0])))
  } catch {
    return new Set()
  } finally {
    await connection.dispose()
  }
}

export async function applyMigrations(
  provider: Provider,
  adapter: {
    factory: SqlMigrationAwareDriverAdapterFactory
    release(): Promise<void> /** PostgreSQL: the pool the factory uses. */
    pool?: pg.Pool /** SQLite: the file, and how long to wait for its write lock. */
    sqlite?: { file: string; timeoutMs: number }
  },
): Promise<MigrationResult> {
  const migrationsList = await readMigrations(provider)
  try {
    // The engine takes an exclusive lock to apply, which SQLite refuses while the server holds the file
    // open: checking first lets the CLI run beside a running server, and spares every start the engine.
    const done = await appliedMigrationNames(adapter.factory)
    if (migrationsList.migrationDirectories.every((migration) => done.has(migration.path))) return { applied: [] }
    // A new SQLite file: every migration in one transaction, without starting the engine (sqlite-empty-database.ts).
    if (adapter.sqlite && done.size === 0) {
      const applied = applyToEmptySqlite(adapter.sqlite.file, migrationsList, adapter.sqlite.timeoutMs)
      if (applied) return { applied }
    }
    // A migration a previous run left half done would stop the engine for good (interrupted-migrations.ts).
    if (adapter.pool) await resolveInterruptedMigrations(adapter.pool, migrationsList)
    if (adapter.sqlite)
      resolveInterruptedSqliteMigrations(adapter.sqlite.file, migrationsList, adapter.sqlite.timeoutMs)
    const output = await withSchemaEngine(provider, adapter.factory, (engine) =>
      engine.applyMigrations({ migrationsList, filters: noFilters } as never),
    )
    return { applied: (output as { appliedMigrationNames: string[] }).appliedMigrationNames }
  } finally {
    await adapter.release()
  }
}
