// `npm run typecheck`: the four TypeScript projects (src, test, bench, scripts and examples together; the two
// packages; the web console), two compilers at a time rather than one after another (each is one core for
// most of its run). Each project's errors are printed whole, in this order; the exit code is 1 if any failed.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const PROJECTS = [
  ['-p', 'tsconfig.check.json'],
  ['-p', 'packages/verify', '--noEmit'],
  ['-p', 'packages/client', '--noEmit'],
  ['-p', 'web/console'],
]
const AT_ONCE = 2

function check(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', (err) => resolve({ args, code: 1, output: String(err) }))
    child.on('close', (code) => resolve({ args, code, output }))
  })
}

const results = new Array(PROJECTS.length)
let next = 0
async function worker() {
  while (next < PROJECTS.length) {
    const i = next++
    results[i] = await check(PROJECTS[i])
  }
}
await Promise.all(Array.from({ length: AT_ONCE }, worker))

let failed = false
for (const { args, code, output } of results) {
  if (output) process.stdout.write(output)
  if (code !== 0) {
    failed = true
    process.stderr.write(`typecheck: tsc ${args.join(' ')} failed\n`)
  }
}
process.exitCode = failed ? 1 : 0
