// /v1/me/access-keys: a user manages their own access keys with a token (or key) holding scope `keys:write`.
// A new key's scopes must lie within the user's scopes and within the presented credential's scopes, so a
// narrow token can never mint a broader key.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { RouteDeps } from '../app.js'
import { insufficientScope, notFound, validationFailed } from '../oauth/errors.js'
import { accessKeyProblems, issueAccessKey, revokeAccessKey } from '../security/access-key-lifecycle.js'
import { StoreError } from '../store/index.js'
import type { User } from '../store/users.js'
import { newAccessKeyBody } from './admin/access-keys.js'
import { errorsWithNotFound, registerScopedRoutes, errors, idParams, pageOf, pageQuery, SECURITY, type PageQuery } from './admin/schemas.js'
import { accessKeySchema, accessKeyView, auditContext, createdAccessKeySchema } from './admin/views.js'

export const KEYS_WRITE_SCOPE = 'keys:write'
const TAGS = ['me']

export function registerMeRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store, now } = deps

  /** The user behind the credential; a client or service key has no "me". */
  async function currentUser(request: FastifyRequest): Promise<User> {
    const principal = request.principal!
    const user = await store.users.findById(principal.userId ?? principal.sub)
    if (!user || user.disabled) throw insufficientScope(KEYS_WRITE_SCOPE)
    return user
  }

  registerScopedRoutes(app, deps, { prefix: '/v1/me', scope: KEYS_WRITE_SCOPE }, (me) => {
    me.post<{ Body: { name: string; scopes: string[]; expires_in?: number } }>(
      '/access-keys',
      {
        schema: {
          tags: TAGS,
          summary: 'Create an access key of my own (the key is returned only in this response)',
          security: SECURITY,
          body: newAccessKeyBody,
          response: { 201: createdAccessKeySchema, ...errors },
        },
      },
      async (request, reply) => {
        const owner = await currentUser(request)
        const keyRequest = { name: request.body.name, scopes: request.body.scopes, owner, expiresIn: request.body.expires_in, ceiling: request.principal!.scopes }
        const problems = accessKeyProblems(keyRequest)
        if (problems.length > 0) throw validationFailed(problems)
        const at = now()
        const { accessKey, key } = await issueAccessKey(store, keyRequest, auditContext(request), at)
        return reply.code(201).send({ ...accessKeyView(accessKey, at), key })
      },
    )

    me.get<{ Querystring: PageQuery & { active?: boolean } }>(
      '/access-keys',
      {
        schema: {
          tags: TAGS,
          summary: 'List my access keys (never a key)',
          security: SECURITY,
          querystring: { type: 'object', properties: { ...pageQuery, active: { type: 'boolean' } }, additionalProperties: false },
          response: { 200: pageOf(accessKeySchema), ...errors },
        },
      },
      async (request) => {
        const user = await currentUser(request)
        const at = now()
        const page = await store.accessKeys.list({ after: request.query.after, limit: request.query.limit, userId: user.id, active: request.query.active, now: new Date(at) })
        return { items: page.items.map((key) => accessKeyView(key, at)), next_cursor: page.nextCursor }
      },
    )

    me.post<{ Params: { id: string } }>(
      '/access-keys/:id/revoke',
      {
        schema: {
          tags: TAGS,
          summary: 'Revoke one of my access keys',
          security: SECURITY,
          params: idParams('id'),
          response: { 200: accessKeySchema, ...errorsWithNotFound },
        },
      },
      async (request) => {
        const user = await currentUser(request)
        const at = now()
        try {
          const key = await revokeAccessKey(store, request.params.id, { ...auditContext(request), userId: user.id }, at)
          deps.accessKeys.invalidate(key.id)
          return accessKeyView(key, at)
        } catch (err) {
          // Another user's key is as unknown as a key that does not exist.
          if (err instanceof StoreError && err.code === 'not_found') throw notFound('you have no access key with this id')
          throw err
        }
      },
    )
  })
}
