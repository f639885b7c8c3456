// A database as an earlier release left it: the migrations before `migration` only, applied as that release's
// server did (the schema engine over the provider's adapter), for the tests that upgrade it.
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { sqliteFilePath } from '../../src/store/database-url.ts'
import { noFilters, readMigrations, withSchemaEngine, type Provider } from '../../src/store/migrations/schema-engine.ts'

/** Applies to the database at `url` every migration whose folder sorts before `migration`. */
export async function migrateBefore(provider: Provider, url: string, migration: string): Promise<void> {
  const list = await readMigrations(provider)
  list.migrationDirectories = list.migrationDirectories.filter((dir) => dir.path < migration)
  if (provider === 'sqlite') {
    await withSchemaEngine(provider, new PrismaBetterSqlite3({ url: sqliteFilePath(url) }), (engine) =>
      engine.applyMigrations({ migrationsList: list, filters: noFilters } as never),
    )
    return
  }
  const pool = new pg.Pool({ connectionString: url })
  const clients: pg.PoolClient[] = []
  pool.on('connect', (client) => clients.push(client))
  try {
    await withSchemaEngine(provider, new PrismaPg(pool), (engine) =>
      engine.applyMigrations({ migrationsList: list, filters: noFilters } as never),
    )
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)))
    await pool.end().catch(() => undefined)
  }
}
