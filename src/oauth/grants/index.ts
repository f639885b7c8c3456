// The grant types the token endpoint knows (RFC 6749 §4 and extensions), one module each, one contract
// (grant.ts). Adding a grant is one module and one line in GRANTS below.
import type { Services } from '../../services.js'
import { AUTHORIZATION_CODE_GRANT, createAuthorizationCodeGrant } from './authorization-code.js'
import { CLIENT_CREDENTIALS_GRANT, createClientCredentialsGrant } from './client-credentials.js'
import type { Grant } from './grant.js'
import { createJwtBearerGrant, JWT_BEARER_GRANT } from './jwt-bearer.js'
import { createPasswordGrant, PASSWORD_GRANT } from './password.js'
import { createRefreshTokenGrant, REFRESH_TOKEN_GRANT } from './refresh-token.js'
import { createTokenExchangeGrant, TOKEN_EXCHANGE_GRANT } from './token-exchange.js'

/** The services the grants use between them; each factory takes only its own share. */
export type GrantServices = Pick<
  Services,
  'config' | 'store' | 'now' | 'passwords' | 'loginWaiters' | 'revocations' | 'masterKey' | 'accessKeys' | 'replayCache'
>

type GrantFactory = (services: GrantServices) => Grant

/** grant_type → its grant's factory. An unknown grant type is unsupported_grant_type. */
export const GRANTS: ReadonlyMap<string, GrantFactory> = new Map<string, GrantFactory>([
  [PASSWORD_GRANT, createPasswordGrant],
  [REFRESH_TOKEN_GRANT, createRefreshTokenGrant],
  [CLIENT_CREDENTIALS_GRANT, createClientCredentialsGrant],
  [TOKEN_EXCHANGE_GRANT, createTokenExchangeGrant],
  [AUTHORIZATION_CODE_GRANT, createAuthorizationCodeGrant],
  [JWT_BEARER_GRANT, createJwtBearerGrant],
])

/** The grant types the token endpoint knows, in the order above: what clients may be registered for. */
export const GRANT_TYPES: readonly string[] = [...GRANTS.keys()]

/** This app's grants, built once over its services: grant_type → grant. */
export function createGrants(services: GrantServices): ReadonlyMap<string, Grant> {
  return new Map([...GRANTS].map(([grantType, create]) => [grantType, create(services)]))
}
