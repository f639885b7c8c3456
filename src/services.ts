// The per-app services: built once per buildApp() from explicit dependencies, handed to routes and grants, each
// of which takes only the few it uses (`Pick<Services, …>`). Nothing here is a module-level singleton, so two apps
// in one process share nothing.
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.js'
import { createLazySchemas, type LazySchemas } from './http/lazy-schemas.js'
import type { Keyring } from './keys/keyring.js'
import { createClientCache, type ClientCache } from './oauth/client-cache.js'
import { createClientKeys, type ClientKeys } from './oauth/client-keys.js'
import { createCorsOrigins, type CorsOrigins } from './oauth/cors-origins.js'
import { createLoginWaiters, type LoginWaiters } from './oauth/login-waiters.js'
import { createMetrics, type Metrics } from './ops/metrics.js'
import { createUsageCounter, type UsageCounter } from './ops/usage.js'
import { createAccessKeyVerifier, type AccessKeyVerifier } from './security/access-keys.js'
import { createAccessTokenVerifier, type AccessTokenVerifier } from './security/access-token-verifier.js'
import { createBearerAuthenticator, type BearerAuthenticator } from './security/bearer.js'
import { createDpopVerifier, type DpopVerifier } from './security/dpop.js'
import { createPasswordHasher, type PasswordHasher } from './security/password-hasher.js'
import { createReplayCache, type ReplayCache } from './security/replay-cache.js'
import { createRevocationList, type RevocationList } from './security/revocation-list.js'
import type { Every } from './ops/every.js'
import type { ChangeFeed } from './store/change-feed.js'
import type { Store } from './store/index.js'

/** What the services are built from: given by the server, or by a test. */
export interface ServiceDeps {
  config: Readonly<Config>
  store: Store
  keyring: Keyring
  /** 32 bytes; server-side keys (e.g. the refresh-token successor HMAC) are derived from it with HKDF. */
  masterKey: Buffer
  /** Milliseconds since the epoch; injected by tests that move time. */
  now?: () => number
  /** The bcrypt worker pool; default: a pool of config.passwordWorkers threads, closed with the services. */
  passwords?: PasswordHasher
  /** Changes made outside this instance, applied at once rather than at the next poll (store/change-feed.ts). */
  changes?: Pick<ChangeFeed, 'onChange'>
  /** The repeating timer of the revocation list's sync (ops/every.ts); tests pass one they advance by hand. */
  every?: Every
  /** The usage counter; default: one over the store, written every USAGE_FLUSH_INTERVAL and closed with the services. */
  usage?: UsageCounter
}

/** What routes and grants receive: the dependencies, with the clock resolved, and this app's own services. */
export interface Services extends Required<Pick<ServiceDeps, 'config' | 'store' | 'keyring' | 'masterKey' | 'now'>> {
  metrics: Metrics
  /** This app's access-key verifier (its cache is per app; see security/access-keys.ts). */
  accessKeys: AccessKeyVerifier
  /** Authenticates `Authorization: Bearer` / `X-API-Key` callers; `bearer.requireScope('admin')`. */
  bearer: BearerAuthenticator
  /** bcrypt compare/hash off the main thread (security/password-hasher.ts). */
  passwords: PasswordHasher
  /** This app's cache of client rows for client authentication (oauth/client-cache.ts). */
  clients: ClientCache
  /** The browser origins the CORS endpoints answer (oauth/cors-origins.ts), dropped with the client cache. */
  corsOrigins: CorsOrigins
  /** This app's in-memory list of revoked JWT ids (security/revocation-list.ts). */
  revocations: RevocationList
  /** Verifies our JWT access tokens, remembering valid signatures (security/access-token-verifier.ts). */
  accessTokens: AccessTokenVerifier
  /** True once the app has begun to close (readiness answers 503 from then on). */
  closing: () => boolean
  /** Password logins waiting for a busy throttle key, woken when an attempt here ends (oauth/login-waiters.ts). */
  loginWaiters: LoginWaiters
  /** Checks DPoP proofs (RFC 9449 §4.3) and makes the server nonces (security/dpop.ts). */
  dpop: DpopVerifier
  /** The public keys of private_key_jwt clients, inline or fetched from their jwks_uri (oauth/client-keys.ts). */
  clientKeys: ClientKeys
  /** JWT ids of accepted assertions and DPoP proofs, shared by every instance (security/replay-cache.ts). */
  replayCache: ReplayCache
  /** Route schemas compiled when first needed (http/lazy-schemas.ts); a route group with its own compiler wraps it. */
  schemas: LazySchemas
  /** Requests per hour by kind, per access key and client, counted in memory and written in batches (ops/usage.ts). */
  usage: UsageCounter
}

/** How the services reach the app that holds them: its logger and its closing state, both known only later. */
export interface ServiceHooks {
  log: () => FastifyBaseLogger | undefined
  closing: () => boolean
}

/**
 * Changes made elsewhere (the CLI, another instance) drop what this app caches or re-read what it holds, at
 * once; the polls (ACCESS_KEY_CACHE_TTL, CLIENT_CACHE_TTL, REVOCATION_SYNC_INTERVAL) stay as the fallback.
 */
async function watchChanges(
  changes: ServiceDeps['changes'],
  held: { accessKeys: AccessKeyVerifier; clients: ClientCache; revocations: RevocationList },
): Promise<() => Promise<void>> {
  if (!changes) return async () => undefined
  const stops = await Promise.all([
    changes.onChange(['accessKeys', 'users', 'memberships'], () => held.accessKeys.invalidateAll()),
    changes.onChange(['clients'], () => held.clients.invalidateAll()),
    // A user disabled or deleted elsewhere: what that revoked is read at once too (sync() reads after the
    // change even when a read was already in progress).
    changes.onChange(['revokedTokens', 'users'], () => held.revocations.sync()),
  ])
  return async () => void (await Promise.all(stops.map((stop) => stop())))
}

/** Builds this app's services; `close()` stops what they run in the background (call it when the app closes). */
export async function createServices(
  deps: ServiceDeps,
  hooks: ServiceHooks,
): Promise<Services & { close(): Promise<void> }> {
  const { config, store, keyring, masterKey } = deps
  const now = deps.now ?? Date.now
  const passwords =
    deps.passwords ??
    createPasswordHasher({
      workers: config.passwordWorkers,
      cost: config.bcryptCost,
      onError: (err) => hooks.log()?.error({ err }, 'a password worker failed; the pool replaces it'),
    })
  const accessKeys = createAccessKeyVerifier({
    store,
    config,
    now,
    onError: (err) => hooks.log()?.warn({ err }, 'could not record access-key uses; trying again later'),
  })
  const usage =
    deps.usage ??
    createUsageCounter({
      store,
      config,
      now,
      onError: (err) => hooks.log()?.warn({ err }, 'could not write the usage counts; trying again later'),
    })
  const revocations = await createRevocationList({
    store,
    now,
    syncIntervalSeconds: config.revocationSyncInterval,
    accessTokenLifetimeMs: (config.accessTokenTtl + config.clockSkew) * 1000,
    every: deps.every,
    onError: (err) => hooks.log()?.warn({ err }, 'could not read the revoked tokens; the revocation list is unchanged'),
  })
  const accessTokens = createAccessTokenVerifier({ keyring, config, now })
  const replay = await createReplayCache({
    config,
    store,
    now,
    onError: (err) =>
      hooks.log()?.warn({ err }, 'the replay cache (Redis) is unavailable: signed assertions are refused'),
  })
  // DPoP proofs share the replay cache of signed assertions: one jti each, across every instance.
  const dpop = createDpopVerifier({ config, masterKey, replay: replay.cache })
  const bearer = createBearerAuthenticator({
    config,
    accessTokens,
    accessKeys,
    dpop,
    now,
    isRevoked: (claims) => revocations.revokes(claims),
    usage,
  })
  const corsOrigins = createCorsOrigins({
    store,
    configured: config.corsOrigins,
    ttlSeconds: config.clientCacheTtl,
    now,
  })
  const clients = createClientCache({
    store,
    ttlSeconds: config.clientCacheTtl,
    now,
    onInvalidate: () => corsOrigins.invalidate(),
  })
  const stopWatching = await watchChanges(deps.changes, { accessKeys, clients, revocations })
  return {
    config,
    store,
    keyring,
    masterKey,
    now,
    metrics: createMetrics(),
    accessKeys,
    bearer,
    passwords,
    clients,
    corsOrigins,
    revocations,
    accessTokens,
    dpop,
    closing: hooks.closing,
    loginWaiters: createLoginWaiters(),
    replayCache: replay.cache,
    clientKeys: createClientKeys({ timeoutMs: config.jwksUriTimeout * 1000 }),
    schemas: createLazySchemas(),
    usage,
    async close() {
      await replay.close()
      await stopWatching()
      await accessKeys.close()
      if (!deps.usage) await usage.close()
      await revocations.close()
      if (!deps.passwords) await passwords.close()
    },
  }
}
