// The HTTP/1 server Fastify would make for itself (lib/server.js: the same settings from the same options),
// with one difference: a listener that may answer a request before Fastify routes it (routes/well-known.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { FastifyServerFactory } from 'fastify'

export type BeforeRouting = (request: IncomingMessage, response: ServerResponse) => boolean

interface ServerOptions {
  http?: Parameters<typeof createServer>[0]
  keepAliveTimeout?: number
  requestTimeout?: number
  connectionTimeout?: number
  maxRequestsPerSocket?: number
}

/**
 * Fastify's serverFactory. `answered` is read on every request, so the app can set it once its routes and
 * hooks exist; until then every request goes to Fastify.
 *
 * @example
 * let answered: BeforeRouting = () => false
 * const app = Fastify({ serverFactory: serverWithBeforeRouting(() => answered) })
 */
export function serverWithBeforeRouting(before: () => BeforeRouting): FastifyServerFactory<Server> {
  return (fastify, factoryOptions) => {
    const options = factoryOptions as ServerOptions
    const answered = (request: IncomingMessage, response: ServerResponse) => {
      if (!before()(request, response)) fastify(request, response)
    }
    const server = createServer(options.http ?? {}, answered)
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout
    server.setTimeout(options.connectionTimeout ?? 0)
    if (options.maxRequestsPerSocket !== undefined && options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket
    return server
  }
}
