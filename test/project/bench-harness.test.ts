// The benchmark harness itself works: a quick run of one cheap scenario starts the real server and the
// references, measures them, and writes latest.json in its documented shape. (No benchmark figure is
// asserted: on a shared machine only the shape is deterministic.)
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { tempDir } from '../support/helper.ts'

const root = join(import.meta.dirname, '../..')

function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/run.ts'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

t.test(
  'a quick run of the jwks scenario measures Portcullis beside its references and writes latest.json',
  async (t) => {
    const output = join(tempDir(t), 'latest.json')
    const run = await bench([
      '--quick',
      '--scenario',
      'jwks',
      '--duration',
      '1',
      '--warmup',
      '0.2',
      '--connections',
      '4',
      '--output',
      output,
    ])
    t.equal(run.code, 0, run.stderr)

    const report = JSON.parse(readFileSync(output, 'utf8'))
    t.equal(report.version, 1)
    t.match(report.settings, {
      quick: true,
      db: 'sqlite',
      server: 'dist',
      connections: 4,
      rounds: 1,
      durationSeconds: 1,
      bcryptCost: 10,
      signingKeySize: 2048,
    })
    t.equal(report.machine.cores > 0, true)
    t.equal(report.coldStart.emptyDatabaseMs.length, 1)
    t.equal(report.coldStart.medianMs > 0, true, 'cold start measured')
    t.equal(report.peakRssBytes > 10 * 2 ** 20, true, 'peak RSS read from /proc')

    t.equal(report.scenarios.length, 1)
    const [jwks] = report.scenarios
    t.match(jwks, { name: 'jwks', status: 'measured' })
    t.same(
      jwks.contenders.map((contender: { name: string; role: string }) => [contender.name, contender.role]),
      [
        ['portcullis', 'subject'],
        ['jwks-body', 'reference'],
        ['oidc-provider', 'reference'],
        ['hello', 'reference'],
      ],
    )
    for (const contender of jwks.contenders) {
      t.equal(contender.rps > 0, true, `${contender.name} answered`)
      t.equal(contender.errors, 0, `${contender.name} had no errors`)
      t.equal(contender.rounds.length, 1)
      t.equal(contender.p99 >= contender.p50, true)
      t.equal(contender.cpuUsPerRequest > 0, true, `${contender.name}: CPU per request read from /proc`)
      // The process's and the thread's counters are read one after the other, in clock ticks (10 ms): for a
      // server that does everything on its main thread they are equal up to that rounding.
      t.equal(
        contender.mainCpuUsPerRequest > 0 && contender.mainCpuUsPerRequest <= contender.cpuUsPerRequest * 1.1,
        true,
        `${contender.name}: the main thread's share of it (${contender.mainCpuUsPerRequest} of ${contender.cpuUsPerRequest} µs)`,
      )
    }
    t.same(
      jwks.verdicts.map((verdict: { description: string; pass: unknown }) => [
        verdict.description,
        typeof verdict.pass,
      ]),
      [
        ['jwks ≥ 0.9 × jwks-body', 'boolean'],
        ['jwks ≥ 2 × oidc-provider', 'boolean'],
      ],
    )
    t.same(
      report.checks.map((check: { description: string }) => check.description),
      ['peak RSS of the server under load < 200 MB', 'cold start to ready (SQLite, empty database) < 1.5 s'],
    )
    t.equal(
      report.passed,
      [...jwks.verdicts, ...report.checks].every((verdict: { pass: boolean }) => verdict.pass),
    )

    t.match(
      run.stdout,
      /^scenario\s+server\s+req\/s\s+p50 ms\s+p99 ms\s+CPU µs\/req\s+main µs\/req\s+errors\s+ratio$/m,
      'prints the measurement table',
    )
    t.match(run.stdout, /^jwks\s+portcullis\s+[\d,]+/m)
    t.match(run.stdout, /^target\s+measured\s+result$/m, 'prints the verdict table')
    t.match(run.stdout, /jwks ≥ 0\.9 × jwks-body\s+\d+\.\d\d ×\s+(PASS|FAIL)/)
  },
)

t.test('an unknown scenario is refused before anything starts, naming the known ones', async (t) => {
  const run = await bench(['--scenario', 'nope'])
  t.equal(run.code, 2)
  t.match(run.stderr, /bench: unknown scenario nope \(known: jwks, client_credentials, .*mixed\)/)
  t.equal(run.stdout, '')
})

t.test('a bad option value is refused with the usage', async (t) => {
  const run = await bench(['--db', 'mysql'])
  t.equal(run.code, 2)
  t.match(run.stderr, /bench: --db must be sqlite or postgres \(got mysql\)\nusage: npm run bench/)
  const duration = await bench(['--duration=0'])
  t.equal(duration.code, 2)
  t.match(duration.stderr, /--duration must be a positive number \(got 0\)/)
})
