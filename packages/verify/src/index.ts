// @portcullis/verify: verify Portcullis access tokens and access keys in the APIs behind it.
export { createVerifier, type Auth, type Verifier, type VerifierOptions } from './verifier.js'
export { VerificationError, bearerChallenge, type VerificationErrorCode } from './errors.js'
export { requireScopes, requireAnyScope, missingScopes, type ScopeRequirement } from './scopes.js'
export type { RequestLike } from './credentials.js'
export type { IntrospectionCredentials } from './access-keys.js'
export { authenticate, portcullisAuth } from './adapters/fastify.js'
export { expressAuth } from './adapters/express.js'
export { errorResponse, verifyRequest, withAuth } from './adapters/web.js'
