// The only reader of process.env: every setting is read and validated here, once, into a frozen Config.
// A bad value throws a ConfigError whose one-line message names the variable and what is wrong with it.
import { existsSync, readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'
import cpus from './cpus.cjs'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export interface Config {
  databaseUrl: string
  databaseProvider: 'sqlite' | 'postgresql'
  /** Seconds a query, a connection or a wait for a pooled connection may take before the request gets a 503. */
  databaseTimeout: number
  /** PostgreSQL connections per instance. */
  databasePoolSize: number
  /** Seconds the requests in flight get to finish after SIGTERM/SIGINT before the process exits anyway (code 1). */
  shutdownTimeout: number
  host: string
  port: number
  issuer: string
  logLevel: LogLevel
  /** Whose X-Forwarded-For to believe (Fastify's trustProxy): nobody, or the proxies at these IPs/CIDRs. */
  trustProxy: false | readonly string[]
  bodyLimit: number
  /** Seconds. */
  accessTokenTtl: number
  refreshTokenTtl: number
  /** Seconds a refresh token stays usable unless it is used (RFC 9700 §4.14.2); each rotation starts it again. */
  refreshTokenIdleTtl: number
  refreshTokenReuseGrace: number
  /** Seconds an authorization code may wait for its redemption (RFC 6749 §4.1.2: short, at most 10 minutes). */
  authorizationCodeTtl: number
  /** Seconds a browser session lasts without being used (each authorization request starts it again). */
  sessionIdleTtl: number
  /** Seconds a browser session lasts at most, however often it is used. */
  sessionTtl: number
  defaultAudience: string
  /**
   * Audiences (RFC 8707 resources) a token may be issued for: defaultAudience, the issuer (Portcullis's own
   * endpoints accept only tokens for it, security/bearer.ts) and AUDIENCES.
   */
  audiences: readonly string[]
  /** Advertised as scopes_supported when set. */
  scopes: readonly string[]
  /**
   * Browser origins (scheme://host[:port]) allowed to call the token, revocation, UserInfo, JWKS and discovery
   * endpoints from a page (CORS), besides the allowed_origins of the registered clients.
   */
  corsOrigins: readonly string[]
  bcryptCost: number
  passwordWorkers: number
  loginMaxFailuresPerUser: number
  loginMaxFailuresPerIp: number
  loginFailureWindow: number
  loginLockout: number
  loginWaitTimeout: number
  keysDir: string
  /** 32 bytes, from KEYS_MASTER_KEY; undefined means the embedded default file under keysDir. */
  keysMasterKey: Buffer | undefined
  signingKeySize: 2048 | 3072 | 4096
  /** The algorithms Portcullis keeps a signing key for (each its own lifecycle); the first is a client's default. */
  signingAlgorithms: readonly SigningAlgorithm[]
  signingKeyRotationInterval: number
  jwksMaxAge: number
  clockSkew: number
  /** Seconds a DPoP proof (RFC 9449 §4.3, its iat) is accepted after it was made, besides clockSkew. */
  dpopProofMaxAge: number
  /** RFC 9449 §8, §9: DPoP proofs must carry a server nonce (derived from the master key; any instance accepts any other's). */
  dpopNonces: boolean
  keyringRefreshInterval: number
  accessKeyCacheTtl: number
  accessKeyLastUsedInterval: number
  /** Seconds a client row is cached for client authentication; 0 disables. */
  clientCacheTtl: number
  /** Seconds a private_key_jwt client's jwks_uri has to answer before its assertion is refused. */
  jwksUriTimeout: number
  /** Seconds between reads of the revocations recorded by other instances. */
  revocationSyncInterval: number
  /** Token requests per client IP per rateLimitWindow; 0 disables. */
  rateLimitPerIp: number
  /** Token requests per authenticated confidential client per rateLimitWindow; 0 disables. */
  rateLimitPerClient: number
  /** Seconds. */
  rateLimitWindow: number
  /** redis:// or rediss://: the rate-limit counters are shared there; undefined keeps them in memory per instance. */
  redisUrl: string | undefined
  /** Seconds between the janitor's sweeps of dead token rows (± 10 %); 0 disables. */
  janitorInterval: number
  /** Rows the janitor deletes per statement at most. */
  janitorBatchSize: number
  /** Seconds an expired or revoked refresh family or access key is kept before the janitor deletes it. */
  janitorRetention: number
  /** Seconds audit events are kept before the janitor deletes them; 0 keeps them for ever. */
  auditRetention: number
  /** Seconds usage counts (per access key and client, per hour) are kept before the janitor deletes them; 0 keeps them for ever. */
  usageRetention: number
  /** Seconds between writes of the usage counts this instance has gathered (ops/usage.ts). */
  usageFlushInterval: number
  serviceDocumentation: string
  /** The product name on the sign-in, consent and logout pages. */
  uiTitle: string
  /** The team's own login app (delegated login): /oauth/authorize sends the browser there instead of our login page. */
  loginUrl: string | undefined
  /** The team's own consent app (delegated consent): instead of our consent page. */
  consentUrl: string | undefined
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** JWS algorithms (RFC 7518 §3.3, §3.4, §3.5; RFC 8037 §3.1 with Ed25519) a signing key may have. */
export type SigningAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA'
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['RS256', 'PS256', 'ES256', 'EdDSA']

/** SIGNING_ALGORITHMS: known names, none twice, at least one; RS256 when unset. */
function parseSigningAlgorithms(names: string[]): SigningAlgorithm[] {
  const name = 'SIGNING_ALGORITHMS'
  if (names.length === 0) return ['RS256']
  for (const alg of names) {
    if (!SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm))
      fail(
        name,
        `unknown algorithm ${alg}: use any of ${SIGNING_ALGORITHMS.join(', ')} (comma-separated)`,
        names.join(','),
      )
  }
  if (new Set(names).size !== names.length) fail(name, 'names an algorithm twice', names.join(','))
  return names as SigningAlgorithm[]
}

type Env = Readonly<Record<string, string | undefined>>

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

function fail(name: string, problem: string, value?: string): never {
  throw new ConfigError(
    `${name}: ${problem}${value === undefined ? '' : ` (got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)})`}`,
  )
}

// A loop, not `/\/+$/`: that pattern is quadratic on a long run of slashes (test/project/regex-safety.test.ts).
function withoutTrailingSlashes(value: string): string {
  let end = value.length
  while (end > 0 && value[end - 1] === '/') end--
  return value.slice(0, end)
}

function createReader(env: Env) {
  const raw = (name: string): string | undefined => {
    const value = env[name]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  }
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = raw(name)
    if (value === undefined) return fallback
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      fail(name, `must be an integer from ${min} to ${max}`, value)
    return Number(value)
  }
  /** Seconds: a plain number, or a number with s, m, h or d (e.g. 900, 15m, 30d). */
  const duration = (name: string, fallback: number, min: number, max = 10 * 365 * 86400): number => {
    const value = raw(name)
    if (value === undefined) return fallback
    const match = /^(\d+)([smhd]?)$/.exec(value)
    const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2] || 's']! : NaN
    if (!match || seconds < min || seconds > max)
      fail(name, `must be a duration from ${min}s to ${max}s, in seconds or with a unit (900, 15m, 12h, 30d)`, value)
    return seconds
  }
  const boolean = (name: string, fallback: boolean): boolean => {
    const value = raw(name)
    if (value === undefined) return fallback
    if (/^(1|true|yes|on)$/i.test(value)) return true
    if (/^(0|false|no|off)$/i.test(value)) return false
    return fail(name, 'must be true or false', value)
  }
  const url = (name: string, fallback: string): string => {
    const value = raw(name) ?? fallback
    let parsed: URL
    try {
      parsed = new URL(value)
    } catch {
      return fail(name, 'must be an absolute http(s) URL', value)
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      fail(name, 'must be an absolute http(s) URL', value)
    if (parsed.search || parsed.hash) fail(name, 'must not have a query or fragment (RFC 8414 §2)', value)
    return withoutTrailingSlashes(value)
  }
  const list = (name: string): string[] => (raw(name) ?? '').split(/[\s,]+/).filter(Boolean)
  return { raw, integer, duration, boolean, url, list }
}

function parseDatabaseUrl(value: string): { databaseUrl: string; databaseProvider: Config['databaseProvider'] } {
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value)
    } catch {
      fail('DATABASE_URL', 'is not a valid PostgreSQL URL', value)
    }
    return { databaseUrl: value, databaseProvider: 'postgresql' }
  }
  if (value.startsWith('file:')) {
    const path = value.slice('file:'.length)
    if (path === '' || path.endsWith('/'))
      fail('DATABASE_URL', 'must name a SQLite file, e.g. file:./data/portcullis.db', value)
    return { databaseUrl: value, databaseProvider: 'sqlite' }
  }
  return fail('DATABASE_URL', 'must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)', value)
}

function parseMasterKey(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined
  const key = Buffer.from(value, 'base64')
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value) || key.length !== 32)
    fail('KEYS_MASTER_KEY', 'must be 32 bytes in base64 (openssl rand -base64 32)')
  return key
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal']

/**
 * TRUST_PROXY: X-Forwarded-For is believed only from the proxies named here, so a client cannot choose its own
 * address (and with it escape the per-IP limits and login throttling). `true` (believe any sender) and a hop
 * count (which cannot check who sent the header; Fastify 5 ignores it) are refused.
 */
function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || /^(0|false|no|off)$/i.test(value)) return false
  const instead = 'give the addresses of your proxies instead, comma-separated IPs or CIDRs (e.g. 10.0.0.5, 10.0.0.0/8)'
  if (/^(1|true|yes|on)$/i.test(value))
    fail('TRUST_PROXY', `true would let any client set its own IP through X-Forwarded-For; ${instead}`, value)
  if (/^\d+$/.test(value)) fail('TRUST_PROXY', `a hop count cannot check who sent X-Forwarded-For; ${instead}`, value)
  const entries = value.split(/[\s,]+/).filter(Boolean)
  for (const entry of entries) {
    if (PROXY_NAMES.includes(entry.toLowerCase())) continue
    const [address, prefix, ...rest] = entry.split('/')
    const version = isIP(address!)
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32))
    if (version === 0 || !prefixOk || rest.length > 0) {
      fail(
        'TRUST_PROXY',
        'must be false or the proxy addresses: comma-separated IPs or CIDRs (or loopback, linklocal, uniquelocal)',
        value,
      )
    }
  }
  return entries.map((entry) => (PROXY_NAMES.includes(entry.toLowerCase()) ? entry.toLowerCase() : entry))
}

/** CORS_ORIGINS: space-separated origins, each exactly as a browser sends it in Origin (RFC 6454 §6.2). */
function parseCorsOrigins(values: readonly string[]): string[] {
  for (const value of values) {
    let origin: string | undefined
    try {
      const parsed = new URL(value)
      origin = parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined
    } catch {
      origin = undefined
    }
    if (origin !== value)
      fail(
        'CORS_ORIGINS',
        'each entry must be an origin as browsers send it: http(s)://host[:port], lower case, no path or trailing slash',
        value,
      )
  }
  return [...new Set(values)]
}

function parseRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  // The value is not echoed: it may carry a password.
  let parsed: URL | undefined
  try {
    parsed = new URL(value)
  } catch {
    parsed = undefined
  }
  if (!parsed || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    fail('REDIS_URL', 'must be a redis://host:port or rediss://host:port URL')
  }
  return value
}

function parseUiTitle(value: string | undefined): string {
  if (value === undefined) return 'Portcullis'
  // Shown as text (the templates escape it); a control character or a paragraph is a mistake, not a name.
  if (value.length > 60 || /[\u0000-\u001f\u007f]/.test(value))
    fail('UI_TITLE', 'must be a name of at most 60 characters on one line', value)
  return value
}

/** LOGIN_URL, CONSENT_URL: an absolute http(s) URL (its own query kept, the challenge appended), no fragment. */
function parseAppUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  let parsed: URL | undefined
  try {
    parsed = new URL(value)
  } catch {
    parsed = undefined
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hostname === '')
    fail(name, 'must be an absolute http(s) URL', value)
  if (value.includes('#')) fail(name, 'must not have a fragment', value)
  return parsed.href
}

function parseLogLevel(value: string | undefined): LogLevel {
  const levels: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
  if (value === undefined) return 'info'
  if (!levels.includes(value as LogLevel)) fail('LOG_LEVEL', `must be one of ${levels.join(', ')}`, value)
  return value as LogLevel
}

/**
 * Reads and validates the configuration. Values come from `env`, then from the `.env` file in `cwd`
 * (variables already set win), then the defaults.
 *
 * @example
 * const config = loadConfig()            // process.env and ./.env
 * const config = loadConfig({ PORT: '0' }, { envFile: false })
 */
export function loadConfig(env: Env = process.env, options: { envFile?: string | false } = {}): Readonly<Config> {
  const envFile = options.envFile === undefined ? resolve('.env') : options.envFile
  const merged: Env = envFile && existsSync(envFile) ? { ...readEnvFile(envFile), ...env } : env
  const read = createReader(merged)

  const port = read.integer('PORT', 3000, 0, 65535)
  const issuer = read.url('ISSUER', `http://localhost:${port}`)
  const defaultAudience = read.raw('DEFAULT_AUDIENCE') ?? issuer
  const signingKeySize = read.integer('SIGNING_KEY_SIZE', 2048, 2048, 4096)
  if (![2048, 3072, 4096].includes(signingKeySize))
    fail('SIGNING_KEY_SIZE', 'must be 2048, 3072 or 4096', String(signingKeySize))
  const accessTokenTtl = read.duration('ACCESS_TOKEN_TTL', 900, 30, 86400)
  const refreshTokenTtl = read.duration('REFRESH_TOKEN_TTL', 30 * 86400, 60)
  const jwksMaxAge = read.duration('JWKS_MAX_AGE', 300, 0, 86400)
  const signingKeyRotationInterval = read.duration('SIGNING_KEY_ROTATION_INTERVAL', 30 * 86400, 3600)
  if (signingKeyRotationInterval <= 2 * jwksMaxAge + accessTokenTtl) {
    fail(
      'SIGNING_KEY_ROTATION_INTERVAL',
      `must be longer than 2 × JWKS_MAX_AGE + ACCESS_TOKEN_TTL (${2 * jwksMaxAge + accessTokenTtl}s)`,
      String(signingKeyRotationInterval),
    )
  }

  const config: Config = {
    ...parseDatabaseUrl(read.raw('DATABASE_URL') ?? 'file:./data/portcullis.db'),
    databaseTimeout: read.duration('DATABASE_TIMEOUT', 5, 1, 60),
    databasePoolSize: read.integer('DATABASE_POOL_SIZE', 10, 1, 1000),
    shutdownTimeout: read.duration('SHUTDOWN_TIMEOUT', 10, 1, 600),
    host: read.raw('HOST') ?? '127.0.0.1',
    port,
    issuer,
    logLevel: parseLogLevel(read.raw('LOG_LEVEL')),
    trustProxy: parseTrustProxy(read.raw('TRUST_PROXY')),
    bodyLimit: read.integer('BODY_LIMIT', 64 * 1024, 1024, 10 * 1024 * 1024),
    accessTokenTtl,
    refreshTokenTtl,
    refreshTokenIdleTtl: read.duration('REFRESH_TOKEN_IDLE_TTL', 14 * 86400, 60),
    refreshTokenReuseGrace: read.duration('REFRESH_TOKEN_REUSE_GRACE', 10, 0, 300),
    authorizationCodeTtl: read.duration('AUTHORIZATION_CODE_TTL', 60, 1, 600),
    sessionIdleTtl: read.duration('SESSION_IDLE_TTL', 86400, 60),
    sessionTtl: read.duration('SESSION_TTL', 14 * 86400, 60),
    defaultAudience,
    audiences: [...new Set([defaultAudience, issuer, ...read.list('AUDIENCES')])],
    scopes: read.list('SCOPES'),
    corsOrigins: parseCorsOrigins(read.list('CORS_ORIGINS')),
    bcryptCost: read.integer('BCRYPT_COST', 10, 4, 15),
    passwordWorkers: read.integer('PASSWORD_WORKERS', Math.min(64, cpus.availableCpus()), 1, 64),
    loginMaxFailuresPerUser: read.integer('LOGIN_MAX_FAILURES_PER_USER', 5, 1, 1000),
    loginMaxFailuresPerIp: read.integer('LOGIN_MAX_FAILURES_PER_IP', 50, 1, 100000),
    loginFailureWindow: read.duration('LOGIN_FAILURE_WINDOW', 900, 1, 86400),
    loginLockout: read.duration('LOGIN_LOCKOUT', 900, 1, 86400),
    loginWaitTimeout: read.duration('LOGIN_WAIT_TIMEOUT', 10, 0, 120),
    keysDir: resolve(read.raw('KEYS_DIR') ?? 'keys'),
    keysMasterKey: parseMasterKey(read.raw('KEYS_MASTER_KEY')),
    signingKeySize: signingKeySize as Config['signingKeySize'],
    signingAlgorithms: Object.freeze(parseSigningAlgorithms(read.list('SIGNING_ALGORITHMS'))),
    signingKeyRotationInterval,
    jwksMaxAge,
    clockSkew: read.duration('CLOCK_SKEW', 60, 0, 300),
    dpopProofMaxAge: read.duration('DPOP_PROOF_MAX_AGE', 60, 1, 600),
    dpopNonces: read.boolean('DPOP_NONCES', false),
    keyringRefreshInterval: read.duration('KEYRING_REFRESH_INTERVAL', 30, 1, 3600),
    accessKeyCacheTtl: read.duration('ACCESS_KEY_CACHE_TTL', 5, 0, 300),
    accessKeyLastUsedInterval: read.duration('ACCESS_KEY_LAST_USED_INTERVAL', 60, 1, 86400),
    clientCacheTtl: read.duration('CLIENT_CACHE_TTL', 5, 0, 300),
    jwksUriTimeout: read.duration('JWKS_URI_TIMEOUT', 5, 1, 60),
    revocationSyncInterval: read.duration('REVOCATION_SYNC_INTERVAL', 5, 1, 300),
    rateLimitPerIp: read.integer('RATE_LIMIT_PER_IP', 600, 0, 1_000_000),
    rateLimitPerClient: read.integer('RATE_LIMIT_PER_CLIENT', 300, 0, 1_000_000),
    rateLimitWindow: read.duration('RATE_LIMIT_WINDOW', 60, 1, 86400),
    redisUrl: parseRedisUrl(read.raw('REDIS_URL')),
    janitorInterval: read.duration('JANITOR_INTERVAL', 3600, 0, 7 * 86400),
    janitorBatchSize: read.integer('JANITOR_BATCH_SIZE', 1000, 1, 100000),
    janitorRetention: read.duration('JANITOR_RETENTION', 7 * 86400, 0),
    auditRetention: read.duration('AUDIT_RETENTION', 365 * 86400, 0),
    usageRetention: read.duration('USAGE_RETENTION', 90 * 86400, 0),
    usageFlushInterval: read.duration('USAGE_FLUSH_INTERVAL', 5, 1, 3600),
    serviceDocumentation: read.url('SERVICE_DOCUMENTATION', `${issuer}/docs`),
    uiTitle: parseUiTitle(read.raw('UI_TITLE')),
    loginUrl: parseAppUrl('LOGIN_URL', read.raw('LOGIN_URL')),
    consentUrl: parseAppUrl('CONSENT_URL', read.raw('CONSENT_URL')),
  }
  return Object.freeze(config)
}

// Node's own parser (the one behind `node --env-file`), without writing to process.env.
function readEnvFile(path: string): Env {
  return parseEnv(readFileSync(path, 'utf8'))
}
