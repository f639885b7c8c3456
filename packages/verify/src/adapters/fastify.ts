// Fastify: a plugin that gives every request `request.auth` (null until a route's preHandler verifies it), and a
// preHandler per route. Typed structurally, so the package does not depend on Fastify.
import { answerFor, UnavailableError, VerificationError } from '../errors.js'
import type { ScopeRequirement } from '../scopes.js'
import type { Auth, Verifier } from '../verifier.js'

interface FastifyRequestLike {
  headers: Record<string, string | string[] | undefined>
  auth?: Auth | null
}
interface FastifyReplyLike {
  code(status: number): FastifyReplyLike
  header(name: string, value: string): FastifyReplyLike
  send(payload?: unknown): unknown
}
interface FastifyInstanceLike {
  decorateRequest(name: string, value: unknown): unknown
  decorate(name: string, value: unknown): unknown
}

/**
 * A preHandler that verifies the request (and the scope given) and sets `request.auth`, or answers 401/403 (503
 * with Retry-After when the authorization server's keys or introspection cannot be reached).
 *
 * @example
 * app.get('/objects', { preHandler: authenticate(verifier, requireScopes('read:objects')) }, async (request) => request.auth)
 */
export function authenticate(verifier: Verifier, required?: ScopeRequirement) {
  // A callback-style hook: a token verified before is answered synchronously, without a promise.
  return function portcullisPreHandler(
    request: FastifyRequestLike,
    reply: FastifyReplyLike,
    done: (error?: Error) => void,
  ): void {
    const known = verifier.remembered(request, required)
    if (known !== undefined) {
      request.auth = known
      done()
      return
    }
    verifier.verify(request, required).then(
      (auth) => {
        request.auth = auth
        done()
      },
      (error: unknown) => {
        if (!(error instanceof VerificationError || error instanceof UnavailableError)) return done(error as Error)
        // Answered here: the route's handler does not run.
        const answer = answerFor(error)
        reply.code(answer.status)
        for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value)
        reply.send(answer.body)
      },
    )
  }
}

/**
 * The plugin: `request.auth` on every request, and `app.authenticate(requirement?)` for routes' preHandlers.
 * Not encapsulated (like fastify-plugin), so the decorations reach the routes of the app that registers it.
 *
 * @example
 * await app.register(portcullisAuth, { verifier })
 * app.get('/me', { preHandler: app.authenticate() }, async (request) => request.auth)
 */
export async function portcullisAuth(app: FastifyInstanceLike, options: { verifier: Verifier }): Promise<void> {
  app.decorateRequest('auth', null)
  app.decorate('authenticate', (required?: ScopeRequirement) => authenticate(options.verifier, required))
}
;(portcullisAuth as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true
;(portcullisAuth as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = '@portcullis/verify'
