// A repeating timer behind a seam: the periodic work of an app instance (the revocation list's sync, the
// keyring's refresh) runs on `every`, which tests replace with one they advance by hand (test/support/timers.ts),
// so that an interval is a step of the test, not a wait on the wall clock.

/** Calls `tick` every `ms` milliseconds until the returned function is called. */
export type Every = (ms: number, tick: () => void) => () => void

/** setInterval, unref'd so that it never keeps the process alive. */
export const everyInterval: Every = (ms, tick) => {
  const timer = setInterval(tick, ms)
  timer.unref()
  return () => clearInterval(timer)
}
