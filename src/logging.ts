// JSON logs (pino, through Fastify) that never carry a secret. Fastify logs no headers or bodies by
// default; these paths are censored should anything log a request or reply object, and the logged URL
// loses its query values, where clients sometimes put credentials despite RFC 6749 §2.3.1.
import { randomUUID } from 'node:crypto'
import { LogController, type FastifyRequest } from 'fastify'
import type { LogLevel } from './config.js'

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

/** A request id unique across instances; a caller's X-Request-Id is kept when it is a sane token. */
export function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && /^[\w.:/+=-]{1,128}$/.test(given) ? given : randomUUID()
}

// Probes and scrapes arrive every few seconds; logging each would drown the requests that matter.
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics'])

/** Request logs labelled `requestId`, without the probe and scrape noise. */
export function createLogController(): LogController {
  return new LogController({
    requestIdLogLabel: 'requestId',
    disableRequestLogging: (request: { url?: string }) => QUIET_PATHS.has((request.url ?? '').split('?')[0]!),
  })
}
