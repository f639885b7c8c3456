// A small bar chart of usage over time as inline SVG: one stacked bar per bucket (successes, then refusals and
// throttled requests in the error colour), with a text summary for screen readers. No chart library.
import type { Usage } from './api.ts'

const FAILURES = new Set(['refused', 'throttled'])

export function bucketTotals(usage: Usage, hours: number, now = Date.now()) {
  const step = usage.granularity === 'day' ? 86_400_000 : 3_600_000
  const end = Math.floor(now / step) * step
  const slots = Array.from({ length: hours }, (_, index) => ({
    start: end - (hours - 1 - index) * step,
    ok: 0,
    failed: 0,
  }))
  for (const bucket of usage.buckets) {
    const slot = slots.find((entry) => entry.start === Math.floor(new Date(bucket.start).getTime() / step) * step)
    if (!slot) continue
    for (const [kind, count] of Object.entries(bucket.counts)) {
      if (FAILURES.has(kind)) slot.failed += count
      else slot.ok += count
    }
  }
  return slots
}

export function UsageChart(props: { usage: Usage; slots?: number; label: string }) {
  const slots = bucketTotals(props.usage, props.slots ?? 24)
  const max = Math.max(1, ...slots.map((slot) => slot.ok + slot.failed))
  const width = 240
  const height = 48
  const bar = width / slots.length
  const total = Object.entries(props.usage.totals)
    .filter(([kind]) => !FAILURES.has(kind))
    .reduce((sum, [, count]) => sum + count, 0)
  const failed = (props.usage.totals.refused ?? 0) + (props.usage.totals.throttled ?? 0)
  const summary = `${props.label}: ${total} request${total === 1 ? '' : 's'}, ${failed} refused or throttled`
  return (
    <figure class="chart" data-total={total} data-failed={failed}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} class="axis" />
        {slots.map((slot, index) => {
          const okHeight = (slot.ok / max) * (height - 2)
          const failedHeight = (slot.failed / max) * (height - 2)
          return (
            <g key={slot.start}>
              <rect x={index * bar + 1} width={bar - 2} y={height - 1 - okHeight} height={okHeight} class="ok" />
              <rect
                x={index * bar + 1}
                width={bar - 2}
                y={height - 1 - okHeight - failedHeight}
                height={failedHeight}
                class="failed"
              />
            </g>
          )
        })}
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  )
}
