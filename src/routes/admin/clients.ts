// /admin/v1/clients: register (the secret is returned once), list, get, update, rotate the secret (the old one
// optionally accepted for a grace period), delete (its refresh-token families go with it).
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { conflict, notFound, validationFailed, type ErrorDetail } from '../../errors.js'
import { GRANTS } from '../../oauth/grants/index.js'
import { randomSecret, sha256 } from '../../security/secrets.js'
import { newId } from '../../store/ids.js'
import { StoreError } from '../../store/index.js'
import { errorBody, errors, errorsWithNotFound, idParams, name, pageOf, pageQuery, scopeArray, SECURITY, type PageQuery } from './schemas.js'
import { audit, clientSchema, clientView } from './views.js'

const TAGS = ['admin: clients']
const MAX_GRACE = 30 * 86400

const grantTypes = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, minItems: 1, maxItems: 20, uniqueItems: true } as const
const audiences = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 2000 }, maxItems: 50, uniqueItems: true } as const
const clientIdParams = idParams('clientId')

interface ClientBody {
  name: string
  grant_types: string[]
  scopes?: string[]
  audiences?: string[]
  public?: boolean
}

const withSecret = {
  ...clientSchema,
  properties: { ...clientSchema.properties, client_secret: { type: 'string', description: 'Shown only in this response' } },
} as const

function notFoundClient(err: unknown): never {
  if (err instanceof StoreError && err.code === 'not_found') throw notFound('no client has this client_id')
  throw err
}

export function registerAdminClientRoutes(app: FastifyInstance, deps: Services): void {
  const { store, config, now, clients } = deps

  /** Per-field problems with grant types and audiences (the schema checks their shape). */
  function problems(body: { grant_types?: readonly string[] | undefined; audiences?: readonly string[] | undefined }, isPublic: boolean): ErrorDetail[] {
    const found: ErrorDetail[] = []
    for (const [i, grantType] of (body.grant_types ?? []).entries()) {
      if (!GRANTS.has(grantType)) found.push({ field: `grant_types.${i}`, message: `unknown grant type (supported: ${[...GRANTS.keys()].join(', ')})` })
    }
    // RFC 6749 §4.4: client_credentials is the client authenticating as itself, which needs a secret.
    if (isPublic && body.grant_types?.includes('client_credentials')) found.push({ field: 'grant_types', message: 'a public client cannot use client_credentials' })
    for (const [i, audience] of (body.audiences ?? []).entries()) {
      if (!config.audiences.includes(audience)) found.push({ field: `audiences.${i}`, message: 'not a registered audience (AUDIENCES)' })
    }
    return found
  }

  app.post<{ Body: ClientBody }>(
    '/clients',
    {
      schema: {
        tags: TAGS,
        summary: 'Register a client (a confidential client’s secret is returned only in this response)',
        security: SECURITY,
        body: {
          type: 'object',
          properties: { name, grant_types: grantTypes, scopes: scopeArray, audiences, public: { type: 'boolean', default: false } },
          required: ['name', 'grant_types'],
          additionalProperties: false,
        },
        response: { 201: withSecret, ...errors },
      },
    },
    async (request, reply) => {
      const { body } = request
      const isPublic = body.public === true
      const found = problems(body, isPublic)
      if (found.length > 0) throw validationFailed(found)
      const secret = isPublic ? null : randomSecret()
      const client = await store.clients.create({
        clientId: newId(now()),
        name: body.name,
        secretHash: secret === null ? null : sha256(secret),
        grantTypes: body.grant_types,
        scopes: body.scopes ?? [],
        audiences: body.audiences ?? [],
      })
      await audit(deps, request, 'client.created', client.clientId, { name: client.name, public: isPublic, grant_types: client.grantTypes, scopes: client.scopes })
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...clientView(client, now()), ...(secret === null ? {} : { client_secret: secret }) })
    },
  )

  app.get<{ Querystring: PageQuery }>(
    '/clients',
    {
      schema: {
        tags: TAGS,
        summary: 'List clients (never a secret or its hash)',
        security: SECURITY,
        querystring: { type: 'object', properties: pageQuery, additionalProperties: false },
        response: { 200: pageOf(clientSchema), ...errors },
      },
    },
    async (request) => {
      const page = await store.clients.list(request.query)
      const at = now()
      return { items: page.items.map((client) => clientView(client, at)), next_cursor: page.nextCursor }
    },
  )

  app.get<{ Params: { clientId: string } }>(
    '/clients/:clientId',
    { schema: { tags: TAGS, summary: 'Get a client', security: SECURITY, params: clientIdParams, response: { 200: clientSchema, ...errorsWithNotFound } } },
    async (request) => {
      const client = await store.clients.findById(request.params.clientId)
      if (!client) throw notFound('no client has this client_id')
      return clientView(client, now())
    },
  )

  app.patch<{ Params: { clientId: string }; Body: Partial<Omit<ClientBody, 'public'>> }>(
    '/clients/:clientId',
    {
      schema: {
        tags: TAGS,
        summary: 'Update a client’s name, grant types, scopes or audiences',
        security: SECURITY,
        params: clientIdParams,
        body: { type: 'object', properties: { name, grant_types: grantTypes, scopes: scopeArray, audiences }, additionalProperties: false, minProperties: 1 },
        response: { 200: clientSchema, ...errorsWithNotFound },
      },
    },
    async (request) => {
      const current = await store.clients.findById(request.params.clientId)
      if (!current) throw notFound('no client has this client_id')
      const { body } = request
      const found = problems(body, current.isPublic)
      if (found.length > 0) throw validationFailed(found)
      const client = await store.clients
        .update(current.clientId, { name: body.name, grantTypes: body.grant_types, scopes: body.scopes, audiences: body.audiences })
        .catch(notFoundClient)
      clients.invalidate(client.clientId)
      await audit(deps, request, 'client.updated', client.clientId, { changed: Object.keys(body) })
      return clientView(client, now())
    },
  )

  app.post<{ Params: { clientId: string }; Body: { previous_secret_grace_seconds?: number } | undefined }>(
    '/clients/:clientId/rotate-secret',
    {
      schema: {
        tags: TAGS,
        summary: 'Issue a new client secret (returned only in this response); the old one stays valid for the grace period',
        security: SECURITY,
        params: clientIdParams,
        body: {
          type: ['object', 'null'],
          properties: { previous_secret_grace_seconds: { type: 'integer', minimum: 0, maximum: MAX_GRACE, default: 0, description: 'Seconds the old secret keeps working; 0 ends it now' } },
          additionalProperties: false,
        },
        response: { 200: { ...withSecret, required: [...withSecret.required, 'client_secret'] }, ...errorsWithNotFound, 409: errorBody },
      },
    },
    async (request) => {
      const current = await store.clients.findById(request.params.clientId)
      if (!current) throw notFound('no client has this client_id')
      if (current.isPublic) throw conflict('a public client has no secret to rotate')
      const grace = request.body?.previous_secret_grace_seconds ?? 0
      const at = now()
      const secret = randomSecret()
      const client = await store.clients.rotateSecret(current.clientId, sha256(secret), grace > 0 ? new Date(at + grace * 1000) : null).catch(notFoundClient)
      clients.invalidate(client.clientId)
      await audit(deps, request, 'client.secret_rotated', client.clientId, { previous_secret_grace_seconds: grace })
      return { ...clientView(client, at), client_secret: secret }
    },
  )

  app.delete<{ Params: { clientId: string } }>(
    '/clients/:clientId',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a client; its refresh-token families end with it',
        security: SECURITY,
        params: clientIdParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...errorsWithNotFound },
      },
    },
    async (request, reply) => {
      await store.clients.delete(request.params.clientId).catch(notFoundClient)
      clients.invalidate(request.params.clientId)
      await audit(deps, request, 'client.deleted', request.params.clientId)
      return reply.code(204).send()
    },
  )
}
