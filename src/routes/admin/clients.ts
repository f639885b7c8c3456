// /admin/v1/clients: register (the secret is returned once), list, get, update, rotate the secret (the old one
// optionally accepted for a grace period), delete (its refresh-token families go with it). A private_key_jwt
// client registers public keys instead of getting a secret; a PATCH of jwks or jwks_uri replaces them.
import type { FastifyInstance } from 'fastify'
import { SIGNING_ALGORITHMS } from '../../config.js'
import type { Services } from '../../services.js'
import {
  AUTH_METHODS,
  createClient,
  deleteClient,
  getClient,
  listClients,
  MAX_SECRET_GRACE_SECONDS,
  rotateClientSecret,
  updateClient,
} from '../../manage/clients.js'
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
import { auditContext, clientSchema, clientView, tenantOfRequest } from './views.js'

const TAGS = ['admin: clients']

const grantTypes = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 200 },
  minItems: 1,
  maxItems: 20,
  uniqueItems: true,
} as const
const audiences = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 2000 },
  maxItems: 50,
  uniqueItems: true,
} as const
const uris = (description: string) =>
  ({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 2000 },
    maxItems: 50,
    uniqueItems: true,
    description,
  }) as const
const signInProperties = {
  redirect_uris: uris('Authorization code grant: exact redirect URIs (https, loopback http, or a private-use scheme)'),
  post_logout_redirect_uris: uris('Where a logout may return the browser, exactly'),
  first_party: { type: 'boolean', description: 'The operator’s own application: no consent page' },
  allowed_origins: uris('Browser origins allowed to call the token endpoint (CORS)'),
  dpop_bound_access_tokens: {
    type: 'boolean',
    description: 'RFC 9449 section 5.2: every token request must carry a DPoP proof (the access tokens are DPoP-bound)',
  },
} as const
// The JWK Set's contents are checked by manage/clients.ts (public keys only, their types and sizes), which
// names the offending member; the schema bounds only the shape.
const keyProperties = {
  jwks: {
    type: 'object',
    properties: { keys: { type: 'array', items: { type: 'object' }, minItems: 1, maxItems: 10 } },
    required: ['keys'],
    description: 'private_key_jwt: a JWK Set of the client’s public keys (RS256/PS256 RSA, ES256 P-256, EdDSA Ed25519)',
  },
  jwks_uri: {
    type: 'string',
    minLength: 1,
    maxLength: 2000,
    description: 'private_key_jwt: an https URL serving the client’s JWK Set (fetched and cached; instead of jwks)',
  },
  token_endpoint_audience: {
    type: 'boolean',
    description: 'private_key_jwt: also accept the token endpoint URL as an assertion’s aud (default: the issuer only)',
  },
} as const
const signingAlgorithm = {
  type: 'string',
  enum: SIGNING_ALGORITHMS,
  description:
    'The JWS algorithm of the client’s access tokens; one of the server’s SIGNING_ALGORITHMS (default: the first)',
} as const
const idTokenAlgorithm = {
  type: 'string',
  enum: SIGNING_ALGORITHMS,
  description:
    'OpenID Connect Registration section 2: the JWS algorithm of the client’s ID tokens; one of the server’s SIGNING_ALGORITHMS (default: RS256 when configured, else the first)',
} as const
/** In an update, null returns to the server's default. */
const orNull = <T extends { description: string }>(schema: T) =>
  ({
    ...schema,
    type: ['string', 'null'],
    enum: [...SIGNING_ALGORITHMS, null],
    description: `${schema.description}; null returns to the default`,
  }) as const
const clientIdParams = idParams('clientId')

interface ClientBody {
  name: string
  grant_types: string[]
  scopes?: string[]
  audiences?: string[]
  public?: boolean
  redirect_uris?: string[]
  post_logout_redirect_uris?: string[]
  first_party?: boolean
  allowed_origins?: string[]
  access_token_signing_alg?: string
  id_token_signed_response_alg?: string
  dpop_bound_access_tokens?: boolean
  token_endpoint_auth_method?: (typeof AUTH_METHODS)[number]
  jwks?: unknown
  jwks_uri?: string
  token_endpoint_audience?: boolean
}

const keyFields = (body: Partial<Pick<ClientBody, 'jwks' | 'jwks_uri' | 'token_endpoint_audience'>>) => ({
  jwks: body.jwks,
  jwksUri: body.jwks_uri,
  tokenEndpointAudience: body.token_endpoint_audience,
})

const signInFields = (
  body: Partial<
    Pick<
      ClientBody,
      'redirect_uris' | 'post_logout_redirect_uris' | 'first_party' | 'allowed_origins' | 'dpop_bound_access_tokens'
    >
  >,
) => ({
  redirectUris: body.redirect_uris,
  postLogoutRedirectUris: body.post_logout_redirect_uris,
  firstParty: body.first_party,
  allowedOrigins: body.allowed_origins,
  dpopBoundAccessTokens: body.dpop_bound_access_tokens,
})

const withSecret = {
  ...clientSchema,
  properties: {
    ...clientSchema.properties,
    client_secret: { type: 'string', description: 'Shown only in this response' },
  },
} as const

const dropUndefined = <T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>
  }

export function registerAdminClientRoutes(app: FastifyInstance, deps: Services): void {
  const { now } = deps

  app.post<{ Body: ClientBody }>(
    '/clients',
    {
      schema: {
        tags: TAGS,
        summary: 'Register a client (a confidential client’s secret is returned only in this response)',
        security: SECURITY,
        body: {
          type: 'object',
          properties: {
            name,
            grant_types: grantTypes,
            scopes: scopeArray,
            audiences,
            public: { type: 'boolean', default: false },
            token_endpoint_auth_method: {
              type: 'string',
              enum: [...AUTH_METHODS],
              description:
                'How the client authenticates: a secret (client_secret_basic or client_secret_post, the default; either works), private_key_jwt (with jwks or jwks_uri), or none (public)',
            },
            ...keyProperties,
            ...signInProperties,
            access_token_signing_alg: signingAlgorithm,
            id_token_signed_response_alg: idTokenAlgorithm,
          },
          required: ['name', 'grant_types'],
          additionalProperties: false,
        },
        response: { 201: withSecret, ...errors },
      },
    },
    async (request, reply) => {
      const { body } = request
      const { client, secret } = await createClient(
        deps,
        {
          name: body.name,
          grantTypes: body.grant_types,
          scopes: body.scopes ?? [],
          audiences: body.audiences ?? [],
          isPublic: body.public === true,
          ...dropUndefined({ authMethod: body.token_endpoint_auth_method, ...keyFields(body) }),
          ...dropUndefined({
            ...signInFields(body),
            accessTokenSigningAlg: body.access_token_signing_alg,
            idTokenSignedResponseAlg: body.id_token_signed_response_alg,
          }),
        },
        auditContext(request),
      )
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
      const page = await listClients(deps, { ...request.query, tenantId: tenantOfRequest(request) })
      const at = now()
      return { items: page.items.map((client) => clientView(client, at)), next_cursor: page.nextCursor }
    },
  )

  app.get<{ Params: { clientId: string } }>(
    '/clients/:clientId',
    {
      schema: {
        tags: TAGS,
        summary: 'Get a client',
        security: SECURITY,
        params: clientIdParams,
        response: { 200: clientSchema, ...errorsWithNotFound },
      },
    },
    async (request) => {
      return clientView(await getClient(deps, request.params.clientId, tenantOfRequest(request)), now())
    },
  )

  app.patch<{
    Params: { clientId: string }
    Body: Partial<
      Omit<
        ClientBody,
        'public' | 'token_endpoint_auth_method' | 'access_token_signing_alg' | 'id_token_signed_response_alg'
      >
    > & { access_token_signing_alg?: string | null; id_token_signed_response_alg?: string | null }
  }>(
    '/clients/:clientId',
    {
      schema: {
        tags: TAGS,
        summary:
          'Update a client’s name, grant types, scopes, audiences, browser sign-in fields, signing algorithms, or (private_key_jwt) replace its keys',
        security: SECURITY,
        params: clientIdParams,
        body: {
          type: 'object',
          properties: {
            name,
            grant_types: grantTypes,
            scopes: scopeArray,
            audiences,
            ...keyProperties,
            ...signInProperties,
            access_token_signing_alg: orNull(signingAlgorithm),
            id_token_signed_response_alg: orNull(idTokenAlgorithm),
          },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: clientSchema, ...errorsWithNotFound },
      },
    },
    async (request) => {
      const { body } = request
      const changes = {
        name: body.name,
        grantTypes: body.grant_types,
        scopes: body.scopes,
        audiences: body.audiences,
        accessTokenSigningAlg: body.access_token_signing_alg,
        idTokenSignedResponseAlg: body.id_token_signed_response_alg,
        ...signInFields(body),
        ...dropUndefined(keyFields(body)),
      }
      const client = await updateClient(deps, request.params.clientId, changes, auditContext(request))
      return clientView(client, now())
    },
  )

  app.post<{ Params: { clientId: string }; Body: { previous_secret_grace_seconds?: number } | undefined }>(
    '/clients/:clientId/rotate-secret',
    {
      schema: {
        tags: TAGS,
        summary:
          'Issue a new client secret (returned only in this response); the old one stays valid for the grace period',
        security: SECURITY,
        params: clientIdParams,
        body: {
          type: ['object', 'null'],
          properties: {
            previous_secret_grace_seconds: {
              type: 'integer',
              minimum: 0,
              maximum: MAX_SECRET_GRACE_SECONDS,
              default: 0,
              description: 'Seconds the old secret keeps working; 0 ends it now',
            },
          },
          additionalProperties: false,
        },
        response: {
          200: { ...withSecret, required: [...withSecret.required, 'client_secret'] },
          ...errorsWithNotFound,
          409: errorBody,
        },
      },
    },
    async (request) => {
      const graceSeconds = request.body?.previous_secret_grace_seconds ?? 0
      const { client, secret } = await rotateClientSecret(
        deps,
        request.params.clientId,
        { graceSeconds },
        auditContext(request),
      )
      const at = now()
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
      await deleteClient(deps, request.params.clientId, auditContext(request))
      return reply.code(204).send()
    },
  )
}
