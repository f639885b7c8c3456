// Signing keys: each key's lifecycle as a timeline (created → signing → retired → removed, or revoked), start a
// rotation, revoke a key with a typed confirmation (its kid).
import { useState } from 'preact/hooks'
import { type Api, unwrap } from '../api.ts'
import { Confirm, ErrorText, Loading, relative, useLoad, when } from '../ui.tsx'

const listKeys = (api: Api) => unwrap(api.admin.GET('/admin/v1/signing-keys', { params: { query: { limit: 50 } } }))
type SigningKey = Awaited<ReturnType<typeof listKeys>>['items'][number]

function Timeline(props: { signingKey: SigningKey }) {
  const key = props.signingKey
  const now = Date.now()
  const steps = [
    { label: 'Published', at: key.created_at },
    { label: 'Signs', at: key.activates_at },
    ...(key.revoked_at
      ? [{ label: 'Revoked', at: key.revoked_at }]
      : [
          { label: 'Retires', at: key.retires_at },
          { label: 'Removed', at: key.removes_at },
        ]),
  ]
  return (
    <ol class="timeline" aria-label={`Lifecycle of ${key.kid}`}>
      {steps.map((step) => (
        <li key={step.label} class={step.at && new Date(step.at).getTime() <= now ? 'done' : 'later'}>
          <span class="step">{step.label}</span>
          <span class="muted">{step.at ? `${when(step.at)} (${relative(step.at)})` : 'not scheduled'}</span>
        </li>
      ))}
    </ol>
  )
}

export function SigningKeys(props: { api: Api }) {
  const state = useLoad(() => listKeys(props.api))
  const [message, setMessage] = useState('')
  const [error, setError] = useState('')
  const [revoking, setRevoking] = useState<SigningKey>()
  const rotate = async (immediate: boolean) => {
    setError('')
    try {
      const result = await unwrap(props.api.admin.POST('/admin/v1/signing-keys/rotate', { body: { immediate } }))
      setMessage(
        result.changed
          ? `Rotation started: ${result.key?.kid ?? 'a new key'} ${immediate ? 'signs now' : 'is published and signs later'}.`
          : 'Nothing changed: a rotation is already under way.',
      )
      state.reload()
    } catch (caught) {
      setError((caught as Error).message)
    }
  }
  const keys: SigningKey[] = state.data?.items ?? []
  return (
    <>
      <section class="card" aria-labelledby="rotate-title">
        <h2 id="rotate-title">Rotate</h2>
        <p class="muted">
          A new key is published at once and signs after the pre-publication delay, so verifiers have fetched it first.
          “Rotate now” makes it sign at once.
        </p>
        <div class="actions start">
          <button type="button" class="primary" onClick={() => rotate(false)}>
            Start a rotation
          </button>
          <button type="button" onClick={() => rotate(true)}>
            Rotate now
          </button>
        </div>
        {message && (
          <p role="status" class="success">
            {message}
          </p>
        )}
        <ErrorText message={error} />
      </section>
      <section aria-labelledby="signing-title">
        <h2 id="signing-title">Signing keys</h2>
        {state.loading && !state.data && <Loading />}
        <ErrorText message={state.error ?? ''} />
        <ul class="plain keys">
          {keys.map((key) => (
            <li key={key.kid} class="card" data-kid={key.kid}>
              <div class="heading">
                <h3 class="mono">{key.kid}</h3>
                <span class={`badge ${key.state}`}>{key.state}</span>
              </div>
              <p class="muted">
                {key.alg}, generation {key.generation}
              </p>
              <Timeline signingKey={key} />
              {(key.state === 'active' || key.state === 'next' || key.state === 'retired') && (
                <button type="button" class="danger" onClick={() => setRevoking(key)}>
                  Revoke<span class="visually-hidden"> {key.kid}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      {revoking && (
        <Confirm
          title="Revoke this signing key?"
          message="Every token it signed is refused at once and it leaves the JWKS; if it is the signing key, the next one takes over now."
          action="Revoke signing key"
          typed={revoking.kid}
          onConfirm={async () => {
            await unwrap(
              props.api.admin.POST('/admin/v1/signing-keys/{kid}/revoke', { params: { path: { kid: revoking.kid } } }),
            )
            state.reload()
          }}
          onClose={() => setRevoking(undefined)}
        />
      )}
    </>
  )
}
