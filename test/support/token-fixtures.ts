// Fixtures for the token endpoint tests: clients and users through the store, requests through app.inject.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { createLocalJWKSet, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import type { Database, Store } from '../../src/store/index.ts'

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** RFC 6749 §2.3.1: form-urlencode id and secret, then base64 "id:secret". */
export function basic(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`
}

export const form = (params: Record<string, string>): string => new URLSearchParams(params).toString()

/** POST `url` with a form body built from `params` (or a raw body string): the OAuth endpoints' request. */
export function formPost(
  app: FastifyInstance,
  url: string,
  params: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...FORM, ...headers },
    payload: typeof params === 'string' ? params : form(params),
  })
}

/** POST /oauth/token with a form body built from `params` (or a raw body string). */
export const tokenRequest = (
  app: FastifyInstance,
  params: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> => formPost(app, '/oauth/token', params, headers)

export const SECRET = 'confidential-client-secret-with-enough-entropy'
export const PASSWORD = 'correct horse battery staple'

export interface Seeded {
  /** Confidential: every grant, scopes read write admin. */
  service: { clientId: string; secret: string; auth: string }
  /** Public: password and refresh_token, scopes read write. */
  app: { clientId: string }
  /** Confidential, client_credentials only. */
  machine: { clientId: string; secret: string; auth: string }
  alice: { id: string; username: string; password: string }
}

export async function seed(store: Store, options: { cost?: number } = {}): Promise<Seeded> {
  await store.clients.create({
    clientId: 'service',
    name: 'Service',
    secretHash: sha256(SECRET),
    grantTypes: ['password', 'refresh_token', 'client_credentials'],
    scopes: ['read', 'write', 'admin'],
  })
  await store.clients.create({
    clientId: 'spa',
    name: 'Single-page app',
    secretHash: null,
    grantTypes: ['password', 'refresh_token'],
    scopes: ['read', 'write'],
  })
  await store.clients.create({
    clientId: 'machine',
    name: 'Machine',
    secretHash: sha256(`${SECRET}-machine`),
    grantTypes: ['client_credentials'],
    scopes: ['read'],
  })
  const alice = await store.users.create({
    username: 'alice',
    passwordHash: await hashPassword(PASSWORD, options.cost ?? 4),
    scopes: ['read', 'write'],
  })
  return {
    service: { clientId: 'service', secret: SECRET, auth: basic('service', SECRET) },
    app: { clientId: 'spa' },
    machine: { clientId: 'machine', secret: `${SECRET}-machine`, auth: basic('machine', `${SECRET}-machine`) },
    alice: { id: alice.id, username: 'alice', password: PASSWORD },
  }
}

/** Verifies an access token with jose against the JWKS the same app serves. */
export async function verifyWithServedJwks(
  app: FastifyInstance,
  token: string,
  expected: { issuer: string; audience: string; now?: number },
): Promise<{ payload: JWTPayload; protectedHeader: ProtectedHeaderParameters }> {
  const jwks = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  const keySet = createLocalJWKSet(jwks.json())
  return jwtVerify(token, keySet, {
    issuer: expected.issuer,
    audience: expected.audience,
    typ: 'at+jwt',
    algorithms: ['RS256'],
    ...(expected.now === undefined ? {} : { currentDate: new Date(expected.now) }),
  })
}

/** Row counts and last updates of every table; a rejected request must leave them as they were (failure counters aside). */
export async function storeSnapshot(db: Database) {
  const { prisma } = db
  const [users, clients, families, tokens, audit, usedTokens, revokedFamilies, lastUserUpdate, lastClientUpdate] =
    await Promise.all([
      prisma.user.count(),
      prisma.client.count(),
      prisma.refreshFamily.count(),
      prisma.refreshToken.count(),
      prisma.auditEvent.count(),
      prisma.refreshToken.count({ where: { usedAt: { not: null } } }),
      prisma.refreshFamily.count({ where: { revokedAt: { not: null } } }),
      prisma.user.aggregate({ _max: { updatedAt: true } }),
      prisma.client.aggregate({ _max: { updatedAt: true } }),
    ])
  return {
    users,
    clients,
    families,
    tokens,
    audit,
    usedTokens,
    revokedFamilies,
    lastUserUpdate: lastUserUpdate._max.updatedAt,
    lastClientUpdate: lastClientUpdate._max.updatedAt,
  }
}
