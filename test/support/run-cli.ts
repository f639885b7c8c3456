// Runs `portcullis …` to completion with only the environment it is given (the test process's own, such as
// TEST_DATABASE_URL or a checkout .env, stays out), two ways:
// - runCli: the CLI's entry function (src/cli/run.ts, the one src/cli/main.ts calls with the real process) in
//   this process, with the given arguments, environment, working directory and standard input, its stdout and
//   stderr captured. What every command does, prints and exits with, without a process start (~1 s of CPU each
//   to load TypeScript through tsx), so that the CLI files test many commands in seconds. Anything written to this
//   process's stderr while a command runs (a log line, a warning) counts as the command's stderr, as it would in
//   a process of its own (stdout carries tap's own output, so only spawnCli shows a stray write there).
// - spawnCli: src/cli/main.ts through tsx in a child process. What only a process shows: the real standard
//   streams (nothing else written to them, e.g. a log line), the exit code set on the process, a process that
//   ends (no handle left open). Each command family keeps at least one test through it.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runCli as runCliEntry } from '../../src/cli/run.ts'

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const TSX = import.meta.resolve('tsx')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  cwd: string
  env: Record<string, string>
  stdin?: string
}

/** The environment of a run: PATH and BCRYPT_COST=4 unless given, and what the test gives. */
function cliEnv(options: CliOptions): Record<string, string> {
  return { PATH: process.env.PATH ?? '', BCRYPT_COST: '4', ...options.env }
}

/** The outputs of the in-process runs under way, which this process's stderr is copied to while any runs. */
const running = new Set<{ stderr: string }>()
const writeStderr = process.stderr.write

function captureStderr(output: { stderr: string }): () => void {
  if (running.size === 0) {
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      for (const run of running) run.stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
      return (writeStderr as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest)
    }) as typeof process.stderr.write
  }
  running.add(output)
  return () => {
    running.delete(output)
    if (running.size === 0) process.stderr.write = writeStderr
  }
}

/** `portcullis …args` through the CLI's entry function, in this process. */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const output = { stdout: '', stderr: '' }
  const release = captureStderr(output)
  try {
    const code = await runCliEntry({
      argv: [...args],
      env: cliEnv(options),
      cwd: options.cwd,
      readStdin: async () => options.stdin ?? '',
      stdout: (text) => void (output.stdout += text),
      stderr: (text) => void (output.stderr += text),
    })
    return { code, ...output }
  } finally {
    release()
  }
}

/** `portcullis …args` in a child process (src/cli/main.ts through tsx), run to its exit. */
export function spawnCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
      cwd: options.cwd,
      env: cliEnv(options),
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
