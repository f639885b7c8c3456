// A whole Client as the store returns it (src/store/clients.ts), for unit tests that stand in for the store:
// a confidential client_credentials client with no keys, dated at `createdAt`, changed by `overrides`.
import type { Client } from '../../src/store/clients.ts'

export function clientRow(overrides: Partial<Client> & Pick<Client, 'clientId'>, createdAt = new Date(0)): Client {
  return {
    name: overrides.clientId,
    secretHash: 'x',
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    isPublic: false,
    dpopBoundAccessTokens: false,
    grantTypes: ['client_credentials'],
    scopes: ['read'],
    audiences: [],
    redirectUris: [],
    postLogoutRedirectUris: [],
    firstParty: false,
    allowedOrigins: [],
    accessTokenSigningAlg: null,
    idTokenSignedResponseAlg: null,
    jwks: null,
    jwksUri: null,
    tokenEndpointAudience: false,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  }
}
