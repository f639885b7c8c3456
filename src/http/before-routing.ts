// The HTTP/1 server Fastify would make for itself (lib/server.js: the same settings from the same options),
// with two differences: a listener that may answer a request before Fastify routes it (routes/well-known.ts),
// and a lingering close (http/lingering-close.ts) when a connection is closed before its request has all arrived.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyServerFactory } from 'fastify'
import { isLingering, lingerAndClose } from './lingering-close.js'

export type BeforeRouting = (request: IncomingMessage, response: ServerResponse) => boolean

const lastRequest = Symbol('last request')

type ServerSocket = Socket & { [lastRequest]?: IncomingMessage }

/**
 * Node closes a connection after an answer that says `Connection: close` by calling the socket's destroySoon()
 * (end, then destroy once written). When the request on it has not all arrived, the client is still sending:
 * linger instead, so that closing does not reset the connection and destroy the answer on its way.
 */
function lingerWhenStillSending(socket: ServerSocket): void {
  const destroySoon = socket.destroySoon
  socket.destroySoon = () => {
    const request = socket[lastRequest]
    if (request && !request.complete) lingerAndClose(socket)
    else destroySoon.call(socket)
  }
}

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
      const socket: ServerSocket = request.socket
      // A request pipelined behind one whose answer closed the connection: nothing more is answered there.
      if (isLingering(socket)) return void request.resume()
      socket[lastRequest] = request
      if (!before()(request, response)) fastify(request, response)
    }
    const server = createServer(options.http ?? {}, answered)
    server.on('connection', lingerWhenStillSending)
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout
    server.setTimeout(options.connectionTimeout ?? 0)
    if (options.maxRequestsPerSocket !== undefined && options.maxRequestsPerSocket > 0)
      server.maxRequestsPerSocket = options.maxRequestsPerSocket
    return server
  }
}
