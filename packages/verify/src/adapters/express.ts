// Express and connect: a middleware that sets `req.auth` or answers 401/403 (typed structurally: no dependency).
import { VerificationError } from '../errors.js'
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
        if (!(error instanceof VerificationError)) return next(error)
        response.statusCode = error.status
        response.setHeader('www-authenticate', error.wwwAuthenticate)
        response.setHeader('content-type', 'application/json; charset=utf-8')
        response.setHeader('cache-control', 'no-store')
        response.end(JSON.stringify(error.body()))
      },
    )
  }
}
