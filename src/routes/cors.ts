// CORS (the Fetch standard's CORS protocol) for the endpoints a page may call from another origin: the token,
// revocation and UserInfo endpoints, the JWKS and the discovery documents; a public client running in a
// browser (a single-page app) signs in with them. Nothing else answers with CORS headers: not
// /oauth/authorize, not the sign-in pages, not the admin API.
//
// @fastify/cors is registered in one encapsulated scope holding exactly those routes, so its hook runs only for
// them, and for the preflight route it adds (OPTIONS *), where the target path is checked against the routes of
// the scope. The origin must be one of CORS_ORIGINS or of a client's allowed_origins (oauth/cors-origins.ts);
// it is echoed, never `*`, with `Vary: Origin`. No credentials: these endpoints take no cookies, so
// Access-Control-Allow-Credentials is never sent.
import cors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Services } from '../services.js'

/** What a page may send and read besides the CORS-safelisted headers. */
const POLICY = {
  methods: ['GET', 'HEAD', 'POST'],
  allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'DPoP'],
  exposedHeaders: ['WWW-Authenticate', 'Retry-After', 'ETag', 'X-Request-Id', 'DPoP-Nonce'],
  maxAge: 600,
  credentials: false,
} as const satisfies FastifyCorsOptions

const NO_CORS = { origin: false } as const

const pathOf = (url: string) => {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/**
 * Registers `routes` in a scope whose answers carry CORS headers for the allowed origins.
 *
 * @example
 * await registerCorsRoutes(app, services, (scope) => registerUserInfoRoutes(scope, services))
 */
export async function registerCorsRoutes(
  app: FastifyInstance,
  { corsOrigins }: Pick<Services, 'corsOrigins'>,
  routes: (scope: FastifyInstance) => void,
): Promise<void> {
  await app.register(async (scope) => {
    const paths = new Set<string>()
    scope.addHook('onRoute', (route) => {
      if (route.url !== '*') paths.add(route.url)
    })
    const delegator = (
      request: FastifyRequest,
      callback: (error: Error | null, options: FastifyCorsOptions) => void,
    ) => {
      const origin = request.headers.origin
      if (origin === undefined || !paths.has(pathOf(request.url))) return callback(null, NO_CORS)
      corsOrigins.allows(origin).then(
        (allowed) => callback(null, allowed ? { ...POLICY, origin } : NO_CORS),
        (err: Error) => callback(err, NO_CORS),
      )
    }
    await scope.register(cors, { delegator })
    routes(scope)
  })
}
