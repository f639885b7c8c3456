// The change feed on SQLite (change-feed.ts): PRAGMA data_version, then the change counts the triggers keep.
import { CHANGE_TABLES, reason, type ChangeFeedLogger, type Notify, type Watch } from './change-kinds.js'
import type { Database } from './database.js'

export function watchSqlite(
  db: Pick<Database, 'prisma' | 'sqlite'>,
  notify: Notify,
  log: ChangeFeedLogger,
  intervalMs: number,
): Watch {
  let version: number | undefined
  let directVersion: number | undefined
  // Whether each connection's data_version moved since the counts were last read: a commit of another process
  // is seen by the two reads of one check, or by the first in one check and the second in the next.
  let prismaMoved = false
  let directMoved = false
  let counts = new Map<string, number>()
  let failing = false
  let checking: Promise<void> | undefined

  // This instance writes on two connections, Prisma's and the direct one (database.ts; revocations, rotations,
  // usage counts), and applies its own changes when it makes them. A connection's data_version moves when
  // another connection commits: a commit of another process moves both, one of the direct connection only
  // Prisma's, one of Prisma's only the direct one's. So the change counts are read only once both have moved
  // since they were last read (commits on each of ours read them too, and at worst refresh a cache for
  // nothing). Without it every revocation on the direct connection would make the revocation list re-read
  // seconds of revocations at every check.
  async function dataVersion(): Promise<number> {
    const [row] = await db.prisma.$queryRawUnsafe<{ data_version: number | bigint }[]>('PRAGMA data_version')
    return Number(row!.data_version)
  }
  // Undefined without a direct connection (or one that cannot be opened): every move of Prisma's then counts.
  function directDataVersion(): number | undefined {
    try {
      return db.sqlite ? Number(db.sqlite().pragma('data_version', { simple: true })) : undefined
    } catch {
      return undefined
    }
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
      const directSeen = directDataVersion()
      // The first read only sets the baseline, unless an earlier one failed (then anything may have changed).
      const first = version === undefined && !failing
      prismaMoved ||= seen !== version
      directMoved ||= directSeen === undefined || directSeen !== directVersion
      version = seen
      directVersion = directSeen
      if (!first && !failing && !(prismaMoved && directMoved)) return
      prismaMoved = false
      directMoved = false
      const now = await readCounts()
      const changed = [...now]
        .filter(([table, count]) => counts.get(table) !== count)
        .flatMap(([table]) => CHANGE_TABLES.get(table) ?? [])
      counts = now
      failing = false
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
