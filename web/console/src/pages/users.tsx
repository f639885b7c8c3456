// Users: create, disable or enable, set a password, change scopes.
import { useState } from 'preact/hooks'
import { type Api, unwrap } from '../api.ts'
import { Dialog, ErrorText, Loading, splitList, useLoad, when, ScrollRegion } from '../ui.tsx'

const listUsers = (api: Api) => unwrap(api.admin.GET('/admin/v1/users', { params: { query: { limit: 100 } } }))
type User = Awaited<ReturnType<typeof listUsers>>['items'][number]

function CreateUser(props: { api: Api; onCreated: () => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [scopes, setScopes] = useState('')
  const [error, setError] = useState('')
  const submit = async (event: Event) => {
    event.preventDefault()
    setError('')
    try {
      await unwrap(props.api.admin.POST('/admin/v1/users', { body: { username, password, scopes: splitList(scopes) } }))
      setUsername('')
      setPassword('')
      setScopes('')
      props.onCreated()
    } catch (caught) {
      setError((caught as Error).message)
    }
  }
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="create-user">
      <h2 id="create-user">Create a user</h2>
      <div class="fields">
        <label>
          Username
          <input
            name="username"
            required
            autocomplete="off"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            required
            autocomplete="new-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <label>
          Scopes <span class="hint">space-separated</span>
          <input name="scopes" value={scopes} onInput={(e) => setScopes(e.currentTarget.value)} />
        </label>
      </div>
      <ErrorText message={error} />
      <button type="submit" class="primary">
        Create user
      </button>
    </form>
  )
}

function EditUser(props: { api: Api; user: User; field: 'password' | 'scopes'; onDone: () => void }) {
  const [value, setValue] = useState(props.field === 'scopes' ? props.user.scopes.join(' ') : '')
  const [error, setError] = useState('')
  const submit = async (event: Event) => {
    event.preventDefault()
    const path = { userId: props.user.id }
    try {
      if (props.field === 'password')
        await unwrap(
          props.api.admin.PUT('/admin/v1/users/{userId}/password', { params: { path }, body: { password: value } }),
        )
      else
        await unwrap(
          props.api.admin.PATCH('/admin/v1/users/{userId}', { params: { path }, body: { scopes: splitList(value) } }),
        )
      props.onDone()
    } catch (caught) {
      setError((caught as Error).message)
    }
  }
  const title =
    props.field === 'password' ? `Set the password of ${props.user.username}` : `Scopes of ${props.user.username}`
  return (
    <Dialog title={title} onClose={props.onDone}>
      <form onSubmit={submit}>
        <label for="edit-value">{props.field === 'password' ? 'New password' : 'Scopes (space-separated)'}</label>
        <input
          id="edit-value"
          type={props.field === 'password' ? 'password' : 'text'}
          autocomplete={props.field === 'password' ? 'new-password' : 'off'}
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <ErrorText message={error} />
        <div class="actions">
          <button type="button" onClick={props.onDone}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Save
          </button>
        </div>
      </form>
    </Dialog>
  )
}

export function Users(props: { api: Api }) {
  const state = useLoad(() => listUsers(props.api))
  const [editing, setEditing] = useState<{ user: User; field: 'password' | 'scopes' }>()
  const [error, setError] = useState('')
  const users: User[] = state.data?.items ?? []
  const setDisabled = async (user: User, disabled: boolean) => {
    setError('')
    try {
      await unwrap(
        props.api.admin.PATCH('/admin/v1/users/{userId}', {
          params: { path: { userId: user.id } },
          body: { disabled },
        }),
      )
      state.reload()
    } catch (caught) {
      setError((caught as Error).message)
    }
  }
  return (
    <>
      <CreateUser api={props.api} onCreated={state.reload} />
      <section aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        {state.loading && !state.data && <Loading />}
        <ErrorText message={state.error ?? error} />
        <ScrollRegion label="Users (scrolls sideways)">
          <table>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Scopes</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id}>
                  <td>
                    <strong>{user.username}</strong>
                    <div class="muted mono">{user.id}</div>
                  </td>
                  <td>{user.scopes.join(' ') || '—'}</td>
                  <td>
                    <span class={`badge ${user.disabled ? 'revoked' : 'active'}`}>
                      {user.disabled ? 'disabled' : 'active'}
                    </span>
                  </td>
                  <td>{when(user.created_at)}</td>
                  <td class="row-actions">
                    <button type="button" onClick={() => setEditing({ user, field: 'scopes' })}>
                      Scopes<span class="visually-hidden"> of {user.username}</span>
                    </button>
                    <button type="button" onClick={() => setEditing({ user, field: 'password' })}>
                      Set password<span class="visually-hidden"> of {user.username}</span>
                    </button>
                    <button
                      type="button"
                      class={user.disabled ? '' : 'danger'}
                      onClick={() => setDisabled(user, !user.disabled)}
                    >
                      {user.disabled ? 'Enable' : 'Disable'}
                      <span class="visually-hidden"> {user.username}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </section>
      {editing && (
        <EditUser
          api={props.api}
          user={editing.user}
          field={editing.field}
          onDone={() => {
            setEditing(undefined)
            state.reload()
          }}
        />
      )}
    </>
  )
}
