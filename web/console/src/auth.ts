// Sign-in through Portcullis's own authorization code flow with PKCE, as the first-party public client the server
// registered for itself. The password is typed into the server's login page, never into this app. The tokens
// live in this page's memory only: a reload signs in again (silently while the server's session lasts). The PKCE
// verifier and state must outlive the redirect to the login page and back, so they wait in sessionStorage for
// those seconds and are removed the moment the browser returns; the code in the callback URL is replaced at once.
import { type AuthStrategy, finishAuthorization, startAuthorization } from '@portcullis/client'

export const CLIENT_ID = 'portcullis-console'
const PENDING = 'portcullis-console-pending'

export interface Session {
  issuer: string
  strategy: AuthStrategy
  scopes: Set<string>
}

/** The issuer is the address the console is served under: `<issuer>/console/`. */
export function issuerOf(location: Location): string {
  const at = location.pathname.indexOf('/console')
  return location.origin + (at > 0 ? location.pathname.slice(0, at) : '')
}

const redirectUriOf = (issuer: string) => `${issuer}/console/callback`

/** Starts the flow (the browser leaves) or finishes it (the browser came back); resolves only when signed in. */
export async function signIn(location: Location, history: History): Promise<Session> {
  const issuer = issuerOf(location)
  const redirectUri = redirectUriOf(issuer)
  const pending = sessionStorage.getItem(PENDING)
  sessionStorage.removeItem(PENDING)
  if (location.pathname.endsWith('/console/callback') && pending) {
    const { state, codeVerifier, returnTo } = JSON.parse(pending) as {
      state: string
      codeVerifier: string
      returnTo: string
    }
    const callbackUrl = location.href
    // The code leaves the address bar (and the history) before anything else happens.
    history.replaceState(null, '', returnTo)
    let scope = ''
    const strategy = await finishAuthorization({
      issuer,
      clientId: CLIENT_ID,
      redirectUri,
      callbackUrl,
      state,
      codeVerifier,
      onTokens: (set) => {
        if (set.scope !== undefined) scope = set.scope
      },
    })
    return { issuer, strategy, scopes: new Set(scope.split(' ').filter(Boolean)) }
  }
  const returnTo = location.pathname.endsWith('/console/callback')
    ? `${issuer}/console/`
    : location.pathname + location.search
  const start = await startAuthorization({ issuer, clientId: CLIENT_ID, redirectUri })
  sessionStorage.setItem(PENDING, JSON.stringify({ state: start.state, codeVerifier: start.codeVerifier, returnTo }))
  location.assign(start.url.href)
  return new Promise<never>(() => {})
}

/** Ends the server's sign-in session too (RP-initiated logout), then comes back to the console. */
export function signOutUrl(issuer: string): string {
  const url = new URL(`${issuer}/oauth/logout`)
  url.searchParams.set('client_id', CLIENT_ID)
  url.searchParams.set('post_logout_redirect_uri', `${issuer}/console/`)
  return url.href
}
