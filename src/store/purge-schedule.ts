// Rows that can no longer matter (expired revocations, refresh families past their absolute expiry, login
// counters whose window is over) are deleted now and then by the writes that make such rows, never on the
// read path: at most once an hour per store instance, so that no job has to be scheduled.
const PURGE_INTERVAL_MS = 60 * 60 * 1000

/**
 * @example
 * const purges = createPurgeSchedule()
 * async function purge(now: Date) { purges.done(now); await prisma.x.deleteMany(...) }
 * if (purges.due(now)) await purges.attempt(() => purge(now)) // after a write
 */
export function createPurgeSchedule(intervalMs = PURGE_INTERVAL_MS) {
  let last = 0
  return {
    /** True when the last purge is at least the interval old at `now`. */
    due: (now: Date) => now.getTime() - last >= intervalMs,
    /** Records a purge made at `now`. */
    done: (now: Date) => {
      last = now.getTime()
    },
    /**
     * Runs a purge after a write that succeeded: a purge that fails (the database went away meanwhile) must
     * not fail that write's request, and is due again at the next write instead of an hour later.
     */
    async attempt(purge: () => Promise<unknown>): Promise<void> {
      const before = last
      try {
        await purge()
      } catch {
        last = before
      }
    },
  }
}
