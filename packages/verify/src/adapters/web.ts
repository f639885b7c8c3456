// The web platform's Request and Response (Hono, Next.js route handlers, workers, Deno, Bun).
import { answerFor, UnavailableError, VerificationError } from '../errors.js'
import type { ScopeRequirement } from '../scopes.js'
import type { Auth, Verifier } from '../verifier.js'

/**
 * The answer for a refused request: its status, `WWW-Authenticate`, and an RFC 6749 §5.2 style body; for one that
 * could not be verified (UnavailableError), 503 with `Retry-After`.
 */
export function errorResponse(error: VerificationError | UnavailableError): Response {
  const answer = answerFor(error)
  return new Response(answer.body, { status: answer.status, headers: answer.headers })
}

/**
 * Verifies a web Request: `{ auth }` when it may proceed, `{ response }` (401/403, or 503 when the authorization
 * server cannot be reached) to send back otherwise.
 *
 * @example
 * export async function GET(request: Request) {
 *   const result = await verifyRequest(verifier, request, requireScopes('read:objects'))
 *   if ('response' in result) return result.response
 *   return Response.json({ hello: result.auth.subject })
 * }
 */
export async function verifyRequest(
  verifier: Verifier,
  request: Request,
  required?: ScopeRequirement,
): Promise<{ auth: Auth } | { response: Response }> {
  try {
    return { auth: await verifier.verify(request, required) }
  } catch (error) {
    if (error instanceof VerificationError || error instanceof UnavailableError)
      return { response: errorResponse(error) }
    throw error
  }
}

/** Wraps a handler: it runs with the verified Auth, or the request is answered 401/403 without it. */
export function withAuth(
  verifier: Verifier,
  handler: (request: Request, auth: Auth) => Response | Promise<Response>,
  required?: ScopeRequirement,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const result = await verifyRequest(verifier, request, required)
    return 'response' in result ? result.response : handler(request, result.auth)
  }
}
