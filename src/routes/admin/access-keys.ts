// /admin/v1/access-keys: create (the key is in that response only), list (filter by owner), get, revoke.
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { validationFailed } from '../../errors.js'
import { createAccessKey, getAccessKey, listAccessKeys, revokeAccessKey } from '../../manage/access-keys.js'
import { issuedAccessKeyView } from '../../manage/views.js'
import { KEY_PAIR_ALGORITHMS, type KeyPairAlgorithm } from '../../security/access-key-pairs.js'
import type { AccessKeyCredential } from '../../security/access-key-lifecycle.js'
import {
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
import { accessKeySchema, accessKeyView, auditContext, createdAccessKeySchema, tenantOfRequest } from './views.js'

const TAGS = ['admin: access keys']

export const newAccessKeyBody = {
  type: 'object',
  properties: {
    name,
    scopes: scopeArray,
    expires_in: {
      type: 'integer',
      minimum: 1,
      maximum: 10 * 365 * 86400,
      description: 'Seconds until the key expires; omit for a key that does not expire',
    },
    public_key: {
      type: 'object',
      maxProperties: 32,
      description:
        'A key-pair key: the holder’s public JWK (EC P-256, Ed25519 or RSA ≥ 2048 bits); the key gets no secret',
    },
    generate_key_pair: {
      type: 'boolean',
      description: 'true: a key-pair key whose private key is generated here and returned only in this response',
    },
    alg: {
      type: 'string',
      enum: [...KEY_PAIR_ALGORITHMS],
      description: 'With public_key or generate_key_pair: the one algorithm the key signs with (default ES256)',
    },
    workspace: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description:
        "The workspace (id or slug) the key acts in; a user's key then holds at most its owner's role there, at every use. Omit for a tenant-wide key",
    },
  },
  required: ['name', 'scopes'],
  additionalProperties: false,
} as const

export interface NewKeyBody {
  name: string
  scopes: string[]
  expires_in?: number
  public_key?: Record<string, unknown>
  generate_key_pair?: boolean
  alg?: KeyPairAlgorithm
  workspace?: string
}

/** How the new key is proven: a secret unless the body registers a public key or asks for a key pair. */
export function credentialOf(body: NewKeyBody): AccessKeyCredential {
  if (body.public_key !== undefined && body.generate_key_pair)
    throw validationFailed([{ field: 'generate_key_pair', message: 'cannot be combined with public_key' }])
  if (body.public_key !== undefined) return { kind: 'public_key', jwk: body.public_key, alg: body.alg }
  if (body.generate_key_pair) return { kind: 'generate_key_pair', alg: body.alg }
  if (body.alg !== undefined)
    throw validationFailed([{ field: 'alg', message: 'needs public_key or generate_key_pair: true' }])
  return { kind: 'secret' }
}

export function registerAdminAccessKeyRoutes(app: FastifyInstance, deps: Services): void {
  const { now } = deps

  app.post<{ Body: NewKeyBody & { user_id?: string | null } }>(
    '/access-keys',
    {
      schema: {
        tags: TAGS,
        summary:
          'Create an access key: a secret key (returned only in this response) or a key-pair key (public_key, or generate_key_pair whose private key is returned only in this response)',
        security: SECURITY,
        body: {
          ...newAccessKeyBody,
          properties: {
            ...newAccessKeyBody.properties,
            user_id: {
              type: ['string', 'null'],
              minLength: 1,
              maxLength: 200,
              description: 'The owner; omit or null for a service key',
            },
          },
        },
        response: { 201: createdAccessKeySchema, ...errors },
      },
    },
    async (request, reply) => {
      const { body } = request
      const keyRequest = {
        name: body.name,
        scopes: body.scopes,
        userId: body.user_id ?? null,
        expiresIn: body.expires_in,
        credential: credentialOf(body),
        workspace: body.workspace,
      }
      const issued = await createAccessKey(deps, keyRequest, auditContext(request))
      return reply.code(201).header('cache-control', 'no-store').send(issuedAccessKeyView(issued, now()))
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
      if (userId !== undefined && service)
        throw validationFailed([{ field: 'service', message: 'cannot be combined with user_id' }])
      const at = now()
      const page = await listAccessKeys(deps, {
        after,
        limit,
        userId: service ? null : userId,
        active,
        tenantId: tenantOfRequest(request),
      })
      return { items: page.items.map((key) => accessKeyView(key, at)), next_cursor: page.nextCursor }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/access-keys/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Get an access key',
        security: SECURITY,
        params: idParams('id'),
        response: { 200: accessKeySchema, ...errorsWithNotFound },
      },
    },
    async (request) => {
      return accessKeyView(await getAccessKey(deps, request.params.id, tenantOfRequest(request)), now())
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
      const { accessKey } = await revokeAccessKey(deps, request.params.id, auditContext(request))
      return accessKeyView(accessKey, now())
    },
  )
}
