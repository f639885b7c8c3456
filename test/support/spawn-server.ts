// Runs the real server (src/main.cts through tsx) in a child process, for the tests that need a process:
// startup failures, graceful shutdown, what reaches the logs.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir, type Test } from './helper.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const tsx = import.meta.resolve('tsx')

export interface ServerProcess {
  child: ChildProcess
  /** Its working directory (a fresh temporary folder). */
  dir: string
  /** Everything written so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the exit code (null when killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves once stdout has a line matching `pattern`, with that line. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>
}

/**
 * A server in its own working directory (no .env of the checkout), on a fresh SQLite file unless env says otherwise;
 * a variable given as undefined is left out (the server's default applies).
 */
export function spawnServer(
  t: Test,
  env: Record<string, string | undefined> = {},
  options: { nodeArgs?: string[] } = {},
): ServerProcess {
  const dir = tempDir(t)
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', tsx, join(root, 'src/main.cts')], {
    cwd: dir,
    env: withoutUndefined({
      PATH: process.env.PATH ?? '',
      DATABASE_URL: `file:${join(dir, 'portcullis.db')}`,
      KEYS_DIR: join(dir, 'keys'),
      PORT: '0',
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
      PASSWORD_WORKERS: '1',
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_PER_CLIENT: '0',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    for (const wake of waiters) wake()
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal })
      for (const wake of waiters) wake()
    })
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  // 60 s: a server loads its TypeScript through tsx, which takes ~10 s on two cores busy with two test files.
  const waitForLine = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          done(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`)),
        timeoutMs,
      )
      const check = () => {
        const line = stdout.split('\n').find((candidate) => pattern.test(candidate))
        if (line !== undefined) done(undefined, line)
        else if (child.exitCode !== null || child.signalCode !== null)
          done(new Error(`the server exited (${child.exitCode ?? child.signalCode}); stderr:\n${stderr}`))
      }
      const done = (err?: Error, line?: string) => {
        clearTimeout(timer)
        waiters.delete(check)
        if (err) reject(err)
        else resolve(line!)
      }
      waiters.add(check)
      check()
    })
  return { child, dir, stdout: () => stdout, stderr: () => stderr, exited, waitForLine }
}

/** Starts a server and waits until it listens; returns its base URL. */
export async function startServer(
  t: Test,
  env: Record<string, string | undefined> = {},
  options: { nodeArgs?: string[] } = {},
): Promise<ServerProcess & { url: string; port: number }> {
  const server = spawnServer(t, env, options)
  const line = await server.waitForLine(/Server listening at http:\/\/127\.0\.0\.1:\d+/)
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!
  return { ...server, url, port: Number(new URL(url).port) }
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))
}
