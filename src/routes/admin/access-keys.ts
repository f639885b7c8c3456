// /admin/v1/access-keys: create (the key is in that response only), list (filter by owner), get, revoke.
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { notFound, validationFailed } from '../../errors.js'
import { accessKeyProblems, issueAccessKey, revokeAccessKey } from '../../security/access-key-lifecycle.js'
import { StoreError } from '../../store/index.js'
import { errors, errorsWithNotFound, idParams, name, pageOf, pageQuery, scopeArray, SECURITY, type PageQuery } from './schemas.js'
import { accessKeySchema, accessKeyView, auditContext, createdAccessKeySchema } from './views.js'

const TAGS = ['admin: access keys']

export const newAccessKeyBody = {
  type: 'object',
  properties: {
    name,
    scopes: scopeArray,
    expires_in: { type: 'integer', minimum: 1, maximum: 10 * 365 * 86400, description: 'Seconds until the key expires; omit for a key that does not expire' },
  },
  required: ['name', 'scopes'],
  additionalProperties: false,
} as const

interface NewKeyBody {
  name: string
  scopes: string[]
  expires_in?: number
}

export function registerAdminAccessKeyRoutes(app: FastifyInstance, deps: Services): void {
  const { store, now } = deps

  app.post<{ Body: NewKeyBody & { user_id?: string | null } }>(
    '/access-keys',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an access key (the key is returned only in this response)',
        security: SECURITY,
        body: {
          ...newAccessKeyBody,
          properties: { ...newAccessKeyBody.properties, user_id: { type: ['string', 'null'], minLength: 1, maxLength: 200, description: 'The owner; omit or null for a service key' } },
        },
        response: { 201: createdAccessKeySchema, ...errors },
      },
    },
    async (request, reply) => {
      const { body } = request
      const owner = body.user_id ? await store.users.findById(body.user_id) : null
      if (owner === undefined) throw validationFailed([{ field: 'user_id', message: 'no user has this id' }])
      const keyRequest = { name: body.name, scopes: body.scopes, owner, expiresIn: body.expires_in }
      const problems = accessKeyProblems(keyRequest)
      if (problems.length > 0) throw validationFailed(problems)
      const at = now()
      const { accessKey, key } = await issueAccessKey(store, keyRequest, auditContext(request), at)
      return reply.code(201).header('cache-control', 'no-store').send({ ...accessKeyView(accessKey, at), key })
    },
  )

  app.get<{ Querystring: PageQuery & { user_id?: string; service?: boolean; active?: boolean } }>(
    '/access-keys',
    {
      schema: {
        tags: TAGS,
        summary: 'List access keys, oldest first (never a key or its hash)',
        security: SECURITY,
        querystring: {
          type: 'object',
          properties: {
            ...pageQuery,
            user_id: { type: 'string', minLength: 1, maxLength: 200, description: 'Only this user’s keys' },
            service: { type: 'boolean', description: 'true: only service keys (no owner)' },
            active: { type: 'boolean', description: 'true: only keys that are neither revoked nor expired' },
          },
          additionalProperties: false,
        },
        response: { 200: pageOf(accessKeySchema), ...errors },
      },
    },
    async (request) => {
      const { after, limit, user_id: userId, service, active } = request.query
      if (userId !== undefined && service) throw validationFailed([{ field: 'service', message: 'cannot be combined with user_id' }])
      const at = now()
      const page = await store.accessKeys.list({ after, limit, userId: service ? null : userId, active, now: new Date(at) })
      return { items: page.items.map((key) => accessKeyView(key, at)), next_cursor: page.nextCursor }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/access-keys/:id',
    { schema: { tags: TAGS, summary: 'Get an access key', security: SECURITY, params: idParams('id'), response: { 200: accessKeySchema, ...errorsWithNotFound } } },
    async (request) => {
      const key = await store.accessKeys.findById(request.params.id)
      if (!key) throw notFound('no access key has this id')
      return accessKeyView(key, now())
    },
  )

  app.post<{ Params: { id: string } }>(
    '/access-keys/:id/revoke',
    {
      schema: {
        tags: TAGS,
        summary: `Revoke an access key (at once on this instance, within ACCESS_KEY_CACHE_TTL seconds on the others)`,
        security: SECURITY,
        params: idParams('id'),
        response: { 200: accessKeySchema, ...errorsWithNotFound },
      },
    },
    async (request) => {
      const at = now()
      try {
        const { accessKey, descendants } = await revokeAccessKey(store, request.params.id, auditContext(request), at)
        for (const key of [accessKey, ...descendants]) deps.accessKeys.invalidate(key.id)
        return accessKeyView(accessKey, at)
      } catch (err) {
        if (err instanceof StoreError && err.code === 'not_found') throw notFound('no access key has this id')
        throw err
      }
    },
  )
}
