// Turning medians into verdicts: the targets of the issue evaluated per row, a table for people and
// bench/results/latest.json for machines.
import { median } from './load.ts'
import type { Summary } from './rounds.ts'
import type { Target } from '../scenarios/types.ts'

/** A measurement with more errors than this share of its requests is not a valid result. */
export const MAX_ERROR_RATE = 0.001

export interface Verdict {
  description: string
  measured: string
  pass: boolean
}

export interface ScenarioResult {
  name: string
  summary: string
  status: 'measured' | 'skipped' | 'failed'
  reason?: string
  contenders: Summary[]
  verdicts: Verdict[]
  notes: string[]
}

/**
 * The subject's req/s over the reference's: the median of the rounds' ratios, each round's pair measured minutes
 * apart at most and seconds apart in a two-contender scenario, so that a burst of load from elsewhere on the
 * machine, which lowers both sides of one round, does not move the ratio as it moves the medians of req/s.
 */
export function ratioOf(subject: Summary, reference: Summary): number {
  const paired =
    subject.rounds.length === reference.rounds.length &&
    subject.rounds.every((round, i) => round.rps > 0 && reference.rounds[i]!.rps > 0)
  return paired
    ? median(subject.rounds.map((round, i) => round.rps / reference.rounds[i]!.rps))
    : subject.rps / reference.rps
}

/**
 * The verdict of each target. `invalid`: why the rounds did not measure what the scenario claims (Plan.invalid);
 * every target then fails, with the reason beside the figure.
 */
export function evaluate(
  scenario: string,
  contenders: readonly Summary[],
  targets: readonly Target[],
  invalid?: string,
): Verdict[] {
  const subject = contenders.find((contender) => contender.role === 'subject')
  if (!subject) return []
  const errorRate = subject.requests ? subject.errors / subject.requests : 0
  const clean = errorRate <= MAX_ERROR_RATE && invalid === undefined
  const errorNote =
    invalid !== undefined ? ` (not valid: ${invalid})` : clean ? '' : ` (${(errorRate * 100).toFixed(2)} % errors)`
  return targets.map((target) => {
    if (target.kind === 'ratio') {
      const reference = contenders.find((contender) => contender.name === target.of)
      const ratio = reference ? ratioOf(subject, reference) : NaN
      return {
        description: `${scenario} ≥ ${target.min} × ${target.of}`,
        measured: `${ratio.toFixed(2)} ×${errorNote}`,
        pass: clean && ratio >= target.min,
      }
    }
    const value = subject.extra[target.metric] ?? NaN
    return {
      description: `${scenario}: ${target.label} < ${target.max} ${target.unit}`,
      measured: `${value.toFixed(1)} ${target.unit}${errorNote}`,
      pass: clean && value < target.max,
    }
  })
}

const number = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—'

// autocannon records latencies in whole milliseconds: 0 means under one.
const latency = (ms: number) => (ms === 0 ? '<1' : number(ms, ms < 10 ? 1 : 0))

function pad(cells: string[], widths: number[], right: boolean[]): string {
  return cells
    .map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd()
}

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)))
  return [
    pad(header, widths, right),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map((row) => pad(row, widths, right)),
  ].join('\n')
}

/** The measurements, one row per contender, with the subject's ratio to each reference. */
export function measurementTable(results: readonly ScenarioResult[]): string {
  // PostgreSQL's own CPU per request, in a --db postgres run (the server's column leaves it out).
  const withDb = results.some((result) =>
    result.contenders.some((contender) => contender.dbCpuUsPerRequest !== undefined),
  )
  const header = [
    'scenario',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'main µs/req',
    ...(withDb ? ['db µs/req'] : []),
    'errors',
    'ratio',
  ]
  const rows: string[][] = []
  for (const result of results) {
    if (result.status !== 'measured') {
      rows.push([
        result.name,
        '—',
        ...Array<string>(header.length - 3).fill(''),
        `${result.status}: ${result.reason ?? ''}`.slice(0, 90),
      ])
      continue
    }
    const subject = result.contenders.find((contender) => contender.role === 'subject')
    result.contenders.forEach((contender, i) => {
      const ratio = contender.role === 'reference' && subject ? `${ratioOf(subject, contender).toFixed(2)} ×` : ''
      rows.push([
        i === 0 ? result.name : '',
        contender.name,
        number(contender.rps, contender.rps < 100 ? 1 : 0),
        latency(contender.p50),
        latency(contender.p99),
        contender.cpuUsPerRequest === undefined ? '' : number(contender.cpuUsPerRequest),
        contender.mainCpuUsPerRequest === undefined ? '' : number(contender.mainCpuUsPerRequest),
        ...(withDb ? [contender.dbCpuUsPerRequest === undefined ? '' : number(contender.dbCpuUsPerRequest)] : []),
        number(contender.errors),
        ratio ? `portcullis = ${ratio} this` : '',
      ])
    })
  }
  // Every column right-aligned but the names and the ratio.
  return table(
    header,
    rows,
    header.map((_, i) => i > 1 && i < header.length - 1),
  )
}

export function verdictTable(verdicts: readonly Verdict[]): string {
  return table(
    ['target', 'measured', 'result'],
    verdicts.map((verdict) => [verdict.description, verdict.measured, verdict.pass ? 'PASS' : 'FAIL']),
    [false, true, false],
  )
}
