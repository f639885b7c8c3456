// Every scenario, in the order a full run measures them (cheap and read-only first, the bcrypt storms last).
import { introspectAccessKey, introspectJwt, revoke } from './introspection.ts'
import { jwks } from './jwks.ts'
import { mixed } from './mixed.ts'
import { password } from './password.ts'
import {
  authorizationCode,
  clientCredentials,
  clientCredentialsEdDsa,
  clientCredentialsEs256,
  clientCredentialsPrivateKeyJwt,
  clientCredentialsPs256,
  refreshToken,
  tokenExchange,
  tokenExchangeEdDsa,
  tokenExchangeEs256,
  tokenExchangePs256,
} from './token.ts'
import { clientCredentialsDpop } from './dpop.ts'
import type { Scenario } from './types.ts'
import { verifier } from './verifier.ts'

export const scenarios: readonly Scenario[] = [
  jwks,
  clientCredentials,
  clientCredentialsEs256,
  clientCredentialsEdDsa,
  clientCredentialsPs256,
  clientCredentialsDpop,
  clientCredentialsPrivateKeyJwt,
  tokenExchange,
  tokenExchangeEs256,
  tokenExchangeEdDsa,
  tokenExchangePs256,
  introspectJwt,
  introspectAccessKey,
  verifier,
  refreshToken,
  authorizationCode,
  revoke,
  password,
  mixed,
]
