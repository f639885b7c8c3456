// Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3.1):
// client_secret_basic, client_secret_post, private_key_jwt (RFC 7523 §2.2: oauth/client-assertion.ts), or
// `none` for a public client (client_id only).
//
// Client secrets are generated with 256 bits of entropy, so they are stored as SHA-256 and compared in
// constant time; bcrypt would only slow every token request down (see security/secrets.ts).
import type { FastifyRequest } from 'fastify'
import type { Services } from '../services.js'
import { constantTimeEqual, sha256 } from '../security/secrets.js'
import type { Client } from '../store/clients.js'
import { invalidClient, invalidRequest } from '../errors.js'
import {
  assertedClientId,
  authenticateWithAssertion,
  CLIENT_ASSERTION_TYPE,
  refuseAssertion,
  type ClientAssertionServices,
} from './client-assertion.js'
import { formDecode } from './form-body.js'

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'

export interface AuthenticatedClient {
  client: Client
  method: ClientAuthMethod
}

interface Credentials {
  clientId: string
  /** Undefined when no secret was presented (an empty secret counts as none). */
  secret: string | undefined
  basic: boolean
  /** A signed client assertion (private_key_jwt), instead of a secret. */
  assertion?: string
}

const FAILED = 'client authentication failed'
// Compared against when the client is unknown, so an unknown id costs what a wrong secret costs.
const UNKNOWN_CLIENT_HASH = sha256('portcullis: no such client')
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/
const BASIC = /^basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i
// At most two (RFC 4648 §4); a bound, because `=+$` is quadratic on a long run of '=' (test/project/regex-safety.test.ts).
const BASE64_PADDING = /={1,2}$/

/** RFC 6749 §2.3.1 form-urlencodes the id and secret before joining them: a bad escape is invalid_client. */
const malformedBasic = () => invalidClient('the HTTP Basic credentials are not correctly form-urlencoded', true)

function readBasic(header: string): Credentials {
  const match = BASIC.exec(header)
  if (!match) throw invalidClient('the Authorization header must use the Basic scheme with base64 credentials', true)
  const decoded = Buffer.from(match[1]!, 'base64')
  if (decoded.toString('base64').replace(BASE64_PADDING, '') !== match[1]!.replace(BASE64_PADDING, ''))
    throw invalidClient('the HTTP Basic credentials are not valid base64', true)
  const text = decoded.toString('utf8')
  const colon = text.indexOf(':')
  if (colon === -1) throw invalidClient('the HTTP Basic credentials must be client_id:client_secret', true)
  const clientId = formDecode(text.slice(0, colon), malformedBasic)
  const secret = formDecode(text.slice(colon + 1), malformedBasic)
  return { clientId, secret: secret === '' ? undefined : secret, basic: true }
}

function bodyString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name]
  if (value === undefined || value === '') return undefined
  if (Array.isArray(value)) throw invalidRequest(`parameter ${name} is repeated`)
  if (typeof value !== 'string') throw invalidRequest(`parameter ${name} must be a string`)
  return value
}

/** RFC 7521 §4.2: the client named by a client assertion; client_id, if sent too, must name the same. */
function readAssertion(request: FastifyRequest, body: Record<string, unknown>, clientId: string | undefined) {
  const type = bodyString(body, 'client_assertion_type')
  const assertion = bodyString(body, 'client_assertion')
  if (type !== CLIENT_ASSERTION_TYPE)
    return refuseAssertion(request, clientId, `client_assertion_type ${JSON.stringify(type)} is not supported`)
  if (assertion === undefined) return refuseAssertion(request, clientId, 'client_assertion is missing')
  const asserted = assertedClientId(request, assertion)
  if (clientId !== undefined && clientId !== asserted)
    return refuseAssertion(request, clientId, `client_id differs from the assertion's sub ${JSON.stringify(asserted)}`)
  return { clientId: asserted, secret: undefined, basic: false, assertion }
}

/** Which credentials the request carries; more than one method is invalid_request (RFC 6749 §2.3). */
function readCredentials(request: FastifyRequest, body: Record<string, unknown>): Credentials {
  const header = request.headers.authorization
  const clientId = bodyString(body, 'client_id')
  const secret = bodyString(body, 'client_secret')
  if (body.client_assertion !== undefined || body.client_assertion_type !== undefined) {
    if ((header !== undefined && header !== '') || secret !== undefined)
      throw invalidRequest('use one client authentication method: a client assertion, HTTP Basic or client_secret')
    return readAssertion(request, body, clientId)
  }
  if (header !== undefined && header !== '') {
    const basic = readBasic(header)
    if (secret !== undefined)
      throw invalidRequest('use one client authentication method: HTTP Basic or client_secret in the body, not both')
    if (clientId !== undefined && clientId !== basic.clientId)
      throw invalidRequest('client_id in the body differs from the HTTP Basic client')
    return basic
  }
  if (clientId === undefined)
    throw invalidClient(
      secret === undefined ? 'client authentication is required' : 'client_secret was sent without client_id',
    )
  return { clientId, secret, basic: false }
}

function secretMatches(client: Client, secret: string | undefined, now: number): boolean {
  if (secret === undefined) return false
  const presented = sha256(secret)
  const current = client.secretHash !== null && constantTimeEqual(presented, client.secretHash)
  // Both are always compared, so the time taken does not say which secret matched.
  const previous =
    client.previousSecretHash !== null &&
    client.previousSecretExpiresAt !== null &&
    constantTimeEqual(presented, client.previousSecretHash) &&
    client.previousSecretExpiresAt.getTime() > now
  return current || previous
}

/**
 * Authenticates the client of a token, revocation or introspection request (RFC 6749 §2.3.1).
 * Throws invalid_client (401, with `WWW-Authenticate: Basic` when Basic was tried) for an unknown client or
 * a wrong secret, and invalid_request when more than one method is used.
 *
 * @example
 * const { client, method } = await authenticateClient(request, deps, params)
 */
export async function authenticateClient(
  request: FastifyRequest,
  deps: Pick<Services, 'clients' | 'now'> & Partial<Pick<Services, 'usage'>> & ClientAssertionServices,
  body: Record<string, unknown>,
): Promise<AuthenticatedClient> {
  const credentials = readCredentials(request, body)
  const { clientId, basic } = credentials
  if (clientId === '' || clientId.length > 255 || CONTROL_CHARACTERS.test(clientId)) throw invalidClient(FAILED, basic)
  const found = await deps.clients.lookup(clientId)
  try {
    return await authenticateFound(request, deps, credentials, found)
  } catch (err) {
    // A known client's refusal counts in its usage (ops/usage.ts); an unknown id is nobody's.
    if (found.client) deps.usage?.count('client', clientId, 'refused')
    throw err
  }
}

async function authenticateFound(
  request: FastifyRequest,
  deps: Pick<Services, 'clients' | 'now'> & ClientAssertionServices,
  credentials: Credentials,
  found: Awaited<ReturnType<Services['clients']['lookup']>>,
): Promise<AuthenticatedClient> {
  const { clientId, secret, basic, assertion } = credentials
  if (assertion !== undefined)
    return {
      client: await authenticateWithAssertion(request, deps, clientId, found, assertion),
      method: 'private_key_jwt',
    }
  let client = found.client
  if (!client) {
    constantTimeEqual(sha256(secret ?? ''), UNKNOWN_CLIENT_HASH)
    throw invalidClient(FAILED, basic)
  }
  // A public client is known by its id alone (RFC 6749 §2.2: a client identifier is not a secret).
  if (client.isPublic) {
    if (secret !== undefined) throw invalidClient('a public client has no secret; send client_id only', basic)
    return { client, method: 'none' }
  }
  if (!secretMatches(client, secret, deps.now())) {
    // An unknown id costs a query (unknown ids are not cached), so a confidential client refused from the
    // cache is read again: a refusal takes as long whether the id exists or not, and answers the same (no
    // "must authenticate with its secret" to tell a known id). A secret rotated on another instance or by
    // the CLI is accepted here at once, too.
    const current = found.fromCache ? await deps.clients.reload(clientId) : undefined
    if (!current || current.isPublic || !secretMatches(current, secret, deps.now())) throw invalidClient(FAILED, basic)
    client = current
  }
  return { client, method: basic ? 'client_secret_basic' : 'client_secret_post' }
}
