// The web platform's Request and Response (Hono, Next.js route handlers, workers, Deno, Bun).
import { VerificationError } from '../errors.js'
import type { ScopeRequirement } from '../scopes.js'
import type { Auth, Verifier } from '../verifier.js'

/** The answer for a refused request: its status, `WWW-Authenticate`, and an RFC 6749 §5.2 style body. */
export function errorResponse(error: VerificationError): Response {
  return new Response(JSON.stringify(error.body()), {
    status: error.status,
    headers: {
      'www-authenticate': error.wwwAuthenticate,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    },
  })
}

/**
 * Verifies a web Request: `{ auth }` when it may proceed, `{ response }` (401/403) to send back otherwise.
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
    if (error instanceof VerificationError) return { response: errorResponse(error) }
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
