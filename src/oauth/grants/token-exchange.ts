// RFC 8693 token exchange: an access key (the subject token) is exchanged for a short-lived RFC 9068 access
// token, so resource servers verify key holders locally with the JWKS like every other caller.
//
// subject_token_type urn:portcullis:params:oauth:token-type:access_key (ours: RFC 8693 §3 lets a server
// define its own token type URIs). The token's `sub` is the key's owner, or `access_key:<id>` for a service
// key; its scope is the key's within the client's registered scopes (as for every grant: the client may not
// hold through a key what it may not hold itself), or a narrower `scope`, a wider one being invalid_scope. It expires after ACCESS_TOKEN_TTL, or with the key when
// that comes first, so a short-lived key cannot be stretched by exchanging it. Revoking the key does not
// recall tokens already exchanged: they expire after ACCESS_TOKEN_TTL.
import type { Services } from '../../services.js'
import type { Grant } from './grant.js'
import { invalidRequest, invalidTarget } from '../../errors.js'
import { grantScope, intersectScopes } from '../scope.js'
import { tenantOf } from '../../store/clients.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ACCESS_KEY_TOKEN_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'
export const ACCESS_TOKEN_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt'

/** Verifies the subject token with this app's access-key verifier, against the configured audiences. */
export const createTokenExchangeGrant = (deps: Pick<Services, 'config' | 'accessKeys' | 'store'>): Grant => ({
  grantType: TOKEN_EXCHANGE_GRANT,
  parameters: {
    required: ['subject_token', 'subject_token_type'],
    optional: ['audience', 'requested_token_type', 'actor_token', 'actor_token_type', 'workspace'],
  },

  async handler({ client, params, scope, resource, audience, usage }) {
    // RFC 8693 §2.2.2: a subject token of an unsupported type, or that is invalid, is invalid_request.
    if (params.subject_token_type !== ACCESS_KEY_TOKEN_TYPE)
      throw invalidRequest(`subject_token_type must be ${ACCESS_KEY_TOKEN_TYPE}`)
    const requested = params.requested_token_type
    if (requested !== undefined && requested !== ACCESS_TOKEN_TOKEN_TYPE && requested !== JWT_TOKEN_TYPE) {
      throw invalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TOKEN_TYPE}`)
    }
    // Delegation (§1.1) would need a policy for who may act for whom; an access key is used by whoever holds it.
    if (params.actor_token !== undefined || params.actor_token_type !== undefined)
      throw invalidRequest('actor_token is not supported')

    const key = await deps.accessKeys.verify(params.subject_token!)
    const keyId = key.ok ? key.key.id : key.keyId
    if (usage && keyId !== undefined) usage.accessKeyId = keyId
    // A key of another tenant is as unknown to this client as a key that does not exist.
    if (!key.ok || key.key.tenantId !== tenantOf(client))
      throw invalidRequest('subject_token is not a valid access key (unknown, expired or revoked)')
    // A key acts in its own workspace only: naming another is refused, never a switch.
    if (params.workspace !== undefined) {
      const named = await deps.store.tenants.workspaces.find(key.key.tenantId, params.workspace)
      if (!named || named.id !== key.key.workspaceId)
        throw invalidTarget('this access key does not belong to the named workspace')
    }

    const target = selectAudience(params.audience, resource, audience, deps.config.audiences, client.audiences)
    grantScope(scope, client.scopes, 'this client')
    const granted = grantScope(scope, intersectScopes(key.scopes, client.scopes), 'this access key')

    return {
      subject: key.sub,
      scope: granted,
      audience: target,
      claims: key.owner ? { access_key_id: key.key.id, username: key.owner.username } : { access_key_id: key.key.id },
      issuedTokenType: ACCESS_TOKEN_TOKEN_TYPE,
      tenantId: key.key.tenantId,
      ...(key.key.workspaceId === null ? {} : { workspaceId: key.key.workspaceId }),
      ...(key.key.expiresAt ? { notAfter: key.key.expiresAt.getTime() } : {}),
    }
  },
})

/**
 * `audience` (RFC 8693 §2.1) names the target like `resource` does (RFC 8707); both must be registered
 * audiences this client may use, and agree when both are sent.
 */
function selectAudience(
  requested: string | undefined,
  resource: string | undefined,
  fallback: string,
  registered: readonly string[],
  clientAudiences: readonly string[],
): string {
  if (requested === undefined) return fallback
  if (!registered.includes(requested) || (clientAudiences.length > 0 && !clientAudiences.includes(requested))) {
    throw invalidTarget(`the audience ${JSON.stringify(requested.slice(0, 200))} is not registered for this client`)
  }
  if (resource !== undefined && resource !== requested)
    throw invalidTarget('audience and resource name different targets')
  return requested
}
