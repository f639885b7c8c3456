// The web console (/console) is a client of Portcullis like any other: a first-party public client (no secret,
// PKCE, no consent page) that the server registers for itself at start under a fixed client_id, its redirect URI
// under the issuer's /console/. Kept in step with ISSUER: a changed issuer updates the redirect URI on the next
// start. Its scopes are the ceiling of what a console session can do; a user gets the part they hold. Besides
// its own three, they are the advertised SCOPES: a user creating an access key in the console can give it only
// scopes their console token carries (a narrow token never mints a broader key, routes/me.ts).
import type { Client } from '../store/clients.js'
import { DEFAULT_TENANT_ID } from '../store/index.js'
import { recordChange, type ManageDeps } from './changes.js'
import { type ClientDeps, updateClient } from './clients.js'

export const CONSOLE_CLIENT_ID = 'portcullis-console'
/** admin: the operator pages; keys:write: the user's own access keys; account: their sessions and consents. */
export const CONSOLE_SCOPES = ['admin', 'keys:write', 'account'] as const
const GRANT_TYPES = ['authorization_code', 'refresh_token'] as const
const BY = { actor: 'system:console' } as const

/** The console's address under `issuer` (no trailing slash doubled). */
export function consoleUrl(issuer: string): string {
  // Trailing slashes trimmed by hand: /\/+$/ backtracks quadratically on a long run of slashes.
  let end = issuer.length
  while (end > 0 && issuer[end - 1] === '/') end--
  return `${issuer.slice(0, end)}/console/`
}

/** Where the authorization server sends the browser back with the code. */
export const consoleRedirectUri = (issuer: string): string => `${consoleUrl(issuer)}callback`

/** The console's own scopes and the advertised ones. */
export const consoleScopes = (advertised: readonly string[]): string[] => [
  ...new Set([...CONSOLE_SCOPES, ...advertised]),
]

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((entry, index) => entry === b[index])

/** Registers the console's client, or brings its redirect URI, scopes and grant types back to what they must be. */
export async function ensureConsoleClient(deps: ClientDeps & ManageDeps): Promise<Client> {
  const scopes = consoleScopes(deps.config.scopes)
  const redirectUris = [consoleRedirectUri(deps.config.issuer)]
  const postLogoutRedirectUris = [consoleUrl(deps.config.issuer)]
  // The console is the default tenant's client (created there below; its operators sign in to it).
  const current = await deps.store.clients.findById(DEFAULT_TENANT_ID, CONSOLE_CLIENT_ID)
  if (current === undefined) {
    // Two instances starting at once: one creates it, the other finds it.
    const client = await deps.store.clients
      .create({
        clientId: CONSOLE_CLIENT_ID,
        name: 'Portcullis console',
        secretHash: null,
        grantTypes: GRANT_TYPES,
        scopes,
        redirectUris,
        postLogoutRedirectUris,
        firstParty: true,
      })
      .catch(async (error: unknown) => {
        if (await deps.store.clients.findById(DEFAULT_TENANT_ID, CONSOLE_CLIENT_ID)) return undefined
        throw error
      })
    if (client === undefined) return ensureConsoleClient(deps)
    await recordChange(deps, BY, {
      type: 'client.created',
      subject: CONSOLE_CLIENT_ID,
      details: {
        name: client.name,
        public: true,
        token_endpoint_auth_method: 'none',
        grant_types: client.grantTypes,
        scopes: client.scopes,
        redirect_uris: client.redirectUris,
        first_party: true,
      },
      at: deps.now(),
    })
    return client
  }
  const inStep =
    current.isPublic &&
    current.firstParty &&
    sameList(current.redirectUris, redirectUris) &&
    sameList(current.postLogoutRedirectUris, postLogoutRedirectUris) &&
    sameList(current.scopes, scopes) &&
    sameList(current.grantTypes, GRANT_TYPES)
  if (inStep) return current
  return updateClient(
    deps,
    CONSOLE_CLIENT_ID,
    {
      redirectUris,
      postLogoutRedirectUris,
      scopes,
      grantTypes: [...GRANT_TYPES],
      firstParty: true,
    },
    BY,
  )
}
