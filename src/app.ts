// buildApp: the one composition root. The server (server.ts) and every test build the service here, from
// explicit dependencies; nothing in here reads the environment or listens.
import formbody from '@fastify/formbody'
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify'
// Route schemas carry OpenAPI tags and summaries (@fastify/swagger's schema extensions).
import type {} from '@fastify/swagger'
import type { Config } from './config.js'
import { drainOnClose } from './drain-connections.js'
import { serverWithBeforeRouting, type BeforeRouting } from './http-server.js'
import { createJanitorSchedule } from './janitor-schedule.js'
import { createLazySchemas, type LazySchemas } from './lazy-schemas.js'
import { closeWhenBodyUnread } from './lingering-close.js'
import type { Keyring } from './keys/keyring.js'
import { answerConnect, handleClientError, handleFrameworkError } from './client-errors.js'
import { childLogger, createLogController, createRequestIds, loggerOptions } from './logging.js'
import { createMetrics, type Metrics } from './metrics.js'
import { checkNulCharacters } from './nul-characters.js'
import { createClientCache, type ClientCache } from './oauth/client-cache.js'
import { OAuthError, rfcDescription, temporarilyUnavailable } from './oauth/errors.js'
import { createLoginWaiters, type LoginWaiters } from './oauth/login-waiters.js'
import { createAccessKeyVerifier, type AccessKeyVerifier } from './security/access-keys.js'
import { createAccessTokenVerifier, type AccessTokenVerifier } from './security/access-token-verifier.js'
import { createBearerAuthenticator, type BearerAuthenticator } from './security/bearer.js'
import { createPasswordHasher, type PasswordHasher } from './security/password-hasher.js'
import { createRevocationList, type RevocationList } from './security/revocation-list.js'
import { registerAdminRoutes } from './routes/admin/index.js'
import { registerDiscoveryRoutes } from './routes/discovery.js'
import { registerDocsRoutes } from './routes/docs.js'
import { registerIntrospectionRoutes } from './routes/introspection.js'
import { registerMeRoutes } from './routes/me.js'
import { registerOAuthRoutes } from './routes/oauth.js'
import { registerOpsRoutes } from './routes/ops.js'
import { registerRevocationRoutes } from './routes/revocation.js'
import { jwksBeforeRouting, registerWellKnownRoutes } from './routes/well-known.js'
import type { ChangeFeed } from './store/change-feed.js'
import { isUnavailable, unavailableReason, type Store } from './store/index.js'

export interface AppDeps {
  config: Readonly<Config>
  store: Store
  keyring: Keyring
  /** 32 bytes; server-side keys (e.g. the refresh-token successor HMAC) are derived from it with HKDF. */
  masterKey: Buffer
  /** Milliseconds since the epoch; injected by tests that move time. */
  now?: () => number
  /** A pino logger or logger options; default: JSON logs at config.logLevel. */
  logger?: FastifyBaseLogger | boolean
  /** The bcrypt worker pool; default: a pool of config.passwordWorkers threads, closed with the app. */
  passwords?: PasswordHasher
  /** Changes made outside this instance, applied at once rather than at the next poll (store/change-feed.ts). */
  changes?: Pick<ChangeFeed, 'onChange'>
}

/** What route modules receive: the dependencies, with the clock resolved, and this app's metrics. */
export interface RouteDeps extends Required<Pick<AppDeps, 'config' | 'store' | 'keyring' | 'masterKey' | 'now'>> {
  metrics: Metrics
  /** This app's access-key verifier (its cache is per app; see security/access-keys.ts). */
  accessKeys: AccessKeyVerifier
  /** Authenticates `Authorization: Bearer` / `X-API-Key` callers; `bearer.requireScope('admin')`. */
  bearer: BearerAuthenticator
  /** bcrypt compare/hash off the main thread (security/password-hasher.ts). */
  passwords: PasswordHasher
  /** This app's cache of client rows for client authentication (oauth/client-cache.ts). */
  clients: ClientCache
  /** This app's in-memory list of revoked JWT ids (security/revocation-list.ts). */
  revocations: RevocationList
  /** Verifies our JWT access tokens, remembering valid signatures (security/access-token-verifier.ts). */
  accessTokens: AccessTokenVerifier
  /** True once the app has begun to close (readiness answers 503 from then on). */
  closing: () => boolean
  /** Password logins waiting for a busy throttle key, woken when an attempt here ends (oauth/login-waiters.ts). */
  loginWaiters: LoginWaiters
  /** Route schemas compiled when first needed (lazy-schemas.ts); a route group with its own compiler wraps it here. */
  schemas: LazySchemas
}


/** 503 with Retry-After: `temporarily_unavailable` on the OAuth endpoints (RFC 6749), `service_unavailable` elsewhere. */
const unavailable = (request: FastifyRequest, retryAfterSeconds: number) => temporarilyUnavailable(request.url.startsWith('/oauth/'), retryAfterSeconds)

/**
 * Changes made elsewhere (the CLI, another instance) drop what this app caches or re-read what it holds, at
 * once; the polls (ACCESS_KEY_CACHE_TTL, CLIENT_CACHE_TTL, REVOCATION_SYNC_INTERVAL) stay as the fallback.
 */
async function watchChanges(
  changes: AppDeps['changes'],
  held: { accessKeys: AccessKeyVerifier; clients: ClientCache; revocations: RevocationList },
): Promise<() => Promise<void>> {
  if (!changes) return async () => undefined
  const stops = await Promise.all([
    changes.onChange(['accessKeys', 'users'], () => held.accessKeys.invalidateAll()),
    changes.onChange(['clients'], () => held.clients.invalidateAll()),
    // A user disabled or deleted elsewhere: what that revoked is read at once too (sync() reads after the
    // change even when a read was already in progress).
    changes.onChange(['revokedTokens', 'users'], () => held.revocations.sync()),
  ])
  return async () => void (await Promise.all(stops.map((stop) => stop())))
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps
  const now = deps.now ?? Date.now
  let app: FastifyInstance | undefined
  const passwords =
    deps.passwords ?? createPasswordHasher({ workers: config.passwordWorkers, cost: config.bcryptCost, onError: (err) => app?.log.error({ err }, 'a password worker failed; the pool replaces it') })
  const accessKeys = createAccessKeyVerifier({ store: deps.store, config, now, onError: (err) => app?.log.warn({ err }, 'could not record access-key uses; trying again later') })
  const revocations = await createRevocationList({
    store: deps.store,
    now,
    syncIntervalSeconds: config.revocationSyncInterval,
    accessTokenLifetimeMs: (config.accessTokenTtl + config.clockSkew) * 1000,
    onError: (err) => app?.log.warn({ err }, 'could not read the revoked tokens; the revocation list is unchanged'),
  })
  const accessTokens = createAccessTokenVerifier({ keyring: deps.keyring, config, now })
  const bearer = createBearerAuthenticator({ config, accessTokens, accessKeys, isRevoked: (claims) => revocations.revokes(claims) })
  const clients = createClientCache({ store: deps.store, ttlSeconds: config.clientCacheTtl, now })
  const stopWatching = await watchChanges(deps.changes, { accessKeys, clients, revocations })
  let closing = () => false
  const requestIds = createRequestIds()
  // Answers given on the listening server before Fastify routes (set once the routes exist; see the end).
  let beforeRouting: BeforeRouting = () => false
  const schemas = createLazySchemas()
  const routeDeps: RouteDeps = { config, store: deps.store, keyring: deps.keyring, masterKey: deps.masterKey, now, metrics: createMetrics(), accessKeys, bearer, passwords, clients, revocations, accessTokens, closing: () => closing(), schemas, loginWaiters: createLoginWaiters() }
  app = Fastify({
    logger:
      deps.logger === undefined || deps.logger === true
        ? loggerOptions(config.logLevel)
        : deps.logger === false
          ? false
          : undefined,
    ...(typeof deps.logger === 'object' ? { loggerInstance: deps.logger } : {}),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy === false ? false : [...config.trustProxy],
    genReqId: requestIds,
    serverFactory: serverWithBeforeRouting(() => beforeRouting),
    childLoggerFactory: childLogger,
    logController: createLogController(),
    // Requests that arrive while the app closes are refused below, in the one error shape (Fastify's own
    // 503 body is not it).
    return503OnClosing: false,
    clientErrorHandler: handleClientError,
    frameworkErrors: handleFrameworkError,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    schemaController: schemas.schemaController,
  })
  // The schemas no request has needed yet are compiled once the server listens, between requests.
  app.addHook('onListen', (done) => {
    schemas.compileAll().catch((err: unknown) => app.log.error({ err }, 'a route schema does not compile'))
    done()
  })

  await app.register(formbody, { bodyLimit: config.bodyLimit })
  app.server.on('connect', answerConnect)
  app.addHook('onRoute', checkNulCharacters)
  app.addHook('onSend', closeWhenBodyUnread)
  app.addHook('onClose', () => stopWatching())
  app.addHook('onClose', () => accessKeys.close())
  app.addHook('onClose', () => revocations.close())
  const janitor = createJanitorSchedule({ store: deps.store, config, now, log: app.log, metrics: routeDeps.metrics })
  app.addHook('onClose', () => janitor.close())
  if (!deps.passwords) app.addHook('onClose', () => passwords.close())

  // /readyz answers 503 in its own shape while closing, which takes this instance out of the balancer.
  closing = drainOnClose(app, (request) => (request.routeOptions.url === '/readyz' ? undefined : unavailable(request, 1)))

  app.setErrorHandler((err: FastifyError | OAuthError, request, reply) => {
    if (err instanceof OAuthError) {
      return reply.code(err.statusCode).headers(err.headers).send(err.toJSON())
    }
    if (err.validation) {
      const where = err.validationContext ?? 'request'
      const first = err.validation[0]
      const field = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : (first?.params as { missingProperty?: string })?.missingProperty
      const description = `${where}${field ? `.${field}` : ''} ${first?.message ?? 'is invalid'}`
      // Every failure when the route validates with allErrors (the admin API), each naming its field.
      const details = err.validation.map((issue) => {
        const params = issue.params as { missingProperty?: string; additionalProperty?: string }
        const path = [issue.instancePath.replace(/^\//, '').replace(/\//g, '.'), params.missingProperty ?? params.additionalProperty].filter(Boolean).join('.')
        return { field: path || where, message: issue.message ?? 'is invalid' }
      })
      const summary = details.length > 1 ? details.map((detail) => `${where}.${detail.field} ${detail.message}`).join('; ') : description
      return reply.code(400).send(new OAuthError('invalid_request', summary, 400, {}, details).toJSON())
    }
    if (isUnavailable(err)) {
      // The database is down or too slow (DATABASE_TIMEOUT): the client may retry; details only in the log.
      request.log.warn({ reason: unavailableReason(err) }, 'the database is unavailable')
      const answer = unavailable(request, config.databaseTimeout)
      return reply.code(503).headers(answer.headers).send(answer.toJSON())
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx: unsupported media type, body too large, malformed body…
      const description =
        status === 413 ? `the request body is larger than ${config.bodyLimit} bytes` : status === 415 ? 'unsupported content type' : 'the request is malformed'
      return reply.code(status).send({ error: 'invalid_request', error_description: description })
    }
    request.log.error({ err }, 'unhandled error')
    return reply.code(500).send({ error: 'server_error', error_description: 'the server could not handle the request' })
  })

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', error_description: rfcDescription(`no route ${request.method} ${request.url.split('?')[0]}`) }),
  )

  // Routes, top to bottom. The OpenAPI generator first: it records the routes registered after it.
  await registerDocsRoutes(app, routeDeps)
  registerOpsRoutes(app, routeDeps)
  registerWellKnownRoutes(app, routeDeps)
  registerDiscoveryRoutes(app, routeDeps)
  registerOAuthRoutes(app, routeDeps)
  registerRevocationRoutes(app, routeDeps)
  registerIntrospectionRoutes(app, routeDeps)
  registerAdminRoutes(app, routeDeps)
  registerMeRoutes(app, routeDeps)

  // The JWKS, the one public answer that is the same for everyone, skips the router and the per-request hooks
  // when nothing would happen to it there: no request log to write (LOG_LEVEL above info) and no close begun.
  const log = app.log as Partial<{ isLevelEnabled(level: string): boolean }>
  const requestLogs = typeof log.isLevelEnabled === 'function' ? () => log.isLevelEnabled!('info') : () => false
  beforeRouting = jwksBeforeRouting({ keyring: deps.keyring, metrics: routeDeps.metrics, requestId: requestIds, routeThroughFastify: () => closing() || requestLogs() })

  return app
}
