// Schema fragments the public routes share: the error responses (one shape, src/errors.ts, in one place) and
// the client credential parameters of the revocation and introspection endpoints. The admin API's own
// fragments are in admin/schemas.ts.

/** `$ref` target of the one error shape every route answers errors with (src/errors.ts). */
export const ERROR_SCHEMA_ID = 'Error'

/** One per-field validation failure of the admin API (`details`). */
const errorDetail = {
  type: 'object',
  properties: { field: { type: 'string' }, message: { type: 'string' } },
  required: ['field', 'message'],
} as const

export const errorSchema = {
  $id: ERROR_SCHEMA_ID,
  type: 'object',
  description: 'An error, in the shape of RFC 6749 §5.2 on every route',
  properties: {
    error: {
      type: 'string',
      description:
        'An RFC 6749 / 6750 / 7009 / 8693 error code, or not_found, conflict, too_many_requests, server_error, service_unavailable',
      examples: ['invalid_request'],
    },
    error_description: { type: 'string', description: 'Human-readable; never contains a secret' },
    details: {
      type: 'array',
      description: 'Per-field validation failures (admin API)',
      items: errorDetail,
    },
  },
  required: ['error', 'error_description'],
} as const

/**
 * A response schema for an error status: the shared Error component with this status's meaning.
 *
 * @example
 * response: { 200: tokenResponse, 400: errorResponse('Invalid request'), 401: errorResponse('Client authentication failed') }
 */
export function errorResponse(description: string) {
  return { description, $ref: `${ERROR_SCHEMA_ID}#` } as const
}

/** The one error shape, inline (the admin API's responses): `details` lists per-field validation failures. */
export const errorBody = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    error_description: { type: 'string' },
    details: {
      type: 'array',
      items: errorDetail,
    },
  },
  required: ['error', 'error_description'],
} as const

/**
 * The token endpoint's error body: RFC 6749 §5.2's shape exactly, inline (the per-field details of the admin
 * API are dropped here).
 */
export const oauthErrorBody = {
  type: 'object',
  properties: { error: { type: 'string' }, error_description: { type: 'string' } },
  required: ['error'],
} as const

/** The form parameters the revocation and introspection endpoints take besides their own. Repeated parameters fail validation. */
export const clientCredentialProperties = {
  client_id: { type: 'string', description: 'client_secret_post / public client (RFC 6749 §2.3.1)' },
  client_secret: { type: 'string', description: 'client_secret_post (RFC 6749 §2.3.1)' },
  client_assertion_type: {
    type: 'string',
    description: 'private_key_jwt (RFC 7523 §2.2): urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  },
  client_assertion: {
    type: 'string',
    description: 'private_key_jwt: a JWT signed with the client’s key (iss = sub = client_id, aud = the issuer)',
  },
} as const
