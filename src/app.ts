// buildApp: the one composition root. The server (server.ts) and every test build the service here, from
// explicit dependencies; nothing in here reads the environment or listens. It wires Fastify's options, the
// plugins, the hooks and the routes, top to bottom; the services routes use are built in services.ts.
import formbody from '@fastify/formbody'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
// Route schemas carry OpenAPI tags and summaries (@fastify/swagger's schema extensions).
import type {} from '@fastify/swagger'
import { serverWithBeforeRouting, type BeforeRouting } from './http/before-routing.js'
import { answerConnect, handleClientError, handleFrameworkError } from './http/client-errors.js'
import { drainOnClose } from './http/drain-connections.js'
import { setErrorHandlers, unavailable } from './http/error-handler.js'
import { closeWhenBodyUnread } from './http/lingering-close.js'
import { childLogger, createLogController, createRequestIds, loggerOptions } from './http/logging.js'
import { checkNulCharacters, rejectNulCharacters } from './http/nul-characters.js'
import { addRequestHooks } from './http/request-hooks.js'
import { createJanitorSchedule } from './ops/janitor-schedule.js'
import { registerPageSupport } from './pages/index.js'
import { bcrypt } from './security/bcrypt.js'
import { ensureConsoleClient } from './manage/console-client.js'
import { registerAdminRoutes } from './routes/admin/index.js'
import { registerAuthorizeRoutes } from './routes/authorize.js'
import { registerConsoleRoutes } from './routes/console.js'
import { registerCorsRoutes } from './routes/cors.js'
import { registerDiscoveryRoutes } from './routes/discovery.js'
import { registerDocsRoutes } from './routes/docs.js'
import { registerIntrospectionRoutes } from './routes/introspection.js'
import { registerLogoutRoutes } from './routes/logout.js'
import { registerMeRoutes } from './routes/me.js'
import { registerMeSessionRoutes } from './routes/me-sessions.js'
import { registerMeUsageRoutes } from './routes/me-usage.js'
import { registerTokenRoutes } from './routes/token.js'
import { registerOpsRoutes } from './routes/ops.js'
import { registerRevocationRoutes } from './routes/revocation.js'
import { registerUserInfoRoutes } from './routes/userinfo.js'
import { jwksBeforeRouting, registerWellKnownRoutes } from './routes/well-known.js'
import { createServices, type ServiceDeps } from './services.js'

export interface AppDeps extends ServiceDeps {
  /** A pino logger or logger options; default: JSON logs at config.logLevel. */
  logger?: FastifyBaseLogger | boolean
  /** Where the default JSON logs go instead of standard output (one line per write). */
  logStream?: { write(line: string): void }
  /** Registers (or brings in step with ISSUER) the web console's client before the app answers: the server does. */
  consoleClient?: boolean
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps
  let app: FastifyInstance | undefined
  let closing = () => false
  const services = await createServices(deps, { log: () => app?.log, closing: () => closing() })
  const requestIds = createRequestIds()
  // Answers given on the listening server before Fastify routes (set once the routes exist; see the end).
  let beforeRouting: BeforeRouting = () => false
  app = Fastify({
    logger:
      deps.logger === undefined || deps.logger === true
        ? { ...loggerOptions(config.logLevel), ...(deps.logStream ? { stream: deps.logStream } : {}) }
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
    schemaController: services.schemas.schemaController,
  })
  if (bcrypt.fallbackReason !== undefined)
    app.log.warn(
      { platform: `${process.platform}-${process.arch}`, reason: bcrypt.fallbackReason },
      'no native bcrypt for this platform: password logins use bcryptjs, about 1.25 times slower',
    )
  // The schemas no request has needed yet are compiled once the server listens, between requests.
  app.addHook('onListen', (done) => {
    services.schemas.compileAll().catch((err: unknown) => app.log.error({ err }, 'a route schema does not compile'))
    done()
  })

  await app.register(formbody, { bodyLimit: config.bodyLimit })
  app.server.on('connect', answerConnect)
  app.addHook('onRoute', checkNulCharacters)
  app.addHook('onSend', closeWhenBodyUnread)
  const janitor = createJanitorSchedule({
    store: deps.store,
    config,
    now: services.now,
    log: app.log,
    metrics: services.metrics,
  })
  app.addHook('onClose', () => services.close())
  app.addHook('onClose', () => janitor.close())

  // /readyz answers 503 in its own shape while closing, which takes this instance out of the balancer.
  closing = drainOnClose(app, (request) =>
    request.routeOptions.url === '/readyz' ? undefined : unavailable(request, 1),
  )
  setErrorHandlers(app, config)

  // Routes, top to bottom. The OpenAPI generator first: it records the routes registered after it.
  await registerDocsRoutes(app)
  addRequestHooks(app, services.metrics)
  registerOpsRoutes(app, services)
  // The endpoints a page of another origin may call (CORS); nothing else answers with CORS headers.
  await registerCorsRoutes(app, services, (scope) => {
    registerWellKnownRoutes(scope, services)
    registerDiscoveryRoutes(scope, services)
    registerTokenRoutes(scope, services)
    registerRevocationRoutes(scope, services)
    registerUserInfoRoutes(scope, services)
  })
  // The sign-in pages in a plugin scope of their own: its CSRF, cookies, security headers and error page apply
  // to them only.
  await app.register(async (scope) => {
    const pages = await registerPageSupport(scope, { config, masterKey: deps.masterKey })
    // The page forms are parsed by @fastify/formbody, not the OAuth endpoints' strict parser, so the NUL rule
    // (which checkNulCharacters skips for form routes) applies to every page request here.
    scope.addHook('preValidation', rejectNulCharacters)
    registerAuthorizeRoutes(scope, services, pages)
    registerLogoutRoutes(scope, services, pages)
  })
  registerIntrospectionRoutes(app, services)
  registerAdminRoutes(app, services)
  registerMeRoutes(app, services)
  registerMeSessionRoutes(app, services)
  registerMeUsageRoutes(app, services)
  await registerConsoleRoutes(app)
  if (deps.consoleClient)
    await ensureConsoleClient({ store: deps.store, config, now: services.now, clients: services.clients })

  // The JWKS, the one public answer that is the same for everyone, skips the router and the per-request hooks
  // when nothing would happen to it there: no request log to write (LOG_LEVEL above info) and no close begun.
  const log = app.log as Partial<{ isLevelEnabled(level: string): boolean }>
  const requestLogs = typeof log.isLevelEnabled === 'function' ? () => log.isLevelEnabled!('info') : () => false
  beforeRouting = jwksBeforeRouting({
    keyring: deps.keyring,
    metrics: services.metrics,
    requestId: requestIds,
    routeThroughFastify: () => closing() || requestLogs(),
  })

  return app
}
