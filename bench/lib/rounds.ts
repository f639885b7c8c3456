// A/B rounds: every contender of a scenario is warmed up, then measured in alternating order
// (A B C, C B A, A B C…), so that drift on a shared machine (other jobs, thermal, GC) hits all sides alike.
import { median, type Measurement } from './load.ts'

export interface Contender {
  /** e.g. 'portcullis', 'sign', 'oidc-provider', 'bcryptjs ×1'. */
  name: string
  role: 'subject' | 'reference'
  run(duration: number): Promise<Measurement>
}

export interface Summary {
  name: string
  role: Contender['role']
  /** Medians over the rounds. */
  rps: number
  p50: number
  p99: number
  /** Median CPU µs of the server per successful request; undefined where not measured. */
  cpuUsPerRequest: number | undefined
  /** Median CPU µs of the server's main thread per successful request. */
  mainCpuUsPerRequest: number | undefined
  /** Median CPU µs of PostgreSQL's processes per successful request (--db postgres). */
  dbCpuUsPerRequest: number | undefined
  requests: number
  errors: number
  extra: Record<string, number>
  rounds: Measurement[]
}

export interface RoundOptions {
  warmup: number
  duration: number
  rounds: number
  log?: (line: string) => void
}

export async function runRounds(contenders: readonly Contender[], options: RoundOptions): Promise<Summary[]> {
  const log = options.log ?? (() => undefined)
  const measured = new Map<string, Measurement[]>(contenders.map((contender) => [contender.name, []]))
  if (options.warmup > 0) {
    for (const contender of contenders) await contender.run(options.warmup)
  }
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse()
    for (const contender of order) {
      const result = await contender.run(options.duration)
      measured.get(contender.name)!.push(result)
      log(
        `    round ${round + 1}/${options.rounds} ${contender.name.padEnd(16)} ${Math.round(result.rps).toString().padStart(7)} req/s  p99 ${result.p99.toFixed(1)} ms${result.errors ? `  errors ${result.errors}` : ''}`,
      )
    }
  }
  return contenders.map((contender) => summarise(contender, measured.get(contender.name)!))
}

/** The median of a per-request CPU figure over the rounds; undefined unless every round measured it. */
function medianWhereMeasured(
  rounds: Measurement[],
  figure: 'cpuUsPerRequest' | 'mainCpuUsPerRequest' | 'dbCpuUsPerRequest',
): number | undefined {
  const values = rounds.map((round) => round[figure])
  return values.every((value) => value !== undefined) ? median(values as number[]) : undefined
}

function summarise(contender: Contender, rounds: Measurement[]): Summary {
  const extraKeys = [...new Set(rounds.flatMap((round) => Object.keys(round.extra ?? {})))]
  return {
    name: contender.name,
    role: contender.role,
    rps: median(rounds.map((round) => round.rps)),
    p50: median(rounds.map((round) => round.p50)),
    p99: median(rounds.map((round) => round.p99)),
    cpuUsPerRequest: medianWhereMeasured(rounds, 'cpuUsPerRequest'),
    mainCpuUsPerRequest: medianWhereMeasured(rounds, 'mainCpuUsPerRequest'),
    dbCpuUsPerRequest: medianWhereMeasured(rounds, 'dbCpuUsPerRequest'),
    requests: rounds.reduce((sum, round) => sum + round.requests, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    extra: Object.fromEntries(
      extraKeys.map((key) => [
        key,
        median(rounds.map((round) => round.extra?.[key] ?? NaN).filter((value) => !Number.isNaN(value))),
      ]),
    ),
    rounds,
  }
}
