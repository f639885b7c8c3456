// The errors Fastify and Node's HTTP parser answer before a route or the app's error handler is reached: a
// request the parser cannot read (400), headers past the size limit (431), a URL that does not decode (400),
// a path parameter past its maximum length (414). Their default bodies are Fastify's own
// {"error","message","statusCode"}; these handlers answer in the service's one shape instead,
// {"error","error_description"} (README, "Errors"), so a client parses every error the same way.
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { invalidRequest } from '../errors.js'
import { isLingering, lingerAndClose } from './lingering-close.js'

type ClientError = Error & { code?: string }

/** A fixed answer per parser failure: nothing from the unreadable request is echoed back. */
function clientErrorAnswer(err: ClientError): { status: number; reason: string; description: string } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, reason: 'Request Timeout', description: 'the request was not received in time' }
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      description: 'the request headers are larger than the server accepts',
    }
  return { status: 400, reason: 'Bad Request', description: 'the request is not valid HTTP' }
}

/**
 * Fastify's clientErrorHandler: the socket's request could not be parsed, so there is no request or reply
 * object, only the socket; the answer is written raw and the connection closed. Node destroys the socket at
 * once; the client may still be sending (headers past the limit, a body behind them), so the close lingers
 * (http/lingering-close.ts) and the answer is not lost to a reset.
 */
export function handleClientError(err: ClientError, socket: Socket): void {
  // A reset connection has nobody to answer; a lingering one has had its answer (the parser errs again on
  // every byte that still arrives).
  if (err.code === 'ECONNRESET' || socket.destroyed || isLingering(socket)) return
  // The socket's request was answered and something unreadable followed it: nothing more to say.
  if (!socket.writable) return void socket.destroy()
  const { status, reason, description } = clientErrorAnswer(err)
  const body = JSON.stringify(invalidRequest(description, status))
  socket.write(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
  lingerAndClose(socket)
}

/** Fastify's frameworkErrors: a URL that does not percent-decode, or a path parameter longer than allowed. */
export function handleFrameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400
  const description =
    status === 414 ? 'a path segment of the URL is too long' : 'the URL has malformed percent-encoding'
  void reply.code(status).send(invalidRequest(description, status).toJSON())
}

/**
 * Node's 'connect' event: a CONNECT request (a proxy tunnel) gets no answer at all unless someone listens
 * (Node closes the socket). This is not a proxy; say so in the usual shape, then close.
 */
export function answerConnect(_request: unknown, socket: Socket): void {
  if (socket.destroyed) return
  const body = JSON.stringify(invalidRequest('CONNECT is not supported: this server is not a proxy'))
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}
