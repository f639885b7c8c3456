// The authorization server as oauth4webapi sees it: discovered once per strategy, with the client's authentication.
import * as oauth from 'oauth4webapi'
import { ConfigurationError, OAuthError } from './errors.js'

export interface ServerOptions {
  /** The issuer, exactly as Portcullis names itself (its ISSUER). */
  issuer: string
  /** Replaces the global fetch. */
  fetch?: typeof fetch
  /**
   * Allows http:// to the issuer. On by default for loopback addresses only (127.0.0.1, [::1], localhost: a
   * development server on this machine); anywhere else, tokens must not cross the network in clear.
   */
  allowInsecureRequests?: boolean
  /**
   * Sender-constrained tokens (RFC 9449): `true` makes an ES256 key pair kept in memory for the strategy's life;
   * or pass your own (non-extractable) CryptoKeyPair. Token requests carry a proof, and the API calls of
   * createFetch send `Authorization: DPoP` with a fresh proof each.
   */
  dpop?: boolean | oauth.CryptoKeyPair
}

export interface ClientOptions extends ServerOptions {
  clientId: string
  /** For a confidential client; a public client (a browser app, a CLI) has none. */
  clientSecret?: string
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost'])

export interface Server {
  as(): Promise<oauth.AuthorizationServer>
  client: oauth.Client
  auth: oauth.ClientAuth
  /** Options for every oauth4webapi request. */
  options: { [oauth.customFetch]?: typeof fetch; [oauth.allowInsecureRequests]?: boolean }
  /** The DPoP handle (made once), when the strategy uses DPoP. */
  dpop?: () => Promise<oauth.DPoPHandle>
}

export function createServer(options: ClientOptions): Server {
  if (!options.issuer) throw new ConfigurationError('issuer is required')
  if (!options.clientId) throw new ConfigurationError('clientId is required')
  const issuer = new URL(options.issuer)
  const insecure = options.allowInsecureRequests ?? (issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname))
  const requestOptions = {
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
  }
  let metadata: Promise<oauth.AuthorizationServer> | undefined
  const as = () =>
    (metadata ??= (async () => {
      const response = await oauth.discoveryRequest(issuer, { ...requestOptions, algorithm: 'oauth2' })
      return oauth.processDiscoveryResponse(issuer, response)
    })().catch((error) => {
      metadata = undefined
      throw error
    }))
  const client: oauth.Client = { client_id: options.clientId }
  return {
    as,
    client,
    auth: options.clientSecret ? oauth.ClientSecretBasic(options.clientSecret) : oauth.None(),
    options: requestOptions,
    ...(options.dpop ? { dpop: dpopHandle(client, options.dpop) } : {}),
  }
}

function dpopHandle(client: oauth.Client, keys: true | oauth.CryptoKeyPair): () => Promise<oauth.DPoPHandle> {
  let handle: Promise<oauth.DPoPHandle> | undefined
  return () =>
    (handle ??= (async () => oauth.DPoP(client, keys === true ? await oauth.generateKeyPair('ES256') : keys))())
}

/** oauth4webapi's error for an RFC 6749 §5.2 answer, as ours; anything else as it is. */
export function translate(error: unknown): unknown {
  if (error instanceof oauth.ResponseBodyError)
    return new OAuthError(error.error, error.error_description, error.status, { cause: error })
  return error
}
