// Prometheus metrics (prom-client). One registry per app, so two apps in one process never share counters.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export function createMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry()
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry })
  return {
    registry,
    httpRequests: new Counter({ name: 'portcullis_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry] }),
    httpDuration: new Histogram({
      name: 'portcullis_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    /** Token endpoint outcomes: `outcome` is `issued` or the OAuth error code. */
    tokenRequests: new Counter({
      name: 'portcullis_token_requests_total',
      help: 'Token endpoint requests by grant type, client and outcome',
      labelNames: ['grant_type', 'client_id', 'outcome'] as const,
      registers: [registry],
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
