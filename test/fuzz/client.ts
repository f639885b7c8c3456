// The fuzzer's two ways to reach a listening server: node:http for requests Node will send, and a raw socket
// for the ones it will not (an invalid request line, bytes that are not HTTP). Both return status, headers,
// body and how long the answer took, and never throw: a connection error is a result too.
import { request as httpRequest, Agent } from 'node:http'
import { connect } from 'node:net'

export interface FuzzResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  ms: number
  /** Set when no HTTP answer came (reset, timeout). */
  failure?: string
}

export interface FuzzRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Buffer
  /** How long to wait for an answer (default 10 s). */
  timeoutMs?: number
}

const TIMEOUT_MS = 10_000

export function createHttpSender(port: number) {
  // One kept-alive connection, as a client library would; a connection the server closes is replaced.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const send = (req: FuzzRequest) =>
    new Promise<FuzzResponse>((resolve) => {
      const started = performance.now()
      let settled = false
      const done = (response: Omit<FuzzResponse, 'ms'>) => {
        if (settled) return
        settled = true
        resolve({ ...response, ms: performance.now() - started })
      }
      const outgoing = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: req.method,
          path: req.path,
          headers: req.headers,
          agent,
          timeout: req.timeoutMs ?? TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
          res.on('error', (err) => done({ status: 0, headers: {}, body: Buffer.alloc(0), failure: err.message }))
        },
      )
      outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')))
      // The server may answer (413) and close before the whole body is written: the answer is what counts.
      outgoing.on('error', (err) =>
        setTimeout(() => done({ status: 0, headers: {}, body: Buffer.alloc(0), failure: err.message }), 50),
      )
      outgoing.end(req.body)
    })
  return { send, close: () => agent.destroy() }
}

/** Parses one HTTP/1.1 answer (Content-Length or chunked) from everything read until the server closed. */
function parseRaw(data: Buffer): Omit<FuzzResponse, 'ms'> {
  const end = data.indexOf('\r\n\r\n')
  if (end === -1)
    return {
      status: 0,
      headers: {},
      body: Buffer.alloc(0),
      failure: `no HTTP answer: ${JSON.stringify(data.toString('latin1').slice(0, 100))}`,
    }
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = data.subarray(end + 4)
  if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']))
  else if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = []
    let rest = body
    for (;;) {
      const lineEnd = rest.indexOf('\r\n')
      const size = parseInt(rest.subarray(0, lineEnd).toString(), 16)
      if (!(size > 0)) break
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
      rest = rest.subarray(lineEnd + 4 + size)
    }
    body = Buffer.concat(parts)
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body }
}

/** Whether `data` holds a whole answer: its headers, and its body by Content-Length or to the last chunk. */
function answered(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n')
  if (end === -1) return false
  const head = data.subarray(0, end).toString('latin1').toLowerCase()
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)
  if (length) return data.length - end - 4 >= Number(length[1])
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) return data.subarray(-5).toString() === '0\r\n\r\n'
  return false
}

/** Writes `bytes` on a new connection and reads the first answer (until complete, or the server closes). */
export function sendRaw(port: number, bytes: Buffer) {
  return new Promise<FuzzResponse>((resolve) => {
    const started = performance.now()
    const chunks: Buffer[] = []
    const socket = connect({ host: '127.0.0.1', port })
    let settled = false
    const finish = (failure?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      const parsed = parseRaw(Buffer.concat(chunks))
      resolve({ ...parsed, ...(failure && parsed.status === 0 ? { failure } : {}), ms: performance.now() - started })
    }
    const timer = setTimeout(() => finish('timed out'), TIMEOUT_MS)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (answered(Buffer.concat(chunks))) finish()
    })
    socket.on('end', () => finish())
    socket.on('close', () => finish())
    socket.on('error', (err) => finish(err.message))
    // No half-close after writing: Node's server drops a request in flight when the client half-closes
    // (httpAllowHalfOpen is false), which would look like no answer.
    socket.write(bytes)
  })
}

/** The bytes of `req` as HTTP/1.1, for what Node's client handles differently (CONNECT expects a tunnel). */
export function toRaw(req: FuzzRequest, host: string): Buffer {
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body)
  const headers = { host, ...req.headers, 'content-length': String(body.length), connection: 'close' }
  const head = `${req.method} ${req.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`
  return Buffer.concat([Buffer.from(head, 'latin1'), body])
}
