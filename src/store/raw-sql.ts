// Hand-written SQL that reads the same on both databases (a Prisma.sql template), sent through Prisma on SQLite
// and without it on PostgreSQL: on the pool Prisma's adapter uses too (database.ts), as @prisma/adapter-pg
// would send it (the template's `$n` text and its values, Dates as UTC timestamps), where Prisma's own work
// costs about a millisecond of the event loop per statement. For the store's frequent small statements (the
// login throttle's), not for model queries.
import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { Prisma } from './generated/sqlite/client.js'
import { toTimestamp, types } from './postgres-values.js'

type Values = Parameters<typeof Prisma.sql> extends [unknown, ...infer Rest] ? Rest : never

export interface RawSql {
  /** The rows of a statement, written as a tagged template (values become parameters); typed as $queryRaw is. */
  query<Rows extends unknown[]>(strings: TemplateStringsArray, ...values: Values): Promise<Rows>
  /** How many rows a statement changed. */
  execute(strings: TemplateStringsArray, ...values: Values): Promise<number>
}

const toParameter = (value: unknown): unknown => (value instanceof Date ? toTimestamp(value) : value)

/**
 * @example
 * const raw = createRawSql(prisma, db.pool)
 * const rows = await raw.query<{ id: string }[]>`SELECT "id" FROM "User" WHERE "username" = ${username}`
 */
export function createRawSql(prisma: PrismaClient, pool?: pg.Pool): RawSql {
  if (!pool)
    return {
      query: <Rows extends unknown[]>(strings: TemplateStringsArray, ...values: Values) =>
        prisma.$queryRaw<Rows>(Prisma.sql(strings, ...values)),
      execute: (strings, ...values) => prisma.$executeRaw(Prisma.sql(strings, ...values)),
    }
  const send = (strings: TemplateStringsArray, values: Values) => {
    const sql = Prisma.sql(strings, ...values)
    return pool.query({ text: sql.text, values: sql.values.map(toParameter), types })
  }
  return {
    query: async <Rows extends unknown[]>(strings: TemplateStringsArray, ...values: Values) =>
      (await send(strings, values)).rows as Rows,
    execute: async (strings, ...values) => (await send(strings, values)).rowCount ?? 0,
  }
}
