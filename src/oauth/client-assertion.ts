// private_key_jwt client authentication (RFC 7523 §2.2 and §3, RFC 7521 §4.2, OpenID Connect Core §9): the
// client signs a short-lived JWT with a private key that never leaves it; we verify it with the public keys it
// registered (oauth/client-keys.ts) and the shared rules of security/jwt-assertion.ts. Its `aud` is the
// issuer identifier as one string, or the token endpoint URL for a client registered for it (older OpenID
// Connect clients send that). Every failure answers invalid_client with nothing more; why goes to the log.
import type { FastifyRequest } from 'fastify'
import { decodeJwt } from 'jose'
import type { Config } from '../config.js'
import { invalidClient } from '../errors.js'
import { AssertionError, verifyJwtAssertion } from '../security/jwt-assertion.js'
import type { Services } from '../services.js'
import { authMethodOf, type Client } from '../store/clients.js'
import type { ClientLookup } from './client-cache.js'

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export type ClientAssertionServices = Pick<Services, 'clients' | 'config' | 'replayCache' | 'clientKeys' | 'now'>

const FAILED = 'client authentication failed'

/** The token endpoint's URL, as discovery publishes it. */
export const tokenEndpointUrl = (config: Pick<Config, 'issuer'>) => `${config.issuer}/oauth/token`

/** Refuses with invalid_client, the reason in the log only. */
export function refuseAssertion(request: FastifyRequest, clientId: string | undefined, reason: string): never {
  request.log.info({ clientId, reason }, 'client assertion refused')
  throw invalidClient(FAILED)
}

/**
 * The client an assertion claims to be (its `sub`, which must equal its `iss`), read before any verification:
 * only to find whose keys verify it.
 */
export function assertedClientId(request: FastifyRequest, assertion: string): string {
  let claims: ReturnType<typeof decodeJwt>
  try {
    claims = decodeJwt(assertion)
  } catch (err) {
    return refuseAssertion(request, undefined, `client_assertion is not a JWT: ${(err as Error).message}`)
  }
  if (typeof claims.sub !== 'string' || claims.sub === '')
    return refuseAssertion(request, undefined, 'client_assertion has no sub')
  if (claims.iss !== claims.sub) return refuseAssertion(request, claims.sub, 'client_assertion iss differs from sub')
  return claims.sub
}

async function verifyWith(deps: ClientAssertionServices, client: Client, assertion: string): Promise<void> {
  const getKey = deps.clientKeys.resolverOf(client)
  if (!getKey) throw new AssertionError('the client has no registered keys')
  const { issuer } = deps.config
  await verifyJwtAssertion(assertion, {
    getKey,
    issuer: client.clientId,
    subject: client.clientId,
    audience: client.tokenEndpointAudience ? [issuer, tokenEndpointUrl(deps.config)] : issuer,
    clockSkewSeconds: deps.config.clockSkew,
    replay: { cache: deps.replayCache, namespace: 'client_assertion' },
    now: deps.now,
  })
}

const sameKeys = (a: Client, b: Client) => a.jwksUri === b.jwksUri && JSON.stringify(a.jwks) === JSON.stringify(b.jwks)

/**
 * Verifies the assertion of the client `found` (looked up by assertedClientId) and returns the client.
 * A cached client whose assertion fails is read again, and verified again if its keys changed meanwhile (a
 * rotation made elsewhere is accepted at once, as a rotated secret is).
 */
export async function authenticateWithAssertion(
  request: FastifyRequest,
  deps: ClientAssertionServices,
  clientId: string,
  found: ClientLookup,
  assertion: string,
): Promise<Client> {
  let client = found.client
  if (!client) return refuseAssertion(request, clientId, 'no such client')
  for (let attempt = 0; ; attempt++) {
    if (authMethodOf(client) !== 'private_key_jwt')
      return refuseAssertion(request, clientId, 'the client is not registered for private_key_jwt')
    try {
      await verifyWith(deps, client, assertion)
      return client
    } catch (err) {
      if (!(err instanceof AssertionError)) throw err
      const current = attempt === 0 && found.fromCache ? await deps.clients.reload(clientId) : undefined
      if (!current || sameKeys(current, client)) return refuseAssertion(request, clientId, err.reason)
      client = current
    }
  }
}
