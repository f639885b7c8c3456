// The one way Portcullis connects to Redis (REDIS_URL): the rate-limit counters (oauth/rate-limits.ts) and the
// replay cache of signed JWTs (security/replay-cache.ts). Every call is bounded, so a request waits half a second
// at most; each user decides what a failure means (the limiter steps aside, the replay cache fails closed).
import type { Redis } from 'ioredis'

export const REDIS_OPTIONS = {
  connectTimeout: 2000,
  commandTimeout: 500,
  maxRetriesPerRequest: 1,
  // A command while disconnected fails at once instead of queueing.
  enableOfflineQueue: false,
  // Keep reconnecting, at most every 5 s.
  retryStrategy: (times: number) => Math.min(times * 200, 5000),
} as const

/**
 * A client for `url`, once it is ready or has failed once, or after the connect timeout: a start never waits
 * longer for Redis (when it is not there, the client keeps reconnecting in the background).
 */
export async function connectRedis(url: string, on: { error(err: unknown): void; ready(): void }): Promise<Redis> {
  // Loaded only when used: ioredis alone adds ~25 MB of resident memory.
  const { Redis } = await import('ioredis')
  const redis = new Redis(url, REDIS_OPTIONS)
  redis.on('error', (err) => on.error(err))
  redis.on('ready', () => on.ready())
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      redis.off('ready', done)
      redis.off('error', done)
      resolve()
    }
    const timer = setTimeout(done, REDIS_OPTIONS.connectTimeout)
    redis.once('ready', done)
    redis.once('error', done)
  })
  return redis
}
