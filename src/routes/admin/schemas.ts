// Schema fragments shared by the admin API and /v1/me. Response schemas are allow-lists: a field that is not
// listed is not serialised, so a hash or a secret cannot reach a response by accident.
import { createRequire } from 'node:module'
import type { Ajv as AjvInstance } from 'ajv'
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify'
import type { Services } from '../../services.js'
import { errorBody } from '../schemas.js'
import { checkContextHeaders } from '../../security/context-headers.js'

export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 200

/** Either credential (security schemes of openapi.yaml). */
export const SECURITY: { [scheme: string]: string[] }[] = [{ bearer: [] }, { apiKey: [] }]

export const nullableString = { type: ['string', 'null'] } as const
export const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const
export const dateTime = { type: 'string', format: 'date-time' } as const

// RFC 6749 §3.3 scope-token.
export const scopeToken = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$',
} as const
export const scopeArray = { type: 'array', items: scopeToken, maxItems: 100, uniqueItems: true } as const
export const stringArray = { type: 'array', items: { type: 'string' } } as const
export const name = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]*$' } as const

export { errorBody }

/** The error responses every authenticated route can give (503 service_unavailable: the database did not answer in time). */
export const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 503: errorBody } as const
export const errorsWithNotFound = { ...errors, 404: errorBody } as const

export const pageQuery = {
  after: { type: 'string', minLength: 1, maxLength: 200, description: 'The next_cursor of the previous page' },
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
} as const

export interface PageQuery {
  after?: string
  limit: number
}

export function pageOf(item: object) {
  return {
    type: 'object',
    properties: {
      items: { type: 'array', items: item },
      next_cursor: { ...nullableString, description: 'Pass as `after` for the next page; null on the last' },
    },
    required: ['items', 'next_cursor'],
  } as const
}

export const idParams = (key: string) =>
  ({
    type: 'object',
    properties: { [key]: { type: 'string', minLength: 1, maxLength: 200 } },
    required: [key],
    additionalProperties: false,
  }) as const

/**
 * A validator compiler that reports every bad field at once (the error handler turns them into `details`),
 * coerces query strings and path parameters to their declared types, and never coerces JSON bodies.
 * Used only behind authentication: an anonymous caller never reaches validation.
 */
export function createAdminValidatorCompiler(): FastifySchemaCompiler<object> {
  const options = {
    allErrors: true,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    validateFormats: false,
  } as const
  // Loaded and made when first needed, as the schemas are compiled (http/lazy-schemas.ts).
  let bodies: AjvInstance | undefined
  let strings: AjvInstance | undefined
  const ajv = (coerceTypes: boolean): AjvInstance =>
    new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv({ ...options, coerceTypes })
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? (bodies ??= ajv(false)) : (strings ??= ajv(true))).compile(schema) as ReturnType<
      FastifySchemaCompiler<object>
    >
}

/**
 * Registers a group of routes under `prefix` that all need `scope` (401/403 per RFC 6750 §3.1), validate
 * every field at once, and are never cached: the admin API and /v1/me share this.
 */
export function registerScopedRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'bearer' | 'schemas' | 'store'>,
  /** `scope`: one scope, or several of which the caller needs one. */
  options: { prefix: string; scope: string | readonly string[] },
  routes: (scoped: FastifyInstance) => void,
): void {
  void app.register(
    async (scoped) => {
      scoped.setValidatorCompiler(deps.schemas.validatorCompiler(createAdminValidatorCompiler()))
      scoped.addHook('onRequest', deps.bearer.requireScope(...[options.scope].flat()))
      // X-Tenant-Id / X-Workspace-Id are assertions about the credential, checked here for every route.
      scoped.addHook('onRequest', (request) => checkContextHeaders(request, request.principal!, deps.store.tenants))
      // Answers about credentials and accounts: never cached by anyone.
      scoped.addHook('onSend', async (_request, reply, payload) => {
        reply.header('cache-control', 'no-store')
        return payload
      })
      routes(scoped)
    },
    { prefix: options.prefix },
  )
}
