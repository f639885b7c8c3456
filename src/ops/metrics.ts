// Prometheus metrics (prom-client). One registry per app, so two apps in one process never share counters.
import {
  Counter,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValueWithName,
} from 'prom-client'

type RequestLabels = { method: string; route: string; status: string }

const DURATION_NAME = 'portcullis_http_request_duration_seconds'
const DURATION_HELP = 'HTTP request latency by route and status'
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/**
 * One method-route-status series of the HTTP request metrics, kept as plain numbers: prom-client checks and
 * hashes the labels on every inc() and observe(), which costs more than a cheap route itself, so the counts
 * are kept here and handed to prom-client only when /metrics is scraped.
 */
export interface RequestSeries {
  readonly labels: RequestLabels
  count: number
  sum: number
  /** Observations per bucket of DURATION_BUCKETS, not cumulative; the last slot is above every bound. */
  readonly buckets: Float64Array
}

/** Counts one response of `seconds` into its series. */
export function recordRequest(series: RequestSeries, seconds: number): void {
  series.count += 1
  series.sum += seconds
  let bucket = 0
  while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket += 1
  series.buckets[bucket]! += 1
}

/** The latency histogram, exported at scrape time from the series with prom-client's own value shapes. */
class RequestDurationHistogram extends Histogram<keyof RequestLabels> {
  private readonly series: RequestSeries[]

  constructor(registry: Registry, series: RequestSeries[]) {
    super({
      name: DURATION_NAME,
      help: DURATION_HELP,
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    })
    this.series = series
  }

  private values(): MetricValueWithName<keyof RequestLabels | 'le'>[] {
    const name = DURATION_NAME
    const values: MetricValueWithName<keyof RequestLabels | 'le'>[] = []
    for (const series of this.series) {
      if (series.count === 0) continue
      let cumulative = 0
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += series.buckets[i]!
        values.push({ metricName: `${name}_bucket`, labels: { le: bound, ...series.labels }, value: cumulative })
      })
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...series.labels }, value: series.count })
      values.push({ metricName: `${name}_sum`, labels: { ...series.labels }, value: series.sum })
      values.push({ metricName: `${name}_count`, labels: { ...series.labels }, value: series.count })
    }
    return values
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<keyof RequestLabels | 'le'>>> {
    return {
      name: DURATION_NAME,
      help: DURATION_HELP,
      type: 'histogram',
      aggregator: 'sum',
      values: this.values(),
    } as unknown as MetricObjectWithValues<MetricValueWithName<keyof RequestLabels | 'le'>>
  }

  /** The registry prefers this method to get() when rendering the text format. */
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<keyof RequestLabels | 'le'>>> {
    return this.get()
  }

  override reset(): void {
    for (const series of this.series ?? []) {
      series.count = 0
      series.sum = 0
      series.buckets.fill(0)
    }
  }
}

export function createMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry()
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry })
  // Labelled by route pattern, never by raw URL, so the number of series stays bounded.
  const series: RequestSeries[] = []
  // Route pattern → method → status: the strings come from Fastify's route table and the HTTP parser's method
  // list, so no key is built per request.
  const seriesByRoute = new Map<string, Map<string, Map<number, RequestSeries>>>()
  const tokenCounts = new Map<
    string,
    { labels: { grant_type: string; tenant: string; client_id: string; outcome: string }; count: number }
  >()
  return {
    registry,
    httpRequests: new Counter({
      name: 'portcullis_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
      collect() {
        this.reset()
        for (const { labels, count } of series) if (count > 0) this.inc(labels, count)
      },
    }),
    httpDuration: new RequestDurationHistogram(registry, series),
    /** The series of one method, route pattern and status, created on first use. */
    requestSeries(method: string, route: string, status: number): RequestSeries {
      let byMethod = seriesByRoute.get(route)
      if (byMethod === undefined) seriesByRoute.set(route, (byMethod = new Map()))
      let byStatus = byMethod.get(method)
      if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()))
      let found = byStatus.get(status)
      if (found === undefined) {
        found = {
          labels: { method, route, status: String(status) },
          count: 0,
          sum: 0,
          buckets: new Float64Array(DURATION_BUCKETS.length + 1),
        }
        byStatus.set(status, found)
        series.push(found)
      }
      return found
    },
    /** Token endpoint outcomes: `outcome` is `issued` or the OAuth error code. */
    tokenRequests: new Counter({
      name: 'portcullis_token_requests_total',
      help: 'Token endpoint requests by grant type, tenant, client and outcome',
      labelNames: ['grant_type', 'tenant', 'client_id', 'outcome'] as const,
      registers: [registry],
      collect() {
        this.reset()
        for (const { labels, count } of tokenCounts.values()) if (count > 0) this.inc(labels, count)
      },
    }),
    /**
     * Counts one token endpoint outcome, as plain numbers exported at scrape time (like the request series).
     * As many entries as prom-client would keep series: client_id is only ever a registered client or 'unknown',
     * and tenant that client's tenant id (or 'unknown' with it), so the tenant adds no series of its own: it lets
     * one tenant's requests be summed, and two tenants' clients never share a series.
     */
    countTokenRequest(labels: { grant_type: string; tenant: string; client_id: string }, outcome: string): void {
      const key = `${labels.grant_type} ${labels.tenant} ${labels.client_id} ${outcome}`
      const found = tokenCounts.get(key)
      if (found === undefined)
        tokenCounts.set(key, {
          labels: { grant_type: labels.grant_type, tenant: labels.tenant, client_id: labels.client_id, outcome },
          count: 1,
        })
      else found.count += 1
    },
    /** Rows the janitor deleted, by table (ops/janitor-schedule.ts); a few increments per batch, once an hour. */
    janitorDeletedRows: new Counter({
      name: 'portcullis_janitor_deleted_rows_total',
      help: 'Dead rows deleted by the janitor, by table',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
