// RFC 7523 §2.1, the JWT bearer grant, for key-pair access keys: the holder signs an assertion with the key's
// private key and gets a short-lived RFC 9068 access token, so the key's secret never travels (it has none).
//
// The assertion: iss = sub = the access key's id, aud = the issuer identifier as one string (never an array,
// nor the token endpoint URL: draft-ietf-oauth-rfc7523bis), exp at most 5 minutes ahead, a jti accepted once
// until it expires on every instance (the replay cache), signed with the one algorithm the key was registered
// for (security/jwt-assertion.ts has the common checks, security/access-key-pairs.ts the keys). The token is
// the key's: `sub` its owner (or `access_key:<id>` for a service key), its scopes within the client's, or a
// narrower `scope` (a wider one is invalid_scope), `access_key_id`; it expires after ACCESS_TOKEN_TTL or with the
// key. A revoked, expired, unknown or secret key, or any bad assertion, is invalid_grant (RFC 7523 §3.1), with
// the reason in the log only.
//
// Which clients: those registered for the grant type. A public client may use it too: the signature is the
// proof of possession client authentication would otherwise add, and only a key-pair key can make one; a secret
// key is refused for every client (it has no public key, and its secret is never an HMAC key here).
import { decodeJwt, importJWK, type JWTHeaderParameters } from 'jose'
import type { Services } from '../../services.js'
import { invalidGrant } from '../../errors.js'
import { storedAlgorithm } from '../../security/access-key-pairs.js'
import { AssertionError, sameAlgorithm, verifyJwtAssertion } from '../../security/jwt-assertion.js'
import { grantScope, intersectScopes } from '../scope.js'
import type { Grant } from './grant.js'

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** RFC 7523 §3 item 4: how far ahead `exp` may be. */
const MAX_ASSERTION_LIFETIME = 300
const MAX_KEY_ID_LENGTH = 64

/** The one answer to every refused assertion; `reason` goes to the log (routes/token.ts), never to the client. */
function refused(reason: string) {
  return Object.assign(invalidGrant('the assertion is invalid, or its access key is unknown, revoked or expired'), {
    cause: new AssertionError(reason),
  })
}

/** The key id the assertion names (unverified: it only selects the key to verify it with). */
function namedKeyId(assertion: string): string {
  let iss: unknown
  try {
    iss = decodeJwt(assertion).iss
  } catch {
    throw refused('the assertion is not a JWT')
  }
  if (typeof iss !== 'string' || iss === '' || iss.length > MAX_KEY_ID_LENGTH)
    throw refused('iss does not name an access key')
  return iss
}

export const createJwtBearerGrant = (deps: Pick<Services, 'config' | 'accessKeys' | 'replayCache'>): Grant => ({
  grantType: JWT_BEARER_GRANT,
  parameters: { required: ['assertion'], optional: [] },

  async handler({ client, params, scope, audience, now, usage }) {
    const keyId = namedKeyId(params.assertion!)
    const key = await deps.accessKeys.resolveKeyPair(keyId)
    if (usage && (key.ok || key.reason !== 'unknown')) usage.accessKeyId = keyId
    if (!key.ok) throw refused(`access key ${keyId}: ${key.reason}`)
    const alg = storedAlgorithm(key.publicKey)
    if (alg === undefined) throw refused(`access key ${keyId} has no algorithm`)
    // Only the key's own algorithm: an RSA key registered for PS256 does not verify RS256, nor the reverse (an
    // Ed25519 key's EdDSA has a second name, Ed25519: RFC 9864).
    const getKey = async (header: JWTHeaderParameters) => {
      if (!sameAlgorithm(header.alg, alg)) throw new AssertionError(`alg ${header.alg} is not the key's ${alg}`)
      return importJWK(key.publicKey, alg)
    }
    try {
      await verifyJwtAssertion(params.assertion!, {
        getKey,
        issuer: keyId,
        subject: keyId,
        audience: deps.config.issuer,
        clockSkewSeconds: deps.config.clockSkew,
        maxLifetimeSeconds: MAX_ASSERTION_LIFETIME,
        replay: { cache: deps.replayCache, namespace: 'jwt_bearer' },
        now: () => now,
      })
    } catch (err) {
      if (err instanceof AssertionError) throw refused(`access key ${keyId}: ${err.reason}`)
      throw err
    }
    deps.accessKeys.recordUse(key.key)

    grantScope(scope, client.scopes, 'this client')
    const granted = grantScope(scope, intersectScopes(key.scopes, client.scopes), 'this access key')
    return {
      subject: key.sub,
      scope: granted,
      audience,
      claims: key.owner ? { access_key_id: key.key.id, username: key.owner.username } : { access_key_id: key.key.id },
      ...(key.key.expiresAt ? { notAfter: key.key.expiresAt.getTime() } : {}),
    }
  },
})
