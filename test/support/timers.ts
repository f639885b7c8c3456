// A hand-driven stand-in for src/ops/every.ts: the code under test registers its repeating timers here, and the
// test fires them with tick() instead of waiting for the wall clock (which a loaded machine runs late).
import type { Every } from '../../src/ops/every.ts'

export interface ManualTimers {
  every: Every
  /** How many timers are running (not stopped). */
  running(): number
  /** The intervals (ms) of the running timers. */
  intervals(): number[]
  /** Advances by `ms` (default: the shortest running interval): fires each timer once per interval elapsed. */
  tick(ms?: number): void
}

export function manualTimers(): ManualTimers {
  const timers = new Set<{ ms: number; due: number; tick: () => void }>()
  let now = 0
  return {
    every(ms, tick) {
      const timer = { ms, due: now + ms, tick }
      timers.add(timer)
      return () => void timers.delete(timer)
    },
    running: () => timers.size,
    intervals: () => [...timers].map((timer) => timer.ms),
    tick(ms) {
      const step = ms ?? Math.min(...[...timers].map((timer) => timer.ms))
      if (!Number.isFinite(step)) throw new Error('no timer is running')
      now += step
      for (const timer of [...timers]) {
        while (timers.has(timer) && timer.due <= now) {
          timer.due += timer.ms
          timer.tick()
        }
      }
    },
  }
}

/** Lets the promises a tick started run on (a few turns of the event loop; enough for work without I/O). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** Polls `condition` until it holds, for at most `ms` of real time (work with I/O, on a loaded machine). */
export async function until(condition: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  return condition()
}

/** Like until(), for a condition that must ask (a request, a query). */
export async function eventually(condition: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return condition()
}
