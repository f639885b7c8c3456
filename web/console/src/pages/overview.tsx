// Overview: token rates and errors over the last 24 hours (all clients and keys together), the active keys not
// used for 30 days, and when the signing keys rotate next.
import type { Api, Usage } from '../api.ts'
import { unwrap } from '../api.ts'
import { UsageChart } from '../chart.tsx'
import { ErrorText, Loading, relative, useLoad, when } from '../ui.tsx'

const DAY = 86_400_000

async function loadOverview(api: Api) {
  const now = Date.now()
  const [usage, keys, signing] = await Promise.all([
    api
      .usage({ all: true }, { from: new Date(now - DAY).toISOString(), granularity: 'hour' })
      .catch((error: Error) => error),
    unwrap(api.admin.GET('/admin/v1/access-keys', { params: { query: { active: true, limit: 200 } } })),
    unwrap(api.admin.GET('/admin/v1/signing-keys', { params: { query: { limit: 50 } } })),
  ])
  const unused = keys.items.filter((key) => {
    const last = key.last_used_at ?? key.created_at
    return now - new Date(last).getTime() > 30 * DAY
  })
  const next = signing.items.find((key) => key.state === 'next')
  const active = signing.items.find((key) => key.state === 'active')
  const rotation = next
    ? { at: next.activates_at, what: `${next.kid} starts signing` }
    : active?.retires_at
      ? { at: active.retires_at, what: `${active.kid} retires` }
      : undefined
  return { usage, unused, rotation, activeKeys: keys.items.length }
}

function Totals(props: { usage: Usage }) {
  const entries = Object.entries(props.usage.totals).sort(([a], [b]) => a.localeCompare(b))
  if (entries.length === 0) return <p class="muted">No requests in the last 24 hours.</p>
  return (
    <table class="compact">
      <caption class="visually-hidden">Requests by kind, last 24 hours</caption>
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col" class="number">
            Requests
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([kind, count]) => (
          <tr key={kind} class={kind === 'refused' || kind === 'throttled' ? 'failure' : ''}>
            <td>{kind}</td>
            <td class="number">{count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function Overview(props: { api: Api }) {
  const state = useLoad(() => loadOverview(props.api))
  if (state.loading && !state.data) return <Loading />
  if (state.error) return <ErrorText message={state.error} />
  const { usage, unused, rotation, activeKeys } = state.data!
  return (
    <div class="cards">
      <section class="card wide" aria-labelledby="rates">
        <h2 id="rates">Tokens and errors, last 24 hours</h2>
        <p class="muted">Every client and access key together.</p>
        {usage instanceof Error ? (
          <ErrorText message={`Usage figures are unavailable: ${usage.message}`} />
        ) : (
          <>
            <UsageChart usage={usage} label="All requests, per hour" />
            <Totals usage={usage} />
          </>
        )}
      </section>
      <section class="card" aria-labelledby="unused">
        <h2 id="unused">Keys unused for 30 days</h2>
        <p class="figure">
          {unused.length} <span class="muted">of {activeKeys} active</span>
        </p>
        <ul class="plain">
          {unused.slice(0, 8).map((key) => (
            <li key={key.id}>
              <strong>{key.name}</strong> <span class="muted">last used {relative(key.last_used_at)}</span>
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="rotation">
        <h2 id="rotation">Next signing-key rotation</h2>
        {rotation ? (
          <>
            <p class="figure">{relative(rotation.at)}</p>
            <p class="muted">
              {when(rotation.at)}: {rotation.what}
            </p>
          </>
        ) : (
          <p class="muted">None scheduled.</p>
        )}
      </section>
    </div>
  )
}
