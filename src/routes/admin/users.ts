// /admin/v1/users: create, list, get, update scopes, disable/enable, set password, delete. Disabling,
// deleting or re-passwording a user ends their refresh-token families and their access tokens
// (manage/users.ts: at once here, within REVOCATION_SYNC_INTERVAL elsewhere); disabling or deleting also
// stops their access keys (at once here, within ACCESS_KEY_CACHE_TTL elsewhere).
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { deleteUser, updateUser } from '../../manage/users.js'
import { conflict, notFound, validationFailed } from '../../errors.js'
import { MAX_PASSWORD_BYTES } from '../../security/passwords.js'
import { StoreError } from '../../store/index.js'
import { errorBody, errors, errorsWithNotFound, idParams, name, pageOf, pageQuery, scopeArray, SECURITY, type PageQuery } from './schemas.js'
import { audit, userSchema, userView } from './views.js'

const TAGS = ['admin: users']
const password = { type: 'string', minLength: 8, maxLength: MAX_PASSWORD_BYTES, description: `8 to ${MAX_PASSWORD_BYTES} bytes (bcrypt's limit)` } as const
const userIdParams = idParams('userId')

function passwordProblem(value: string) {
  return Buffer.byteLength(value) > MAX_PASSWORD_BYTES ? [{ field: 'password', message: `must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8` }] : []
}

function notFoundUser(err: unknown): never {
  if (err instanceof StoreError && err.code === 'not_found') throw notFound('no user has this id')
  throw err
}

export function registerAdminUserRoutes(app: FastifyInstance, deps: Services): void {
  const { store } = deps

  app.post<{ Body: { username: string; password: string; scopes?: string[] } }>(
    '/users',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a user',
        security: SECURITY,
        body: { type: 'object', properties: { username: name, password, scopes: scopeArray }, required: ['username', 'password'], additionalProperties: false },
        response: { 201: userSchema, ...errors, 409: errorBody },
      },
    },
    async (request, reply) => {
      const { username, scopes = [] } = request.body
      const problems = passwordProblem(request.body.password)
      if (problems.length > 0) throw validationFailed(problems)
      const existing = await store.users.findByUsername(username)
      if (existing) throw conflict('a user with this username exists')
      const user = await store.users.create({ username, passwordHash: await deps.passwords.hash(request.body.password), scopes }).catch((err: unknown) => {
        if (err instanceof StoreError && err.code === 'conflict') throw conflict('a user with this username exists')
        throw err
      })
      await audit(deps, request, 'user.created', user.id, { username: user.username, scopes: user.scopes })
      return reply.code(201).send(userView(user))
    },
  )

  app.get<{ Querystring: PageQuery }>(
    '/users',
    {
      schema: {
        tags: TAGS,
        summary: 'List users (never a password hash)',
        security: SECURITY,
        querystring: { type: 'object', properties: pageQuery, additionalProperties: false },
        response: { 200: pageOf(userSchema), ...errors },
      },
    },
    async (request) => {
      const page = await store.users.list(request.query)
      return { items: page.items.map(userView), next_cursor: page.nextCursor }
    },
  )

  app.get<{ Params: { userId: string } }>(
    '/users/:userId',
    { schema: { tags: TAGS, summary: 'Get a user', security: SECURITY, params: userIdParams, response: { 200: userSchema, ...errorsWithNotFound } } },
    async (request) => {
      const user = await store.users.findById(request.params.userId)
      if (!user) throw notFound('no user has this id')
      return userView(user)
    },
  )

  app.patch<{ Params: { userId: string }; Body: { scopes?: string[]; disabled?: boolean } }>(
    '/users/:userId',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a user’s scopes, or disable / enable them (disabling ends their refresh tokens, access tokens and access keys)',
        security: SECURITY,
        params: userIdParams,
        body: { type: 'object', properties: { scopes: scopeArray, disabled: { type: 'boolean' } }, additionalProperties: false, minProperties: 1 },
        response: { 200: userSchema, ...errorsWithNotFound },
      },
    },
    async (request) => {
      const { userId } = request.params
      const before = await store.users.findById(userId)
      if (!before) throw notFound('no user has this id')
      const { scopes, disabled } = request.body
      const user = await updateUser(deps, userId, { ...(scopes ? { scopes } : {}), ...(disabled === undefined ? {} : { disabled }) }).catch(notFoundUser)
      // Narrowed scopes and a disabled owner must reach this instance's cached keys now.
      deps.accessKeys.invalidateOwner(userId)
      if (scopes) await audit(deps, request, 'user.updated', userId, { scopes: user.scopes, previous_scopes: before.scopes })
      if (disabled !== undefined && disabled !== before.disabled) await audit(deps, request, disabled ? 'user.disabled' : 'user.enabled', userId, { username: user.username })
      return userView(user)
    },
  )

  app.put<{ Params: { userId: string }; Body: { password: string } }>(
    '/users/:userId/password',
    {
      schema: {
        tags: TAGS,
        summary: 'Set a user’s password (ends their refresh tokens and access tokens)',
        security: SECURITY,
        params: userIdParams,
        body: { type: 'object', properties: { password }, required: ['password'], additionalProperties: false },
        response: { 204: { type: 'null', description: 'Password set' }, ...errorsWithNotFound },
      },
    },
    async (request, reply) => {
      const problems = passwordProblem(request.body.password)
      if (problems.length > 0) throw validationFailed(problems)
      const { userId } = request.params
      if (!(await store.users.findById(userId))) throw notFound('no user has this id')
      await updateUser(deps, userId, { passwordHash: await deps.passwords.hash(request.body.password) }).catch(notFoundUser)
      await audit(deps, request, 'user.password_set', userId)
      return reply.code(204).send()
    },
  )

  app.delete<{ Params: { userId: string } }>(
    '/users/:userId',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a user, with their refresh tokens, access tokens and access keys',
        security: SECURITY,
        params: userIdParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...errorsWithNotFound },
      },
    },
    async (request, reply) => {
      const { userId } = request.params
      const user = await store.users.findById(userId)
      if (!user) throw notFound('no user has this id')
      await deleteUser(deps, userId).catch(notFoundUser)
      deps.accessKeys.invalidateOwner(userId)
      await audit(deps, request, 'user.deleted', userId, { username: user.username })
      return reply.code(204).send()
    },
  )
}
