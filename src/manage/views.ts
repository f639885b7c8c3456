// What the admin API and the CLI show of each entity, in wire names: public facts only, never a secret, a hash
// or a private key member. The admin API's response schemas (routes/admin/views.ts) allow exactly these fields.
import type { SigningKeyInfo } from '../keys/key-manager.js'
import type { IssuedAccessKey } from '../security/access-key-lifecycle.js'
import type { AccessKey } from '../store/access-keys.js'
import { authMethodOf, type Client } from '../store/clients.js'
import type { Consent } from '../store/consents.js'
import type { Session } from '../store/sessions.js'
import type { User } from '../store/users.js'

const iso = (date: Date | null) => (date ? date.toISOString() : null)

export function clientView(client: Client, now: number) {
  const grace =
    client.previousSecretExpiresAt && client.previousSecretExpiresAt.getTime() > now
      ? client.previousSecretExpiresAt
      : null
  return {
    client_id: client.clientId,
    name: client.name,
    public: client.isPublic,
    token_endpoint_auth_method: authMethodOf(client),
    jwks: client.jwks,
    jwks_uri: client.jwksUri,
    token_endpoint_audience: client.tokenEndpointAudience,
    grant_types: client.grantTypes,
    scopes: client.scopes,
    audiences: client.audiences,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    first_party: client.firstParty,
    allowed_origins: client.allowedOrigins,
    access_token_signing_alg: client.accessTokenSigningAlg,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    dpop_bound_access_tokens: client.dpopBoundAccessTokens,
    previous_secret_expires_at: iso(grace),
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  }
}

export function userView(user: User) {
  return {
    id: user.id,
    username: user.username,
    scopes: user.scopes,
    disabled: user.disabled,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  }
}

export function accessKeyView(key: AccessKey, now: number) {
  const status = key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt.getTime() <= now ? 'expired' : 'active'
  return {
    id: key.id,
    name: key.name,
    user_id: key.userId,
    kind: key.kind,
    public_key_thumbprint: key.publicKeyThumbprint,
    public_key_alg: key.publicKeyAlg,
    scopes: key.scopes,
    status,
    expires_at: iso(key.expiresAt),
    last_used_at: iso(key.lastUsedAt),
    revoked_at: iso(key.revokedAt),
    parent_id: key.parentId,
    created_at: key.createdAt.toISOString(),
  }
}

/** The answer to creating a key: its view and the one copy of its secret key or generated private key. */
export function issuedAccessKeyView(issued: IssuedAccessKey, now: number) {
  return {
    ...accessKeyView(issued.accessKey, now),
    ...(issued.key === undefined ? {} : { key: issued.key }),
    ...(issued.publicKey === undefined ? {} : { public_key: issued.publicKey }),
    ...(issued.privateKey === undefined
      ? {}
      : { private_key_jwk: issued.privateKey.jwk, private_key_pem: issued.privateKey.pem }),
  }
}

export function signingKeyView(key: SigningKeyInfo) {
  return {
    kid: key.kid,
    state: key.state,
    alg: key.alg,
    modulus_length: key.modulusLength,
    generation: key.generation,
    created_at: key.createdAt.toISOString(),
    activates_at: key.activatesAt.toISOString(),
    retires_at: key.retiresAt?.toISOString() ?? null,
    removes_at: key.removesAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  }
}

/** A sign-in session: never its id's hash (nor the cookie, which is never stored). */
export function sessionView(session: Session) {
  return {
    id: session.id,
    user_id: session.userId,
    auth_time: session.authTime.toISOString(),
    amr: session.amr,
    last_seen_at: session.lastSeenAt.toISOString(),
    idle_expires_at: session.idleExpiresAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    created_at: session.createdAt.toISOString(),
  }
}

export function consentView(consent: Consent) {
  return {
    client_id: consent.clientId,
    user_id: consent.userId,
    scopes: consent.scopes,
    created_at: consent.createdAt.toISOString(),
    updated_at: consent.updatedAt.toISOString(),
  }
}
