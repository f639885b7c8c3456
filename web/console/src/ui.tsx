// Small building blocks: modal dialogs (native <dialog>: focus kept inside, Escape closes), the one-time secret
// dialog, a typed confirmation, status messages, and date formatting.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
    return () => dialog?.close()
  }, [])
  return (
    <dialog ref={ref} aria-labelledby="dialog-title" onClose={props.onClose} onCancel={props.onClose}>
      <h2 id="dialog-title">{props.title}</h2>
      {props.children}
    </dialog>
  )
}

/** A secret shown once: copy button, warning, never stored anywhere but this dialog's DOM while it is open. */
export function SecretOnce(props: { title: string; label: string; secret: string; onClose: () => void }) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret)
      setCopied(true)
    } catch {
      const input = document.getElementById('secret-value') as HTMLInputElement | null
      input?.select()
    }
  }
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <p class="warning" role="alert">
        Copy it now: it is shown this once and cannot be read again. Store it in a secret manager.
      </p>
      <label for="secret-value">{props.label}</label>
      <div class="secret">
        <input id="secret-value" readOnly value={props.secret} spellcheck={false} autocomplete="off" />
        <button type="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <div class="actions">
        <button type="button" class="primary" onClick={props.onClose}>
          I have stored it
        </button>
      </div>
    </Dialog>
  )
}

/** Asks before a destructive action; `typed`: the confirmation text the user must type (e.g. a key id). */
export function Confirm(props: {
  title: string
  message: string
  action: string
  typed?: string
  onConfirm: () => Promise<void>
  onClose: () => void
}) {
  const [text, setText] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const ready = props.typed === undefined || text === props.typed
  const submit = async (event: Event) => {
    event.preventDefault()
    if (!ready) return
    setBusy(true)
    try {
      await props.onConfirm()
      props.onClose()
    } catch (caught) {
      setError((caught as Error).message)
      setBusy(false)
    }
  }
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit}>
        <p>{props.message}</p>
        {props.typed !== undefined && (
          <>
            <label for="confirm-text">
              Type <code>{props.typed}</code> to confirm
            </label>
            <input
              id="confirm-text"
              value={text}
              autocomplete="off"
              onInput={(event) => setText(event.currentTarget.value)}
            />
          </>
        )}
        <ErrorText message={error} />
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={!ready || busy}>
            {props.action}
          </button>
        </div>
      </form>
    </Dialog>
  )
}

export function ErrorText(props: { message: string }) {
  return props.message ? (
    <p class="error" role="alert">
      {props.message}
    </p>
  ) : null
}

export function Loading() {
  return (
    <p role="status" class="muted">
      Loading…
    </p>
  )
}

const formatter = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
export const when = (value: string | null | undefined, none = '—') => (value ? formatter.format(new Date(value)) : none)

/** "3 h ago", "in 2 d". */
export function relative(value: string | null | undefined, now = Date.now(), none = 'never'): string {
  if (!value) return none
  const seconds = Math.round((new Date(value).getTime() - now) / 1000)
  const abs = Math.abs(seconds)
  const [amount, unit] =
    abs < 60
      ? [abs, 's']
      : abs < 3600
        ? [Math.round(abs / 60), 'min']
        : abs < 86400
          ? [Math.round(abs / 3600), 'h']
          : [Math.round(abs / 86400), 'd']
  if (abs < 5) return 'just now'
  return seconds < 0 ? `${amount} ${unit} ago` : `in ${amount} ${unit}`
}

/** Runs an async loader and keeps its result, its error and a reload. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true })
  const [round, setRound] = useState(0)
  useEffect(() => {
    let live = true
    setState((previous) => ({ ...previous, loading: true }))
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error: error.message, loading: false }),
    )
    return () => {
      live = false
    }
  }, [...deps, round])
  return { ...state, reload: () => setRound((value) => value + 1) }
}

export const splitList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter(Boolean)

/** A table's frame that scrolls sideways on a narrow screen: a labelled region, reachable by keyboard to scroll. */
export function ScrollRegion(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must be reachable by keyboard (WCAG 2.1.1)
    <section class="table-wrap" tabIndex={0} aria-label={props.label}>
      {props.children}
    </section>
  )
}
