// Minimal typings for the two untyped packages the benchmark drives.

declare module 'autocannon' {
  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    p50: number
    p90: number
    p99: number
    [percentile: string]: number
  }
  interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request | undefined
    onResponse?: (
      status: number,
      body: string,
      context: Record<string, unknown>,
      headers: Record<string, string>,
    ) => void
  }
  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    timeout?: number
    overallRate?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    requests?: Request[]
  }
  interface Result {
    latency: Histogram
    requests: Histogram & { total: number; sent: number }
    duration: number
    start: Date
    finish: Date
    errors: number
    timeouts: number
    non2xx: number
    mismatches: number
    '2xx': number
    statusCodeStats: Record<string, { count: number }>
  }
  interface Instance extends PromiseLike<Result> {
    stop(): void
  }
  function autocannon(options: Options): Promise<Result> & { stop?: () => void }
  export default autocannon
  export type { Options, Request, Result }
}

declare module 'oidc-provider' {
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>)
    listen(port: number, host?: string): import('node:http').Server
    on(event: string, listener: (...args: unknown[]) => void): this
  }
}
