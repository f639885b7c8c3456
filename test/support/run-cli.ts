// Runs `portcullis …` (src/cli/main.ts through tsx) to completion in a child process, with only the
// environment it is given: the test process's own (TEST_DATABASE_URL, a checkout .env) stays out.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const TSX = import.meta.resolve('tsx')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export function runCli(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; stdin?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', BCRYPT_COST: '4', ...options.env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.stdin ?? '')
  })
}

/** A refusal: exit code 1, nothing on stdout, and exactly this one line on stderr. */
export const failure = (line: string): CliResult => ({ code: 1, stdout: '', stderr: `portcullis: ${line}\n` })
