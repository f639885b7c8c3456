// The load generator: autocannon as a library, one HTTP/1.1 keep-alive connection per virtual client.
import autocannon from 'autocannon'

export interface RequestSpec {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  /** A fixed body; or `nextBody` for a body that changes per request (e.g. a token from a pool). */
  body?: string
  nextBody?: () => string
  /** Headers added per request (e.g. a fresh DPoP proof from a pool), besides `headers`. */
  nextHeaders?: () => Record<string, string>
  /** Called with every response (e.g. to collect a rotated refresh token). */
  onResponse?: (status: number, body: string) => void
}

export interface LoadOptions {
  baseUrl: string
  request: RequestSpec
  connections: number
  /** Seconds. */
  duration: number
  /** Requests per second across all connections (an open-loop-ish fixed rate); unlimited by default. */
  rate?: number
}

/** One measurement: what a server did under one load for one duration. */
export interface Measurement {
  /** Successful (2xx) responses per second. */
  rps: number
  /** Milliseconds. */
  p50: number
  p99: number
  requests: number
  /** How long the measurement actually ran. */
  seconds?: number
  /** Connection errors, timeouts and non-2xx responses. */
  errors: number
  statusCodes: Record<string, number>
  /**
   * CPU time the server process spent per successful request (µs, all threads): unlike req/s, it barely
   * moves when other programs compete for the cores, so it shows a structural cost on a noisy machine.
   */
  cpuUsPerRequest?: number
  /** The main thread's share of it: the event loop's work, without signing on libuv's pool or bcrypt workers. */
  mainCpuUsPerRequest?: number
  /**
   * CPU time PostgreSQL's processes spent per successful request (µs; --db postgres only): its backends, WAL
   * writer and checkpointer share the same cores, and are not in the server's figure.
   */
  dbCpuUsPerRequest?: number
  /** Scenario-specific extra figures (e.g. the JWKS p99 during a password storm). */
  extra?: Record<string, number>
}

export const FORM = 'application/x-www-form-urlencoded'

export async function load(options: LoadOptions): Promise<Measurement> {
  const { request } = options
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.duration,
    timeout: 30,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [
      {
        method: request.method,
        path: request.path,
        headers: {
          ...request.headers,
          ...(request.body !== undefined || request.nextBody ? { 'content-type': FORM } : {}),
        },
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.nextBody || request.nextHeaders
          ? {
              setupRequest: (req: { body?: string | Buffer; headers?: Record<string, string> }) => {
                if (request.nextBody) req.body = request.nextBody()
                if (request.nextHeaders) req.headers = { ...req.headers, ...request.nextHeaders() }
                return req
              },
            }
          : {}),
        ...(request.onResponse
          ? { onResponse: (status: number, body: string) => request.onResponse!(status, body) }
          : {}),
      },
    ],
  })
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000 || options.duration
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count]),
  )
  return {
    rps: result['2xx'] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    seconds,
    errors: result.errors + result.timeouts + result.non2xx,
    statusCodes,
  }
}

export function basicAuth(clientId: string, secret: string): string {
  // RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encoding.
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString()
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
