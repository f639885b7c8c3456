// The replay cache of signed JWTs (RFC 7523 §3 item 7, RFC 9449 §11.1): a client assertion, a JWT bearer
// grant assertion or a DPoP proof is accepted once, until it expires, across every instance. In the database
// (store/replay-cache.ts) by default, or in Redis when REDIS_URL is set (`SET key 1 NX PXAT`, one atomic
// command). Unlike the rate limits, it fails closed: when the store cannot answer, the JWT is not accepted
// (the caller's request fails as unavailable), since accepting it unchecked would allow its replay.
import type { Redis } from 'ioredis'
import type { Config } from '../config.js'
import type { Store } from '../store/index.js'
import { StoreError } from '../store/index.js'
import { connectRedis } from '../ops/redis.js'

export type ReplayNamespace = 'client_assertion' | 'jwt_bearer' | 'dpop'

export interface ReplayCache {
  /** Records jti until expiresAt; resolves false when it was already recorded and unexpired (a replay). */
  remember(namespace: ReplayNamespace, jti: string, expiresAt: Date): Promise<boolean>
}

/** The replay cache in the database. */
export function createDatabaseReplayCache(deps: { store: Pick<Store, 'replayCache'>; now: () => number }): ReplayCache {
  return {
    remember: (namespace, jti, expiresAt) =>
      deps.store.replayCache.remember(namespace, jti, expiresAt, new Date(deps.now())),
  }
}

/** The replay cache in Redis; `prefix` keeps deployments that share one Redis apart. */
export function createRedisReplayCache(redis: Pick<Redis, 'set'>, prefix: string): ReplayCache {
  return {
    async remember(namespace, jti, expiresAt) {
      let answer: string | null
      try {
        answer = await redis.set(`${prefix}${namespace}:${jti}`, '1', 'PXAT', expiresAt.getTime(), 'NX')
      } catch (err) {
        throw Object.assign(new StoreError('unavailable', 'the replay cache (Redis) is unavailable'), { cause: err })
      }
      return answer === 'OK'
    },
  }
}

/**
 * This app's replay cache: Redis when config.redisUrl is set (its connection closed by `close()`), else the
 * database.
 *
 * @example
 * const replay = await createReplayCache({ config, store, now })
 * if (!(await replay.cache.remember('client_assertion', jti, new Date(exp * 1000)))) throw replayed()
 */
export async function createReplayCache(deps: {
  config: Pick<Config, 'redisUrl' | 'issuer'>
  store: Pick<Store, 'replayCache'>
  now: () => number
  onError?: (err: unknown) => void
  /** How to reach Redis (a test gives a fake connection to drive its events). */
  connect?: typeof connectRedis
}): Promise<{ cache: ReplayCache; close(): Promise<void> }> {
  if (deps.config.redisUrl === undefined)
    return { cache: createDatabaseReplayCache(deps), close: async () => undefined }
  // One warning per outage, not one per reconnection attempt.
  let failing = false
  const redis = await (deps.connect ?? connectRedis)(deps.config.redisUrl, {
    error: (err) => {
      if (!failing) deps.onError?.(err)
      failing = true
    },
    ready: () => {
      failing = false
    },
  })
  return {
    cache: createRedisReplayCache(redis, `portcullis:jti:${deps.config.issuer}:`),
    close: async () => void redis.disconnect(),
  }
}
