// Usage statistics (ops/usage.ts counts them, manage/usage.ts reads them): GET /admin/v1/usage (everything
// together), /admin/v1/access-keys/{id}/usage and /admin/v1/clients/{id}/usage. /v1/me has its own keys' (me-usage.ts).
import type { FastifyInstance } from 'fastify'
import { insufficientScope } from '../../errors.js'
import { isOperator, OPERATOR_SCOPE } from '../../manage/tenants.js'
import type { Services } from '../../services.js'
import {
  GRANULARITIES,
  MAX_PERIOD_DAYS,
  readAccessKeyUsage,
  readClientUsage,
  readUsage,
  usagePeriod,
  type Granularity,
} from '../../manage/usage.js'
import { USAGE_KINDS } from '../../ops/usage.js'
import { dateTime, errors, errorsWithNotFound, idParams, SECURITY } from './schemas.js'
import { tenantOfRequest } from './views.js'

export interface UsageQuery {
  from?: string
  to?: string
  granularity?: Granularity
}

const KIND_DESCRIPTION =
  'token.<grant> (an access token issued: client_credentials, password, refresh_token, authorization_code, token_exchange, jwt_bearer), ' +
  'introspection, api (an admin API or /v1/me call authenticated by the access key), ' +
  'refused (a wrong secret, a revoked or expired key, a missing scope, a token request answered with an error) ' +
  'and throttled (a token request over RATE_LIMIT_PER_CLIENT)'

export const usageQuerySchema = {
  type: 'object',
  properties: {
    from: {
      type: 'string',
      maxLength: 64,
      description:
        'RFC 3339 date-time (encode "+" as %2B); default: 24 hours before `to`. Widened to the start of its hour or day',
    },
    to: {
      type: 'string',
      maxLength: 64,
      description: `RFC 3339 date-time; default: now. Widened to the end of its hour or day; at most ${MAX_PERIOD_DAYS} days after from`,
    },
    granularity: { type: 'string', enum: [...GRANULARITIES], default: 'hour', description: 'Bucket size (UTC)' },
  },
  additionalProperties: false,
} as const

// Kind → count; a map rather than one property per kind, so that a kind added later reaches every client.
const countsSchema = (description: string) =>
  ({
    type: 'object',
    description: `${description}: ${USAGE_KINDS.join(', ')}`,
    additionalProperties: { type: 'integer', minimum: 1 },
  }) as const

export const usageSchema = {
  type: 'object',
  description: `Requests counted per hour by kind: ${KIND_DESCRIPTION}. Each instance writes its counts every USAGE_FLUSH_INTERVAL.`,
  properties: {
    from: { ...dateTime, description: 'The start of the first bucket of the period' },
    to: { ...dateTime, description: 'The end of the last bucket of the period (exclusive)' },
    granularity: { type: 'string', enum: [...GRANULARITIES] },
    buckets: {
      type: 'array',
      description: 'Only the buckets with any count, ascending',
      items: {
        type: 'object',
        properties: {
          start: dateTime,
          counts: countsSchema('The kinds counted in this bucket (only those above zero)'),
        },
        required: ['start', 'counts'],
        additionalProperties: false,
      },
    },
    totals: countsSchema('The sums over the period (only the kinds above zero)'),
  },
  required: ['from', 'to', 'granularity', 'buckets', 'totals'],
  additionalProperties: false,
} as const

const TAGS = ['admin: usage']

export function registerAdminUsageRoutes(app: FastifyInstance, deps: Services): void {
  const { now } = deps

  app.get<{ Querystring: UsageQuery & { subject_type?: 'access_key' | 'client' } }>(
    '/usage',
    {
      schema: {
        tags: TAGS,
        summary: 'Usage of every access key and client of every tenant together (an overview; operators only)',
        description:
          'The counts of every access key and client, summed. A token issued through a client for an access key (token exchange, JWT bearer) counts once for each: subject_type selects one side.',
        security: SECURITY,
        querystring: {
          ...usageQuerySchema,
          properties: {
            ...usageQuerySchema.properties,
            subject_type: {
              type: 'string',
              enum: ['access_key', 'client'],
              description: 'Only the counts of access keys, or only those of clients',
            },
          },
        },
        response: { 200: usageSchema, ...errors },
      },
    },
    async (request) => {
      // Every tenant's keys and clients together: the operators' view alone.
      if (!isOperator(request.principal!)) throw insufficientScope(OPERATOR_SCOPE)
      const period = usagePeriod(request.query, now())
      const type = request.query.subject_type
      return readUsage(deps, type === undefined ? {} : { type }, period)
    },
  )

  app.get<{ Params: { id: string }; Querystring: UsageQuery }>(
    '/access-keys/:id/usage',
    {
      schema: {
        tags: ['admin: access keys'],
        summary: 'Usage of an access key, per hour or day',
        security: SECURITY,
        params: idParams('id'),
        querystring: usageQuerySchema,
        response: { 200: usageSchema, ...errorsWithNotFound },
      },
    },
    async (request) =>
      readAccessKeyUsage(deps, request.params.id, usagePeriod(request.query, now()), {
        tenantId: tenantOfRequest(request),
      }),
  )

  app.get<{ Params: { clientId: string }; Querystring: UsageQuery }>(
    '/clients/:clientId/usage',
    {
      schema: {
        tags: ['admin: clients'],
        summary: 'Usage of a client, per hour or day',
        security: SECURITY,
        params: idParams('clientId'),
        querystring: usageQuerySchema,
        response: { 200: usageSchema, ...errorsWithNotFound },
      },
    },
    async (request) =>
      readClientUsage(deps, request.params.clientId, usagePeriod(request.query, now()), {
        tenantId: tenantOfRequest(request),
      }),
  )
}
