// node-postgres, loaded when the first PostgreSQL database is opened (database.ts), with Prisma's adapter for
// it: a deployment on SQLite never loads either (≈ 70 ms of a cold start on the 2-core benchmark VM).
import type pg from 'pg'

let driver: typeof pg | undefined

export async function loadPg(): Promise<typeof pg> {
  driver ??= (await import('pg')).default
  return driver
}

/** The driver, for what runs only once a PostgreSQL database is open (its pool's parsers, listener, locks). */
export function loadedPg(): typeof pg {
  if (!driver) throw new Error('node-postgres is used before a PostgreSQL database was opened')
  return driver
}
