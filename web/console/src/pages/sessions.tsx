// Sign-in sessions and consents: end a session, revoke a consent. An operator picks a user; anyone else sees
// their own (/v1/me).
import { useState } from 'preact/hooks'
import { type Api, unwrap } from '../api.ts'
import { ErrorText, Loading, relative, useLoad, when } from '../ui.tsx'

async function load(api: Api, userId: string | undefined) {
  if (userId === undefined) {
    const [sessions, consents] = await Promise.all([
      unwrap(api.admin.GET('/v1/me/sessions', { params: { query: { limit: 100 } } })),
      unwrap(api.admin.GET('/v1/me/consents', { params: { query: { limit: 100 } } })),
    ])
    return { sessions: sessions.items, consents: consents.items }
  }
  const path = { userId }
  const [sessions, consents] = await Promise.all([
    unwrap(api.admin.GET('/admin/v1/users/{userId}/sessions', { params: { path, query: { limit: 100 } } })),
    unwrap(api.admin.GET('/admin/v1/users/{userId}/consents', { params: { path, query: { limit: 100 } } })),
  ])
  return { sessions: sessions.items, consents: consents.items }
}

function UserPicker(props: { api: Api; value: string; onChange: (id: string) => void }) {
  const users = useLoad(() => unwrap(props.api.admin.GET('/admin/v1/users', { params: { query: { limit: 100 } } })))
  return (
    <label class="card form">
      User
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">Choose a user…</option>
        {(users.data?.items ?? []).map((user) => (
          <option key={user.id} value={user.id}>
            {user.username}
          </option>
        ))}
      </select>
    </label>
  )
}

function Lists(props: { api: Api; userId: string | undefined }) {
  const state = useLoad(() => load(props.api, props.userId), [props.userId])
  const [error, setError] = useState('')
  const act = async (call: () => Promise<unknown>) => {
    setError('')
    try {
      await call()
      state.reload()
    } catch (caught) {
      setError((caught as Error).message)
    }
  }
  const userId = props.userId
  const endSession = (sessionId: string) =>
    act(() =>
      userId === undefined
        ? unwrap(props.api.admin.DELETE('/v1/me/sessions/{sessionId}', { params: { path: { sessionId } } }))
        : unwrap(
            props.api.admin.DELETE('/admin/v1/users/{userId}/sessions/{sessionId}', {
              params: { path: { userId, sessionId } },
            }),
          ),
    )
  const revokeConsent = (clientId: string) =>
    act(() =>
      userId === undefined
        ? unwrap(props.api.admin.DELETE('/v1/me/consents/{clientId}', { params: { path: { clientId } } }))
        : unwrap(
            props.api.admin.DELETE('/admin/v1/users/{userId}/consents/{clientId}', {
              params: { path: { userId, clientId } },
            }),
          ),
    )
  if (state.loading && !state.data) return <Loading />
  if (state.error) return <ErrorText message={state.error} />
  const { sessions, consents } = state.data!
  return (
    <>
      <ErrorText message={error} />
      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        {sessions.length === 0 && <p class="muted">No active sessions.</p>}
        <ul class="plain rows">
          {sessions.map((session) => (
            <li key={session.id} class="card row">
              <div>
                <strong>Signed in {when(session.auth_time)}</strong>
                <div class="muted">
                  last seen {relative(session.last_seen_at)}, ends {when(session.expires_at)} · {session.amr.join(', ')}
                </div>
              </div>
              <button type="button" class="danger" onClick={() => endSession(session.id)}>
                End session
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="consents-title">
        <h2 id="consents-title">Consents</h2>
        {consents.length === 0 && <p class="muted">No consents given.</p>}
        <ul class="plain rows">
          {consents.map((consent) => (
            <li key={consent.client_id} class="card row">
              <div>
                <strong class="mono">{consent.client_id}</strong>
                <div class="muted">
                  {consent.scopes.join(' ')} · since {when(consent.created_at)}
                </div>
              </div>
              <button type="button" class="danger" onClick={() => revokeConsent(consent.client_id)}>
                Revoke consent
              </button>
            </li>
          ))}
        </ul>
      </section>
    </>
  )
}

export function Sessions(props: { api: Api; operator: boolean }) {
  const [userId, setUserId] = useState('')
  if (!props.operator) return <Lists api={props.api} userId={undefined} />
  return (
    <>
      <UserPicker api={props.api} value={userId} onChange={setUserId} />
      {userId && <Lists api={props.api} userId={userId} />}
    </>
  )
}
