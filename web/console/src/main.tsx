// The console: signs in (auth.ts), then shows the operator pages to a user holding `admin`, and their own access
// keys, sessions and consents to anyone else. Pages are addresses under /console/ (history API, no reloads).
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { type Api, createApi } from './api.ts'
import { type Session, signIn, signOutUrl } from './auth.ts'
import { AccessKeys } from './pages/access-keys.tsx'
import { Audit } from './pages/audit.tsx'
import { Clients } from './pages/clients.tsx'
import { Overview } from './pages/overview.tsx'
import { Sessions } from './pages/sessions.tsx'
import { SigningKeys } from './pages/signing-keys.tsx'
import { Users } from './pages/users.tsx'

interface Page {
  path: string
  title: string
  view: (api: Api) => preact.JSX.Element
}

function pagesFor(session: Session): Page[] {
  if (session.scopes.has('admin'))
    return [
      { path: '', title: 'Overview', view: (api) => <Overview api={api} /> },
      { path: 'clients', title: 'Clients', view: (api) => <Clients api={api} /> },
      { path: 'users', title: 'Users', view: (api) => <Users api={api} /> },
      { path: 'access-keys', title: 'Access keys', view: (api) => <AccessKeys api={api} mine={false} /> },
      { path: 'signing-keys', title: 'Signing keys', view: (api) => <SigningKeys api={api} /> },
      { path: 'audit', title: 'Audit log', view: (api) => <Audit api={api} /> },
      { path: 'sessions', title: 'Sessions', view: (api) => <Sessions api={api} operator /> },
    ]
  const pages: Page[] = []
  if (session.scopes.has('keys:write'))
    pages.push({ path: '', title: 'My access keys', view: (api) => <AccessKeys api={api} mine /> })
  if (session.scopes.has('account'))
    pages.push({
      path: pages.length === 0 ? '' : 'sessions',
      title: 'Sessions and consents',
      view: (api) => <Sessions api={api} operator={false} />,
    })
  return pages
}

const base = (session: Session) => `${new URL(session.issuer).pathname.replace(/\/$/, '')}/console/`
const currentPath = (session: Session) => location.pathname.slice(base(session).length).replace(/\/$/, '')

function App(props: { session: Session }) {
  const { session } = props
  const [api] = useState(() => createApi(session))
  const [path, setPath] = useState(() => currentPath(session))
  const pages = pagesFor(session)
  const page = pages.find((entry) => entry.path === path) ?? pages[0]
  useEffect(() => {
    const back = () => setPath(currentPath(session))
    addEventListener('popstate', back)
    return () => removeEventListener('popstate', back)
  }, [])
  useEffect(() => {
    document.title = page ? `${page.title} · Portcullis` : 'Portcullis'
    document.getElementById('main')?.focus({ preventScroll: true })
  }, [page?.path])
  const go = (event: MouseEvent, target: string) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return
    event.preventDefault()
    history.pushState(null, '', base(session) + target)
    setPath(target)
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Portcullis</span>
        <nav aria-label="Console">
          <ul>
            {pages.map((entry) => (
              <li key={entry.path}>
                <a
                  href={base(session) + entry.path}
                  aria-current={entry === page ? 'page' : undefined}
                  onClick={(event) => go(event, entry.path)}
                >
                  {entry.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <a class="signout" href={signOutUrl(session.issuer)}>
          Sign out
        </a>
      </header>
      <main id="main" tabIndex={-1}>
        {page ? (
          <>
            <h1>{page.title}</h1>
            {page.view(api)}
          </>
        ) : (
          <>
            <h1>Nothing to show</h1>
            <p>This account holds none of the scopes the console uses (admin, keys:write, account).</p>
          </>
        )}
      </main>
    </>
  )
}

const root = document.getElementById('app')!
signIn(location, history).then(
  (session) => {
    root.textContent = ''
    render(<App session={session} />, root)
  },
  (error: Error) => {
    root.textContent = ''
    const main = document.createElement('main')
    const title = document.createElement('h1')
    title.textContent = 'Sign-in failed'
    const text = document.createElement('p')
    text.textContent = error.message
    const again = document.createElement('a')
    again.href = './'
    again.textContent = 'Try again'
    main.append(title, text, again)
    root.append(main)
  },
)
