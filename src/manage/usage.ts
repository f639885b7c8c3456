// Usage statistics read back (ops/usage.ts counts them): per access key, per client, or everything together, over
// a period, by hour or by day (UTC). The one reader under the admin API, /v1/me and the CLI.
//
// The period: `from` and `to` (RFC 3339; default: the last 24 hours up to now), widened to whole buckets (`from`
// down to the start of its hour or day, `to` up to the end of its own), so that every bucket shown is whole and
// the answer says exactly which period it covers. At most MAX_PERIOD_DAYS long.
import { notFound, validationFailed, type ErrorDetail } from '../errors.js'
import type { UsageSubjectType } from '../store/usage.js'
import type { ManageDeps } from './changes.js'

export type Granularity = 'hour' | 'day'
export const GRANULARITIES: readonly Granularity[] = ['hour', 'day']
export const MAX_PERIOD_DAYS = 366

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const DEFAULT_PERIOD_MS = DAY_MS
const BUCKET_MS: Record<Granularity, number> = { hour: HOUR_MS, day: DAY_MS }

// RFC 3339 §5.6 date-time: full-date "T" full-time, with a Z or a numeric offset. A space stands for the "+" of an
// offset: an unencoded "+" in a query string arrives as one.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+\- ])(\d{2}):(\d{2}))$/

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** An RFC 3339 date-time as a Date, or undefined when it is not one (a 30 February, a 25th hour). */
export function parseDateTime(text: string): Date | undefined {
  const match = DATE_TIME.exec(text)
  if (!match) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const valid =
    month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 59
  if (!valid) return undefined
  // Milliseconds: finer digits are dropped.
  const millis = match[7] ? Number(match[7].slice(1, 4).padEnd(3, '0')) : 0
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis)
  if (match[8]) return new Date(local)
  const [offsetHours, offsetMinutes] = [Number(match[10]), Number(match[11])]
  if (offsetHours > 23 || offsetMinutes > 59) return undefined
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000
  return new Date(match[9] === '-' ? local + offset : local - offset)
}

export interface UsagePeriod {
  from: Date
  to: Date
  granularity: Granularity
}

/**
 * The period a query asks for, widened to whole buckets; validationFailed() listing every bad field.
 *
 * @example
 * usagePeriod({ from: '2026-12-05T10:30:00Z', granularity: 'hour' }, Date.now())
 * // { from: 2026-12-05T10:00:00.000Z, to: <the end of the current hour>, granularity: 'hour' }
 */
export function usagePeriod(
  query: { from?: string | undefined; to?: string | undefined; granularity?: string | undefined },
  now: number,
): UsagePeriod {
  const problems: ErrorDetail[] = []
  const granularity = (query.granularity ?? 'hour') as Granularity
  if (!GRANULARITIES.includes(granularity)) problems.push({ field: 'granularity', message: 'must be hour or day' })
  const read = (field: 'from' | 'to') => {
    const text = query[field]
    if (text === undefined) return undefined
    const date = parseDateTime(text)
    if (!date) problems.push({ field, message: 'must be an RFC 3339 date-time, e.g. 2026-12-05T10:00:00Z' })
    return date
  }
  const fromDate = read('from')
  const toDate = read('to')
  if (problems.length > 0) throw validationFailed(problems)
  const to = toDate?.getTime() ?? (fromDate ? Math.max(now, fromDate.getTime()) : now)
  const from = fromDate?.getTime() ?? to - DEFAULT_PERIOD_MS
  if (to <= from) throw validationFailed([{ field: 'to', message: 'must be after from' }])
  if (to - from > MAX_PERIOD_DAYS * DAY_MS)
    throw validationFailed([{ field: 'from', message: `the period may be at most ${MAX_PERIOD_DAYS} days long` }])
  const size = BUCKET_MS[granularity]
  const start = from - (((from % size) + size) % size)
  const end = to % size === 0 ? to : to - (((to % size) + size) % size) + size
  return { from: new Date(start), to: new Date(end), granularity }
}

/** The wire shape of every usage answer (admin API, /v1/me, `--json`). */
export interface UsageView {
  from: string
  to: string
  granularity: Granularity
  /** Periods with any count, ascending; `counts` holds only the kinds that happened. */
  buckets: { start: string; counts: Record<string, number> }[]
  /** The sums over the period, only the kinds that happened. */
  totals: Record<string, number>
}

/** Which counts: one key's or client's, or (no id) every one of a type, or (neither) everything together. */
export type UsageSubject = { type: UsageSubjectType; id: string } | { type?: UsageSubjectType; id?: undefined }

/** The counts of `subject` over `period`, in buckets of its granularity. */
export async function readUsage(
  deps: Pick<ManageDeps, 'store'>,
  subject: UsageSubject,
  period: UsagePeriod,
): Promise<UsageView> {
  const rows = await deps.store.usage.list({
    from: period.from,
    to: period.to,
    subjectType: subject.type,
    subjectId: subject.id,
  })
  const size = BUCKET_MS[period.granularity]
  const buckets = new Map<number, Record<string, number>>()
  const totals: Record<string, number> = {}
  for (const row of rows) {
    if (row.count <= 0) continue
    const time = row.hour.getTime()
    const start = time - (time % size)
    const counts = buckets.get(start) ?? {}
    counts[row.kind] = (counts[row.kind] ?? 0) + row.count
    buckets.set(start, counts)
    totals[row.kind] = (totals[row.kind] ?? 0) + row.count
  }
  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    granularity: period.granularity,
    buckets: [...buckets]
      .sort(([a], [b]) => a - b)
      .map(([start, counts]) => ({ start: new Date(start).toISOString(), counts })),
    totals,
  }
}

/** An access key's usage; not_found for an unknown key, or (with `ownerId`) one that is not theirs. */
export async function readAccessKeyUsage(
  deps: Pick<ManageDeps, 'store'>,
  id: string,
  period: UsagePeriod,
  options: { ownerId?: string; tenantId: string },
): Promise<UsageView> {
  // Another tenant's key does not exist for the caller.
  const key = await deps.store.accessKeys.findById(options.tenantId, id)
  // Another user's key is as unknown as a key that does not exist.
  if (!key || (options.ownerId !== undefined && key.userId !== options.ownerId))
    throw notFound(options.ownerId === undefined ? 'no access key has this id' : 'you have no access key with this id')
  return readUsage(deps, { type: 'access_key', id }, period)
}

/** A client's usage; not_found for an unknown client. */
export async function readClientUsage(
  deps: Pick<ManageDeps, 'store'>,
  clientId: string,
  period: UsagePeriod,
  options: { tenantId: string },
): Promise<UsageView> {
  if (!(await deps.store.clients.findById(options.tenantId, clientId))) throw notFound('no client has this client_id')
  return readUsage(deps, { type: 'client', id: clientId }, period)
}
