// @portcullis/client: sign in to Portcullis, keep the tokens fresh, and call the APIs behind it.
export type { AuthStrategy, RequestTarget } from './strategy.js'
export { bearerStrategy, dpopStrategy } from './strategy.js'
export {
  accessKey,
  clientCredentials,
  keyPair,
  JWT_BEARER_GRANT,
  password,
  tokenExchange,
  tokens,
  ACCESS_KEY_TOKEN_TYPE,
  type ManagedOptions,
} from './strategies/index.js'
export {
  finishAuthorization,
  loopbackSignIn,
  startAuthorization,
  type AuthorizationStart,
} from './strategies/authorization-code.js'
export { createTokenManager, type TokenManager, type TokenManagerOptions } from './token-manager.js'
export type { TokenSet } from './tokens.js'
export { createFetch, type FetchOptions } from './fetch.js'
export { fromEnv, type Environment } from './env.js'
export type { ClientOptions, ServerOptions } from './server.js'
export {
  ConfigurationError,
  ForbiddenError,
  OAuthError,
  PortcullisError,
  RateLimitedError,
  SignedOutError,
  UnauthorizedError,
  parseChallenge,
  type Challenge,
} from './errors.js'
