// bcrypt off the main thread: a piscina pool of `workers` threads runs every compare and hash, so password
// logins use every core while the other endpoints keep answering. One pool per app (buildApp creates it
// and closes it in an onClose hook).
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { randomSecret } from './secrets.js'
import type { PasswordTask } from './password-worker.js'

export interface PasswordHasher {
  /** The configured bcrypt cost that hash() uses. */
  readonly cost: number
  /** True when `password` matches the bcrypt `hash`. */
  verify(password: string, hash: string): Promise<boolean>
  /** A bcrypt hash of `password` at the configured cost. */
  hash(password: string): Promise<string>
  /**
   * A hash of a random password at the configured cost, made once per pool. Comparing against it when a
   * username is unknown makes that answer cost the same as a wrong password.
   */
  dummyHash(): Promise<string>
  /** How long a thread waits without work before it ends. */
  readonly idleTimeoutMs: number
  /** The threads running now (none before the first login, none again after idleTimeoutMs without one). */
  threads(): number
  close(): Promise<void>
}

/** Threads end after 30 s without a login (the README's figure). */
export const PASSWORD_WORKER_IDLE_MS = 30_000

// The worker sits beside this module: password-worker.ts under tsx (src/), password-worker.js once compiled (dist/).
const WORKER_FILE = new URL(`./password-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)

/**
 * @example
 * const hasher = createPasswordHasher({ workers: config.passwordWorkers, cost: config.bcryptCost })
 * await hasher.verify('correct horse', user.passwordHash)
 */
export function createPasswordHasher(options: {
  workers: number
  cost: number
  idleTimeoutMs?: number
  onError?: (err: unknown) => void
}): PasswordHasher {
  const idleTimeoutMs = options.idleTimeoutMs ?? PASSWORD_WORKER_IDLE_MS
  // Threads start with the first login and end after 30 s without one: a worker costs 16–28 MB of memory,
  // which a server that sees few password logins should not hold. Under load the pool grows to `workers`.
  const pool = new Piscina<PasswordTask, boolean | string>({
    filename: WORKER_FILE.href,
    minThreads: 0,
    maxThreads: options.workers,
    idleTimeout: idleTimeoutMs,
    // bcrypt keeps almost nothing on the heap: a small young generation keeps each thread near its baseline
    // (measured: 2 threads cost 27 MB with V8's defaults, 22 MB with this). No cap on the old generation: a
    // thread compiling its module under tsx (the tests) needs more than bcrypt does.
    resourceLimits: { maxYoungGenerationSizeMb: 1 },
  })
  // A thread that dies outside a task (e.g. out of memory) is replaced by the pool; unheard, the event would
  // end the process.
  pool.on('error', (err: unknown) => options.onError?.(err))
  let dummy: Promise<string> | undefined
  // The tasks not yet answered. Piscina's close() waits only for the tasks a thread has taken, and fails those still
  // queued (a thread still starting: the pool is empty after the idle time) with "Terminating worker thread".
  const inFlight = new Set<Promise<unknown>>()
  const run = (task: PasswordTask): Promise<boolean | string> => {
    const running = pool.run(task)
    inFlight.add(running)
    const forget = () => inFlight.delete(running)
    running.then(forget, forget)
    return running
  }
  const hash = async (password: string) => (await run({ op: 'hash', password, cost: options.cost })) as string
  return {
    cost: options.cost,
    verify: async (password, storedHash) => (await run({ op: 'compare', password, hash: storedHash })) === true,
    hash,
    dummyHash: () => (dummy ??= hash(randomSecret())),
    idleTimeoutMs,
    threads: () => pool.threads.length,
    // Fastify runs onClose hooks while the server is still draining: the logins in flight, queued ones included,
    // finish before the threads end, rather than fail with a terminated worker.
    close: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight])
      await pool.close()
    },
  }
}

/** Where the worker module is loaded from (tests check it follows the running module: .ts or .js). */
export const passwordWorkerFile = (): string => fileURLToPath(WORKER_FILE)
