// authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5-4.6, RFC 9700 §2.1.1 and §4.5): a code from
// /oauth/authorize, for the client it was issued to, with the redirect URI it was issued for (when one was
// sent there) and the PKCE verifier of its challenge (S256 only; a code always has a challenge, so a missing
// verifier is the downgrade RFC 9700 §4.8.2 warns of). Public clients may use it: PKCE is their proof.
//
// Single use: the store reads the code, this grant checks it, and the store marks it used and writes the
// login's refresh family in one transaction (store/authorization-codes/), so of concurrent redemptions one
// wins. Any other presentation is a replay (RFC 6749 §4.1.2: the server SHOULD revoke the tokens issued from
// the code), a concurrent loser included: the login the winner started is ended, its refresh family and the
// access tokens carrying its `sid`.
import { createHash } from 'node:crypto'
import { invalidGrant, invalidScope, invalidTarget } from '../../errors.js'
import { randomSecret, sha256 } from '../../security/secrets.js'
import type { AuthorizationCode, RedeemableCode, Redemption } from '../../store/authorization-codes/index.js'
import { newId } from '../../store/ids.js'
import { ANY_TENANT } from '../../store/tenant-scope.js'
import type { Services } from '../../services.js'
import { endLogin } from '../end-login.js'
import { IDENTITY_SCOPES, intersectScopes, withIdentityScopes } from '../scope.js'
import { familyKeepsRequestedScope, tenantOf, workspaceOf, type WorkspaceGrant } from '../workspace.js'
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
  // Any tenant's: the code's hash names the login, whichever client replays it.
  if (code.familyId !== null) await endLogin(deps, ANY_TENANT, code.familyId, 'replay_detected', now)
  await deps.store.audit.record(
    {
      tenantId: tenantOf(request.client),
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

/**
 * The workspace the token request names (`workspace=<id or slug>`), for the code's user; undefined when it names
 * none. The code is read first and checked as its redemption will check it, so that a request that would be
 * refused anyway learns nothing about the tenant's workspaces; a refusal here leaves the code unused.
 */
async function codeWorkspace(
  deps: AuthorizationCodeGrantServices,
  request: GrantRequest,
  codeHash: string,
): Promise<WorkspaceGrant | undefined> {
  const workspace = request.params.workspace
  if (workspace === undefined) return undefined
  // Any tenant's: the code's hash names it (the redemption then checks it was issued to this client).
  const code = await deps.store.authorizationCodes.findByHash(ANY_TENANT, codeHash)
  // Unknown or used: the redemption answers it (invalid_grant, or the replay's revocation).
  if (!code || code.usedAt !== null) return undefined
  checkBinding(request, code)
  return workspaceOf(deps, tenantOf(request.client), code.userId, workspace)
}

/** What the redemption decided: the store's Redemption, and the scope it granted. */
interface CodeRedemption extends Redemption {
  scope: string[]
}

export function createAuthorizationCodeGrant(deps: AuthorizationCodeGrantServices): Grant {
  return {
    grantType: AUTHORIZATION_CODE_GRANT,
    parameters: { required: ['code'], optional: ['redirect_uri', 'code_verifier', 'workspace'] },
    async handler(request) {
      const { client, params, now } = request
      const codeHash = sha256(params.code!)
      const workspace = await codeWorkspace(deps, request, codeHash)
      // The login's id, recorded on the code by the redemption so that a later replay finds what to revoke.
      const familyId = newId(now)
      const refreshToken = client.grantTypes.includes('refresh_token') ? randomSecret() : undefined
      // Runs inside the redemption's transaction: a throw leaves the code unused.
      const decide = ({ code, user }: RedeemableCode): CodeRedemption => {
        checkBinding(request, code)
        if (!user || user.disabled) throw invalidGrant('this user is disabled')
        // A workspace was named but none was checked: the code read before was unknown or used, so this one
        // (unused) is not that code. Never redeemed without its check.
        if (params.workspace !== undefined && workspace === undefined)
          throw invalidGrant('the authorization code is invalid')
        // Scopes taken from the client or the user since the authorization are not granted. In a workspace, the
        // user's role there stands for their tenant-wide scopes (RFC 6749 §3.3: the response names the scope).
        const consented = intersectScopes(code.scope, client.scopes)
        const scope = intersectScopes(consented, withIdentityScopes(workspace ? workspace.roleScopes : user.scopes))
        // A token for the workspace with none of the authority the user consented to is no token for it.
        const authority = (list: readonly string[]) => list.filter((entry) => !IDENTITY_SCOPES.includes(entry))
        if (workspace && authority(consented).length > 0 && authority(scope).length === 0)
          throw invalidScope("this user's role in the workspace grants none of the authorized scopes")
        if (refreshToken === undefined) return { familyId, scope }
        return {
          familyId,
          scope,
          refresh: {
            // Refreshes intersect it with the user's authority of their moment (oauth/workspace.ts).
            scope: familyKeepsRequestedScope(client, params.workspace) ? consented : scope,
            audience: code.audience,
            absoluteExpiresAt: new Date(now + deps.config.refreshTokenTtl * 1000),
            tokenExpiresAt: new Date(now + deps.config.refreshTokenIdleTtl * 1000),
            tokenHash: sha256(refreshToken),
            ...refreshBinding(request),
          },
        }
      }
      // Any tenant's: the code's hash names it (decide() checks it was issued to this client).
      const result = await deps.store.authorizationCodes.redeem(ANY_TENANT, codeHash, decide, new Date(now))
      if (result.outcome === 'unknown') throw invalidGrant('the authorization code is invalid')
      if (result.outcome === 'used') return replayed(deps, request, result.code)
      const { found, redemption } = result
      const { code } = found
      return {
        subject: code.userId,
        scope: redemption.scope,
        audience: code.audience,
        ...(refreshToken ? { refreshToken } : {}),
        claims: { sid: familyId },
        ...(workspace ? { workspaceId: workspace.workspaceId } : {}),
        signIn: {
          sessionId: code.sessionId,
          authTime: code.authTime,
          nonce: code.nonce,
          // The session's methods, read with the code (none once the session is gone, as oauth/id-token.ts reads them).
          ...(code.sessionId === null ? {} : { amr: found.session?.amr ?? [] }),
        },
      }
    },
  }
}
