// Fixtures for the access-key and admin API tests: credentials through the app's own keyring and store.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { signAccessToken } from '../../src/keys/access-token.ts'
import type { TestContext } from './helper.ts'

/** A JWT of ours for `sub`, signed directly (unit level: the token endpoint has its own tests). */
export async function signedToken(
  ctx: Pick<TestContext, 'keyring' | 'config'>,
  options: { scope: string; sub?: string; clientId?: string; aud?: string; ttl?: number; now?: number },
) {
  return signAccessToken(
    ctx.keyring,
    { issuer: ctx.config.issuer, ttl: options.ttl ?? 300, ...(options.now === undefined ? {} : { now: options.now }) },
    {
      sub: options.sub ?? 'client:operator',
      aud: options.aud ?? ctx.config.issuer,
      clientId: options.clientId ?? 'operator',
      scope: options.scope,
    },
  )
}

export async function adminHeaders(
  ctx: Pick<TestContext, 'keyring' | 'config'>,
  scope = 'admin',
): Promise<Record<string, string>> {
  return { authorization: `Bearer ${(await signedToken(ctx, { scope })).token}` }
}

/** A request helper bound to one app and one set of headers. */
export function client(app: FastifyInstance, headers: Record<string, string>) {
  const send = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, payload?: unknown) => send('POST', url, payload),
    patch: (url: string, payload: unknown) => send('PATCH', url, payload),
    put: (url: string, payload: unknown) => send('PUT', url, payload),
    delete: (url: string) => send('DELETE', url),
  }
}

/** Every string value of every row of every table: a secret must never be among them. */
export async function everyStoredValue(ctx: Pick<TestContext, 'db'>): Promise<string> {
  const { prisma } = ctx.db
  const tables = await Promise.all([
    prisma.user.findMany(),
    prisma.client.findMany(),
    prisma.accessKey.findMany(),
    prisma.auditEvent.findMany(),
    prisma.refreshToken.findMany(),
    prisma.refreshFamily.findMany(),
    prisma.revokedToken.findMany(),
  ])
  return JSON.stringify(tables)
}
