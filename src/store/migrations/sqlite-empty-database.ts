// A new SQLite file gets every committed migration in one transaction, without the schema engine.
//
// The WebAssembly schema engine applies a migration in several steps (record it started, run its script, record
// it finished), each a round trip through the driver adapter, and its own start costs a WebAssembly compile: on a
// first start that was most of the time to ready. On an empty file there is nothing for it to check or resolve,
// so the same scripts run here, in order, inside one write transaction, and each is recorded in
// _prisma_migrations as the engine records it (same table, checksum and columns): later starts and
// `prisma migrate` see a database the engine migrated. Applied whole or not at all; a file that holds any table
// is left to the engine.
import { createHash, randomUUID } from 'node:crypto'
import type { MigrationList } from '@prisma/schema-engine-wasm'
import BetterSqlite3 from 'better-sqlite3'

/** The engine's own definition of its table (schema-engine/connectors/sql-schema-connector, SQLite flavour). */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`

/** The engine's timestamp format: RFC 3339 with milliseconds and an explicit UTC offset. */
const timestamp = (date: Date) => date.toISOString().replace(/Z$/, '+00:00')

/**
 * Applies every migration of `migrations` to the SQLite file when it holds no table yet; returns their names, or
 * undefined when the file already has a schema (the engine's case). Waits up to `timeoutMs` for the write lock
 * (SQLITE_BUSY after that, as the engine's path would).
 */
export function applyToEmptySqlite(file: string, migrations: MigrationList, timeoutMs: number): string[] | undefined {
  const scripts: { name: string; script: string }[] = []
  for (const migration of migrations.migrationDirectories) {
    const content = migration.migrationFile.content
    if (content.tag !== 'ok') return undefined // the engine reports an unreadable migration its own way
    scripts.push({ name: migration.path, script: content.value })
  }
  const db = new BetterSqlite3(file, { timeout: timeoutMs })
  try {
    // A table redefinition turns foreign keys off around its script; on an empty file nothing can cascade, and
    // inside a transaction the pragma would do nothing anyway: off for the whole run, restored after it.
    const previous = db.pragma('foreign_keys', { simple: true })
    db.pragma('foreign_keys = OFF')
    try {
      return db
        .transaction(() => {
          const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as {
            n: number
          }
          if (tables.n > 0) return undefined
          db.exec(MIGRATIONS_TABLE)
          const record = db.prepare(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
             VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
          )
          for (const { name, script } of scripts) {
            const startedAt = timestamp(new Date())
            db.exec(script)
            const checksum = createHash('sha256').update(script).digest('hex')
            record.run(randomUUID(), checksum, timestamp(new Date()), name, startedAt)
          }
          return scripts.map(({ name }) => name)
        })
        .immediate()
    } finally {
      db.pragma(`foreign_keys = ${previous ? 'ON' : 'OFF'}`)
    }
  } finally {
    db.close()
  }
}
