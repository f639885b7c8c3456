// The entry point (src/main.cts) sizes libuv's thread pool, where jose signs, to the CPUs before the pool
// starts. That only works while the entry runs before anything touches the pool (an ES module entry is itself
// read through it), so this runs the entry as node runs it in production, compiled to CommonJS, with the
// server replaced by a stub that fills the pool and counts the process's threads.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import ts from 'typescript'
import cpus from '../../src/cpus.cts'
import { tempDir } from '../support/helper.ts'

const src = new URL('../../src/', import.meta.url)

function compile(dir: string, name: string): void {
  const source = readFileSync(new URL(`${name}.cts`, src), 'utf8')
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 },
    fileName: `${name}.cts`,
  })
  writeFileSync(join(dir, `${name}.cjs`), outputText)
}

// The stub server: 32 signatures at once keep every pool thread busy, so the pool has started all of them.
const STUB_SERVER = `
const { webcrypto } = require('node:crypto')
const { readdirSync } = require('node:fs')
void (async () => {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
  const { privateKey } = await webcrypto.subtle.generateKey(algorithm, false, ['sign'])
  await Promise.all(Array.from({ length: 32 }, () => webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, new Uint8Array(32))))
  process.stdout.write(JSON.stringify({ pool: process.env.UV_THREADPOOL_SIZE, threads: readdirSync('/proc/self/task').length }))
})()
`

// Through env(1) without NODE_OPTIONS: tap adds its module hooks to every child's NODE_OPTIONS, and a module
// hook, like an ES module entry, starts the pool before the entry runs.
function run(dir: string, env: Record<string, string>): { pool: string; threads: number } {
  const out = execFileSync('env', ['-u', 'NODE_OPTIONS', process.execPath, join(dir, 'main.cjs')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  })
  return JSON.parse(out) as { pool: string; threads: number }
}

t.test(
  'the thread pool has one thread per CPU (2 to 16) unless UV_THREADPOOL_SIZE says otherwise',
  { skip: !existsSync('/proc/self/task') && 'needs /proc' },
  async (t) => {
    const dir = tempDir(t)
    compile(dir, 'main')
    compile(dir, 'cpus')
    writeFileSync(join(dir, 'server.js'), STUB_SERVER)

    const expected = Math.min(16, Math.max(2, cpus.availableCpus()))
    const chosen = run(dir, {})
    t.equal(chosen.pool, String(expected), `UV_THREADPOOL_SIZE set to ${expected} for this machine`)
    // The same process with an explicit, different size: the thread counts differ by exactly the pool sizes',
    // which proves the entry's choice took effect (the other threads, V8's, are the same in both).
    const given = expected + 3
    const explicit = run(dir, { UV_THREADPOOL_SIZE: String(given) })
    t.equal(explicit.pool, String(given), "the operator's UV_THREADPOOL_SIZE is kept")
    t.equal(
      explicit.threads - chosen.threads,
      given - expected,
      `the pool really has the chosen number of threads (${chosen.threads} and ${explicit.threads} threads)`,
    )
  },
)

t.test('the thread pool size for a given CPU count: at least 2, one per CPU, at most 16', async (t) => {
  const dir = tempDir(t)
  compile(dir, 'main')
  writeFileSync(
    join(dir, 'server.js'),
    'process.stdout.write(JSON.stringify({ pool: process.env.UV_THREADPOOL_SIZE, threads: 0 }))',
  )
  for (const [count, size] of [
    [1, '2'],
    [2, '2'],
    [3, '3'],
    [16, '16'],
    [40, '16'],
  ] as const) {
    writeFileSync(join(dir, 'cpus.cjs'), `module.exports = { availableCpus: () => ${count} }`)
    t.equal(run(dir, {}).pool, size, `${count} CPUs: ${size} threads`)
  }
})

t.test('the V8 footprint flags are set unless the operator gave them on the command line', async (t) => {
  const dir = tempDir(t)
  compile(dir, 'main')
  compile(dir, 'cpus')
  // A preloaded module records what the entry asks of v8.setFlagsFromString; the stub server prints it.
  writeFileSync(
    join(dir, 'record.cjs'),
    "const v8 = require('node:v8'); globalThis.flags = []; v8.setFlagsFromString = (flag) => void globalThis.flags.push(flag)",
  )
  writeFileSync(join(dir, 'server.js'), 'process.stdout.write(JSON.stringify(globalThis.flags))')
  // (Node refuses these V8 flags in NODE_OPTIONS, so only the command line can give them.)
  const flagsSet = (args: string[]) =>
    JSON.parse(
      execFileSync(process.execPath, ['-r', join(dir, 'record.cjs'), ...args, join(dir, 'main.cjs')], {
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
      }),
    ) as string[]
  t.same(flagsSet([]), ['--liftoff-only', '--heap-growing-percent=10'], 'none given: both set')
  t.same(flagsSet(['--no-liftoff-only']), ['--heap-growing-percent=10'], 'the command line turns one off: it stays off')
  t.same(flagsSet(['--liftoff-only', '--heap-growing-percent=50']), [], 'both given: none set')
})
