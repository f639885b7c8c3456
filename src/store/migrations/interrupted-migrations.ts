// A migration cut short (the process killed, the connection lost) must not stop every later start.
//
// - atomicScripts(): the driver adapters run a migration script one statement at a time, each committed on
//   its own, so an interruption left half a schema. Here each script is one transaction, applied whole or
//   not at all: on PostgreSQL one simple-protocol query (its statements run as a single transaction), on
//   SQLite an explicit transaction.
// - resolveInterruptedMigrations(): the engine records a migration as started, runs its script, then records
//   it as finished. Cut short in between, the started row makes the engine refuse every later run ("migrate
//   found failed migrations", what `prisma migrate resolve` is for). Holding the migration lock (PostgreSQL:
//   the engine's own advisory lock; SQLite: the write lock), so that no migration is running anywhere, each
//   such row whose script did not fail (no logs) is resolved as an operator would: the script is tried again
//   inside a savepoint rolled back at once. If it applies, it had not been applied: the row is marked rolled
//   back and the engine applies it again. If it fails, its objects are there: the row is marked finished.
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils'
import type { MigrationList } from '@prisma/schema-engine-wasm'
import BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'

/** The key of Prisma's migration lock (`SELECT pg_advisory_lock(72707369)` in the schema engine). */
const PRISMA_MIGRATION_LOCK = 72707369

const UNFINISHED = `SELECT id, migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL AND logs IS NULL`

/** What the adapters hold (PrismaPg: the pool; PrismaBetterSqlite3: the connection) and how they report errors. */
interface AdapterInternals {
  onError(error: unknown): never
  underlyingDriver?(): pg.Pool
  client?: BetterSqlite3.Database
}

/** Makes a driver-adapter connection run each migration script as one transaction. */
export function atomicScripts<A extends SqlDriverAdapter>(connection: A): A {
  const adapter = connection as A & AdapterInternals
  const sqlite = adapter.client
  if (adapter.provider === 'postgres' && adapter.underlyingDriver) {
    const pool = adapter.underlyingDriver()
    adapter.executeScript = async (script: string) => {
      await pool.query(script).catch((error: unknown) => adapter.onError(error))
    }
  } else if (adapter.provider === 'sqlite' && sqlite) {
    adapter.executeScript = async (script: string) => {
      try {
        runSqliteScript(sqlite, script)
      } catch (error) {
        adapter.onError(error) // the adapter's own translation, which the engine reports as the migration's error
      }
    }
  }
  return adapter
}

/**
 * SQLite's procedure for schema changes (sqlite.org/lang_altertable.html §7): a script that turns foreign keys
 * off (a table redefinition) gets them off before its transaction, since inside one the pragma does nothing
 * and a DROP TABLE would cascade; they are restored after it.
 */
function runSqliteScript(db: BetterSqlite3.Database, script: string): void {
  const foreignKeysOff = /PRAGMA\s+foreign_keys\s*=\s*(OFF|0|false)/i.test(script)
  const previous = db.pragma('foreign_keys', { simple: true })
  if (foreignKeysOff) db.pragma('foreign_keys = OFF')
  try {
    db.transaction(() => db.exec(script))()
  } finally {
    if (foreignKeysOff) db.pragma(`foreign_keys = ${previous ? 'ON' : 'OFF'}`)
  }
}

const scriptOf = (migrations: MigrationList, name: string): string | undefined => {
  const file = migrations.migrationDirectories.find((migration) => migration.path === name)?.migrationFile.content
  return file?.tag === 'ok' ? file.value : undefined
}

/** PostgreSQL: resolves the migrations a previous run left started and unfinished; returns their names. */
export async function resolveInterruptedMigrations(pool: pg.Pool, migrations: MigrationList): Promise<string[]> {
  const client = await pool.connect()
  const resolved: string[] = []
  try {
    await client.query('BEGIN')
    await client.query(`SELECT pg_advisory_xact_lock(${PRISMA_MIGRATION_LOCK})`)
    const { rows: table } = await client.query<{ present: boolean }>(
      `SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`,
    )
    const { rows } = table[0]!.present
      ? await client.query<{ id: string; migration_name: string }>(UNFINISHED)
      : { rows: [] }
    for (const row of rows) {
      const script = scriptOf(migrations, row.migration_name)
      // A migration this version does not ship: left for the engine to report.
      if (script === undefined) continue
      await client.query('SAVEPOINT probe')
      const applies = await client.query(script).then(
        () => true,
        () => false,
      )
      await client.query('ROLLBACK TO SAVEPOINT probe')
      await client.query(
        applies
          ? `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = $1`
          : `UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
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

/** SQLite: the same, on its own connection to the file, inside one write transaction (the lock). */
export function resolveInterruptedSqliteMigrations(
  file: string,
  migrations: MigrationList,
  timeoutMs: number,
): string[] {
  const db = new BetterSqlite3(file, { timeout: timeoutMs })
  const probeDone = new Error('probe')
  try {
    // The probe's DROP TABLEs (rolled back anyway) must neither cascade nor fail on references.
    db.pragma('foreign_keys = OFF')
    const probe = db.transaction((script: string) => {
      db.exec(script)
      throw probeDone
    })
    const applies = (script: string): boolean => {
      try {
        probe(script)
      } catch (err) {
        return err === probeDone
      }
      return false
    }
    return db
      .transaction(() => {
        const table = db
          .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`)
          .get()
        const rows = table ? (db.prepare(UNFINISHED).all() as { id: string; migration_name: string }[]) : []
        const resolved: string[] = []
        for (const row of rows) {
          const script = scriptOf(migrations, row.migration_name)
          if (script === undefined) continue
          db.prepare(
            applies(script)
              ? `UPDATE _prisma_migrations SET rolled_back_at = CURRENT_TIMESTAMP WHERE id = ?`
              : `UPDATE _prisma_migrations SET finished_at = CURRENT_TIMESTAMP, applied_steps_count = 1 WHERE id = ?`,
          ).run(row.id)
          resolved.push(row.migration_name)
        }
        return resolved
      })
      .immediate()
  } finally {
    db.close()
  }
}
