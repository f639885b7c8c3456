// A body over BODY_LIMIT is answered 413 while the client may still be sending it. The answer must reach the
// client: the server closes its side after the answer and reads and discards what still arrives for a bounded
// time and size before closing the connection (src/http/lingering-close.ts), so that no reset destroys the answer
// in the client's receive buffer. Raw sockets on a listening server: app.inject never reaches a socket.
import { connect, type Socket } from 'node:net'
import t from 'tap'
import { LINGER_MAX_BYTES, LINGER_TIME_MS } from '../../src/http/lingering-close.ts'
import { adminHeaders } from '../support/admin-fixtures.ts'
import { listen } from '../support/listen.ts'

const BODY_LIMIT = 8192
const CHUNK = Buffer.alloc(64 * 1024, 'a')

interface Upload {
  /** Everything the server sent until the connection ended. */
  received: Buffer
  /** Body bytes the client managed to write before the connection ended (or all of them). */
  sent: number
  /** The error that ended the connection, if any (ECONNRESET, EPIPE). */
  error?: string
}

interface UploadPlan {
  head: string
  /** Body bytes to send; Infinity sends until the server closes the connection. */
  bodyBytes: number
  chunked: boolean
  /** Milliseconds between writes; 0 writes as fast as the socket takes them. */
  pauseMs?: number
  /** Stop writing once the answer is in, but keep the connection open. */
  stopOnAnswer?: boolean
  /**
   * Read nothing until the whole request is written, as blocking clients do (a write that fails ends the
   * attempt there, and the answer waiting in the socket is never read).
   */
  readsAfterSending?: boolean
  /** Keep sending (or keep the connection) after the server has closed its side, instead of closing ours. */
  ignoresServerClose?: boolean
}

/** Writes the request head, then the body, and resolves with what was read once the connection is gone. */
function upload(port: number, plan: UploadPlan): Promise<Upload> {
  return new Promise((resolve) => {
    // Half-open allowed, so that the client, not Node, decides what to do once the server has closed its side.
    const socket: Socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    const chunks: Buffer[] = []
    let sent = 0
    let error: string | undefined
    let stopped = false
    const answered = () => Buffer.concat(chunks).includes('"}')
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (plan.stopOnAnswer && answered()) stopped = true
    })
    socket.on('end', () => {
      if (!plan.ignoresServerClose) socket.end()
    })
    socket.on('error', (err: Error & { code?: string }) => (error ??= err.code ?? err.message))
    socket.on('close', () => {
      stopped = true
      resolve({ received: Buffer.concat(chunks), sent, ...(error ? { error } : {}) })
    })
    if (plan.readsAfterSending) socket.pause()
    const writeMore = () => {
      while (!stopped && !socket.destroyed && sent < plan.bodyBytes) {
        const size = Math.min(CHUNK.length, plan.bodyBytes - sent)
        const data = plan.chunked
          ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), CHUNK.subarray(0, size), Buffer.from('\r\n')])
          : CHUNK.subarray(0, size)
        sent += size
        const more = socket.write(data)
        if (plan.pauseMs) return void setTimeout(writeMore, plan.pauseMs)
        if (!more) return void socket.once('drain', writeMore)
      }
      if (stopped || socket.destroyed || sent < plan.bodyBytes) return
      socket.write(plan.chunked ? '0\r\n\r\n' : '', () => {
        if (plan.readsAfterSending && !error) socket.resume()
      })
    }
    socket.on('connect', () => {
      socket.write(plan.head)
      writeMore()
    })
  })
}

/** The status, headers and body of the one HTTP answer in `data`. */
function parseAnswer(data: Buffer): { status: number; headers: Record<string, string>; body: string } {
  const end = data.indexOf('\r\n\r\n')
  if (end === -1) return { status: 0, headers: {}, body: '' }
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'])
  return {
    status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1] ?? 0),
    headers,
    body: data.subarray(end + 4, end + 4 + length).toString(),
  }
}

const head = (path: string, framing: string, headers = 'Content-Type: application/x-www-form-urlencoded\r\n') =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}${framing}\r\n`
const CHUNKED = 'Transfer-Encoding: chunked\r\n'
const TOO_LARGE = { error: 'invalid_request', error_description: `the request body is larger than ${BODY_LIMIT} bytes` }

type Assert = Pick<typeof t, 'equal' | 'same'>

/** The whole answer arrived: its status, `Connection: close`, and the whole documented body. */
function expectAnswer(t: Assert, upload: Upload, label: string, status: number, body: unknown): void {
  const answer = parseAnswer(upload.received)
  t.equal(
    answer.status,
    status,
    `${label}: ${status} (connection ended with ${upload.error ?? 'a close'} after ${upload.sent} body bytes)`,
  )
  t.equal(answer.headers.connection, 'close', `${label}: Connection: close`)
  t.same(answer.body === '' ? undefined : JSON.parse(answer.body), body, `${label}: the whole documented body`)
}

t.test('an oversized body on a listening server', async (t) => {
  const ctx = await listen(t, { env: { BODY_LIMIT: String(BODY_LIMIT) } })
  const port = Number(new URL(ctx.baseUrl).port)
  const expectTooLarge = (t: Assert, upload: Upload, label: string) => expectAnswer(t, upload, label, 413, TOO_LARGE)

  t.test('a token request with a chunked body of several MB gets the whole 413 every time', async (t) => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      expectTooLarge(
        t,
        await upload(port, {
          head: head('/oauth/token', CHUNKED),
          bodyBytes: 4 * 1024 * 1024,
          chunked: true,
          readsAfterSending: true,
        }),
        `attempt ${attempt}`,
      )
    }
  })

  t.test('so does a Content-Length over the limit, on every route that takes a body', async (t) => {
    const bodyBytes = 4 * 1024 * 1024
    const routes = ['/oauth/token', '/oauth/revoke', '/oauth/introspect']
    for (const path of routes) {
      for (let attempt = 1; attempt <= 5; attempt++) {
        expectTooLarge(
          t,
          await upload(port, {
            head: head(path, `Content-Length: ${bodyBytes}\r\n`),
            bodyBytes,
            chunked: false,
            readsAfterSending: true,
          }),
          `${path}, attempt ${attempt}`,
        )
      }
    }
    const json = `Content-Type: application/json\r\nAuthorization: ${(await adminHeaders(ctx)).authorization}\r\n`
    for (let attempt = 1; attempt <= 5; attempt++) {
      expectTooLarge(
        t,
        await upload(port, {
          head: head('/admin/v1/clients', CHUNKED, json),
          bodyBytes,
          chunked: true,
          readsAfterSending: true,
        }),
        `admin API, attempt ${attempt}`,
      )
    }
  })

  t.test('an answer given before the body is read closes the connection, and arrives whole', async (t) => {
    const bodyBytes = 4 * 1024 * 1024
    const unauthenticated = 'Content-Type: application/json\r\nAuthorization: Bearer not-a-token\r\n'
    for (let attempt = 1; attempt <= 5; attempt++) {
      const refused = await upload(port, {
        head: head('/admin/v1/clients', CHUNKED, unauthenticated),
        bodyBytes,
        chunked: true,
        readsAfterSending: true,
      })
      expectAnswer(t, refused, `401, attempt ${attempt}`, 401, {
        error: 'invalid_token',
        error_description: 'the access token or access key is invalid, expired or revoked',
      })
      const wrongType = await upload(port, {
        head: head('/oauth/token', CHUNKED, 'Content-Type: text/plain\r\n'),
        bodyBytes,
        chunked: true,
        readsAfterSending: true,
      })
      expectAnswer(t, wrongType, `415, attempt ${attempt}`, 415, {
        error: 'invalid_request',
        error_description: 'the request body must be application/x-www-form-urlencoded (UTF-8)',
      })
    }
  })

  t.test('headers past the limit followed by a body get the whole 431', async (t) => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const overflow = await upload(port, {
        head: head('/oauth/token', CHUNKED, `X-Big: ${'a'.repeat(20_000)}\r\n`),
        bodyBytes: 4 * 1024 * 1024,
        chunked: true,
        readsAfterSending: true,
      })
      expectAnswer(t, overflow, `attempt ${attempt}`, 431, {
        error: 'invalid_request',
        error_description: 'the request headers are larger than the server accepts',
      })
    }
  })

  t.test('a client that never stops sending is cut after the bound', async (t) => {
    const endless = await upload(port, {
      head: head('/oauth/token', CHUNKED),
      bodyBytes: Infinity,
      chunked: true,
      ignoresServerClose: true,
    })
    expectTooLarge(t, endless, 'endless upload')
    t.ok(endless.sent > LINGER_MAX_BYTES, `cut after ${endless.sent} bytes sent (${endless.error ?? 'closed'})`)
  })

  t.test('a client that stops sending after the answer but keeps the connection is closed', async (t) => {
    // The server has sent its FIN with the answer; its final close sends nothing more, so it is seen on the server.
    const serverSide = new Promise<Socket>((resolve) => ctx.app.server.once('connection', resolve))
    let answered!: () => void
    const answer = new Promise<void>((resolve) => (answered = resolve))
    const idle = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    t.teardown(() => idle.destroy())
    const received: Buffer[] = []
    idle.on('data', (chunk: Buffer) => {
      received.push(chunk)
      if (Buffer.concat(received).includes('"}')) answered()
    })
    idle.write(head('/oauth/token', CHUNKED))
    idle.write(`${(BODY_LIMIT * 2).toString(16)}\r\n${'a'.repeat(BODY_LIMIT * 2)}\r\n`)
    await answer
    expectTooLarge(t, { received: Buffer.concat(received), sent: BODY_LIMIT * 2 }, 'idle after the answer')
    const socket = await serverSide
    t.equal(socket.destroyed, false, 'the connection lingers')
    const deadline = Date.now() + LINGER_TIME_MS + 5_000
    while (!socket.destroyed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
    t.equal(socket.destroyed, true, 'closed by the server')
  })

  t.test('a client that trickles the rest for ever is cut after the time bound', async (t) => {
    const trickle = await upload(port, {
      head: head('/oauth/token', CHUNKED),
      bodyBytes: Infinity,
      chunked: true,
      pauseMs: 100,
      ignoresServerClose: true,
    })
    expectTooLarge(t, trickle, 'trickling upload')
  })
})
