// Access keys: create (the key shown once), list with scopes, owner, status, expiry and last use, a usage chart
// per key, revoke with confirmation. An operator manages every key (/admin/v1); anyone else their own (/v1/me).
import { useState } from 'preact/hooks'
import { type Api, unwrap } from '../api.ts'
import { UsageChart } from '../chart.tsx'
import { Confirm, ErrorText, Loading, SecretOnce, relative, splitList, useLoad, when, ScrollRegion } from '../ui.tsx'

const DAY = 86_400

const EXPIRIES = [
  { label: '30 days', seconds: 30 * DAY },
  { label: '90 days', seconds: 90 * DAY },
  { label: '1 year', seconds: 365 * DAY },
  { label: 'Never', seconds: 0 },
]

function keysOf(api: Api, mine: boolean) {
  return mine
    ? unwrap(api.admin.GET('/v1/me/access-keys', { params: { query: { limit: 100 } } }))
    : unwrap(api.admin.GET('/admin/v1/access-keys', { params: { query: { limit: 100 } } }))
}

type AccessKey = Awaited<ReturnType<typeof keysOf>>['items'][number]

function KeyUsage(props: { api: Api; id: string; mine: boolean; round: number }) {
  const state = useLoad(
    () =>
      props.api.usage(
        { accessKey: props.id, mine: props.mine },
        { from: new Date(Date.now() - DAY * 1000).toISOString(), granularity: 'hour' },
      ),
    [props.id, props.round],
  )
  if (state.error) return <span class="muted">usage unavailable</span>
  if (!state.data) return <span class="muted">…</span>
  return <UsageChart usage={state.data} label="Last 24 hours" />
}

function CreateKey(props: { api: Api; mine: boolean; onCreated: (secret: string) => void }) {
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState('')
  const [expiry, setExpiry] = useState(String(90 * DAY))
  const [owner, setOwner] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError('')
    const body = {
      name,
      scopes: splitList(scopes),
      ...(expiry === '0' ? {} : { expires_in: Number(expiry) }),
    }
    try {
      const created = props.mine
        ? await unwrap(props.api.admin.POST('/v1/me/access-keys', { body }))
        : await unwrap(
            props.api.admin.POST('/admin/v1/access-keys', { body: { ...body, ...(owner ? { user_id: owner } : {}) } }),
          )
      setName('')
      setScopes('')
      props.onCreated(created.key ?? '')
    } catch (caught) {
      setError((caught as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="create-key">
      <h2 id="create-key">Create an access key</h2>
      <div class="fields">
        <label>
          Name
          <input name="name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Scopes <span class="hint">space-separated</span>
          <input name="scopes" value={scopes} onInput={(e) => setScopes(e.currentTarget.value)} placeholder="read" />
        </label>
        <label>
          Expires after
          <select name="expires" value={expiry} onChange={(e) => setExpiry(e.currentTarget.value)}>
            {EXPIRIES.map((entry) => (
              <option key={entry.label} value={String(entry.seconds)}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
        {!props.mine && (
          <label>
            Owner (user id) <span class="hint">empty: a service key</span>
            <input name="owner" value={owner} onInput={(e) => setOwner(e.currentTarget.value)} />
          </label>
        )}
      </div>
      <ErrorText message={error} />
      <button type="submit" class="primary" disabled={busy}>
        Create key
      </button>
    </form>
  )
}

export function AccessKeys(props: { api: Api; mine: boolean }) {
  const [round, setRound] = useState(0)
  const state = useLoad(() => keysOf(props.api, props.mine), [props.mine, round])
  const refresh = () => setRound((value) => value + 1)
  const [secret, setSecret] = useState<string>()
  const [revoking, setRevoking] = useState<AccessKey>()
  const revoke = async (key: AccessKey) => {
    if (props.mine)
      await unwrap(props.api.admin.POST('/v1/me/access-keys/{id}/revoke', { params: { path: { id: key.id } } }))
    else await unwrap(props.api.admin.POST('/admin/v1/access-keys/{id}/revoke', { params: { path: { id: key.id } } }))
    state.reload()
  }
  const keys: AccessKey[] = state.data?.items ?? []
  return (
    <>
      <CreateKey
        api={props.api}
        mine={props.mine}
        onCreated={(key) => {
          setSecret(key)
          state.reload()
        }}
      />
      <section aria-labelledby="keys-title">
        <div class="heading">
          <h2 id="keys-title">{props.mine ? 'Your access keys' : 'Access keys'}</h2>
          <button type="button" onClick={refresh}>
            Refresh
          </button>
        </div>
        {state.loading && !state.data && <Loading />}
        <ErrorText message={state.error ?? ''} />
        {state.data && keys.length === 0 && <p class="muted">No access keys yet.</p>}
        {keys.length > 0 && (
          <ScrollRegion label="Access keys (scrolls sideways)">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scopes</th>
                  {!props.mine && <th scope="col">Owner</th>}
                  <th scope="col">Status</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Usage</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.id} data-key-id={key.id}>
                    <td>
                      <strong>{key.name}</strong>
                      <div class="muted mono">{key.id}</div>
                    </td>
                    <td>{key.scopes.join(' ') || '—'}</td>
                    {!props.mine && <td class="mono">{key.user_id ?? 'service'}</td>}
                    <td>
                      <span class={`badge ${key.status}`}>{key.status}</span>
                    </td>
                    <td>{when(key.expires_at, 'never')}</td>
                    <td class="last-used" title={when(key.last_used_at, 'never')}>
                      {relative(key.last_used_at)}
                    </td>
                    <td>
                      <KeyUsage api={props.api} id={key.id} mine={props.mine} round={round} />
                    </td>
                    <td>
                      {key.status === 'active' && (
                        <button type="button" class="danger" onClick={() => setRevoking(key)}>
                          Revoke<span class="visually-hidden"> {key.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </section>
      {secret !== undefined && (
        <SecretOnce
          title="Your new access key"
          label="Access key"
          secret={secret}
          onClose={() => setSecret(undefined)}
        />
      )}
      {revoking && (
        <Confirm
          title="Revoke this access key?"
          message={`“${revoking.name}” stops working at once, and every token obtained with it is refused. This cannot be undone.`}
          action="Revoke key"
          onConfirm={() => revoke(revoking)}
          onClose={() => setRevoking(undefined)}
        />
      )}
    </>
  )
}
