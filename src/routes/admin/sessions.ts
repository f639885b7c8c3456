// A user's sign-in sessions and remembered consents (manage/sessions.ts, manage/consents.ts): under
// /admin/v1/users/{id} for administrators, and the same routes under /v1/me for the user (routes/me-sessions.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Services } from '../../services.js'
import { listConsents, revokeConsent } from '../../manage/consents.js'
import { endUserSession, endUserSessions, listSessions } from '../../manage/sessions.js'
import { consentView, sessionView } from '../../manage/views.js'
import { dateTime, errorsWithNotFound, pageOf, pageQuery, SECURITY, stringArray, type PageQuery } from './schemas.js'
import { auditContext, tenantOfRequest } from './views.js'

export const sessionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Names the session here and in tokens (`sid`); not the cookie' },
    user_id: { type: 'string' },
    auth_time: { ...dateTime, description: 'When the user signed in' },
    amr: { ...stringArray, description: 'Authentication methods (RFC 8176), e.g. pwd' },
    last_seen_at: dateTime,
    idle_expires_at: dateTime,
    expires_at: dateTime,
    created_at: dateTime,
  },
  required: ['id', 'user_id', 'auth_time', 'amr', 'last_seen_at', 'idle_expires_at', 'expires_at', 'created_at'],
} as const

export const consentSchema = {
  type: 'object',
  properties: {
    client_id: { type: 'string' },
    user_id: { type: 'string' },
    scopes: stringArray,
    created_at: dateTime,
    updated_at: dateTime,
  },
  required: ['client_id', 'user_id', 'scopes', 'created_at', 'updated_at'],
} as const

export const endedSchema = {
  type: 'object',
  properties: { ended: { type: 'integer', description: 'How many sessions ended' } },
  required: ['ended'],
} as const

const idParam = { type: 'string', minLength: 1, maxLength: 200 } as const
const params = (...keys: string[]) =>
  ({
    type: 'object',
    properties: Object.fromEntries(keys.map((key) => [key, idParam])),
    required: keys,
    additionalProperties: false,
  }) as const
const withParams = (...keys: string[]) => (keys.length === 0 ? {} : { params: params(...keys) })
export const listQuery = { type: 'object', properties: pageQuery, additionalProperties: false } as const

type SessionRouteDeps = Pick<Services, 'store' | 'config' | 'now' | 'revocations'>

/**
 * The five routes, for the user `userOf(request)` names: `/users/:userId/…` (admin) or `/…` (/v1/me).
 * `prefix` is where they go within the group; `who` the wording of the summaries.
 */
export function registerSessionRoutes(
  app: FastifyInstance,
  deps: SessionRouteDeps,
  options: {
    prefix: string
    tags: string[]
    who: string
    userOf: (request: FastifyRequest) => Promise<string>
    userParams: string[]
  },
): void {
  const { prefix, tags, who, userOf, userParams } = options
  const base = { tags, security: SECURITY }

  app.get<{ Querystring: PageQuery }>(
    `${prefix}/sessions`,
    {
      schema: {
        ...base,
        summary: `List ${who} sign-in sessions in force, newest first (never a cookie or its hash)`,
        ...withParams(...userParams),
        querystring: listQuery,
        response: { 200: pageOf(sessionSchema), ...errorsWithNotFound },
      },
    },
    async (request) => {
      const page = await listSessions(deps, await userOf(request), {
        ...request.query,
        tenantId: tenantOfRequest(request),
      })
      return { items: page.items.map(sessionView), next_cursor: page.nextCursor }
    },
  )

  app.delete(
    `${prefix}/sessions`,
    {
      schema: {
        ...base,
        summary: `End every sign-in session of ${who}, with the refresh tokens and access tokens issued in them`,
        ...withParams(...userParams),
        response: { 200: endedSchema, ...errorsWithNotFound },
      },
    },
    async (request) => ({ ended: await endUserSessions(deps, await userOf(request), auditContext(request)) }),
  )

  app.delete<{ Params: { sessionId: string } }>(
    `${prefix}/sessions/:sessionId`,
    {
      schema: {
        ...base,
        summary: `End one sign-in session of ${who}, with the refresh tokens and access tokens issued in it`,
        ...withParams(...userParams, 'sessionId'),
        response: { 204: { type: 'null', description: 'Ended' }, ...errorsWithNotFound },
      },
    },
    async (request, reply) => {
      await endUserSession(deps, await userOf(request), request.params.sessionId, auditContext(request))
      return reply.code(204).send()
    },
  )

  app.get<{ Querystring: PageQuery }>(
    `${prefix}/consents`,
    {
      schema: {
        ...base,
        summary: `List ${who} remembered consents, by client id`,
        ...withParams(...userParams),
        querystring: listQuery,
        response: { 200: pageOf(consentSchema), ...errorsWithNotFound },
      },
    },
    async (request) => {
      const page = await listConsents(deps, await userOf(request), {
        ...request.query,
        tenantId: tenantOfRequest(request),
      })
      return { items: page.items.map(consentView), next_cursor: page.nextCursor }
    },
  )

  app.delete<{ Params: { clientId: string } }>(
    `${prefix}/consents/:clientId`,
    {
      schema: {
        ...base,
        summary: `Revoke ${who} consent to a client: its next authorization request asks again; the refresh tokens and access tokens the client holds for the user end`,
        ...withParams(...userParams, 'clientId'),
        response: { 204: { type: 'null', description: 'Revoked' }, ...errorsWithNotFound },
      },
    },
    async (request, reply) => {
      await revokeConsent(deps, await userOf(request), request.params.clientId, auditContext(request))
      return reply.code(204).send()
    },
  )
}

export function registerAdminSessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): void {
  registerSessionRoutes(app, deps, {
    prefix: '/users/:userId',
    tags: ['admin: users'],
    who: 'a user’s',
    userParams: ['userId'],
    userOf: async (request) => (request.params as { userId: string }).userId,
  })
}
