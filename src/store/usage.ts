// Usage counts: requests per hour by kind, per access key or client (gathered in memory by ops/usage.ts).
// A flush adds its increments to the stored counts (INSERT … ON CONFLICT DO UPDATE SET count = count +
// excluded.count): several instances flushing the same row add up, whatever the order, on SQLite and PostgreSQL
// alike. Rows are written in key order, so two instances' batches lock PostgreSQL's rows in the same order and
// never deadlock each other. Written without Prisma (direct-write.ts: with keys spread across many tenants a
// flush holds thousands of rows, and Prisma's work per parameter was most of a flush's cost); through Prisma when
// neither direct connection is given, or while SQLite's is busy.
import type BetterSqlite3 from 'better-sqlite3'
import type pg from 'pg'
import type { PrismaClient } from './database.js'
import { BatchWriteError, directBatchWriter } from './direct-write.js'
import { Prisma } from './generated/sqlite/client.js'
import { toTimestamp } from './postgres-values.js'
import { toText } from './sqlite-values.js'

export type UsageSubjectType = 'access_key' | 'client'

export interface UsageIncrement {
  subjectType: UsageSubjectType
  subjectId: string
  /** The start of the hour (UTC). */
  hour: Date
  kind: string
  count: number
}

export interface UsageRow {
  /** The start of the hour (UTC). */
  hour: Date
  kind: string
  count: number
}

/** Rows per statement: 5 parameters each, far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 500

const order = (a: UsageIncrement, b: UsageIncrement) =>
  a.subjectType.localeCompare(b.subjectType) ||
  (a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0) ||
  a.hour.getTime() - b.hour.getTime() ||
  (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)

const COLUMNS = `"UsageCount" ("subjectType", "subjectId", "hour", "kind", "count")`
const ON_CONFLICT = `ON CONFLICT ("subjectType", "subjectId", "hour", "kind")
  DO UPDATE SET "count" = "UsageCount"."count" + excluded."count"`

/** Increments of the same row summed into one (one statement may not update a row twice on PostgreSQL). */
function merged(increments: readonly UsageIncrement[]): UsageIncrement[] {
  const rows = new Map<string, UsageIncrement>()
  for (const row of increments) {
    if (!(row.count > 0)) continue
    const key = `${row.subjectType}\n${row.subjectId}\n${row.hour.getTime()}\n${row.kind}`
    const before = rows.get(key)
    rows.set(key, before ? { ...before, count: before.count + row.count } : row)
  }
  return [...rows.values()].sort(order)
}

/**
 * `sqlite`: the direct connection of an SQLite database (database.ts), `pool`: PostgreSQL's pool; flushes are
 * written through them.
 */
export function createUsageStore(prisma: PrismaClient, sqlite?: () => BetterSqlite3.Database, pool?: pg.Pool) {
  const writeDirect = directBatchWriter<UsageIncrement>(
    {
      sqlite: `INSERT INTO ${COLUMNS} VALUES (?, ?, ?, ?, ?) ${ON_CONFLICT}`,
      sqliteValues: (row) => [row.subjectType, row.subjectId, toText(row.hour), row.kind, row.count],
      postgres: `INSERT INTO ${COLUMNS}
        SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp(3)[], $4::text[], $5::integer[]) ${ON_CONFLICT}`,
      postgresValues: (rows) => [
        rows.map((row) => row.subjectType),
        rows.map((row) => row.subjectId),
        rows.map((row) => toTimestamp(row.hour)),
        rows.map((row) => row.kind),
        rows.map((row) => row.count),
      ],
    },
    { sqlite, pool },
  )

  async function addThroughPrisma(rows: readonly UsageIncrement[]): Promise<void> {
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const values = rows
        .slice(start, start + ROWS_PER_STATEMENT)
        .map((row) => Prisma.sql`(${row.subjectType}, ${row.subjectId}, ${row.hour}, ${row.kind}, ${row.count})`)
      try {
        await prisma.$executeRaw`INSERT INTO ${Prisma.raw(COLUMNS)} VALUES ${Prisma.join(values)} ${Prisma.raw(ON_CONFLICT)}`
      } catch (err) {
        throw new BatchWriteError(rows.slice(start), err)
      }
    }
  }

  return {
    /**
     * Adds the increments to the stored counts (rows created as needed). On failure it throws a BatchWriteError
     * naming the increments not added (those before them were): a retry of those alone counts each once.
     */
    async add(increments: readonly UsageIncrement[]): Promise<void> {
      const rows = merged(increments)
      const rest = writeDirect ? (await writeDirect(rows)).busy : rows
      if (rest.length > 0) await addThroughPrisma(rest)
    },

    /**
     * The counts per hour and kind in [from, to), of one subject, or of every subject (summed) when `subject` is
     * omitted; `subjectType` alone sums every subject of that type. Ascending by hour, then kind.
     */
    async list(options: {
      from: Date
      to: Date
      subjectType?: UsageSubjectType | undefined
      subjectId?: string | undefined
    }): Promise<UsageRow[]> {
      const groups = await prisma.usageCount.groupBy({
        by: ['hour', 'kind'],
        where: {
          hour: { gte: options.from, lt: options.to },
          ...(options.subjectType === undefined ? {} : { subjectType: options.subjectType }),
          ...(options.subjectId === undefined ? {} : { subjectId: options.subjectId }),
        },
        _sum: { count: true },
        orderBy: [{ hour: 'asc' }, { kind: 'asc' }],
      })
      return groups.map((group) => ({ hour: group.hour, kind: group.kind, count: Number(group._sum.count ?? 0) }))
    },
  }
}

export type UsageStore = ReturnType<typeof createUsageStore>
