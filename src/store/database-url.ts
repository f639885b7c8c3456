// What DATABASE_URL names, read without opening it: the server decides from it, before loading the store
// (Prisma and the drivers), whether the database is new (server.ts makes its first signing keys meanwhile).
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/** True for a PostgreSQL URL (postgres:// or postgresql://); any other DATABASE_URL names an SQLite file. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url)
}

export function sqliteFilePath(url: string): string {
  return resolve(url.replace(/^file:/, '').split('?', 1)[0]!)
}

/** True for an SQLite file that does not exist yet (it is created with the schema); PostgreSQL's never are. */
export function isNewDatabase(url: string): boolean {
  return !isPostgresUrl(url) && !existsSync(sqliteFilePath(url))
}
