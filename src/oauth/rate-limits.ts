// Rate limits of the token endpoint (RFC 6749 §2.3.1 and §4.3.2 ask that it be protected against brute
// force; a flood of valid requests is a cost to bound as well). Two fixed-window counters, kept by
// @fastify/rate-limit's store:
// - per client IP (an IPv6 client by its /64: client-address.ts), on every request, before its body is read:
//   what one address may cost the server;
// - per client, counted only once a confidential client has authenticated with its secret, so a stranger
//   sending a victim's client_id spends his own address's quota, never the victim's. A public client has no
//   secret: anyone can name it, so it is limited per IP only (else one stranger could lock out all its users).
//   The key names the client's tenant with the client (`client:<tenant id>:<client id>`), so every counter is one
//   tenant's: no tenant can spend another's quota through a shared counter.
// The counters live in Redis when REDIS_URL is set (one quota across every instance), else in this
// instance's memory; either way their windows run on the app's clock (rate-limit-stores.ts). When Redis fails,
// the limits fail open with a warning in the log: a limiter outage must
// not become a token outage. Bounded timeouts and no offline queue mean a dead Redis costs no waiting.
//
// Both checks go through fastify.createRateLimit() rather than route config: it returns the verdict
// instead of answering, so both limits answer with the one OAuth error shape, the per-client check can run
// in the middle of the token action (after client authentication, before the grant does any work), and a
// store error is seen here, to be logged, instead of being swallowed by skipOnError.
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import type { AuthenticatedClient } from './client-auth.js'
import { addressKey } from './client-address.js'
import { tooManyRequests } from '../errors.js'
import { NO_STORE_HEADERS } from './token-response.js'
import { connectRedis } from '../ops/redis.js'
import { memoryStore, redisStore } from './rate-limit-stores.js'
import { tenantOf, type Client } from '../store/clients.js'

export interface TokenRateLimits {
  /** An onRequest hook counting the request against its client IP; undefined when RATE_LIMIT_PER_IP is 0. */
  perIp: ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | undefined
  /** Counts a request of an authenticated client; undefined when RATE_LIMIT_PER_CLIENT is 0. */
  perClient: ((request: FastifyRequest, authenticated: AuthenticatedClient) => Promise<void>) | undefined
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>

/** The per-client counter's key: the client within its tenant. */
export const clientRateLimitKey = (client: Pick<Client, 'clientId' | 'tenantId'>) =>
  `client:${tenantOf(client)}:${client.clientId}`

/** Warns once when the store starts failing and says when it answers again, instead of a line per request. */
function storeHealth(log: FastifyBaseLogger) {
  let failing = false
  return {
    failed(err: unknown) {
      if (failing) return
      failing = true
      log.warn(
        { err },
        'the rate-limit store (Redis) is unavailable: token requests are not rate-limited until it answers',
      )
    },
    ok() {
      if (!failing) return
      failing = false
      log.info('the rate-limit store (Redis) answers again: token requests are rate-limited')
    },
  }
}

/**
 * Registers the limits in `scope` (the token endpoint's plugin) and returns the two checks; the Redis
 * connection, if any, is closed with the app.
 *
 * @example
 * const limits = await registerTokenRateLimits(scope, deps.config, deps.now)
 * scope.post('/oauth/token', { onRequest: [limits.perIp] }, …)
 */
export async function registerTokenRateLimits(
  scope: FastifyInstance,
  config: Readonly<Config>,
  now: () => number,
): Promise<TokenRateLimits> {
  const { rateLimitPerIp, rateLimitPerClient } = config
  if (rateLimitPerIp === 0 && rateLimitPerClient === 0) return { perIp: undefined, perClient: undefined }
  const { default: rateLimit } = await import('@fastify/rate-limit')
  const health = storeHealth(scope.log)
  const redis =
    config.redisUrl === undefined
      ? undefined
      : await connectRedis(config.redisUrl, { error: (err) => health.failed(err), ready: () => health.ok() })
  if (redis) scope.addHook('onClose', async () => redis.disconnect())
  await scope.register(rateLimit, {
    global: false,
    // The issuer keeps deployments that share one Redis (staging and production) apart.
    store: redis ? redisStore(now, redis, `portcullis:rate-limit:${config.issuer}:`) : memoryStore(now),
  })
  const timeWindow = config.rateLimitWindow * 1000

  /** Seconds to wait when the request is over the limit; undefined when it may go on (or the store failed). */
  const overLimit = async (limiter: Limiter, request: FastifyRequest): Promise<number | undefined> => {
    let verdict: Awaited<ReturnType<Limiter>>
    try {
      verdict = await limiter(request)
    } catch (err) {
      health.failed(err)
      return undefined
    }
    health.ok()
    return !verdict.isAllowed && verdict.isExceeded ? verdict.ttlInSeconds : undefined
  }

  let perIp: TokenRateLimits['perIp']
  if (rateLimitPerIp > 0) {
    const limiter = scope.createRateLimit({
      max: rateLimitPerIp,
      timeWindow,
      keyGenerator: (request) => `ip:${addressKey(request.ip)}`,
    })
    perIp = async (request, reply) => {
      const wait = await overLimit(limiter, request)
      if (wait === undefined) return
      // RFC 6749 §5.1: no answer of the token endpoint is cached; this one comes before the hook that says so.
      reply.headers(NO_STORE_HEADERS)
      throw tooManyRequests(
        `too many token requests from this address: at most ${rateLimitPerIp} per ${config.rateLimitWindow} s`,
        wait,
      )
    }
  }

  let perClient: TokenRateLimits['perClient']
  if (rateLimitPerClient > 0) {
    // createRateLimit keys by the request alone; the client's key it needs is handed over here.
    const clientKeys = new WeakMap<FastifyRequest, string>()
    const limiter = scope.createRateLimit({
      max: rateLimitPerClient,
      timeWindow,
      keyGenerator: (request) => clientKeys.get(request) ?? 'client:',
    })
    perClient = async (request, { client, method }) => {
      if (method === 'none') return
      clientKeys.set(request, clientRateLimitKey(client))
      const wait = await overLimit(limiter, request)
      if (wait === undefined) return
      throw tooManyRequests(
        `too many token requests for this client: at most ${rateLimitPerClient} per ${config.rateLimitWindow} s`,
        wait,
      )
    }
  }
  return { perIp, perClient }
}
