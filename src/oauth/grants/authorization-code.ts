// authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5-4.6, RFC 9700 §2.1.1 and §4.5): a code from
// /oauth/authorize, for the client it was issued to, with the redirect URI it was issued for (when one was
// sent there) and the PKCE verifier of its challenge (S256 only; a code always has a challenge, so a missing
// verifier is the downgrade RFC 9700 §4.8.2 warns of). Public clients may use it: PKCE is their proof.
//
// Single use: the redemption is a conditional update, so of concurrent redemptions one wins. Any later
// presentation is a replay (RFC 6749 §4.1.2: the server SHOULD revoke the tokens issued from the code): the
// login it started is ended, its refresh family and the access tokens carrying its `sid`.
import { createHash } from 'node:crypto'
import { invalidGrant, invalidTarget } from '../../errors.js'
import { randomSecret, sha256 } from '../../security/secrets.js'
import type { AuthorizationCode } from '../../store/authorization-codes.js'
import { newId } from '../../store/ids.js'
import type { Services } from '../../services.js'
import { endLogin } from '../end-login.js'
import { intersectScopes, withIdentityScopes } from '../scope.js'
import { refreshBinding, type Grant, type GrantRequest } from './grant.js'

export const AUTHORIZATION_CODE_GRANT = 'authorization_code'

export type AuthorizationCodeGrantServices = Pick<Services, 'config' | 'store' | 'revocations'>

// RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url')

/** A second presentation: the login the first one started ends, then invalid_grant. */
async function replayed(
  deps: AuthorizationCodeGrantServices,
  request: GrantRequest,
  code: AuthorizationCode,
): Promise<never> {
  const { now } = request
  if (code.familyId !== null) await endLogin(deps, code.familyId, 'replay_detected', now)
  await deps.store.audit.record(
    {
      type: 'authorization_code.replay_detected',
      actor: `client:${request.client.clientId}`,
      subject: `user:${code.userId}`,
      ip: request.ip,
      details: { codeId: code.id, familyId: code.familyId },
    },
    new Date(now),
  )
  throw invalidGrant('the authorization code was already used; the tokens issued from it have been revoked')
}

function checkBinding(request: GrantRequest, code: AuthorizationCode): void {
  const { client, params, now } = request
  if (code.clientId !== client.clientId) throw invalidGrant('the authorization code was issued to another client')
  if (code.expiresAt.getTime() <= now) throw invalidGrant('the authorization code has expired')
  // RFC 6749 §4.1.3: required, and identical, when it was included in the authorization request.
  if (
    code.redirectUriSent
      ? params.redirect_uri !== code.redirectUri
      : params.redirect_uri !== undefined && params.redirect_uri !== code.redirectUri
  ) {
    throw invalidGrant('redirect_uri does not match the one of the authorization request')
  }
  const verifier = params.code_verifier
  if (verifier === undefined)
    throw invalidGrant('code_verifier is required: the authorization request had a code_challenge')
  if (!VERIFIER.test(verifier) || s256(verifier) !== code.codeChallenge)
    throw invalidGrant('code_verifier does not match the code_challenge')
  if (request.resource !== undefined && request.resource !== code.audience)
    throw invalidTarget('the authorization code was not granted this resource')
  // RFC 9449 §10: the code is bound to the dpop_jkt of its authorization request.
  if (code.dpopJkt !== null && request.dpopJkt !== code.dpopJkt)
    throw invalidGrant(
      request.dpopJkt === undefined
        ? 'the authorization code is bound to a DPoP key (dpop_jkt): send a DPoP proof made with it'
        : 'the DPoP proof was made with another key than the dpop_jkt of the authorization request',
    )
}

export function createAuthorizationCodeGrant(deps: AuthorizationCodeGrantServices): Grant {
  return {
    grantType: AUTHORIZATION_CODE_GRANT,
    parameters: { required: ['code'], optional: ['redirect_uri', 'code_verifier'] },
    async handler(request) {
      const { client, params, now } = request
      const code = await deps.store.authorizationCodes.findByHash(sha256(params.code!))
      if (!code) throw invalidGrant('the authorization code is invalid')
      if (code.usedAt !== null) return replayed(deps, request, code)
      checkBinding(request, code)
      const user = await deps.store.users.findById(code.userId)
      if (!user || user.disabled) throw invalidGrant('this user is disabled')
      // The login's id, named before the redemption so that a replay racing it finds what to revoke.
      const familyId = newId(now)
      if (!(await deps.store.authorizationCodes.redeem(code.id, familyId, new Date(now))))
        return replayed(deps, request, { ...code, usedAt: new Date(now) })
      // Scopes taken from the client or the user since the authorization are not granted.
      const scope = intersectScopes(code.scope, client.scopes, withIdentityScopes(user.scopes))
      let refreshToken: string | undefined
      if (client.grantTypes.includes('refresh_token')) {
        refreshToken = randomSecret()
        await deps.store.refreshTokens.createFamily(
          {
            id: familyId,
            clientId: client.clientId,
            userId: user.id,
            scope,
            audience: code.audience,
            absoluteExpiresAt: new Date(now + deps.config.refreshTokenTtl * 1000),
            tokenExpiresAt: new Date(now + deps.config.refreshTokenIdleTtl * 1000),
            tokenHash: sha256(refreshToken),
            ...(code.sessionId ? { sessionId: code.sessionId } : {}),
            ...refreshBinding(request),
          },
          new Date(now),
        )
      }
      return {
        subject: user.id,
        scope,
        audience: code.audience,
        ...(refreshToken ? { refreshToken } : {}),
        claims: { sid: familyId },
        signIn: { sessionId: code.sessionId, authTime: code.authTime, nonce: code.nonce },
      }
    },
  }
}
