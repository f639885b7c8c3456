// `portcullis access-keys usage ID` and `portcullis clients usage CLIENT_ID`: the usage statistics of one key or
// client (manage/usage.ts, as the admin API answers them) as a small table, one row per hour or day with a count,
// one column per kind counted, and the totals; `--json` prints the admin API's answer.
import { OAuthError } from '../errors.js'
import {
  GRANULARITIES,
  MAX_PERIOD_DAYS,
  readAccessKeyUsage,
  readClientUsage,
  usagePeriod,
  type Granularity,
  type UsageView,
} from '../manage/usage.js'
import { USAGE_KINDS } from '../ops/usage.js'
import { expectPositionals } from './args.js'
import { CliError, type Command } from './command.js'
import { dateText, table } from './format.js'

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/** --since: how far back, as the configuration writes durations (900, 15m, 12h, 7d); default 24h. */
function parseSince(value: string | boolean | undefined): number {
  if (value === undefined) return 86400
  const match = typeof value === 'string' ? /^(\d+)([smhd]?)$/.exec(value) : null
  const seconds = match ? Number(match[1]) * UNITS[match[2] || 's']! : Number.NaN
  if (!match || seconds < 1 || seconds > MAX_PERIOD_DAYS * 86400)
    throw new CliError(`--since must be a duration from 1s to ${MAX_PERIOD_DAYS}d, e.g. 12h or 7d`)
  return seconds
}

function parseGranularity(value: string | boolean | undefined): Granularity {
  if (value === undefined) return 'hour'
  if (typeof value !== 'string' || !(GRANULARITIES as readonly string[]).includes(value))
    throw new CliError(`--granularity must be ${GRANULARITIES.join(' or ')}`)
  return value as Granularity
}

/** The table: START, then one column per kind counted (in the kinds' order), then TOTAL. */
export function usageTable(view: UsageView): string {
  const kinds = [
    ...USAGE_KINDS.filter((kind) => kind in view.totals),
    ...Object.keys(view.totals).filter((kind) => !(USAGE_KINDS as readonly string[]).includes(kind)),
  ]
  if (kinds.length === 0) return '(nothing counted)'
  const start = (iso: string) => (view.granularity === 'day' ? iso.slice(0, 10) : dateText(new Date(iso)))
  const sum = (counts: Record<string, number>) => String(Object.values(counts).reduce((a, b) => a + b, 0))
  const row = (label: string, counts: Record<string, number>) => [
    label,
    ...kinds.map((kind) => String(counts[kind] ?? 0)),
    sum(counts),
  ]
  return table(
    ['START', ...kinds, 'TOTAL'],
    [...view.buckets.map((bucket) => row(start(bucket.start), bucket.counts)), row('total', view.totals)],
  )
}

function usageCommand(options: {
  name: string
  subject: string
  article: string
  positional: string
  read: typeof readAccessKeyUsage | typeof readClientUsage
  notFound: (id: string) => string
}): Command {
  return {
    name: options.name,
    summary: `Requests of ${options.article} ${options.subject} per hour or day, by kind (token.<grant>, introspection, api, refused, throttled)`,
    usage: `${options.positional} [--since 24h] [--granularity hour|day]`,
    options: { since: { type: 'string' }, granularity: { type: 'string' } },
    async run(ctx, { values, positionals }) {
      const [id] = expectPositionals(positionals, [options.positional])
      const since = parseSince(values.since)
      const granularity = parseGranularity(values.granularity)
      const now = Date.now()
      const period = usagePeriod({ from: new Date(now - since * 1000).toISOString(), granularity }, now)
      let view: UsageView
      try {
        view = await options.read(await ctx.deps(), id!, period, { tenantId: ctx.tenantId })
      } catch (err) {
        if (err instanceof OAuthError && err.error === 'not_found') throw new CliError(options.notFound(id!))
        throw err
      }
      ctx.io.print(
        `${options.subject} ${id}, ${dateText(new Date(view.from))} to ${dateText(new Date(view.to))}, by ${view.granularity}:\n${usageTable(view)}`,
      )
      return view
    },
  }
}

export const accessKeyUsageCommand = usageCommand({
  name: 'access-keys usage',
  subject: 'access key',
  article: 'an',
  positional: 'ID',
  read: readAccessKeyUsage,
  notFound: (id) => `no access key with id "${id}"`,
})

export const clientUsageCommand = usageCommand({
  name: 'clients usage',
  subject: 'client',
  article: 'a',
  positional: 'CLIENT_ID',
  read: readClientUsage,
  notFound: (id) => `no client with client_id "${id}"`,
})
