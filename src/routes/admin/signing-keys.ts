// /admin/v1/signing-keys: list, rotate, revoke, with the CLI's semantics (keys/key-manager.ts). Only public
// facts are shown, never a private member. Other instances notice a change within KEYRING_REFRESH_INTERVAL.
import type { FastifyInstance } from 'fastify'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../config.js'
import type { Services } from '../../services.js'
import { SigningKeyError } from '../../keys/key-manager.js'
import { conflict, notFound, validationFailed } from '../../errors.js'
import {
  errorBody,
  errors,
  errorsWithNotFound,
  idParams,
  nullableDateTime,
  pageOf,
  pageQuery,
  SECURITY,
  dateTime,
  nullableString,
  type PageQuery,
} from './schemas.js'
import { listSigningKeys, revokeSigningKey, rotateSigningKeys } from '../../manage/signing-keys.js'
import { auditContext, signingKeyView } from './views.js'

const TAGS = ['admin: signing keys']
const alg = {
  type: 'string',
  enum: SIGNING_ALGORITHMS,
  description: 'A JWS algorithm of SIGNING_ALGORITHMS: each has its own keys',
} as const

const signingKeySchema = {
  type: 'object',
  properties: {
    kid: { type: 'string' },
    state: { type: 'string', enum: ['next', 'active', 'retired', 'removed', 'revoked'] },
    alg: { type: 'string', enum: SIGNING_ALGORITHMS },
    modulus_length: { type: 'integer', description: 'The RSA modulus in bits; 256 for ES256 and EdDSA keys' },
    generation: { type: 'integer' },
    created_at: dateTime,
    activates_at: dateTime,
    retires_at: nullableDateTime,
    removes_at: nullableDateTime,
    revoked_at: nullableDateTime,
  },
  required: [
    'kid',
    'state',
    'alg',
    'modulus_length',
    'generation',
    'created_at',
    'activates_at',
    'retires_at',
    'removes_at',
    'revoked_at',
  ],
} as const

const nullableKey = { anyOf: [signingKeySchema, { type: 'null' }] } as const

export function registerAdminSigningKeyRoutes(app: FastifyInstance, deps: Services): void {
  const manager = () => deps.keyring.manager

  app.get<{ Querystring: PageQuery & { alg?: SigningAlgorithm } }>(
    '/signing-keys',
    {
      schema: {
        tags: TAGS,
        summary: 'List the signing keys, newest first, with their states',
        security: SECURITY,
        querystring: { type: 'object', properties: { ...pageQuery, alg }, additionalProperties: false },
        response: { 200: pageOf(signingKeySchema), ...errors },
      },
    },
    async (request) => {
      const { after, limit } = request.query
      const keys = await listSigningKeys(manager(), request.query.alg === undefined ? {} : { alg: request.query.alg })
      // A handful of keys: paged in memory, the cursor being the last kid shown.
      const start = after === undefined ? 0 : keys.findIndex((key) => key.kid === after) + 1
      const items = start === 0 && after !== undefined ? [] : keys.slice(start, start + limit)
      return {
        items: items.map(signingKeyView),
        next_cursor: start + limit < keys.length && items.length > 0 ? items[items.length - 1]!.kid : null,
      }
    },
  )

  app.post<{ Body: { immediate?: boolean; alg?: SigningAlgorithm } | undefined }>(
    '/signing-keys/rotate',
    {
      schema: {
        tags: TAGS,
        summary:
          'Start a rotation: a new key, published now, signing after the pre-publication delay (immediate: at once)',
        security: SECURITY,
        body: {
          type: ['object', 'null'],
          properties: {
            immediate: { type: 'boolean', default: false },
            alg: { ...alg, description: 'The algorithm whose key rotates (default: the first of SIGNING_ALGORITHMS)' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              changed: {
                type: 'boolean',
                description: 'false when a rotation was already under way: key is the pending key',
              },
              immediate: { type: 'boolean' },
              key: signingKeySchema,
              previous: nullableKey,
              warning: {
                ...nullableString,
                description: 'Set when consumers with a cached JWKS may reject tokens of the new key for a while',
              },
            },
            required: ['changed', 'immediate', 'key', 'previous', 'warning'],
          },
          ...errors,
          409: errorBody,
        },
      },
    },
    async (request) => {
      const result = await rotateSigningKeys(
        manager(),
        { immediate: request.body?.immediate === true, alg: request.body?.alg },
        auditContext(request),
      ).catch(translate)
      return {
        changed: result.changed,
        immediate: result.immediate,
        key: signingKeyView(result.key),
        previous: result.previous ? signingKeyView(result.previous) : null,
        warning: result.cacheWarning,
      }
    },
  )

  app.post<{ Params: { kid: string } }>(
    '/signing-keys/:kid/revoke',
    {
      schema: {
        tags: TAGS,
        summary: 'Revoke a key: out of the JWKS at once; if it was signing, another key takes over',
        security: SECURITY,
        params: idParams('kid'),
        response: {
          200: {
            type: 'object',
            properties: { key: signingKeySchema, successor: nullableKey },
            required: ['key', 'successor'],
          },
          ...errorsWithNotFound,
          409: errorBody,
        },
      },
    },
    async (request) => {
      const { key, successor } = await revokeSigningKey(manager(), request.params.kid, auditContext(request)).catch(
        translate,
      )
      return { key: signingKeyView(key), successor: successor ? signingKeyView(successor) : null }
    },
  )
}

function translate(err: unknown): never {
  if (err instanceof SigningKeyError) {
    if (err.code === 'not_found') throw notFound('no signing key has this kid')
    if (err.code === 'not_configured') throw validationFailed([{ field: 'alg', message: err.message }])
    throw conflict(err.message)
  }
  throw err
}
