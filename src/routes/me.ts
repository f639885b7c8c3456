// /v1/me/access-keys: a user manages their own access keys with a token (or key) holding scope `keys:write`.
// A new key's scopes must lie within the user's scopes and within the presented credential's scopes, so a
// narrow token can never mint a broader key. Made with an access key (presented, or exchanged for the JWT
// presented), it is that key's child: it expires no later and is revoked with it (security/access-key-lifecycle.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { insufficientScope, invalidToken, notFound, validationFailed } from '../errors.js'
import { keyWorkspace } from '../manage/access-keys.js'
import {
  accessKeyProblems,
  issueAccessKey,
  ParentKeyInactiveError,
  revokeKeyWithDescendants,
} from '../security/access-key-lifecycle.js'
import type { Principal } from '../security/bearer.js'
import type { AccessKey } from '../store/access-keys.js'
import { StoreError } from '../store/index.js'
import type { User } from '../store/users.js'
import { credentialOf, newAccessKeyBody, type NewKeyBody } from './admin/access-keys.js'
import { issuedAccessKeyView } from '../manage/views.js'
import {
  errorsWithNotFound,
  registerScopedRoutes,
  errors,
  idParams,
  pageOf,
  pageQuery,
  SECURITY,
  type PageQuery,
} from './admin/schemas.js'
import { accessKeySchema, accessKeyView, auditContext, createdAccessKeySchema } from './admin/views.js'

export const KEYS_WRITE_SCOPE = 'keys:write'
const TAGS = ['me']
const parentInactive = () => invalidToken('the access key this credential comes from is revoked or expired')

export function registerMeRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'store' | 'now' | 'accessKeys' | 'bearer' | 'schemas'>,
): void {
  const { store, now } = deps

  /** The user behind the credential; a client or service key has no "me". */
  async function currentUser(request: FastifyRequest): Promise<User> {
    const principal = request.principal!
    const user = await store.users.findById(principal.tenantId, principal.userId ?? principal.sub)
    if (!user || user.disabled) throw insufficientScope(KEYS_WRITE_SCOPE)
    return user
  }

  /** The access key whose authority the caller holds: the one presented, or the one its JWT was exchanged from. */
  async function parentKey(principal: Principal, at: number): Promise<AccessKey | undefined> {
    const id = principal.kind === 'access_key' ? principal.keyId : principal.accessKeyId
    if (id === undefined) return undefined
    // A JWT outlives the key it was exchanged from (until its exp); the key's authority does not.
    const key = await store.accessKeys.findById(principal.tenantId, id)
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= at)) throw parentInactive()
    return key
  }

  registerScopedRoutes(app, deps, { prefix: '/v1/me', scope: KEYS_WRITE_SCOPE }, (me) => {
    me.post<{ Body: NewKeyBody }>(
      '/access-keys',
      {
        schema: {
          tags: TAGS,
          summary:
            'Create an access key of my own: a secret key, or a key-pair key (public_key or generate_key_pair; a generated private key is returned only in this response)',
          security: SECURITY,
          body: newAccessKeyBody,
          response: { 201: createdAccessKeySchema, ...errors },
        },
      },
      async (request, reply) => {
        const owner = await currentUser(request)
        const principal = request.principal!
        // A credential for one workspace makes keys in that workspace only.
        if (
          principal.workspaceId !== undefined &&
          request.body.workspace !== undefined &&
          (await store.tenants.workspaces.find(principal.tenantId, request.body.workspace))?.id !==
            principal.workspaceId
        )
          throw validationFailed([{ field: 'workspace', message: "not this credential's workspace" }])
        const workspace = await keyWorkspace(
          deps,
          owner.tenantId,
          owner,
          request.body.workspace ?? principal.workspaceId,
        )
        const keyRequest = {
          tenantId: owner.tenantId,
          workspace,
          name: request.body.name,
          scopes: request.body.scopes,
          owner,
          expiresIn: request.body.expires_in,
          ceiling: principal.scopes,
          credential: credentialOf(request.body),
        }
        const problems = accessKeyProblems(keyRequest)
        if (problems.length > 0) throw validationFailed(problems)
        const at = now()
        const parent = await parentKey(principal, at)
        try {
          const issued = await issueAccessKey(store, { ...keyRequest, parent }, auditContext(request), at)
          return reply.code(201).send(issuedAccessKeyView(issued, at))
        } catch (err) {
          if (err instanceof ParentKeyInactiveError) throw parentInactive()
          throw err
        }
      },
    )

    me.get<{ Querystring: PageQuery & { active?: boolean } }>(
      '/access-keys',
      {
        schema: {
          tags: TAGS,
          summary: 'List my access keys (never a key)',
          security: SECURITY,
          querystring: {
            type: 'object',
            properties: { ...pageQuery, active: { type: 'boolean' } },
            additionalProperties: false,
          },
          response: { 200: pageOf(accessKeySchema), ...errors },
        },
      },
      async (request) => {
        const user = await currentUser(request)
        const at = now()
        const page = await store.accessKeys.list(user.tenantId, {
          after: request.query.after,
          limit: request.query.limit,
          userId: user.id,
          active: request.query.active,
          now: new Date(at),
        })
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
          const { accessKey, descendants } = await revokeKeyWithDescendants(
            store,
            user.tenantId,
            request.params.id,
            { ...auditContext(request), userId: user.id },
            at,
          )
          for (const key of [accessKey, ...descendants]) deps.accessKeys.invalidate(key.id)
          return accessKeyView(accessKey, at)
        } catch (err) {
          // Another user's key is as unknown as a key that does not exist.
          if (err instanceof StoreError && err.code === 'not_found')
            throw notFound('you have no access key with this id')
          throw err
        }
      },
    )
  })
}
