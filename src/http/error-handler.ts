// The one error handler and the not-found handler: every error leaves in one shape, `{ error, error_description }`
// (RFC 6749 §5.2 on the OAuth endpoints, the same fields elsewhere). Unknown errors are a generic 500 whose
// details go only to the log.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import {
  invalidRequest,
  notFound,
  OAuthError,
  serverError,
  temporarilyUnavailable,
  validationFailed,
} from '../errors.js'
import { isUnavailable, unavailableReason } from '../store/index.js'

/** 503 with Retry-After: `temporarily_unavailable` on the OAuth endpoints (RFC 6749), `service_unavailable` elsewhere. */
export const unavailable = (request: FastifyRequest, retryAfterSeconds: number): OAuthError =>
  temporarilyUnavailable(request.url.startsWith('/oauth/'), retryAfterSeconds)

/** A schema-validation failure: the first problem in the description, every problem (named by field) in `details`. */
function validationError(err: FastifyError): OAuthError {
  const validation = err.validation ?? []
  const where = err.validationContext ?? 'request'
  const first = validation[0]
  const field = first?.instancePath
    ? first.instancePath.replace(/^\//, '').replace(/\//g, '.')
    : (first?.params as { missingProperty?: string })?.missingProperty
  const description = `${where}${field ? `.${field}` : ''} ${first?.message ?? 'is invalid'}`
  // Every failure when the route validates with allErrors (the admin API), each naming its field.
  const details = validation.map((issue) => {
    const params = issue.params as { missingProperty?: string; additionalProperty?: string }
    const path = [
      issue.instancePath.replace(/^\//, '').replace(/\//g, '.'),
      params.missingProperty ?? params.additionalProperty,
    ]
      .filter(Boolean)
      .join('.')
    return { field: path || where, message: issue.message ?? 'is invalid' }
  })
  const summary =
    details.length > 1 ? details.map((detail) => `${where}.${detail.field} ${detail.message}`).join('; ') : description
  return validationFailed(details, summary)
}

function send(reply: FastifyReply, err: OAuthError): FastifyReply {
  return reply.code(err.statusCode).headers(err.headers).send(err.toJSON())
}

export function setErrorHandlers(app: FastifyInstance, config: Pick<Config, 'bodyLimit' | 'databaseTimeout'>): void {
  app.setErrorHandler((err: FastifyError | OAuthError, request, reply) => {
    if (err instanceof OAuthError) return send(reply, err)
    if (err.validation) return send(reply, validationError(err))
    if (isUnavailable(err)) {
      // The database is down or too slow (DATABASE_TIMEOUT): the client may retry; details only in the log.
      request.log.warn({ reason: unavailableReason(err) }, 'the database is unavailable')
      return send(reply, unavailable(request, config.databaseTimeout))
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx: unsupported media type, body too large, malformed body…
      const description =
        status === 413
          ? `the request body is larger than ${config.bodyLimit} bytes`
          : status === 415
            ? 'unsupported content type'
            : 'the request is malformed'
      return send(reply, invalidRequest(description, status))
    }
    request.log.error({ err }, 'unhandled error')
    return send(reply, serverError())
  })

  app.setNotFoundHandler((request, reply) =>
    send(reply, notFound(`no route ${request.method} ${request.url.split('?')[0]}`)),
  )
}
