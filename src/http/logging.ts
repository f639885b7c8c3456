// JSON logs (pino, through Fastify) that never carry a secret. Fastify logs no headers or bodies by
// default; these paths are censored should anything log a request or reply object, and the logged URL
// loses its query values, where clients sometimes put credentials despite RFC 6749 §2.3.1.
import { randomUUID } from 'node:crypto'
import { LogController, type FastifyBaseLogger, type FastifyRequest } from 'fastify'
import type { LogLevel } from '../config.js'

const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.body.password',
  'req.body.client_secret',
  'req.body.refresh_token',
  'req.body.token',
  'req.body.subject_token',
  'req.body.actor_token',
  'req.body.code',
  'req.body.code_verifier',
  'res.headers["set-cookie"]',
  '*.password',
  '*.client_secret',
  '*.access_token',
  '*.refresh_token',
  '*.secret',
]

/** The path, with every query value replaced: `/oauth/token?password=x` → `/oauth/token?password=[redacted]`. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : `${url.slice(0, query)}?${url.slice(query + 1).replace(/=[^&]*/g, '=[redacted]')}`
}

export function loggerOptions(level: LogLevel) {
  return {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  }
}

const SANE_REQUEST_ID = /^[\w.:/+=-]{1,128}$/

/**
 * Request ids, unique across instances: a caller's X-Request-Id when it is a sane token, else a UUID-shaped
 * id made of a random prefix drawn once per app (78 random bits) and a counter, which costs a fraction of a
 * random UUID per request. Ids are for correlating logs, never a secret.
 */
export function createRequestIds(): (request: { headers: Record<string, string | string[] | undefined> }) => string {
  const prefix = randomUUID().slice(0, 24)
  let counter = 0
  return (request) => {
    const given = request.headers['x-request-id']
    if (typeof given === 'string' && SANE_REQUEST_ID.test(given)) return given
    counter = counter === 0xffffffffffff ? 0 : counter + 1
    return prefix + counter.toString(16).padStart(12, '0')
  }
}

// Probes and scrapes arrive every few seconds; logging each would drown the requests that matter.
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics'])

function pathOf(url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/** Request logs labelled `requestId`, without the probe and scrape noise. */
export function createLogController(): LogController {
  return new LogController({
    requestIdLogLabel: 'requestId',
    disableRequestLogging: (request: { url?: string }) => QUIET_PATHS.has(pathOf(request.url ?? '')),
  })
}

type Bindings = Parameters<FastifyBaseLogger['child']>[0]
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>
type Levelled = FastifyBaseLogger & { isLevelEnabled(level: string): boolean }
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type LogArguments = Parameters<FastifyBaseLogger['info']>

/**
 * A request's logger that becomes a real child logger (with the request id bound, and the redaction that
 * goes with it) only when a line is written at an enabled level. At LOG_LEVEL=warn most requests write
 * nothing, and building a pino child per request was a measurable share of a cheap request.
 */
class RequestLogger {
  readonly #parent: Levelled
  readonly #bindings: Bindings
  #child: Levelled | undefined

  constructor(parent: Levelled, bindings: Bindings) {
    this.#parent = parent
    this.#bindings = bindings
  }

  #real(): Levelled {
    this.#child ??= this.#parent.child(this.#bindings) as Levelled
    return this.#child
  }

  #write(level: Level, args: LogArguments): void {
    if (this.#child || this.#parent.isLevelEnabled(level))
      (this.#real()[level] as (...a: LogArguments) => void)(...args)
  }

  get level(): string {
    return (this.#child ?? this.#parent).level
  }

  set level(level: string) {
    this.#real().level = level
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level)
  }

  fatal(...args: LogArguments): void {
    this.#write('fatal', args)
  }
  error(...args: LogArguments): void {
    this.#write('error', args)
  }
  warn(...args: LogArguments): void {
    this.#write('warn', args)
  }
  info(...args: LogArguments): void {
    this.#write('info', args)
  }
  debug(...args: LogArguments): void {
    this.#write('debug', args)
  }
  trace(...args: LogArguments): void {
    this.#write('trace', args)
  }
  silent(): void {}

  child(...args: Parameters<FastifyBaseLogger['child']>): FastifyBaseLogger {
    return this.#real().child(...args)
  }

  bindings(): Record<string, unknown> {
    return (this.#real() as unknown as { bindings(): Record<string, unknown> }).bindings()
  }
}

/**
 * Fastify's childLoggerFactory: a lazy request logger, unless the route sets its own log level or
 * serializers, or the logger is not pino (no isLevelEnabled).
 */
export function childLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  if (typeof (logger as Partial<Levelled>).isLevelEnabled !== 'function' || Object.keys(options).length > 0)
    return logger.child(bindings, options)
  return new RequestLogger(logger as Levelled, bindings) as unknown as FastifyBaseLogger
}
