// Clients: register (redirect URIs for browser sign-in), the secret shown once, rotate the secret with the old one
// still accepted for a while (overlap), delete with confirmation.
import { useState } from 'preact/hooks'
import { type Api, unwrap } from '../api.ts'
import { Confirm, Dialog, ErrorText, Loading, SecretOnce, splitList, useLoad, when, ScrollRegion } from '../ui.tsx'

const listClients = (api: Api) => unwrap(api.admin.GET('/admin/v1/clients', { params: { query: { limit: 100 } } }))
type Client = Awaited<ReturnType<typeof listClients>>['items'][number]

const GRANTS = ['authorization_code', 'refresh_token', 'client_credentials'] as const
const OVERLAPS = [
  { label: 'None: the old secret stops now', seconds: 0 },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 7 * 86_400 },
]

function CreateClient(props: { api: Api; onCreated: (client: Client, secret: string | null) => void }) {
  const [name, setName] = useState('')
  const [redirects, setRedirects] = useState('')
  const [scopes, setScopes] = useState('')
  const [grants, setGrants] = useState<string[]>(['client_credentials'])
  const [isPublic, setPublic] = useState(false)
  const [error, setError] = useState('')
  const submit = async (event: Event) => {
    event.preventDefault()
    setError('')
    try {
      const created = await unwrap(
        props.api.admin.POST('/admin/v1/clients', {
          body: {
            name,
            grant_types: grants,
            scopes: splitList(scopes),
            redirect_uris: splitList(redirects),
            ...(isPublic ? { public: true } : {}),
          },
        }),
      )
      setName('')
      setRedirects('')
      setScopes('')
      props.onCreated(created, created.client_secret ?? null)
    } catch (caught) {
      setError((caught as Error).message)
    }
  }
  const toggle = (grant: string, on: boolean) =>
    setGrants((current) => (on ? [...current, grant] : current.filter((entry) => entry !== grant)))
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="create-client">
      <h2 id="create-client">Register a client</h2>
      <div class="fields">
        <label>
          Name
          <input name="name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Scopes <span class="hint">space-separated</span>
          <input name="scopes" value={scopes} onInput={(e) => setScopes(e.currentTarget.value)} />
        </label>
        <label class="span">
          Redirect URIs <span class="hint">one per line, for browser sign-in</span>
          <textarea
            name="redirect_uris"
            rows={2}
            value={redirects}
            onInput={(e) => setRedirects(e.currentTarget.value)}
          />
        </label>
        <fieldset>
          <legend>Grant types</legend>
          {GRANTS.map((grant) => (
            <label key={grant} class="check">
              <input
                type="checkbox"
                checked={grants.includes(grant)}
                onChange={(e) => toggle(grant, e.currentTarget.checked)}
              />
              {grant}
            </label>
          ))}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.currentTarget.checked)} />
          Public client (no secret: a browser or native app using PKCE)
        </label>
      </div>
      <ErrorText message={error} />
      <button type="submit" class="primary">
        Register client
      </button>
    </form>
  )
}

function Rotate(props: { api: Api; client: Client; onRotated: (secret: string) => void; onClose: () => void }) {
  const [overlap, setOverlap] = useState('86400')
  const [error, setError] = useState('')
  const submit = async (event: Event) => {
    event.preventDefault()
    try {
      const rotated = await unwrap(
        props.api.admin.POST('/admin/v1/clients/{clientId}/rotate-secret', {
          params: { path: { clientId: props.client.client_id } },
          body: { previous_secret_grace_seconds: Number(overlap) },
        }),
      )
      props.onRotated(rotated.client_secret)
    } catch (caught) {
      setError((caught as Error).message)
    }
  }
  return (
    <Dialog title={`Rotate the secret of ${props.client.name}`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <p>A new secret is issued. Deploy it, then let the old one expire.</p>
        <label for="overlap">The old secret keeps working for</label>
        <select id="overlap" value={overlap} onChange={(e) => setOverlap(e.currentTarget.value)}>
          {OVERLAPS.map((entry) => (
            <option key={entry.seconds} value={String(entry.seconds)}>
              {entry.label}
            </option>
          ))}
        </select>
        <ErrorText message={error} />
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Rotate secret
          </button>
        </div>
      </form>
    </Dialog>
  )
}

export function Clients(props: { api: Api }) {
  const state = useLoad(() => listClients(props.api))
  const [secret, setSecret] = useState<{ title: string; value: string }>()
  const [rotating, setRotating] = useState<Client>()
  const [deleting, setDeleting] = useState<Client>()
  const clients: Client[] = state.data?.items ?? []
  return (
    <>
      <CreateClient
        api={props.api}
        onCreated={(client, value) => {
          state.reload()
          if (value) setSecret({ title: `The secret of ${client.name}`, value })
        }}
      />
      <section aria-labelledby="clients-title">
        <h2 id="clients-title">Clients</h2>
        {state.loading && !state.data && <Loading />}
        <ErrorText message={state.error ?? ''} />
        <ScrollRegion label="Clients (scrolls sideways)">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Grant types</th>
                <th scope="col">Redirect URIs</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {clients.map((client) => (
                <tr key={client.client_id}>
                  <td>
                    <strong>{client.name}</strong>
                    <div class="muted mono">{client.client_id}</div>
                  </td>
                  <td>
                    {client.public ? 'public' : client.token_endpoint_auth_method}
                    {client.first_party && <span class="badge">first party</span>}
                    {client.previous_secret_expires_at && (
                      <div class="muted">old secret until {when(client.previous_secret_expires_at)}</div>
                    )}
                  </td>
                  <td>{client.grant_types.join(', ')}</td>
                  <td class="wrap">{client.redirect_uris.join(' ') || '—'}</td>
                  <td>{when(client.created_at)}</td>
                  <td class="row-actions">
                    {client.token_endpoint_auth_method.startsWith('client_secret') && (
                      <button type="button" onClick={() => setRotating(client)}>
                        Rotate secret<span class="visually-hidden"> of {client.name}</span>
                      </button>
                    )}
                    {client.client_id !== 'portcullis-console' && (
                      <button type="button" class="danger" onClick={() => setDeleting(client)}>
                        Delete<span class="visually-hidden"> {client.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </section>
      {rotating && (
        <Rotate
          api={props.api}
          client={rotating}
          onClose={() => setRotating(undefined)}
          onRotated={(value) => {
            setSecret({ title: `The new secret of ${rotating.name}`, value })
            setRotating(undefined)
            state.reload()
          }}
        />
      )}
      {secret && (
        <SecretOnce
          title={secret.title}
          label="Client secret"
          secret={secret.value}
          onClose={() => setSecret(undefined)}
        />
      )}
      {deleting && (
        <Confirm
          title="Delete this client?"
          message={`“${deleting.name}” can no longer get tokens, and its refresh tokens end. This cannot be undone.`}
          action="Delete client"
          onConfirm={async () => {
            await unwrap(
              props.api.admin.DELETE('/admin/v1/clients/{clientId}', {
                params: { path: { clientId: deleting.client_id } },
              }),
            )
            state.reload()
          }}
          onClose={() => setDeleting(undefined)}
        />
      )}
    </>
  )
}
