// The janitor inside the service: every JANITOR_INTERVAL (± 10 % at random, so that instances started together
// do not sweep in lockstep) the store deletes the dead token rows in batches (store/janitor.ts). The next sweep
// is scheduled only when the last one has ended, so sweeps never overlap; a failed sweep is logged and the next
// one tries again. The first sweep comes at a random moment within the first interval: an instance restarted
// more often than the interval still sweeps now and then. `portcullis janitor` runs one sweep by hand.
import type { Config } from '../config.js'
import type { Metrics } from './metrics.js'
import type { JanitorPolicy, JanitorStore, SweepResult } from '../store/janitor.js'

export interface JanitorLog {
  info(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface JanitorSchedule {
  /** True when sweeps are scheduled (JANITOR_INTERVAL is not 0). */
  readonly enabled: boolean
  /** Sweeps now, or joins the sweep in progress; never throws (a failure is logged). */
  run(): Promise<SweepResult | 'busy' | 'failed'>
  /** Stops the timer, ends a sweep in progress at its next batch and waits for it. */
  close(): Promise<void>
}

export function janitorPolicy(
  config: Pick<
    Config,
    'janitorRetention' | 'janitorBatchSize' | 'loginFailureWindow' | 'auditRetention' | 'usageRetention'
  >,
): JanitorPolicy {
  return {
    retentionMs: config.janitorRetention * 1000,
    batchSize: config.janitorBatchSize,
    loginFailureWindowSeconds: config.loginFailureWindow,
    auditRetentionMs: config.auditRetention * 1000,
    usageRetentionMs: config.usageRetention * 1000,
  }
}

/** One line: the total, then the rows per table that lost any, and the time taken. */
export function sweepSummary(result: SweepResult): string {
  const total = Object.values(result.deleted).reduce((sum, n) => sum + n, 0)
  const tables = Object.entries(result.deleted).filter(([, n]) => n > 0)
  return `janitor: deleted ${total} dead row${total === 1 ? '' : 's'}${tables.length ? ` (${tables.map(([table, n]) => `${table} ${n}`).join(', ')})` : ''} in ${result.durationMs} ms${result.complete ? '' : ', stopped early'}`
}

/**
 * One schedule per app (buildApp creates it and closes it with the app).
 *
 * @example
 * const janitor = createJanitorSchedule({ store, config, now: Date.now, log: app.log, metrics })
 * app.addHook('onClose', () => janitor.close())
 */
export function createJanitorSchedule(deps: {
  store: { janitor: Pick<JanitorStore, 'sweep'> }
  config: Pick<
    Config,
    | 'janitorInterval'
    | 'janitorRetention'
    | 'janitorBatchSize'
    | 'loginFailureWindow'
    | 'auditRetention'
    | 'usageRetention'
  >
  now: () => number
  log: JanitorLog
  metrics?: Pick<Metrics, 'janitorDeletedRows'>
  /** Injected by tests; Math.random by default. */
  random?: () => number
}): JanitorSchedule {
  const { config, log } = deps
  const random = deps.random ?? Math.random
  const intervalMs = config.janitorInterval * 1000
  let timer: NodeJS.Timeout | undefined
  let sweeping: Promise<SweepResult | 'busy' | 'failed'> | undefined
  let closed = false

  async function sweep(): Promise<SweepResult | 'busy' | 'failed'> {
    try {
      const result = await deps.store.janitor.sweep(janitorPolicy(config), {
        now: new Date(deps.now()),
        shouldStop: () => closed,
        onBatch: (table, deleted) => {
          if (deleted > 0) deps.metrics?.janitorDeletedRows.inc({ table }, deleted)
        },
      })
      if (result === 'busy')
        log.info({ janitor: 'busy' }, 'janitor: another instance is sweeping; skipped until the next interval')
      else
        log.info(
          { janitor: { deleted: result.deleted, batches: result.batches, durationMs: result.durationMs } },
          sweepSummary(result),
        )
      return result
    } catch (err) {
      log.error({ err }, 'janitor: the sweep failed; the next interval tries again')
      return 'failed'
    }
  }

  function run(): Promise<SweepResult | 'busy' | 'failed'> {
    sweeping ??= sweep().finally(() => {
      sweeping = undefined
    })
    return sweeping
  }

  function schedule(delayMs: number): void {
    if (closed) return
    timer = setTimeout(() => {
      void run().then(() => schedule(intervalMs * (0.9 + 0.2 * random())))
    }, delayMs)
    // A pending sweep never keeps the process alive (the CLI, tests that forget to close).
    timer.unref()
  }

  if (intervalMs > 0) schedule(intervalMs * (0.1 + 0.9 * random()))

  return {
    enabled: intervalMs > 0,
    run,
    async close() {
      closed = true
      clearTimeout(timer)
      await sweeping
    },
  }
}
