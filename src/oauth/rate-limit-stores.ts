// The counters of the token endpoint's rate limits (rate-limits.ts), kept for @fastify/rate-limit as its custom
// `store`. Its own stores read the wall clock (the local one calls Date.now(), the Redis one lets Redis expire the
// key), so a window could only be tested by waiting for it on a loaded machine. These read the app's clock (the
// `now` that buildApp is given), with the plugin's semantics unchanged: a fixed window that starts at the first
// request of a key and ends `timeWindow` ms later; the first request at or after its end starts the next one.
//
// Only what the token endpoint uses is implemented: no continueExceeding, exponential backoff or ban (their
// options are not set), and no `read` (the plugin refuses `{ increment: false }` with a clear error without it).
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { Redis } from 'ioredis'

type Counted = { current: number; ttl: number }
type Done = (error: Error | null, result?: Counted) => void

/** The keys kept in memory per limiter, as @fastify/rate-limit's own local store keeps (its `cache` default). */
export const MEMORY_STORE_CAPACITY = 5000

/**
 * Counters in this instance's memory, windows on `now`. At most `capacity` keys per limiter: past it, the key
 * whose window started first (the nearest to its end) is dropped, so a flood of addresses costs bounded memory.
 */
export function memoryStore(now: () => number, capacity = MEMORY_STORE_CAPACITY): FastifyRateLimitStoreCtor {
  return class MemoryStore implements FastifyRateLimitStore {
    // Insertion order is window-start order (a key whose window restarts is inserted again), so the ended windows
    // are at the front and are dropped from there without a scan.
    readonly #windows = new Map<string, { start: number; count: number }>()

    incr(key: string, done: Done, timeWindow: number): void {
      const at = now()
      this.#dropEnded(at, timeWindow)
      const window = this.#windows.get(key)
      if (window && at < window.start + timeWindow) {
        window.count++
        done(null, { current: window.count, ttl: window.start + timeWindow - at })
        return
      }
      this.#windows.delete(key)
      this.#windows.set(key, { start: at, count: 1 })
      if (this.#windows.size > capacity) this.#windows.delete(this.#windows.keys().next().value!)
      done(null, { current: 1, ttl: timeWindow })
    }

    /** Each limiter (createRateLimit) counts in a map of its own. */
    child(): FastifyRateLimitStore {
      return new MemoryStore()
    }

    #dropEnded(at: number, timeWindow: number): void {
      for (const [key, window] of this.#windows) {
        if (at < window.start + timeWindow) return
        this.#windows.delete(key)
      }
    }
  }
}

// One round trip, atomic across instances: the window's start (on the caller's clock) and its count in one hash.
// Whether a window has ended is decided by that start and the caller's `now`, so that every instance of a
// deployment (and a test's clock) agrees with the memory store. The key's expiry, set once when its window starts,
// only frees Redis of ended windows: it runs on Redis's clock, which a test's clock outruns, so it is never
// renewed to "what is left" (a test moving its clock to 1 ms before the end would have the key vanish at once).
const INCREMENT = `
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if start == nil or start + window <= now then
  redis.call('HSET', KEYS[1], 'start', ARGV[1], 'count', 1)
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, window}
end
return {redis.call('HINCRBY', KEYS[1], 'count', 1), start + window - now}
`

type CountingRedis = Redis & {
  portcullisRateLimit(key: string, now: number, timeWindow: number): Promise<[number, number]>
}

/** Counters in Redis under `prefix`, shared by every instance that uses it, windows on `now`. */
export function redisStore(now: () => number, redis: Redis, prefix: string): FastifyRateLimitStoreCtor {
  const counting = redis as CountingRedis
  if (typeof counting.portcullisRateLimit !== 'function')
    redis.defineCommand('portcullisRateLimit', { numberOfKeys: 1, lua: INCREMENT })
  return class RedisStore implements FastifyRateLimitStore {
    incr(key: string, done: Done, timeWindow: number): void {
      counting.portcullisRateLimit(prefix + key, Math.floor(now()), timeWindow).then(
        ([current, ttl]) => done(null, { current, ttl }),
        (err: Error) => done(err),
      )
    }

    /** The keys of the limiters differ by their own prefix (ip:, client:), so they share one namespace. */
    child(): FastifyRateLimitStore {
      return new RedisStore()
    }
  }
}
