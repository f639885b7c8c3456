// A PostgreSQL migration cut short (the process killed, the connection lost) must not stop every later start.
//
// - atomicScripts(): the driver adapter runs a migration script one statement at a time, each committed on
//   its own, so an interruption left half a schema. Sent as one simple-protocol query, the script is one
//   implicit transaction (PostgreSQL runs the statements of one Query message as a single transaction):
//   applied whole or not at all.
// - resolveInterruptedMigrations(): the engine records a migration as started, runs its script, then records
//   it as finished. Cut short in between, the started row makes the engine refuse every later run ("migrate
//   found failed migrations", what `prisma migrate resolve` is for). Holding the engine's own advisory lock
//   (so no migration is running anywhere), each such row whose script did not fail (no logs) is resolved
//   as an operator would: the script is tried again inside a savepoint rolled back at once. If it applies, it
//   had not been applied: the row is marked rolled back and the engine applies it again. If it fails, its
//   objects are there: the row is marked finished.
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils'
import type pg from 'pg'
import type { MigrationList } from '@prisma/schema-engine-wasm'

/** The key of Prisma's migration lock (`SELECT pg_advisory_lock(72707369)` in the schema engine). */
const PRISMA_MIGRATION_LOCK = 72707369

interface PgAdapter {
  underlyingDriver(): pg.Pool
  onError(error: unknown): never
}

/** Makes a PrismaPg connection run each script as one query, hence one transaction. */
export function atomicScripts<A extends SqlDriverAdapter>(connection: A): A {
  const adapter = connection as unknown as A & PgAdapter
  adapter.executeScript = async (script: string) => {
    try {
      await adapter.underlyingDriver().query(script)
    } catch (error) {
      adapter.onError(error) // the adapter's own translation into a DriverAdapterError, which the engine reports
    }
  }
  return adapter
}

/** Resolves the migrations a previous run left started and unfinished; returns their names. */
export async function resolveInterruptedMigrations(pool: pg.Pool, migrations: MigrationList): Promise<string[]> {
  const client = await pool.connect()
  const resolved: string[] = []
  try {
    await client.query('BEGIN')
    await client.query(`SELECT pg_advisory_xact_lock(${PRISMA_MIGRATION_LOCK})`)
    const { rows: table } = await client.query<{ present: boolean }>(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`)
    const { rows } = table[0]!.present
      ? await client.query<{ id: string; migration_name: string }>(`SELECT id, migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL AND logs IS NULL`)
      : { rows: [] }
    for (const row of rows) {
      const file = migrations.migrationDirectories.find((migration) => migration.path === row.migration_name)?.migrationFile.content
      // A migration this version does not ship: left for the engine to report.
      if (file?.tag !== 'ok') continue
      await client.query('SAVEPOINT probe')
      const applies = await client.query(file.value).then(
        () => true,
        () => false,
      )
      await client.query('ROLLBACK TO SAVEPOINT probe')
      await client.query(
        applies ? `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = $1` : `UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
        [row.id],
      )
      resolved.push(row.migration_name)
    }
    await client.query('COMMIT')
    return resolved
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
