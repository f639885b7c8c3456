// Token revocation, RFC 7009: what revoking each kind of token does (the route is routes/revocation.ts). The
// answer is the same whether the token was valid, unknown, already revoked, expired or another client's
// (§2.2), so nothing here reports what it found.
//
// - A refresh token ends its whole login (./end-login.ts): every refresh token of that grant, and the access
//   tokens issued from it, which carry the family as `sid` (§2.1 "SHOULD also invalidate"; refused like a
//   revoked JWT).
// - A JWT access token cannot be unsigned: its jti is recorded as revoked until it expires, and the
//   introspection endpoint and our own Bearer checks refuse it (at once here, within REVOCATION_SYNC_INTERVAL
//   on the other instances). Resource servers that verify it locally with the JWKS accept it until its exp
//   (a few minutes), as §2 allows.
// - An access key is revoked by whoever presents the whole key: knowing it is already the power to use it,
//   and being able to kill a leaked key at once matters more than who sends it.
import { revokeKeyWithDescendants } from '../security/access-key-lifecycle.js'
import { parseAccessKey } from '../security/access-keys.js'
import { sha256 } from '../security/secrets.js'
import type { Services } from '../services.js'
import type { Client } from '../store/clients.js'
import { ANY_TENANT } from '../store/tenant-scope.js'
import { endLogin } from './end-login.js'
import { tokenKind } from './token-kind.js'

export type RevocationServices = Pick<
  Services,
  'config' | 'store' | 'now' | 'accessKeys' | 'accessTokens' | 'revocations'
>

/** Who asks: the authenticated client, and where from (for the audit trail). */
export interface Revoker {
  client: Client
  ip: string
}

async function revokeRefreshToken(deps: RevocationServices, token: string, { client }: Revoker): Promise<void> {
  // Any tenant's: the token's hash names the login; only its own client may end it.
  const record = await deps.store.refreshTokens.findByHash(ANY_TENANT, sha256(token))
  if (!record || record.family.clientId !== client.clientId) return
  await endLogin(deps, record.family.tenantId, record.family.id, 'revoked', deps.now())
}

async function revokeJwtAccessToken(deps: RevocationServices, token: string, { client }: Revoker): Promise<void> {
  // Not remembered: once revoked, the token is refused whatever its signature.
  const claims = await deps.accessTokens.verify(token, { remember: false })
  if (!claims || claims.client_id !== client.clientId) return
  // Kept as long as the token can still pass a check that allows for clock skew.
  const expiresAt = new Date((claims.exp + deps.config.clockSkew) * 1000)
  // Written as this list's own: its next read skips the row, which it holds from the line below.
  await deps.store.revokedTokens.revoke(claims.jti, expiresAt, new Date(deps.now()), deps.revocations.writer)
  // At once here; the other instances read it within REVOCATION_SYNC_INTERVAL (security/revocation-list.ts).
  deps.revocations.add(claims.jti, expiresAt)
}

async function revokePresentedAccessKey(
  deps: RevocationServices,
  token: string,
  { client, ip }: Revoker,
): Promise<void> {
  if (!parseAccessKey(token)) return
  const verified = await deps.accessKeys.verify(token)
  // Revoked, expired or of a disabled owner: already unusable. Unknown or wrong secret: not the caller's to revoke.
  if (!verified.ok) return
  // With the keys created from it, as from the admin API (security/access-key-lifecycle.ts).
  const by = { actor: `client:${client.clientId}`, ip, details: { via: 'oauth_revoke' } }
  const { accessKey, descendants } = await revokeKeyWithDescendants(
    deps.store,
    verified.key.tenantId,
    verified.key.id,
    by,
    deps.now(),
  )
  for (const key of [accessKey, ...descendants]) deps.accessKeys.invalidate(key.id)
}

/**
 * Revokes `token` if it is one of ours that the caller may revoke; otherwise does nothing, silently (§2.2).
 *
 * @example
 * await revokeToken(services, request.body.token, { client, ip: request.ip })
 */
export async function revokeToken(deps: RevocationServices, token: string, revoker: Revoker): Promise<void> {
  const kind = tokenKind(token)
  if (kind === 'refresh_token') await revokeRefreshToken(deps, token, revoker)
  else if (kind === 'jwt') await revokeJwtAccessToken(deps, token, revoker)
  else if (kind === 'access_key') await revokePresentedAccessKey(deps, token, revoker)
}
