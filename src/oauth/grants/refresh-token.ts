// refresh_token (RFC 6749 §6) with rotation and replay detection (RFC 9700 §4.14).
//
// Every use marks the presented token used and issues its successor in the same family. The successor is
// HMAC-SHA256(server key, parent hash): deterministic, so every request presenting the same just-used token
// within REFRESH_TOKEN_REUSE_GRACE gets the same successor (two tabs, a retry after a timeout), and nothing
// secret is stored. Later, a used token is a replay: the whole family is revoked.
import { createHmac, hkdfSync } from 'node:crypto'
import { sha256 } from '../../security/secrets.js'
import type { RefreshTokenRecord } from '../../store/refresh-tokens/index.js'
import { ANY_TENANT } from '../../store/tenant-scope.js'
import { tenantOf, type Client } from '../../store/clients.js'
import { workspaceOf, type WorkspaceGrant } from '../workspace.js'
import { checkAudience } from '../audience.js'
import { endLogin } from '../end-login.js'
import { invalidGrant, invalidTarget } from '../../errors.js'
import { grantScope, intersectScopes, withIdentityScopes } from '../scope.js'
import { OPENID_SCOPE } from '../id-token.js'
import type { Services } from '../../services.js'
import type { Grant, GrantRequest, GrantResult } from './grant.js'

// A replay is a presentation that arrived after the token had been used. A request that arrived before (it
// was in flight beside the winner) is not one: without a grace window it gets invalid_grant, and the family
// survives. The tolerance covers a request arriving between the winner's mark and its commit; either way
// such a request gets no token, and any later presentation still revokes the family.
const CONCURRENT_USE_TOLERANCE_MS = 1000

export const REFRESH_TOKEN_GRANT = 'refresh_token'

/** What the refresh grant uses; the successor key is derived from masterKey when the grant is created. */
export type RefreshTokenGrantServices = Pick<Services, 'config' | 'store' | 'now' | 'revocations' | 'masterKey'>

/** The successor key, derived once per app from the master key (HKDF-SHA256, RFC 5869). */
function deriveRefreshSuccessorKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'portcullis/refresh-token-successor/v1', 32))
}

const successorOf = (key: Buffer, parentHash: string): string =>
  createHmac('sha256', key).update(parentHash).digest('base64url')

/** Everything that makes a token unusable, checked before anything is written. */
function checkUsable(
  record: RefreshTokenRecord | undefined,
  client: Client,
  now: number,
): asserts record is RefreshTokenRecord {
  if (!record) throw invalidGrant('the refresh token is invalid')
  const { token, family, user } = record
  if (family.clientId !== client.clientId) throw invalidGrant('the refresh token was issued to another client')
  if (family.revokedAt || token.revokedAt) throw invalidGrant('the refresh token has been revoked')
  if (family.absoluteExpiresAt.getTime() <= now || token.expiresAt.getTime() <= now)
    throw invalidGrant('the refresh token has expired')
  if (user.disabled) throw invalidGrant('this user is disabled')
}

/** RFC 9449 §5: a family bound to a DPoP key is refreshed only with a proof made with that key. */
function checkDpopBinding(record: RefreshTokenRecord, request: GrantRequest): void {
  const bound = record.family.dpopJkt
  if (bound === null || request.dpopJkt === bound) return
  throw invalidGrant(
    request.dpopJkt === undefined
      ? 'the refresh token is bound to a DPoP key: send a DPoP proof made with it'
      : 'the refresh token is bound to another DPoP key',
  )
}

/** The access token's scope: the request may narrow the original grant, never widen it (RFC 6749 §6). */
function narrowScope(
  request: GrantRequest,
  record: RefreshTokenRecord,
  workspace: WorkspaceGrant | undefined,
): string[] {
  const granted = grantScope(request.scope, record.family.scope, 'this refresh token')
  // In a workspace, the user's role there (now) stands for their tenant-wide scopes.
  const authority = workspace ? workspace.roleScopes : record.user.scopes
  if (workspace && request.scope !== undefined)
    grantScope(request.scope, withIdentityScopes(authority), "this user's role in the workspace")
  // Scopes taken from the client or the user since the login are not granted any more.
  return intersectScopes(granted, request.client.scopes, withIdentityScopes(authority))
}

/** The login's audience, if the client may still have it (RFC 8707 §2.2: the refresh is for the same resource). */
function keepAudience(deps: RefreshTokenGrantServices, request: GrantRequest, record: RefreshTokenRecord): string {
  if (request.resource !== undefined && request.resource !== record.family.audience)
    throw invalidTarget('the refresh token was not granted this resource')
  // An audience removed from the configuration or from the client since the login is refused as a new login's.
  checkAudience(record.family.audience, request.client, deps.config)
  return record.family.audience
}

async function rotateOrDetectReplay(
  deps: RefreshTokenGrantServices,
  request: GrantRequest,
  record: RefreshTokenRecord,
  successor: string,
): Promise<void> {
  const { now } = request
  const { token, family } = record
  const grace = deps.config.refreshTokenReuseGrace * 1000
  if (token.usedAt === null) {
    // The successor's idle lifetime starts now (RFC 9700 §4.14.2), within the login's absolute one.
    const expiresAt = new Date(
      Math.min(now + deps.config.refreshTokenIdleTtl * 1000, family.absoluteExpiresAt.getTime()),
    )
    const rotation = {
      parentId: token.id,
      familyId: family.id,
      successorHash: sha256(successor),
      scope: family.scope,
      expiresAt,
    }
    if ((await deps.store.refreshTokens.rotate(rotation, new Date(deps.now()))) === 'rotated') return
    // A concurrent request rotated it first; with a grace window, its successor (the same one) is ours too.
    if (grace > 0) return
    throw invalidGrant('the refresh token has just been used by another request')
  }
  const sinceUse = now - token.usedAt.getTime()
  if (grace > 0 && sinceUse <= grace) return
  if (sinceUse < CONCURRENT_USE_TOLERANCE_MS)
    throw invalidGrant('the refresh token has just been used by another request')
  // A replay means one of the tokens leaked: the whole login ends, its access tokens first (../end-login.ts),
  // so a token whose family survived a failed write is still a replay when presented again.
  if (await endLogin(deps, family.tenantId, family.id, 'replay_detected', now)) {
    await deps.store.audit.record(
      {
        tenantId: tenantOf(request.client),
        type: 'refresh_token.replay_detected',
        actor: `client:${request.client.clientId}`,
        subject: `user:${record.user.id}`,
        ip: request.ip,
        details: { familyId: family.id, tokenId: token.id, usedAt: token.usedAt.toISOString() },
      },
      new Date(now),
    )
  }
  throw invalidGrant('the refresh token was already used; every token of this login has been revoked')
}

/**
 * The browser sign-in of a login made with the authorization code grant, for the ID token of its refreshes
 * (OpenID Connect Core §12.2: same iss, sub, aud; auth_time of the original login; no nonce). None once the
 * session row is gone (the janitor deletes ended sessions): its login time is no longer known.
 */
async function signInOf(
  deps: Pick<Services, 'store'>,
  record: RefreshTokenRecord,
  scope: readonly string[],
): Promise<GrantResult['signIn']> {
  if (record.family.sessionId === null || !scope.includes(OPENID_SCOPE)) return undefined
  const session = await deps.store.sessions.findById(record.family.tenantId, record.family.sessionId)
  return session ? { sessionId: session.id, authTime: session.authTime, nonce: null, amr: session.amr } : undefined
}

export function createRefreshTokenGrant(deps: RefreshTokenGrantServices): Grant {
  const successorKey = deriveRefreshSuccessorKey(deps.masterKey)
  return {
    grantType: REFRESH_TOKEN_GRANT,
    parameters: { required: ['refresh_token'], optional: ['workspace'] },
    async handler(request) {
      const { client, params, now } = request
      const parentHash = sha256(params.refresh_token!)
      // Any tenant's: the token's hash names the login (checkUsable then checks it is this client's).
      const record = await deps.store.refreshTokens.findByHash(ANY_TENANT, parentHash)
      checkUsable(record, client, now)
      checkDpopBinding(record, request)
      // Any workspace of the user's, in the client's tenant (the family's user is that tenant's: the client logged them in).
      const workspace = await workspaceOf(deps, tenantOf(client), record.user.id, params.workspace)
      const scope = narrowScope(request, record, workspace)
      const audience = keepAudience(deps, request, record)
      const successor = successorOf(successorKey, parentHash)
      await rotateOrDetectReplay(deps, request, record, successor)
      const result: GrantResult = {
        subject: record.user.id,
        scope,
        audience,
        refreshToken: successor,
        claims: { sid: record.family.id },
        ...(workspace ? { workspaceId: workspace.workspaceId } : {}),
      }
      const signIn = await signInOf(deps, record, scope)
      if (signIn) result.signIn = signIn
      return result
    },
  }
}
