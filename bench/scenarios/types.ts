// What a scenario is: a set of contenders measured side by side (Portcullis and its references) and
// the targets of the issue evaluated on their medians.
import type { CodeClient } from '../codes.ts'
import type { DbKind, Fixtures, OtherAlgorithm } from '../fixtures.ts'
import { FORM, load, type Measurement, type RequestSpec } from '../lib/load.ts'
import { databaseCpuSeconds, type ServerProcess } from '../lib/processes.ts'
import type { Contender, Summary } from '../lib/rounds.ts'

/** Every issued token names this issuer, whichever port the process that issued it listened on. */
export const BENCH_ISSUER = 'http://portcullis.bench'

export interface References {
  hello: ServerProcess
  sign: ServerProcess
  /** The same sign reference with an ES256 (P-256), an EdDSA (Ed25519) and a PS256 (RSA-PSS, same size) key. */
  signByAlg: Record<OtherAlgorithm, ServerProcess>
  form: ServerProcess
  jwksBody: ServerProcess
  oidc: ServerProcess & { authorization: string }
}

export interface Pools {
  /** Unused refresh tokens of distinct families (password grants of the pool user), shared by every scenario that rotates. */
  refreshTokens: TokenQueue
  /** Access tokens of the service client (client_credentials), for revocation. */
  accessTokens: TokenQueue
  /** Unused authorization codes of the pool user, all for one web client and one PKCE verifier (bench/codes.ts). */
  authorizationCodes: { queue: TokenQueue; client?: CodeClient }
}

export const emptyPools = (): Pools => ({
  refreshTokens: tokenQueue([]),
  accessTokens: tokenQueue([]),
  authorizationCodes: { queue: tokenQueue([]) },
})

export interface Settings {
  quick: boolean
  /** The database of the run: some targets differ between the embedded default and PostgreSQL. */
  db: DbKind
  /** Connections of the throughput scenarios. */
  connections: number
  bcryptCost: number
  warmup: number
  duration: number
  rounds: number
}

export interface BenchContext {
  portcullis: ServerProcess
  refs: References
  fixtures: Fixtures
  pools: Pools
  settings: Settings
  log(line: string): void
}

/** A target of the issue: a ratio of the subject's req/s to a reference's, or a ceiling on an extra figure. */
export type Target =
  | { kind: 'ratio'; of: string; min: number }
  | { kind: 'max'; metric: string; max: number; unit: string; label: string }

export interface Plan {
  contenders: Contender[]
  targets: Target[]
  /** Figures or caveats known only after the run (pool exhaustion, achieved rates). */
  notes?(contenders: readonly Summary[]): string[]
  /**
   * Why the rounds did not measure what the scenario claims (a pool that ran out, so tokens were presented
   * twice), known only after them; the targets then fail with the reason instead of a verdict.
   */
  invalid?(): string | undefined
  /** Stops what the plan started (its own servers), after the rounds. */
  stop?(): Promise<void>
}

export interface Scenario {
  name: string
  summary: string
  /** False when the scenario needs no clients, users or keys (the run then creates none). */
  fixtures?: false
  /** Token pools to mint before the measured server starts. */
  pools?: Partial<Record<keyof Pools, true>>
  plan(ctx: BenchContext): Promise<Plan>
}

/** Thrown by a plan when its endpoint or fixture is not there (yet); the table shows the reason. */
export class SkipScenario extends Error {
  override name = 'SkipScenario'
}

export function httpContender(
  name: string,
  role: Contender['role'],
  server: ServerProcess,
  request: RequestSpec,
  connections: number,
): Contender {
  return {
    name,
    role,
    run: (duration) => withCpu(server, () => load({ baseUrl: server.url, request, connections, duration })),
  }
}

/** Runs a measurement and adds the server's CPU time per successful request to it. */
export async function withCpu(server: ServerProcess, measure: () => Promise<Measurement>): Promise<Measurement> {
  const before = server.cpuSeconds()
  const mainBefore = server.mainThreadCpuSeconds()
  const dbBefore = databaseCpuSeconds()
  const result = await measure()
  const after = server.cpuSeconds()
  const mainAfter = server.mainThreadCpuSeconds()
  const dbAfter = databaseCpuSeconds()
  const ok = result.rps * (result.seconds ?? 0)
  if (before === undefined || after === undefined || ok === 0) return result
  return {
    ...result,
    cpuUsPerRequest: ((after - before) * 1e6) / ok,
    ...(mainBefore === undefined || mainAfter === undefined
      ? {}
      : { mainCpuUsPerRequest: ((mainAfter - mainBefore) * 1e6) / ok }),
    // At least 0: a PostgreSQL process that exited during the round took its time with it.
    ...(dbBefore === undefined || dbAfter === undefined
      ? {}
      : { dbCpuUsPerRequest: (Math.max(0, dbAfter - dbBefore) * 1e6) / ok }),
  }
}

/** Sends one request as the benchmark will; a non-2xx answer skips the scenario with the answer as the reason. */
export async function expectOk(baseUrl: string, request: RequestSpec, body?: string): Promise<string> {
  const response = await fetch(baseUrl + request.path, {
    method: request.method,
    headers: { ...request.headers, ...(request.method === 'POST' ? { 'content-type': FORM } : {}) },
    ...(request.method === 'POST' ? { body: body ?? request.body ?? '' } : {}),
  })
  const text = await response.text()
  if (response.status === 404 && text.includes('no route'))
    throw new SkipScenario(`${request.method} ${request.path} does not exist yet`)
  if (!response.ok)
    throw new SkipScenario(`${request.method} ${request.path} answered ${response.status} ${text.slice(0, 200)}`)
  return text
}

export type TokenQueue = ReturnType<typeof tokenQueue>

/** A FIFO of single-use tokens; `recycle` appends tokens handed back (e.g. rotated successors). */
export function tokenQueue(initial: readonly string[]) {
  const queue = [...initial]
  let head = 0
  let taken = 0
  let recycled = 0
  let repeats = 0
  return {
    /** The next unused token; when none is left, the oldest used ones again (counted in `repeats`). */
    take(): string {
      taken++
      if (head < queue.length) return queue[head++]!
      repeats++
      return queue[(taken - 1) % queue.length]!
    },
    recycle(token: string): void {
      recycled++
      queue.push(token)
    },
    stats: () => ({ minted: initial.length, taken, recycled, repeats }),
    /** The stats since `before` (another stats() result). */
    since(before: { taken: number; recycled: number; repeats: number }) {
      return {
        minted: initial.length,
        taken: taken - before.taken,
        recycled: recycled - before.recycled,
        repeats: repeats - before.repeats,
      }
    },
  }
}
