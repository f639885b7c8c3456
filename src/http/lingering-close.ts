// Lingering close, as nginx's lingering_close / lingering_time / lingering_timeout. When the server answers and
// closes a connection whose client is still sending (a body over BODY_LIMIT, an answer given before the body
// was read, a request Node's parser refused), closing the socket at once with unread bytes in it makes the
// kernel reset the connection, and a client that reads only after it has sent its whole request gets EPIPE or
// ECONNRESET instead of the answer. So, as RFC 9112 §9.6 advises, the server half-closes (the answer, then FIN),
// reads and discards what still arrives, and closes once the client closes its side or a bound is reached:
// LINGER_TIME_MS in all, LINGER_IDLE_MS without a byte, or LINGER_MAX_BYTES discarded. Past a bound the
// connection is reset as before, after the client has had that long to read the answer. The bytes are counted
// with socket.bytesRead, polled: Node's HTTP parser reads the socket itself, so no 'data' event tells of them.
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** The longest a connection lingers after its answer (nginx's lingering_time is 30 s; our bodies are small). */
export const LINGER_TIME_MS = 5_000
/** A lingering client that sends nothing for this long is done (nginx's lingering_timeout is 5 s). */
export const LINGER_IDLE_MS = 2_000
/** The most a lingering connection reads and discards (checked every LINGER_CHECK_MS, so it may read a little more). */
export const LINGER_MAX_BYTES = 16 * 1024 * 1024
const LINGER_CHECK_MS = 50

const lingering = Symbol('lingering')

type LingeringSocket = Socket & { [lingering]?: true }

/** Whether `socket` has been answered and is only being drained before it closes: nothing more is answered on it. */
export function isLingering(socket: Socket): boolean {
  return (socket as LingeringSocket)[lingering] === true
}

/**
 * Ends the server's side of `socket` once what was written is sent, and destroys it when the client closes its
 * side or a bound is reached. The bytes read meanwhile go where they went before (Node's HTTP parser, which
 * discards the body of a request already answered).
 *
 * @example
 * socket.write(answer)
 * lingerAndClose(socket)
 */
export function lingerAndClose(socket: Socket): void {
  const marked = socket as LingeringSocket
  if (marked[lingering] || socket.destroyed) return
  marked[lingering] = true
  const startedAt = Date.now()
  const startBytes = socket.bytesRead
  let lastBytes = startBytes
  let lastReadAt = startedAt
  const check = setInterval(() => {
    const at = Date.now()
    const bytes = socket.bytesRead
    if (bytes !== lastBytes) {
      lastBytes = bytes
      lastReadAt = at
    }
    if (at - startedAt >= LINGER_TIME_MS || at - lastReadAt >= LINGER_IDLE_MS || bytes - startBytes > LINGER_MAX_BYTES)
      socket.destroy()
  }, LINGER_CHECK_MS)
  check.unref()
  socket.once('close', () => clearInterval(check))
  // The client's FIN after our own: both sides are closed, and Node destroys the socket (autoDestroy).
  socket.end()
}

/**
 * Fastify's onSend hook: an answer given before the request body was read (a 401, 415 or 429 from an onRequest
 * hook) closes the connection. Kept open, the connection would have to read and discard the rest of the body,
 * however long; closed, it lingers within the bounds above, and the client's next request starts clean.
 */
export function closeWhenBodyUnread(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (err: null, payload: unknown) => void,
): void {
  const raw = request.raw
  if (
    !raw.complete &&
    (raw.headers['transfer-encoding'] !== undefined || (raw.headers['content-length'] ?? '0') !== '0')
  )
    reply.header('connection', 'close')
  done(null, payload)
}
