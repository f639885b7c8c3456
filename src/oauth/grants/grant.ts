// The contract every grant keeps (RFC 6749 §4 and extension grants, §4.5): the token endpoint's steps
// (../token-endpoint.ts) hand a grant an authenticated client and its checked parameters; the grant decides
// what to issue. Each grant module exports a factory taking only the services it uses (Pick<Services, …>).
import type { Client } from '../../store/clients.js'
import type { ClientAuthMethod } from '../client-auth.js'

/** What every grant module's factory builds, once per app, over the services it was given. */
export interface Grant {
  /** The `grant_type` value: a name from RFC 6749, or an absolute URI for an extension grant. */
  readonly grantType: string
  /**
   * The parameters this grant reads, besides the ones the endpoint handles for every grant (grant_type,
   * client_id, client_secret, scope, resource). A missing `required` one is invalid_request before the
   * handler runs; the handler sees only these, and other parameters are ignored (RFC 6749 §3.2).
   */
  readonly parameters: { readonly required: readonly string[]; readonly optional: readonly string[] }
  /** Decides what to issue, or throws an OAuthError. The endpoint signs the access token and answers. */
  handler(request: GrantRequest): Promise<GrantResult>
}

export interface GrantRequest {
  /** The authenticated (or, for a public client, identified) client, already allowed this grant type. */
  client: Client
  authMethod: ClientAuthMethod
  /** The grant's own parameters that were sent (required ones always present). */
  params: Readonly<Record<string, string>>
  /** The requested scope (RFC 6749 §3.3), already checked for syntax; undefined when not sent. */
  scope: readonly string[] | undefined
  /** The audience a `resource` parameter selected (RFC 8707), already checked against the registered ones. */
  resource: string | undefined
  /** The audience to use when the grant has no reason to pick another: `resource`, or the client's default. */
  audience: string
  /** When the request arrived, in milliseconds: the time of everything it issues. */
  now: number
  ip: string
  /**
   * RFC 9449: the thumbprint of the key of the request's valid DPoP proof, when it had one. The access token is
   * bound to it; a grant binds what else it issues (a public client's refresh tokens) or checks what it redeems.
   */
  dpopJkt: string | undefined
  /** Who the request is counted for in the usage statistics (ops/usage.ts); a grant names the access key it used. */
  usage?: TokenUsage
}

/**
 * The client and access key a token request is counted for (ops/usage.ts), filled in as the steps learn them:
 * the endpoint sets the client once authenticated; a grant that uses an access key sets it once it knows the key
 * exists, even when it then refuses it.
 */
export interface TokenUsage {
  clientId?: string
  accessKeyId?: string
}

/**
 * RFC 9449 §5: a refresh token issued to a public client with a DPoP proof is bound to the proof's key (a
 * confidential client's refresh tokens are bound by its authentication already); the new family's field.
 */
export const refreshBinding = (request: GrantRequest): { dpopJkt?: string } =>
  request.client.isPublic && request.dpopJkt !== undefined ? { dpopJkt: request.dpopJkt } : {}

export interface GrantResult {
  /** The access token's `sub`. */
  subject: string
  scope: readonly string[]
  audience: string
  /**
   * The tenant the token speaks for (its `tenant_id`): the client's, which is also its user's or key's. Default:
   * the client's tenant.
   */
  tenantId?: string
  /** The workspace the token is for (`workspace_id`), when the request named one or the key belongs to one. */
  workspaceId?: string
  /** A refresh token to return, when the grant issues one. */
  refreshToken?: string
  /** Extra access-token claims (e.g. `act` for token exchange); never a secret. */
  claims?: Record<string, unknown>
  /** RFC 8693 §2.2.1: the kind of token issued, for grants that say it (token exchange). */
  issuedTokenType?: string
  /** The access token expires no later than this (milliseconds): token exchange, the key's own expiry. */
  notAfter?: number
  /**
   * The browser sign-in the tokens come from (authorization_code grant): what an OpenID Connect ID token
   * (auth_time, nonce, sid) is made from, beside the access token in tokenResponse().
   */
  signIn?: {
    sessionId: string | null
    authTime: Date
    nonce: string | null
    /** The session's authentication methods when the grant has read them (else oauth/id-token.ts reads them). */
    amr?: readonly string[]
  }
}
