// RFC 8414: the authorization server's metadata, fetched once (and again after a failure) per verifier. A server
// that cannot be reached (or answers 5xx) is an outage (UnavailableError: 503); any other bad answer is this
// verifier's configuration (a wrong issuer), a plain Error.
import { UnavailableError } from './errors.js'

export interface ServerMetadata {
  issuer: string
  jwks_uri: string
  introspection_endpoint?: string
}

export async function discover(issuer: string, fetchImpl: typeof fetch): Promise<ServerMetadata> {
  const url = new URL(issuer)
  // §3.1: the well-known segment goes between the host and the issuer's path.
  const path = url.pathname.replace(/\/$/, '')
  url.pathname = `/.well-known/oauth-authorization-server${path}`
  const unavailable = (cause: unknown) =>
    new UnavailableError(
      "the token cannot be verified now: the authorization server's metadata (discovery) could not be fetched",
      cause,
    )
  let response: Response
  try {
    response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) })
  } catch (error) {
    throw unavailable(error)
  }
  if (response.status >= 500) throw unavailable(new Error(`discovery at ${url.href} answered ${response.status}`))
  if (!response.ok) throw new Error(`discovery at ${url.href} answered ${response.status}`)
  const metadata = (await response.json()) as Partial<ServerMetadata>
  // §3.3: the metadata's issuer must be the one we asked for, or it could vouch for another server's keys.
  if (metadata.issuer !== issuer)
    throw new Error(`discovery at ${url.href} names the issuer ${metadata.issuer}, not ${issuer}`)
  if (typeof metadata.jwks_uri !== 'string') throw new Error(`discovery at ${url.href} has no jwks_uri`)
  return metadata as ServerMetadata
}
