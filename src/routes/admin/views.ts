// What the admin API shows of each entity (wire names, no hashes), with the matching response schemas,
// and the audit helper every admin action records through.
import type { FastifyRequest } from 'fastify'
import type { Services } from '../../services.js'
import type { Principal } from '../../security/bearer.js'
import type { AccessKey } from '../../store/access-keys.js'
import type { AuditType } from '../../store/audit.js'
import type { Client } from '../../store/clients.js'
import type { User } from '../../store/users.js'
import type { SigningKeyInfo } from '../../keys/key-manager.js'
import { dateTime, nullableDateTime, nullableString, stringArray } from './schemas.js'

const iso = (date: Date | null) => (date ? date.toISOString() : null)

export const clientSchema = {
  type: 'object',
  properties: {
    client_id: { type: 'string' },
    name: { type: 'string' },
    public: { type: 'boolean' },
    grant_types: stringArray,
    scopes: stringArray,
    audiences: stringArray,
    previous_secret_expires_at: nullableDateTime,
    created_at: dateTime,
    updated_at: dateTime,
  },
  required: ['client_id', 'name', 'public', 'grant_types', 'scopes', 'audiences', 'created_at', 'updated_at'],
} as const

export function clientView(client: Client, now: number) {
  const grace = client.previousSecretExpiresAt && client.previousSecretExpiresAt.getTime() > now ? client.previousSecretExpiresAt : null
  return {
    client_id: client.clientId,
    name: client.name,
    public: client.isPublic,
    grant_types: client.grantTypes,
    scopes: client.scopes,
    audiences: client.audiences,
    previous_secret_expires_at: iso(grace),
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  }
}

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    scopes: stringArray,
    disabled: { type: 'boolean' },
    created_at: dateTime,
    updated_at: dateTime,
  },
  required: ['id', 'username', 'scopes', 'disabled', 'created_at', 'updated_at'],
} as const

export function userView(user: User) {
  return { id: user.id, username: user.username, scopes: user.scopes, disabled: user.disabled, created_at: user.createdAt.toISOString(), updated_at: user.updatedAt.toISOString() }
}

export const accessKeySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    user_id: nullableString,
    scopes: stringArray,
    status: { type: 'string', enum: ['active', 'expired', 'revoked'] },
    expires_at: nullableDateTime,
    last_used_at: { ...nullableDateTime, description: `Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL` },
    revoked_at: nullableDateTime,
    parent_id: { ...nullableString, description: 'The key this one was created with through /v1/me: it expires no later and is revoked with it' },
    created_at: dateTime,
  },
  required: ['id', 'name', 'user_id', 'scopes', 'status', 'expires_at', 'last_used_at', 'revoked_at', 'parent_id', 'created_at'],
} as const

/** The creation response: the only one that holds the key. */
export const createdAccessKeySchema = {
  ...accessKeySchema,
  properties: { ...accessKeySchema.properties, key: { type: 'string', description: 'pcl_<id>_<secret>: shown only in this response' } },
  required: [...accessKeySchema.required, 'key'],
} as const

export function accessKeyView(key: AccessKey, now: number) {
  const status = key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt.getTime() <= now ? 'expired' : 'active'
  return {
    id: key.id,
    name: key.name,
    user_id: key.userId,
    scopes: key.scopes,
    status,
    expires_at: iso(key.expiresAt),
    last_used_at: iso(key.lastUsedAt),
    revoked_at: iso(key.revokedAt),
    parent_id: key.parentId,
    created_at: key.createdAt.toISOString(),
  }
}

/** The audit `actor` of an authenticated caller: `access_key:<id>`, `user:<id>`, or the token's own namespaced sub. */
export function actorOf(principal: Principal | undefined): string | null {
  if (!principal) return null
  if (principal.kind === 'access_key') return `access_key:${principal.keyId}`
  return principal.sub.includes(':') ? principal.sub : `user:${principal.sub}`
}

/** Who is acting, from where: for the audit log. A JWT's client is noted in the details. */
export function auditContext(request: FastifyRequest): { actor: string | null; ip: string; details: Record<string, unknown> } {
  const principal = request.principal
  return { actor: actorOf(principal), ip: request.ip, details: principal?.kind === 'jwt' && principal.clientId ? { client_id: principal.clientId } : {} }
}

/** Records an action of the request's caller, from the request's IP. Details never hold a secret. */
export async function audit(
  deps: Pick<Services, 'store' | 'now'>,
  request: FastifyRequest,
  type: AuditType,
  subject: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  const by = auditContext(request)
  await deps.store.audit.record({ type, actor: by.actor, subject, ip: by.ip, details: { ...by.details, ...details } }, new Date(deps.now()))
}

/** A signing key as the admin API and the CLI show it: public facts only, never a private member. */
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
