// The strategies: each takes `{ issuer, … }` and returns an AuthStrategy.
import { ConfigurationError } from '../errors.js'
import { type ClientOptions, createServer, type Server } from '../server.js'
import { type AuthStrategy, bearerStrategy, dpopStrategy } from '../strategy.js'
import { createTokenManager, type TokenManager, type TokenManagerOptions } from '../token-manager.js'
import type { TokenSet } from '../tokens.js'
import { importSigner, type PrivateKeyInput, signJwt } from './assertion.js'
import { genericGrant, refreshGrant } from './grants.js'

/** Bearer, or DPoP when the strategy was given `dpop`. */
const strategyFor = (server: Server, manager: TokenManager, canRenew: boolean): AuthStrategy =>
  server.dpop ? dpopStrategy(manager, server.dpop, canRenew) : bearerStrategy(manager, canRenew)

/** What every token-based strategy takes besides its credentials. */
export interface ManagedOptions {
  /** Called with every new token set before it is used: store the (rotated) refresh token here. */
  onTokens?: TokenManagerOptions['onTokens']
  /** Reads the stored tokens (another tab or process may have refreshed them). */
  load?: TokenManagerOptions['load']
  /** Refresh this many seconds before expiry (default 30). */
  leeway?: number
  /** The Web Lock's name in browsers (default `portcullis-token`). */
  lockName?: string
  now?: () => number
}

const managerOptions = (options: ManagedOptions) => ({
  onTokens: options.onTokens,
  load: options.load,
  leeway: options.leeway,
  lockName: options.lockName,
  now: options.now,
})

const requireOption = (value: unknown, name: string, strategy: string) => {
  if (value === undefined || value === '') throw new ConfigurationError(`${strategy}: ${name} is required`)
}

/**
 * A service's own tokens (RFC 6749 §4.4), fetched again before each expires.
 *
 * @example
 * const auth = clientCredentials({ issuer, clientId: 'reports', clientSecret, scope: 'read' })
 */
export function clientCredentials(
  options: ClientOptions & ManagedOptions & { clientSecret: string; scope?: string; audience?: string },
): AuthStrategy {
  requireOption(options.clientSecret, 'clientSecret', 'clientCredentials')
  const server = createServer(options)
  const now = options.now ?? Date.now
  const manager = createTokenManager({
    ...managerOptions(options),
    obtain: () => genericGrant(server, 'client_credentials', { scope: options.scope, resource: options.audience }, now),
  })
  return strategyFor(server, manager, true)
}

/**
 * A person's sign-in with username and password (RFC 6749 §4.3), then kept alive with the refresh token.
 *
 * @example
 * const auth = password({ issuer, clientId: 'cli', username, password, onTokens: save })
 */
export function password(
  options: ClientOptions & ManagedOptions & { username: string; password: string; scope?: string },
): AuthStrategy {
  requireOption(options.username, 'username', 'password')
  requireOption(options.password, 'password', 'password')
  const server = createServer(options)
  const now = options.now ?? Date.now
  let signedIn = false
  const manager = createTokenManager({
    ...managerOptions(options),
    // Only the first time: after that the sign-in lives on its refresh token, and ends with it.
    obtain: async () => {
      if (signedIn) throw new ConfigurationError('password: the sign-in has no refresh token to renew it with')
      const set = await genericGrant(
        server,
        'password',
        { username: options.username, password: options.password, scope: options.scope },
        now,
      )
      signedIn = true
      return set
    },
    refresh: (refreshToken) => refreshGrant(server, refreshToken, now()),
  })
  return strategyFor(server, manager, true)
}

/**
 * Tokens the app already holds: an access token, and a refresh token to renew it (without one, a static token).
 *
 * @example
 * const auth = tokens({ issuer, clientId: 'spa', accessToken, refreshToken, expiresAt, onTokens: save })
 */
export function tokens(
  options: Partial<ClientOptions> & ManagedOptions & TokenSet & { expiresIn?: number },
): AuthStrategy {
  requireOption(options.accessToken, 'accessToken', 'tokens')
  const now = options.now ?? Date.now
  const initial: TokenSet = {
    accessToken: options.accessToken,
    ...(options.refreshToken === undefined ? {} : { refreshToken: options.refreshToken }),
    ...(options.expiresAt !== undefined
      ? { expiresAt: options.expiresAt }
      : options.expiresIn !== undefined
        ? { expiresAt: now() + options.expiresIn * 1000 }
        : {}),
  }
  if (options.refreshToken === undefined) return bearerStrategy(createTokenManager({ initial, now }), false)
  requireOption(options.issuer, 'issuer', 'tokens (with a refresh token)')
  requireOption(options.clientId, 'clientId', 'tokens (with a refresh token)')
  const server = createServer(options as ClientOptions)
  const manager = createTokenManager({
    ...managerOptions(options),
    initial,
    refresh: (refreshToken) => refreshGrant(server, refreshToken, now()),
  })
  return strategyFor(server, manager, true)
}

/**
 * An access key (`pcl_…`), sent as `Authorization: Bearer` (default) or `X-API-Key`.
 *
 * @example
 * const auth = accessKey({ key: process.env.PORTCULLIS_ACCESS_KEY })
 */
export function accessKey(options: {
  key: string
  header?: 'authorization' | 'x-api-key'
  issuer?: string
}): AuthStrategy {
  requireOption(options.key, 'key', 'accessKey')
  const headers: Record<string, string> =
    options.header === 'x-api-key' ? { 'x-api-key': options.key } : { authorization: `Bearer ${options.key}` }
  return { headers: async () => ({ ...headers }), unauthorized: async () => false }
}

export const ACCESS_KEY_TOKEN_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'

/**
 * An access key traded for short-lived JWTs (RFC 8693), so the APIs verify the caller locally; traded again
 * before each expires.
 *
 * @example
 * const auth = tokenExchange({ issuer, clientId: 'gateway', clientSecret, accessKey: key })
 */
export function tokenExchange(
  options: ClientOptions & ManagedOptions & { accessKey: string; scope?: string; audience?: string },
): AuthStrategy {
  requireOption(options.accessKey, 'accessKey', 'tokenExchange')
  const server = createServer(options)
  const now = options.now ?? Date.now
  const manager = createTokenManager({
    ...managerOptions(options),
    obtain: () =>
      genericGrant(
        server,
        TOKEN_EXCHANGE,
        {
          subject_token: options.accessKey,
          subject_token_type: ACCESS_KEY_TOKEN_TYPE,
          scope: options.scope,
          audience: options.audience,
        },
        now,
      ),
  })
  return strategyFor(server, manager, true)
}

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

/**
 * A key-pair access key (RFC 7523 §2.1): each token is obtained with a new assertion signed by the key's private
 * key (`iss` = `sub` = the key id, `aud` = the issuer, a short `exp`, a unique `jti`), so no secret travels. The
 * private key is a JWK (as `access-keys create --generate-key-pair` prints it), a CryptoKey, or PKCS #8 PEM
 * (`algorithm` then names its algorithm, ES256 by default). `clientId` is a client registered for the grant
 * (a public one needs no secret). A revoked, expired or unknown key is OAuthError `invalid_grant`.
 *
 * @example
 * const auth = keyPair({ issuer, clientId: 'deploy-job', keyId: key.id, privateKey: key.private_key_jwk })
 */
export function keyPair(
  options: ClientOptions &
    ManagedOptions & {
      keyId: string
      privateKey: PrivateKeyInput
      algorithm?: string
      scope?: string
      audience?: string
      /** Seconds an assertion is valid (default 60; Portcullis accepts at most 300). */
      assertionLifetime?: number
    },
): AuthStrategy {
  requireOption(options.keyId, 'keyId', 'keyPair')
  requireOption(options.privateKey, 'privateKey', 'keyPair')
  const server = createServer(options)
  const now = options.now ?? Date.now
  const lifetime = options.assertionLifetime ?? 60
  let signer: ReturnType<typeof importSigner> | undefined
  const assertion = async () => {
    signer ??= importSigner(options.privateKey, options.algorithm).catch((error: unknown) => {
      signer = undefined
      throw error
    })
    const iat = Math.floor(now() / 1000)
    return signJwt(await signer, options.keyId, {
      iss: options.keyId,
      sub: options.keyId,
      aud: (await server.as()).issuer,
      iat,
      exp: iat + lifetime,
      jti: crypto.randomUUID(),
    })
  }
  const manager = createTokenManager({
    ...managerOptions(options),
    obtain: () =>
      genericGrant(
        server,
        JWT_BEARER_GRANT,
        async () => ({ assertion: await assertion(), scope: options.scope, resource: options.audience }),
        now,
      ),
  })
  return strategyFor(server, manager, true)
}
