// client_credentials (RFC 6749 §4.4): a confidential client asks for a token for itself. The subject is
// `client:<client_id>`, a namespace no user subject (a UUID) can ever take (RFC 9068 §5); no refresh token.
import { unauthorizedClient } from '../../errors.js'
import { grantScope } from '../scope.js'
import type { Grant } from './grant.js'

export const CLIENT_CREDENTIALS_GRANT = 'client_credentials'

/** Needs no service: the client it is given is all it issues for. */
export const createClientCredentialsGrant = (): Grant => ({
  grantType: CLIENT_CREDENTIALS_GRANT,
  parameters: { required: [], optional: [] },
  async handler({ client, authMethod, scope, audience }) {
    if (client.isPublic || authMethod === 'none')
      throw unauthorizedClient('client_credentials is only for confidential clients')
    return { subject: `client:${client.clientId}`, scope: grantScope(scope, client.scopes, 'this client'), audience }
  },
})
