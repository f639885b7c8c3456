// Child processes of the benchmark: every server under test runs in its own process, so the load
// generator (this process) never shares an event loop with what it measures.
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'

export interface ServerProcess {
  name: string
  /** http://127.0.0.1:PORT */
  url: string
  port: number
  pid: number
  /** Milliseconds from spawn to the first successful readiness answer. */
  startMs: number
  /** Peak resident set size of the process so far (VmHWM), in bytes; undefined off Linux. */
  peakRss(): number | undefined
  /** Resident set size now (VmRSS), in bytes; undefined off Linux. */
  rss(): number | undefined
  /** CPU time the process (all its threads) has used so far, in seconds; undefined off Linux. */
  cpuSeconds(): number | undefined
  /** CPU time of the main thread alone (the event loop; not libuv's pool, workers or GC helpers), in seconds. */
  mainThreadCpuSeconds(): number | undefined
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** A port nobody listens on right now (the OS picks it; a tiny race with other programs is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** GET url → status code, or undefined when nothing answers. */
export function probe(url: string, timeoutMs = 1000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode)
    })
    req.once('error', () => resolve(undefined))
    req.once('timeout', () => {
      req.destroy()
      resolve(undefined)
    })
    req.end()
  })
}

export interface StartOptions {
  name: string
  command: string
  args: string[]
  port: number
  env?: Record<string, string>
  cwd?: string
  /** Path polled until it answers 200. */
  readyPath: string
  timeoutMs?: number
}

/** Spawns a server and resolves once `readyPath` answers 200; rejects with its stderr if it exits or times out. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const started = performance.now()
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  running.add(child)
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child)
      resolve(code)
    }),
  )
  let exitCode: number | null | 'running' = 'running'
  void exited.then((code) => (exitCode = code))

  const url = `http://127.0.0.1:${options.port}`
  const deadline = started + (options.timeoutMs ?? 90_000)
  for (;;) {
    if (exitCode !== 'running')
      throw new Error(
        `${options.name} exited with code ${exitCode} before it was ready: ${stderr.trim() || '(no output)'}`,
      )
    if ((await probe(url + options.readyPath, 500)) === 200) break
    if (performance.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(
        `${options.name} was not ready within ${options.timeoutMs ?? 90_000} ms: ${stderr.trim() || '(no output)'}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const startMs = performance.now() - started

  return {
    name: options.name,
    url,
    port: options.port,
    pid: child.pid!,
    startMs,
    peakRss: () => readStatusBytes(child.pid!, 'VmHWM'),
    rss: () => readStatusBytes(child.pid!, 'VmRSS'),
    cpuSeconds: () => readCpuSeconds(`/proc/${child.pid!}/stat`),
    mainThreadCpuSeconds: () => readCpuSeconds(`/proc/${child.pid!}/task/${child.pid!}/stat`),
    async stop() {
      if (exitCode !== 'running') return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

// Linux reports utime and stime in clock ticks of USER_HZ, which is 100 on every mainstream kernel.
const CLOCK_TICKS_PER_SECOND = 100

/** utime + stime in the text of a `stat` file of /proc, in seconds. */
function cpuSecondsOf(stat: string): number {
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
}

/** utime + stime of a process (`/proc/PID/stat`) or of one of its threads (`/proc/PID/task/TID/stat`). */
function readCpuSeconds(statFile: string): number | undefined {
  try {
    return cpuSecondsOf(readFileSync(statFile, 'utf8'))
  } catch {
    return undefined
  }
}

let databaseCpu = false

/** Whether withCpu (scenarios/types.ts) measures PostgreSQL's CPU too: set for a --db postgres run. */
export function measureDatabaseCpu(enabled: boolean): void {
  databaseCpu = enabled
}

/**
 * utime + stime of every `postgres` process on this machine, in seconds (the local server the benchmark's
 * database lives on: its backends, WAL writer, checkpointer…); undefined when not measured or off Linux. A
 * backend that exits between two readings takes its time with it: compare readings within one round only.
 */
export function databaseCpuSeconds(): number | undefined {
  if (!databaseCpu) return undefined
  let total = 0
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return undefined
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') total += cpuSecondsOf(stat)
    } catch {
      // gone meanwhile
    }
  }
  return total
}

/** A memory figure of /proc/PID/status (VmHWM: peak RSS, VmRSS: RSS now). */
function readStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

/** Runs a command to completion; resolves with its stdout, rejects with its stderr on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(
            new Error(`${[command, ...args].join(' ')} exited with ${code}: ${(stderr || stdout).trim().slice(-2000)}`),
          ),
    )
    child.stdin.end(options.input ?? '')
  })
}
