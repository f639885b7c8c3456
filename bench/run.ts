// `npm run bench`: Portcullis measured side by side with its ceilings and its peer, in one run.
//
//   npm run bench                        full run (~10 min): every scenario, 6 alternating rounds of 4 s
//   npm run bench -- --quick             smoke run (~1 min): 1 round of 2 s
//   npm run bench -- --db postgres       on a fresh database of the local PostgreSQL (127.0.0.1:5432)
//   npm run bench -- --scenario jwks     one scenario (repeat the flag, or separate names by commas)
//   npm run bench -- --tenants           with 1,000 tenants × 100 access keys in the database; token exchange
//                                        and introspection of keys spread across them (bench/tenants.ts)
//
// Progress goes to stderr; the tables to stdout; everything to bench/results/latest.json.
import { writeFileSync, mkdirSync } from 'node:fs'
import { arch, cpus, loadavg, release, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { mintAuthorizationCodes } from './codes.ts'
import { createEnvironment, createFixtures, mintTokens, type Environment, type Fixtures } from './fixtures.ts'
import { benchScript, prepareBuild, repoRoot, type Build } from './lib/build.ts'
import { basicAuth, median } from './lib/load.ts'
import { freePort, measureDatabaseCpu, startServer, type ServerProcess } from './lib/processes.ts'
import { evaluate, measurementTable, verdictTable, type ScenarioResult, type Verdict } from './lib/report.ts'
import { runRounds } from './lib/rounds.ts'
import { rsaSignaturesPerSecond } from './lib/machine-speed.ts'
import { summariseProfiles } from './lib/profile.ts'
import { scenarios } from './scenarios/index.ts'
import { KEYS_PER_TENANT, NEW_KEY, ONE_KEY, ONE_TENANT, seedTenants, TENANTS } from './tenants.ts'
import {
  BENCH_ISSUER,
  emptyPools,
  SkipScenario,
  tokenQueue,
  type BenchContext,
  type Pools,
  type References,
  type Settings,
} from './scenarios/types.ts'

const USAGE = `usage: npm run bench -- [--quick] [--tenants] [--db sqlite|postgres] [--scenario NAME]… [--server dist|tsx]
       [--connections N] [--duration S] [--rounds N] [--warmup S] [--bcrypt-cost N] [--output FILE]
scenarios: ${scenarios.map((scenario) => scenario.name).join(', ')}`

/** Every issued token names this issuer, whichever port the process that issued it listened on. */
const ISSUER = BENCH_ISSUER
const COLD_START_TARGET_MS = 1500
const PEAK_RSS_TARGET_BYTES = 200 * 1024 * 1024
/** Above what the revocation endpoint serves on two cores (bench/README.md: ~9,400/s on a quiet VM): sizes the revoke pool. */
const MAX_REVOCATIONS_PER_SECOND = 16000

interface Options extends Settings {
  server: 'dist' | 'tsx'
  scenarioNames: string[]
  output: string
  /** A directory for a V8 CPU profile of the measured server (node --cpu-prof), summarised at the end. */
  profile: string | undefined
  /** 1,000 tenants of 100 access keys each in the database, and key scenarios spread across them (bench/tenants.ts). */
  tenants: boolean
}

function parseOptions(argv: string[]): Options {
  const { values } = parseWith(() =>
    parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        tenants: { type: 'boolean', default: false },
        db: { type: 'string', default: 'sqlite' },
        scenario: { type: 'string', multiple: true },
        server: { type: 'string', default: 'dist' },
        connections: { type: 'string' },
        duration: { type: 'string' },
        rounds: { type: 'string' },
        warmup: { type: 'string' },
        'bcrypt-cost': { type: 'string', default: '10' },
        output: { type: 'string', default: join(repoRoot, 'bench/results/latest.json') },
        profile: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }),
  )
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const positive = (name: string, value: string | undefined, fallback: number, integer = false): number => {
    if (value === undefined) return fallback
    const parsed = Number(value)
    if (!Number.isFinite(parsed) || parsed <= 0 || (integer && !Number.isInteger(parsed)))
      throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'} (got ${value})`)
    return parsed
  }
  const db = values.db === 'postgresql' ? 'postgres' : values.db
  if (db !== 'sqlite' && db !== 'postgres') throw new UsageError(`--db must be sqlite or postgres (got ${values.db})`)
  if (values.server !== 'dist' && values.server !== 'tsx')
    throw new UsageError(`--server must be dist or tsx (got ${values.server})`)
  const scenarioNames = (values.scenario ?? [])
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter(Boolean)
  const unknown = scenarioNames.filter((name) => !scenarios.some((scenario) => scenario.name === name))
  if (unknown.length)
    throw new UsageError(
      `unknown scenario ${unknown.join(', ')} (known: ${scenarios.map((scenario) => scenario.name).join(', ')})`,
    )
  const quick = values.quick!
  return {
    quick,
    db,
    server: values.server,
    scenarioNames,
    output: values.output!,
    profile: values.profile,
    tenants: values.tenants!,
    // 2 cores: a server saturates them with about ten connections; more only queue (and the load generator
    // needs its share of the same cores). 20 keeps both busy without measuring a queue.
    connections: positive('connections', values.connections, 20, true),
    duration: positive('duration', values.duration, quick ? 2 : 4),
    rounds: positive('rounds', values.rounds, quick ? 1 : 6, true),
    warmup: values.warmup === '0' ? 0 : positive('warmup', values.warmup, quick ? 0.5 : 2),
    bcryptCost: positive('bcrypt-cost', values['bcrypt-cost'], 10, true),
  }
}

class UsageError extends Error {}

/** parseArgs' own errors (unknown option, missing value) are usage errors too. */
function parseWith<T>(parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`)

function serverEnv(environment: Environment, port: number, extra: Record<string, string> = {}): Record<string, string> {
  // BENCH_SERVER_ENV="NAME=value …": diagnostics only, e.g. to try an allocator setting on the measured server.
  const diagnostic = Object.fromEntries(
    (process.env.BENCH_SERVER_ENV ?? '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  )
  // DPOP_PROOF_MAX_AGE: the DPoP proofs of client_credentials_dpop are all made before a full run's rounds.
  return {
    ...environment.env,
    PORT: String(port),
    ISSUER,
    ACCESS_TOKEN_TTL: '3600',
    DPOP_PROOF_MAX_AGE: '600',
    ...extra,
    ...diagnostic,
  }
}

async function startPortcullis(
  build: Build,
  environment: Environment,
  name: string,
  extra: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<ServerProcess> {
  const port = await freePort()
  const { command, args } = build.node('main.cts')
  // cwd is the run's temp dir, so no .env file of the checkout leaks into the measured configuration.
  return startServer({
    name,
    command,
    args: [...nodeFlags, ...args],
    port,
    env: serverEnv(environment, port, extra),
    cwd: environment.dir,
    readyPath: '/readyz',
  })
}

/** Process start → /readyz 200 on an empty SQLite database (migrations and the first signing key included), then a restart on it. */
async function measureColdStart(build: Build, runs: number): Promise<{ emptyMs: number[]; restartMs: number[] }> {
  const emptyMs: number[] = []
  const restartMs: number[] = []
  for (let run = 0; run < runs; run++) {
    const environment = await createEnvironment('sqlite', { bcryptCost: 4 })
    try {
      const first = await startPortcullis(build, environment, 'portcullis (cold start)')
      emptyMs.push(first.startMs)
      await first.stop()
      const second = await startPortcullis(build, environment, 'portcullis (restart)')
      restartMs.push(second.startMs)
      await second.stop()
    } finally {
      await environment.remove()
    }
  }
  return { emptyMs, restartMs }
}

/**
 * Access tokens for the revoke scenario: each is revoked once, so the pool must outlast its warm-up and rounds
 * (each contender's, but only Portcullis takes from it) at the highest rate a revocation may reach on this
 * machine. Tokens presented a second time make the scenario invalid (its plan says so), not faster.
 */
function accessTokenPoolSize(settings: Pick<Settings, 'warmup' | 'rounds' | 'duration'>): number {
  const seconds = settings.warmup + settings.rounds * settings.duration
  return Math.max(6000, Math.ceil(MAX_REVOCATIONS_PER_SECOND * seconds))
}

/** Token pools minted by a separate server process on the same database, with bcrypt at cost 4 for speed. */
async function mintPools(
  build: Build,
  environment: Environment,
  fixtures: Fixtures,
  needs: Set<keyof Pools>,
  settings: Settings,
): Promise<{ pools: Pools; notes: string[] }> {
  const { quick } = settings
  const notes: string[] = []
  const pools = emptyPools()
  if (needs.has('authorizationCodes')) {
    // Written straight into the database (bench/codes.ts): enough for every request of the run at a few
    // thousand redemptions a second; a code is never presented twice unless the pool runs out (the notes say).
    const count = quick ? 10_000 : 60_000
    const started = performance.now()
    try {
      const minted = await mintAuthorizationCodes({
        databaseUrl: environment.databaseUrl,
        username: fixtures.poolUser.username,
        audience: ISSUER,
        count,
        validSeconds: 3600,
      })
      pools.authorizationCodes = { queue: tokenQueue(minted.codes), client: minted.client }
      log(
        `  minted ${minted.codes.length} authorization codes in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      )
    } catch (err) {
      notes.push(`authorization-code pool: ${(err as Error).message}`)
    }
  }
  if (!needs.has('refreshTokens') && !needs.has('accessTokens')) return { pools, notes }
  const minter = await startPortcullis(build, environment, 'portcullis (pool minter)', { BCRYPT_COST: '4' })
  try {
    if (needs.has('refreshTokens')) {
      const count = quick ? 400 : 3000
      const started = performance.now()
      try {
        const tokens = await mintTokens(minter.url, {
          count,
          authorization: fixtures.app.authorization,
          fields: {
            grant_type: 'password',
            username: fixtures.poolUser.username,
            password: fixtures.poolUser.password,
            scope: 'read',
          },
          pick: 'refresh_token',
        })
        pools.refreshTokens = tokenQueue(tokens)
        log(`  minted ${tokens.length} refresh tokens in ${((performance.now() - started) / 1000).toFixed(1)} s`)
      } catch (err) {
        notes.push(`refresh pool: ${(err as Error).message}`)
      }
    }
    if (needs.has('accessTokens')) {
      const count = accessTokenPoolSize(settings)
      const started = performance.now()
      try {
        const tokens = await mintTokens(minter.url, {
          count,
          authorization: fixtures.service.authorization,
          fields: { grant_type: 'client_credentials', scope: 'read' },
          pick: 'access_token',
        })
        pools.accessTokens = tokenQueue(tokens)
        log(`  minted ${tokens.length} access tokens in ${((performance.now() - started) / 1000).toFixed(1)} s`)
      } catch (err) {
        notes.push(`access-token pool: ${(err as Error).message}`)
      }
    }
  } finally {
    await minter.stop()
  }
  return { pools, notes }
}

async function startReferences(
  jwksBody: string,
  workDir: string,
  keySize: number,
  profileDir: string | undefined,
): Promise<References> {
  const bodyFile = join(workDir, 'jwks-body.json')
  writeFileSync(bodyFile, jwksBody)
  const oidcClient = { id: 'bench-client', secret: 'bench-secret-0123456789-0123456789-0123456789' }
  const start = async (name: string, script: string, args: string[] = []) => {
    const port = await freePort()
    const { command, args: lead } = benchScript(`references/${script}`, ['--port', String(port), ...args])
    const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : []
    return startServer({
      name,
      command,
      args: [...flags, ...lead],
      port,
      cwd: repoRoot,
      readyPath: script === 'oidc-provider.ts' ? '/jwks' : '/ready',
    })
  }
  const [hello, sign, signEs256, signEdDsa, signPs256, form, jwksRef, oidc] = await Promise.all([
    start('hello', 'hello.ts'),
    start('sign', 'sign.ts', ['--key-size', String(keySize)]),
    start('sign-ES256', 'sign.ts', ['--alg', 'ES256']),
    start('sign-EdDSA', 'sign.ts', ['--alg', 'EdDSA']),
    start('sign-PS256', 'sign.ts', ['--alg', 'PS256', '--key-size', String(keySize)]),
    start('form', 'form.ts'),
    start('jwks-body', 'jwks-body.ts', ['--body-file', bodyFile]),
    start('oidc-provider', 'oidc-provider.ts', [
      '--key-size',
      String(keySize),
      '--client-id',
      oidcClient.id,
      '--client-secret',
      oidcClient.secret,
    ]),
  ])
  return {
    hello,
    sign,
    signByAlg: { ES256: signEs256, EdDSA: signEdDsa, PS256: signPs256 },
    form,
    jwksBody: jwksRef,
    oidc: { ...oidc, authorization: basicAuth(oidcClient.id, oidcClient.secret) },
  }
}

/** The signing key size Portcullis uses, read from the length of the modulus it publishes. */
function modulusBits(jwksBody: string): number {
  const modulus = /"n":"([^"]+)"/.exec(jwksBody)?.[1]
  return modulus ? Math.round((modulus.length * 6) / 1024) * 1024 : 2048
}

function machine() {
  const processors = cpus()
  return {
    cpu: processors[0]?.model ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${release()} ${arch()}`,
    loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
    rsaSignsPerSecondAtStart: rsaSignaturesPerSecond(),
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  const selected = options.scenarioNames.length
    ? scenarios.filter((scenario) => options.scenarioNames.includes(scenario.name))
    : scenarios
  const startedAt = new Date()
  const host = machine()
  log(
    `portcullis bench: ${options.quick ? 'quick' : 'full'} run on ${options.db}, ${host.cores} × ${host.cpu}, load average ${host.loadAverageAtStart.join(' ')}, ${host.rsaSignsPerSecondAtStart} RSA-2048 signatures/s on one core`,
  )

  const stopping: Array<() => Promise<void>> = []
  const results: ScenarioResult[] = []
  const runNotes: string[] = []
  let coldStart: { emptyMs: number[]; restartMs: number[] } | undefined
  let peakRss: number | undefined
  let benchServerStartMs: number | undefined
  let keySize = 2048
  const build = prepareBuild(options.server)
  try {
    log(`compiled the server (${build.mode}); measuring cold start…`)
    coldStart = await measureColdStart(build, options.quick ? 1 : 3)
    log(
      `  cold start ${coldStart.emptyMs.map((ms) => ms.toFixed(0)).join(', ')} ms (empty database), restart ${coldStart.restartMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    )

    const environment = await createEnvironment(options.db, { bcryptCost: options.bcryptCost })
    // The local PostgreSQL shares the cores: its CPU per request is a column of its own.
    measureDatabaseCpu(options.db === 'postgres')
    stopping.push(() => environment.remove())
    let fixtures: Fixtures | undefined
    let pools: Pools = emptyPools()
    if (selected.some((scenario) => scenario.fixtures !== false)) {
      log(`fixtures on ${options.db === 'postgres' ? environment.databaseUrl : 'a fresh SQLite file'}…`)
      fixtures = await createFixtures(build, environment, environment.dir)
      for (const missing of fixtures.missing) runNotes.push(`fixture missing: ${missing}`)
      if (options.tenants) {
        const started = performance.now()
        const control = fixtures.exchanger?.authorization
        if (control === undefined) throw new Error('--tenants needs the exchanger fixture')
        fixtures.tenantKeys = await seedTenants(options.db, environment.databaseUrl, control)
        const seconds = ((performance.now() - started) / 1000).toFixed(1)
        const what = `${TENANTS} tenants × ${KEYS_PER_TENANT} access keys, and ${TENANTS * KEYS_PER_TENANT} more in the default tenant (the control)`
        log(`  seeded ${what} in ${seconds} s`)
        runNotes.push(
          `${what} in the database (seeded in ${seconds} s); token-exchange and introspect-access-key present the first key of every tenant in turn (portcullis: each key again 1,000 requests later, through its tenant's client), the control's keys in the same pattern (${ONE_TENANT}), keys of every tenant never presented before (${NEW_KEY}: the worst case, no target) and the one key of a run without --tenants (${ONE_KEY}), on the same server in alternating rounds`,
        )
      }
      const needs = new Set(selected.flatMap((scenario) => Object.keys(scenario.pools ?? {}) as Array<keyof Pools>))
      const minted = await mintPools(build, environment, fixtures, needs, options)
      pools = minted.pools
      runNotes.push(...minted.notes)
    }

    const profileFlags = options.profile
      ? ['--cpu-prof', '--cpu-prof-dir', join(resolve(options.profile), 'portcullis')]
      : []
    // Diagnostics only (e.g. --perf-basic-prof for `perf record -p PID`): extra node flags of the measured server.
    profileFlags.push(...(process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean))
    const portcullis = await startPortcullis(build, environment, 'portcullis', {}, profileFlags)
    stopping.unshift(() => portcullis.stop())
    benchServerStartMs = portcullis.startMs
    const jwksBody = await (await fetch(`${portcullis.url}/.well-known/jwks.json`)).text()
    keySize = modulusBits(jwksBody)
    const refs = await startReferences(jwksBody, environment.dir, keySize, options.profile && resolve(options.profile))
    const { signByAlg, ...single } = refs
    for (const ref of [...Object.values(single), ...Object.values(signByAlg)]) stopping.unshift(() => ref.stop())
    const mb = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 2 ** 20).toFixed(0)} MB`)
    const memory = () => `RSS ${mb(portcullis.rss())}, peak ${mb(portcullis.peakRss())}`
    log(
      `servers ready (portcullis ${portcullis.url}, pid ${portcullis.pid}, ${memory()}); ${options.connections} connections, ${options.rounds} × ${options.duration} s after ${options.warmup} s warm-up`,
    )

    const ctx: BenchContext = {
      portcullis,
      refs,
      get fixtures(): Fixtures {
        if (!fixtures) throw new Error('fixtures were not created: the scenario must not declare `fixtures: false`')
        return fixtures
      },
      pools,
      settings: options,
      log,
    }
    for (const scenario of selected) {
      log(`${scenario.name}: ${scenario.summary}`)
      try {
        const plan = await scenario.plan(ctx)
        const contenders = await runRounds(plan.contenders, {
          warmup: options.warmup,
          duration: options.duration,
          rounds: options.rounds,
          log,
        }).finally(() => plan.stop?.())
        const verdicts = evaluate(scenario.name, contenders, plan.targets, plan.invalid?.())
        results.push({
          name: scenario.name,
          summary: scenario.summary,
          status: 'measured',
          contenders,
          verdicts,
          notes: plan.notes?.(contenders) ?? [],
        })
      } catch (err) {
        const skipped = err instanceof SkipScenario
        log(`  ${skipped ? 'skipped' : 'FAILED'}: ${(err as Error).message}`)
        results.push({
          name: scenario.name,
          summary: scenario.summary,
          status: skipped ? 'skipped' : 'failed',
          reason: (err as Error).message,
          contenders: [],
          verdicts: [],
          notes: [],
        })
      }
      log(`  portcullis after ${scenario.name}: ${memory()}`)
    }
    peakRss = portcullis.peakRss()
  } finally {
    for (const stop of stopping) await stop().catch(() => undefined)
    build.remove()
  }

  const checks: Verdict[] = []
  if (peakRss !== undefined)
    checks.push({
      description: 'peak RSS of the server under load < 200 MB',
      measured: `${(peakRss / 2 ** 20).toFixed(0)} MB`,
      pass: peakRss < PEAK_RSS_TARGET_BYTES,
    })
  if (coldStart) {
    const ms = median(coldStart.emptyMs)
    checks.push({
      description: 'cold start to ready (SQLite, empty database) < 1.5 s',
      measured: `${ms.toFixed(0)} ms`,
      pass: ms < COLD_START_TARGET_MS,
    })
  }
  const verdicts = [...results.flatMap((result) => result.verdicts), ...checks]
  const finishedAt = new Date()
  const report = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: {
      ...host,
      loadAverageAtEnd: loadavg().map((value) => Number(value.toFixed(2))),
      rsaSignsPerSecondAtEnd: rsaSignaturesPerSecond(),
    },
    settings: {
      quick: options.quick,
      tenants: options.tenants,
      db: options.db,
      server: options.server,
      connections: options.connections,
      warmupSeconds: options.warmup,
      durationSeconds: options.duration,
      rounds: options.rounds,
      bcryptCost: options.bcryptCost,
      signingKeySize: keySize,
    },
    coldStart: coldStart && {
      emptyDatabaseMs: coldStart.emptyMs,
      restartMs: coldStart.restartMs,
      medianMs: median(coldStart.emptyMs),
      benchServerStartMs,
    },
    peakRssBytes: peakRss ?? null,
    scenarios: results.map(({ contenders, ...result }) => ({
      ...result,
      contenders: contenders.map((contender) => ({
        ...contender,
        rounds: contender.rounds.map(({ statusCodes, ...round }) => ({ ...round, statusCodes })),
      })),
    })),
    checks,
    notes: [...runNotes, ...results.flatMap((result) => result.notes)],
    passed: verdicts.length > 0 && verdicts.every((verdict) => verdict.pass),
  }
  mkdirSync(dirname(options.output), { recursive: true })
  writeFileSync(options.output, `${JSON.stringify(report, null, 2)}\n`)

  process.stdout.write(`\n${measurementTable(results)}\n\n${verdictTable(verdicts)}\n`)
  process.stdout.write(
    `\nbcrypt cost ${options.bcryptCost}; ${options.db}; server ${options.server}; ${options.connections} connections; medians of ${options.rounds} round(s) of ${options.duration} s (ratios: the median of the rounds' ratios); ` +
      `${host.cores} × ${host.cpu}; load average ${host.loadAverageAtStart.join(' ')} → ${report.machine.loadAverageAtEnd.join(' ')}; ` +
      `machine speed ${host.rsaSignsPerSecondAtStart.toLocaleString('en-US')} → ${report.machine.rsaSignsPerSecondAtEnd.toLocaleString('en-US')} RSA-2048 signatures/s on one core (quiet ≈ 3,400; slow ≈ 1,200)\n`,
  )
  for (const note of report.notes) process.stdout.write(`note: ${note}\n`)
  if (options.profile)
    process.stdout.write(
      `\n${summariseProfiles(join(resolve(options.profile), 'portcullis'))}\n(the references' profiles are beside it, one folder each)\n`,
    )
  process.stdout.write(`results: ${options.output}\n`)
  return 0
}

try {
  process.exitCode = await main()
} catch (err) {
  process.stderr.write(
    `bench: ${err instanceof UsageError ? `${err.message}\n${USAGE}` : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  )
  process.exitCode = err instanceof UsageError ? 2 : 1
}
