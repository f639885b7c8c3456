// Applies the committed migrations (prisma/<provider>/migrations) and records them in
// _prisma_migrations, like `prisma migrate deploy`, through the WebAssembly schema engine. Applying is
// idempotent: an up-to-date database gets nothing. On SQLite it must run before the PrismaClient
// connects (the engine writes through its own connection), which is why openDatabase calls it.
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { noFilters, readMigrations, withSchemaEngine, type Provider } from './schema-engine.js'

export interface MigrationResult {
  applied: string[]
}

export async function applyMigrations(
  provider: Provider,
  adapter: { factory: SqlMigrationAwareDriverAdapterFactory; release(): Promise<void> },
): Promise<MigrationResult> {
  const migrationsList = await readMigrations(provider)
  try {
    const output = await withSchemaEngine(provider, adapter.factory, (engine) => engine.applyMigrations({ migrationsList, filters: noFilters } as never))
    return { applied: (output as { appliedMigrationNames: string[] }).appliedMigrationNames }
  } finally {
    await adapter.release()
  }
}
