// The admin API (/admin/v1) with types generated from openapi.yaml: access keys, clients, users, signing keys,
// audit. Authenticated like any other call, by a strategy holding the `admin` scope.
import createClient, { type Client } from 'openapi-fetch'
import { createFetch } from '../fetch.js'
import type { AuthStrategy } from '../strategy.js'
import type { paths } from './openapi.js'

export type { components, operations, paths } from './openapi.js'
export type AdminClient = Client<paths>

/**
 * @example
 * import { createAdminClient } from '@portcullis/client/admin'
 * const admin = createAdminClient({ baseUrl: issuer, strategy: clientCredentials({ issuer, clientId, clientSecret, scope: 'admin' }) })
 * const { data, error } = await admin.GET('/admin/v1/access-keys')
 */
export function createAdminClient(options: {
  /** Portcullis's address (its ISSUER). */
  baseUrl: string
  strategy: AuthStrategy
  fetch?: typeof fetch
}): AdminClient {
  // Errors come back as openapi-fetch's `error` (the RFC 6749-style body), not as exceptions.
  const authenticated = createFetch(options.strategy, {
    throwOnAuthErrors: false,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  return createClient<paths>({ baseUrl: options.baseUrl, fetch: (request: Request) => authenticated(request) })
}
