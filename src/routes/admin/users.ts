// /admin/v1/users: create, list, get, update scopes, disable/enable, set password, delete (manage/users.ts, as
// the CLI). Disabling, deleting or re-passwording a user ends their refresh-token families and their access
// tokens (at once here, within REVOCATION_SYNC_INTERVAL elsewhere); disabling or deleting also stops their
// access keys (at once here, within ACCESS_KEY_CACHE_TTL elsewhere).
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { conflict } from '../../errors.js'
import { changeUser, createUser, deleteUser, getUser, listUsers, setUserPassword } from '../../manage/users.js'
import { MAX_PASSWORD_BYTES } from '../../security/passwords.js'
import { StoreError } from '../../store/index.js'
import {
  errorBody,
  errors,
  errorsWithNotFound,
  idParams,
  name,
  pageOf,
  pageQuery,
  scopeArray,
  SECURITY,
  type PageQuery,
} from './schemas.js'
import { auditContext, userSchema, userView, tenantOfRequest } from './views.js'

const TAGS = ['admin: users']
const password = {
  type: 'string',
  minLength: 8,
  maxLength: MAX_PASSWORD_BYTES,
  description: `8 to ${MAX_PASSWORD_BYTES} bytes (bcrypt's limit)`,
} as const
const userIdParams = idParams('userId')
// OpenID Connect claims (Core §5.1); manage/rules.ts checks them. null clears email or name.
const profile = {
  email: {
    type: ['string', 'null'],
    maxLength: 254,
    description: 'An email address (the email claim); null clears it',
  },
  email_verified: { type: 'boolean', description: 'Whether the address is known to be the user’s (default false)' },
  name: { type: ['string', 'null'], maxLength: 200, description: 'A display name (the name claim); null clears it' },
} as const

interface ProfileBody {
  email?: string | null
  email_verified?: boolean
  name?: string | null
}

const profileChanges = ({ email, email_verified, name }: ProfileBody) => ({
  ...(email === undefined ? {} : { email }),
  ...(email_verified === undefined ? {} : { emailVerified: email_verified }),
  ...(name === undefined ? {} : { name }),
})

function usernameTaken(err: unknown): never {
  if (err instanceof StoreError && err.code === 'conflict') throw conflict('a user with this username exists')
  throw err
}

export function registerAdminUserRoutes(app: FastifyInstance, deps: Services): void {
  app.post<{ Body: { username: string; password: string; scopes?: string[] } & ProfileBody }>(
    '/users',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a user',
        security: SECURITY,
        body: {
          type: 'object',
          properties: { username: name, password, scopes: scopeArray, ...profile },
          required: ['username', 'password'],
          additionalProperties: false,
        },
        response: { 201: userSchema, ...errors, 409: errorBody },
      },
    },
    async (request, reply) => {
      const { username, password, scopes = [] } = request.body
      const { user } = await createUser(
        deps,
        { username, password, scopes, ...profileChanges(request.body) },
        auditContext(request),
      ).catch(usernameTaken)
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
      const page = await listUsers(deps, { ...request.query, tenantId: tenantOfRequest(request) })
      return { items: page.items.map(userView), next_cursor: page.nextCursor }
    },
  )

  app.get<{ Params: { userId: string } }>(
    '/users/:userId',
    {
      schema: {
        tags: TAGS,
        summary: 'Get a user',
        security: SECURITY,
        params: userIdParams,
        response: { 200: userSchema, ...errorsWithNotFound },
      },
    },
    async (request) => {
      return userView(await getUser(deps, request.params.userId, tenantOfRequest(request)))
    },
  )

  app.patch<{ Params: { userId: string }; Body: { scopes?: string[]; disabled?: boolean } & ProfileBody }>(
    '/users/:userId',
    {
      schema: {
        tags: TAGS,
        summary:
          'Change a user’s scopes, email and name, or disable / enable them (disabling ends their refresh tokens, access tokens and access keys)',
        security: SECURITY,
        params: userIdParams,
        body: {
          type: 'object',
          properties: { scopes: scopeArray, disabled: { type: 'boolean' }, ...profile },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: userSchema, ...errorsWithNotFound },
      },
    },
    async (request) => {
      const { scopes, disabled } = request.body
      const changes = {
        ...(scopes ? { scopes } : {}),
        ...(disabled === undefined ? {} : { disabled }),
        ...profileChanges(request.body),
      }
      const user = await changeUser(deps, request.params.userId, changes, auditContext(request))
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
      await setUserPassword(deps, request.params.userId, request.body.password, auditContext(request))
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
      await deleteUser(deps, request.params.userId, auditContext(request))
      return reply.code(204).send()
    },
  )
}
