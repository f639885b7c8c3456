// Usage counts: requests per hour by kind, per access key or client (gathered in memory by ops/usage.ts).
// A flush adds its increments to the stored counts in one statement per batch of rows (INSERT … ON CONFLICT DO
// UPDATE SET count = count + excluded.count): several instances flushing the same row add up, whatever the
// order, on SQLite and PostgreSQL alike. Rows are written in key order, so two instances' batches lock
// PostgreSQL's rows in the same order and never deadlock each other.
import type { PrismaClient } from './database.js'
import { Prisma } from './generated/sqlite/client.js'

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

export function createUsageStore(prisma: PrismaClient) {
  return {
    /** Adds the increments to the stored counts (rows created as needed). */
    async add(increments: readonly UsageIncrement[]): Promise<void> {
      const rows = [...increments].filter((row) => row.count > 0).sort(order)
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const values = rows
          .slice(start, start + ROWS_PER_STATEMENT)
          .map((row) => Prisma.sql`(${row.subjectType}, ${row.subjectId}, ${row.hour}, ${row.kind}, ${row.count})`)
        await prisma.$executeRaw`
          INSERT INTO "UsageCount" ("subjectType", "subjectId", "hour", "kind", "count")
          VALUES ${Prisma.join(values)}
          ON CONFLICT ("subjectType", "subjectId", "hour", "kind")
          DO UPDATE SET "count" = "UsageCount"."count" + excluded."count"`
      }
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
