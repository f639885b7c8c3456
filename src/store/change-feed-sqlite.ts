// The change feed on SQLite (change-feed.ts): PRAGMA data_version, then the change counts the triggers keep.
import { CHANGE_TABLES, reason, type ChangeFeedLogger, type Notify, type Watch } from './change-kinds.js'
import type { Database } from './database.js'

export function watchSqlite(
  db: Pick<Database, 'prisma'>,
  notify: Notify,
  log: ChangeFeedLogger,
  intervalMs: number,
): Watch {
  let version: number | undefined
  let counts = new Map<string, number>()
  let failing = false
  let checking: Promise<void> | undefined

  // On Prisma's connection, which makes this instance's own changes: they do not move its data_version, so
  // they are not taken for changes made elsewhere (this instance applied them when it made them).
  async function dataVersion(): Promise<number> {
    const [row] = await db.prisma.$queryRawUnsafe<{ data_version: number | bigint }[]>('PRAGMA data_version')
    return Number(row!.data_version)
  }

  async function readCounts(): Promise<Map<string, number>> {
    const rows = await db.prisma.$queryRawUnsafe<{ table: string; count: number | bigint }[]>(
      'SELECT "table", "count" FROM "_ChangeCount"',
    )
    return new Map(rows.map((row) => [row.table, Number(row.count)]))
  }

  async function check(): Promise<void> {
    try {
      const seen = await dataVersion()
      if (seen === version) return
      const now = await readCounts()
      const changed = [...now]
        .filter(([table, count]) => counts.get(table) !== count)
        .flatMap(([table]) => CHANGE_TABLES.get(table) ?? [])
      const first = version === undefined && !failing
      version = seen
      counts = now
      failing = false
      // The first read only sets the baseline, unless an earlier one failed (then anything may have changed).
      if (!first && changed.length > 0) notify(changed)
    } catch (err) {
      if (!failing)
        log.error(
          { reason: reason(err) },
          'change notifications: cannot read the change counts; trying again (the polls bound propagation meanwhile)',
        )
      failing = true
    }
  }

  const ready = check()
  const timer = setInterval(() => {
    checking ??= check().finally(() => {
      checking = undefined
    })
  }, intervalMs)
  timer.unref()
  return {
    ready,
    async close() {
      clearInterval(timer)
      await checking
    },
  }
}
