// The audit log: filter by type, actor and time, newest first, a page at a time.
import { useState } from 'preact/hooks'
import { type Api, unwrap } from '../api.ts'
import { ErrorText, Loading, useLoad, when, ScrollRegion } from '../ui.tsx'

const TYPES = [
  'client.created',
  'client.updated',
  'client.secret_rotated',
  'client.deleted',
  'user.created',
  'user.updated',
  'user.password_set',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'access_key.created',
  'access_key.revoked',
  'signing_key.created',
  'signing_key.activated',
  'signing_key.rotated',
  'signing_key.revoked',
  'refresh_token.replay_detected',
  'authorization_code.replay_detected',
  'login.throttled',
  'login.succeeded',
  'login.failed',
  'consent.granted',
  'consent.denied',
  'consent.revoked',
  'session.ended',
  'logout',
]
const PAGE = 25

interface Filter {
  type: string
  actor: string
  since: string
  until: string
}

/** A datetime-local value (the browser's time zone) as an ISO instant. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined)

export function Audit(props: { api: Api }) {
  const [draft, setDraft] = useState<Filter>({ type: '', actor: '', since: '', until: '' })
  const [filter, setFilter] = useState<Filter>(draft)
  const [cursors, setCursors] = useState<string[]>([])
  const after = cursors.at(-1)
  const state = useLoad(
    () =>
      unwrap(
        props.api.admin.GET('/admin/v1/audit', {
          params: {
            query: {
              limit: PAGE,
              ...(after ? { after } : {}),
              ...(filter.type ? { type: filter.type } : {}),
              ...(filter.actor ? { actor: filter.actor } : {}),
              ...(filter.since ? { since: instant(filter.since) } : {}),
              ...(filter.until ? { until: instant(filter.until) } : {}),
            },
          },
        }),
      ),
    [filter, after],
  )
  const apply = (event: Event) => {
    event.preventDefault()
    setCursors([])
    setFilter({ ...draft })
  }
  const set = (field: keyof Filter) => (event: { currentTarget: { value: string } }) =>
    setDraft({ ...draft, [field]: event.currentTarget.value })
  const events = state.data?.items ?? []
  return (
    <>
      <form class="card form filters" onSubmit={apply} aria-label="Filter the audit log">
        <div class="fields">
          <label>
            Type
            <select name="type" value={draft.type} onChange={set('type')}>
              <option value="">Any</option>
              {TYPES.map((type) => (
                <option key={type}>{type}</option>
              ))}
            </select>
          </label>
          <label>
            Actor <span class="hint">e.g. user:…, cli:…</span>
            <input name="actor" value={draft.actor} onInput={set('actor')} />
          </label>
          <label>
            From
            <input name="since" type="datetime-local" value={draft.since} onInput={set('since')} />
          </label>
          <label>
            Until
            <input name="until" type="datetime-local" value={draft.until} onInput={set('until')} />
          </label>
        </div>
        <button type="submit" class="primary">
          Filter
        </button>
      </form>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">Events</h2>
        {state.loading && !state.data && <Loading />}
        <ErrorText message={state.error ?? ''} />
        {state.data && events.length === 0 && <p class="muted">No events match.</p>}
        {events.length > 0 && (
          <ScrollRegion label="Audit events (scrolls sideways)">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Type</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {events.map((event) => (
                  <tr key={event.id}>
                    <td>{when(event.created_at)}</td>
                    <td class="mono">{event.type}</td>
                    <td class="mono wrap">{event.actor ?? '—'}</td>
                    <td class="mono wrap">{event.subject ?? '—'}</td>
                    <td class="mono wrap small">{JSON.stringify(event.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
          <span class="muted">Page {cursors.length + 1}</span>
          <button
            type="button"
            disabled={!state.data?.next_cursor}
            onClick={() => state.data?.next_cursor && setCursors([...cursors, state.data.next_cursor])}
          >
            Older
          </button>
        </nav>
      </section>
    </>
  )
}
