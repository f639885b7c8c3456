// Express and connect: a middleware that sets `req.auth` or answers 401/403, or 503 when the authorization server
// cannot be reached to check the credential (typed structurally: no dependency).
import { answerFor, UnavailableError, VerificationError } from '../errors.js'
import type { ScopeRequirement } from '../scopes.js'
import type { Auth, Verifier } from '../verifier.js'

interface NodeRequestLike {
  headers: Record<string, string | string[] | undefined>
  auth?: Auth
}
interface NodeResponseLike {
  statusCode: number
  setHeader(name: string, value: string): unknown
  end(body?: string): unknown
}

/**
 * @example
 * app.get('/objects', expressAuth(verifier, requireScopes('read:objects')), (req, res) => res.json(req.auth))
 */
export function expressAuth(verifier: Verifier, required?: ScopeRequirement) {
  return (request: NodeRequestLike, response: NodeResponseLike, next: (error?: unknown) => void): void => {
    const known = verifier.remembered(request, required)
    if (known !== undefined) {
      request.auth = known
      next()
      return
    }
    verifier.verify(request, required).then(
      (auth) => {
        request.auth = auth
        next()
      },
      (error: unknown) => {
        if (!(error instanceof VerificationError || error instanceof UnavailableError)) return next(error)
        const answer = answerFor(error)
        response.statusCode = answer.status
        for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value)
        response.end(answer.body)
      },
    )
  }
}
