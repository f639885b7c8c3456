import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.ts'
import cpus from '../src/cpus.cts'
import { tempDir } from './support/helper.ts'

const load = (env: Record<string, string>) => loadConfig(env, { envFile: false })

t.test(
  'SIGNING_ALGORITHMS: any of RS256, PS256, ES256, EdDSA in the order given, comma or space separated',
  async (t) => {
    t.same(load({ SIGNING_ALGORITHMS: 'ES256, RS256' }).signingAlgorithms, ['ES256', 'RS256'])
    t.same(load({ SIGNING_ALGORITHMS: 'EdDSA PS256 RS256 ES256' }).signingAlgorithms, [
      'EdDSA',
      'PS256',
      'RS256',
      'ES256',
    ])
    t.same(load({ SIGNING_ALGORITHMS: ' ' }).signingAlgorithms, ['RS256'], 'blank is the default')
  },
)

t.test('with nothing set, the embedded defaults', async (t) => {
  const config = load({})
  t.match(config, {
    databaseUrl: 'file:./data/portcullis.db',
    databaseProvider: 'sqlite',
    host: '127.0.0.1',
    port: 3000,
    issuer: 'http://localhost:3000',
    logLevel: 'info',
    trustProxy: false,
    bodyLimit: 65536,
    accessTokenTtl: 900,
    refreshTokenTtl: 30 * 86400,
    refreshTokenIdleTtl: 14 * 86400,
    refreshTokenReuseGrace: 10,
    authorizationCodeTtl: 60,
    sessionIdleTtl: 86400,
    sessionTtl: 14 * 86400,
    defaultAudience: 'http://localhost:3000',
    audiences: ['http://localhost:3000'],
    scopes: [],
    bcryptCost: 10,
    loginMaxFailuresPerUser: 5,
    loginMaxFailuresPerIp: 50,
    loginFailureWindow: 900,
    loginLockout: 900,
    loginWaitTimeout: 10,
    keysMasterKey: undefined,
    signingKeySize: 2048,
    signingAlgorithms: ['RS256'],
    signingKeyRotationInterval: 30 * 86400,
    jwksMaxAge: 300,
    clockSkew: 60,
    databaseTimeout: 5,
    databasePoolSize: 10,
    shutdownTimeout: 10,
    keyringRefreshInterval: 30,
    accessKeyCacheTtl: 5,
    accessKeyLastUsedInterval: 60,
    janitorInterval: 3600,
    janitorBatchSize: 1000,
    janitorRetention: 7 * 86400,
    auditRetention: 365 * 86400,
    usageRetention: 90 * 86400,
    usageFlushInterval: 5,
    serviceDocumentation: 'http://localhost:3000/docs',
    rateLimitPerIp: 600,
    rateLimitPerClient: 300,
    rateLimitWindow: 60,
    redisUrl: undefined,
    uiTitle: 'Portcullis',
  })
  t.ok(config.passwordWorkers >= 1)
  t.match(config.keysDir, /\/keys$/)
  t.ok(Object.isFrozen(config), 'the config cannot be changed after validation')
})

t.test('values are parsed: durations with units, lists, booleans, URLs', async (t) => {
  const config = load({
    PORT: '8080',
    ACCESS_TOKEN_TTL: '15m',
    REFRESH_TOKEN_TTL: '7d',
    LOGIN_LOCKOUT: '1h',
    TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8 loopback',
    RATE_LIMIT_WINDOW: '5m',
    RATE_LIMIT_PER_IP: '0',
    REDIS_URL: 'rediss://:secret@cache.internal:6380/2',
    ISSUER: 'https://auth.example.com/',
    AUDIENCES: 'https://api.example.com, https://billing.example.com',
    SCOPES: 'read write  admin',
    CORS_ORIGINS: 'https://app.example.com http://localhost:5173  https://app.example.com',
    DATABASE_URL: 'postgresql://user:pw@db:5432/portcullis',
    KEYS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    UI_TITLE: ' Acme <Sign-in> ',
    LOGIN_URL: 'https://login.example.com/sign-in?tenant=1',
    CONSENT_URL: 'http://127.0.0.1:4000/consent',
  })
  t.match(config, {
    loginUrl: 'https://login.example.com/sign-in?tenant=1',
    consentUrl: 'http://127.0.0.1:4000/consent',
    uiTitle: 'Acme <Sign-in>',
    port: 8080,
    accessTokenTtl: 900,
    refreshTokenTtl: 7 * 86400,
    loginLockout: 3600,
    trustProxy: ['10.0.0.5', '10.1.0.0/16', 'fd00::/8', 'loopback'],
    rateLimitWindow: 300,
    rateLimitPerIp: 0,
    redisUrl: 'rediss://:secret@cache.internal:6380/2',
    issuer: 'https://auth.example.com',
    defaultAudience: 'https://auth.example.com',
    audiences: ['https://auth.example.com', 'https://api.example.com', 'https://billing.example.com'],
    scopes: ['read', 'write', 'admin'],
    corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
    databaseProvider: 'postgresql',
    serviceDocumentation: 'https://auth.example.com/docs',
  })
  t.same(config.keysMasterKey, Buffer.alloc(32, 7))
})

t.test('ISSUER defaults to localhost on the configured PORT', async (t) => {
  t.equal(load({ PORT: '4100' }).issuer, 'http://localhost:4100')
})

t.test('an empty value means the default', async (t) => {
  t.equal(load({ PORT: '', LOG_LEVEL: '  ' }).port, 3000)
})

const badValues: [name: string, value: string, message: string][] = [
  ['PORT', 'abc', 'PORT: must be an integer from 0 to 65535 (got "abc")'],
  ['PORT', '70000', 'PORT: must be an integer from 0 to 65535 (got "70000")'],
  ['PORT', '-1', 'PORT: must be an integer from 0 to 65535 (got "-1")'],
  ['PORT', '80.5', 'PORT: must be an integer from 0 to 65535 (got "80.5")'],
  ['ISSUER', 'not a url', 'ISSUER: must be an absolute http(s) URL (got "not a url")'],
  ['ISSUER', 'ftp://auth.example.com', 'ISSUER: must be an absolute http(s) URL (got "ftp://auth.example.com")'],
  [
    'ISSUER',
    'https://auth.example.com/?tenant=1',
    'ISSUER: must not have a query or fragment (RFC 8414 §2) (got "https://auth.example.com/?tenant=1")',
  ],
  [
    'ISSUER',
    'https://auth.example.com/#x',
    'ISSUER: must not have a query or fragment (RFC 8414 §2) (got "https://auth.example.com/#x")',
  ],
  [
    'DATABASE_URL',
    'mysql://db/portcullis',
    'DATABASE_URL: must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL) (got "mysql://db/portcullis")',
  ],
  ['DATABASE_URL', 'file:', 'DATABASE_URL: must name a SQLite file, e.g. file:./data/portcullis.db (got "file:")'],
  [
    'DATABASE_URL',
    'file:./data/',
    'DATABASE_URL: must name a SQLite file, e.g. file:./data/portcullis.db (got "file:./data/")',
  ],
  ['DATABASE_URL', 'postgres://[bad', 'DATABASE_URL: is not a valid PostgreSQL URL (got "postgres://[bad")'],
  ['LOG_LEVEL', 'verbose', 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")'],
  [
    'TRUST_PROXY',
    'maybe',
    'TRUST_PROXY: must be false or the proxy addresses: comma-separated IPs or CIDRs (or loopback, linklocal, uniquelocal) (got "maybe")',
  ],
  [
    'TRUST_PROXY',
    '10.0.0.0/33',
    'TRUST_PROXY: must be false or the proxy addresses: comma-separated IPs or CIDRs (or loopback, linklocal, uniquelocal) (got "10.0.0.0/33")',
  ],
  [
    'TRUST_PROXY',
    'true',
    'TRUST_PROXY: true would let any client set its own IP through X-Forwarded-For; give the addresses of your proxies instead, comma-separated IPs or CIDRs (e.g. 10.0.0.5, 10.0.0.0/8) (got "true")',
  ],
  [
    'TRUST_PROXY',
    '2',
    'TRUST_PROXY: a hop count cannot check who sent X-Forwarded-For; give the addresses of your proxies instead, comma-separated IPs or CIDRs (e.g. 10.0.0.5, 10.0.0.0/8) (got "2")',
  ],
  ['RATE_LIMIT_PER_IP', '-1', 'RATE_LIMIT_PER_IP: must be an integer from 0 to 1000000 (got "-1")'],
  ['RATE_LIMIT_PER_CLIENT', 'lots', 'RATE_LIMIT_PER_CLIENT: must be an integer from 0 to 1000000 (got "lots")'],
  [
    'RATE_LIMIT_WINDOW',
    '0',
    'RATE_LIMIT_WINDOW: must be a duration from 1s to 86400s, in seconds or with a unit (900, 15m, 12h, 30d) (got "0")',
  ],
  ['REDIS_URL', 'http://cache:6379', 'REDIS_URL: must be a redis://host:port or rediss://host:port URL'],
  ['BODY_LIMIT', '10', 'BODY_LIMIT: must be an integer from 1024 to 10485760 (got "10")'],
  [
    'ACCESS_TOKEN_TTL',
    '10',
    'ACCESS_TOKEN_TTL: must be a duration from 30s to 86400s, in seconds or with a unit (900, 15m, 12h, 30d) (got "10")',
  ],
  [
    'ACCESS_TOKEN_TTL',
    '2d',
    'ACCESS_TOKEN_TTL: must be a duration from 30s to 86400s, in seconds or with a unit (900, 15m, 12h, 30d) (got "2d")',
  ],
  [
    'ACCESS_TOKEN_TTL',
    '15 minutes',
    'ACCESS_TOKEN_TTL: must be a duration from 30s to 86400s, in seconds or with a unit (900, 15m, 12h, 30d) (got "15 minutes")',
  ],
  [
    'REFRESH_TOKEN_TTL',
    '30s',
    'REFRESH_TOKEN_TTL: must be a duration from 60s to 315360000s, in seconds or with a unit (900, 15m, 12h, 30d) (got "30s")',
  ],
  [
    'REFRESH_TOKEN_REUSE_GRACE',
    '1h',
    'REFRESH_TOKEN_REUSE_GRACE: must be a duration from 0s to 300s, in seconds or with a unit (900, 15m, 12h, 30d) (got "1h")',
  ],
  [
    'AUTHORIZATION_CODE_TTL',
    '11m',
    'AUTHORIZATION_CODE_TTL: must be a duration from 1s to 600s, in seconds or with a unit (900, 15m, 12h, 30d) (got "11m")',
  ],
  [
    'SESSION_IDLE_TTL',
    '10',
    'SESSION_IDLE_TTL: must be a duration from 60s to 315360000s, in seconds or with a unit (900, 15m, 12h, 30d) (got "10")',
  ],
  [
    'SESSION_TTL',
    'a week',
    'SESSION_TTL: must be a duration from 60s to 315360000s, in seconds or with a unit (900, 15m, 12h, 30d) (got "a week")',
  ],
  ['BCRYPT_COST', '3', 'BCRYPT_COST: must be an integer from 4 to 15 (got "3")'],
  ['BCRYPT_COST', '16', 'BCRYPT_COST: must be an integer from 4 to 15 (got "16")'],
  ['PASSWORD_WORKERS', '0', 'PASSWORD_WORKERS: must be an integer from 1 to 64 (got "0")'],
  ['LOGIN_MAX_FAILURES_PER_USER', '0', 'LOGIN_MAX_FAILURES_PER_USER: must be an integer from 1 to 1000 (got "0")'],
  ['LOGIN_MAX_FAILURES_PER_IP', 'many', 'LOGIN_MAX_FAILURES_PER_IP: must be an integer from 1 to 100000 (got "many")'],
  [
    'LOGIN_FAILURE_WINDOW',
    '0',
    'LOGIN_FAILURE_WINDOW: must be a duration from 1s to 86400s, in seconds or with a unit (900, 15m, 12h, 30d) (got "0")',
  ],
  [
    'LOGIN_LOCKOUT',
    '2d',
    'LOGIN_LOCKOUT: must be a duration from 1s to 86400s, in seconds or with a unit (900, 15m, 12h, 30d) (got "2d")',
  ],
  [
    'LOGIN_WAIT_TIMEOUT',
    '5m',
    'LOGIN_WAIT_TIMEOUT: must be a duration from 0s to 120s, in seconds or with a unit (900, 15m, 12h, 30d) (got "5m")',
  ],
  ['KEYS_MASTER_KEY', 'c2hvcnQ=', 'KEYS_MASTER_KEY: must be 32 bytes in base64 (openssl rand -base64 32)'],
  ['KEYS_MASTER_KEY', `${'A'.repeat(43)}!`, 'KEYS_MASTER_KEY: must be 32 bytes in base64 (openssl rand -base64 32)'],
  ['SIGNING_KEY_SIZE', '1024', 'SIGNING_KEY_SIZE: must be an integer from 2048 to 4096 (got "1024")'],
  ['SIGNING_KEY_SIZE', '3000', 'SIGNING_KEY_SIZE: must be 2048, 3072 or 4096 (got "3000")'],
  [
    'SIGNING_ALGORITHMS',
    'RS256,HS256',
    'SIGNING_ALGORITHMS: unknown algorithm HS256: use any of RS256, PS256, ES256, EdDSA (comma-separated) (got "RS256,HS256")',
  ],
  [
    'SIGNING_ALGORITHMS',
    'Ed25519',
    'SIGNING_ALGORITHMS: unknown algorithm Ed25519: use any of RS256, PS256, ES256, EdDSA (comma-separated) (got "Ed25519")',
  ],
  [
    'SIGNING_ALGORITHMS',
    'ES256 es256',
    'SIGNING_ALGORITHMS: unknown algorithm es256: use any of RS256, PS256, ES256, EdDSA (comma-separated) (got "ES256,es256")',
  ],
  ['SIGNING_ALGORITHMS', 'ES256,RS256,ES256', 'SIGNING_ALGORITHMS: names an algorithm twice (got "ES256,RS256,ES256")'],
  [
    'SIGNING_KEY_ROTATION_INTERVAL',
    '30m',
    'SIGNING_KEY_ROTATION_INTERVAL: must be a duration from 3600s to 315360000s, in seconds or with a unit (900, 15m, 12h, 30d) (got "30m")',
  ],
  [
    'JWKS_MAX_AGE',
    '2d',
    'JWKS_MAX_AGE: must be a duration from 0s to 86400s, in seconds or with a unit (900, 15m, 12h, 30d) (got "2d")',
  ],
  [
    'CLOCK_SKEW',
    '1h',
    'CLOCK_SKEW: must be a duration from 0s to 300s, in seconds or with a unit (900, 15m, 12h, 30d) (got "1h")',
  ],
  [
    'CLOCK_SKEW',
    '301',
    'CLOCK_SKEW: must be a duration from 0s to 300s, in seconds or with a unit (900, 15m, 12h, 30d) (got "301")',
  ],
  ['DATABASE_POOL_SIZE', '0', 'DATABASE_POOL_SIZE: must be an integer from 1 to 1000 (got "0")'],
  [
    'DATABASE_TIMEOUT',
    '0',
    'DATABASE_TIMEOUT: must be a duration from 1s to 60s, in seconds or with a unit (900, 15m, 12h, 30d) (got "0")',
  ],
  [
    'SHUTDOWN_TIMEOUT',
    '2h',
    'SHUTDOWN_TIMEOUT: must be a duration from 1s to 600s, in seconds or with a unit (900, 15m, 12h, 30d) (got "2h")',
  ],
  [
    'KEYRING_REFRESH_INTERVAL',
    '0',
    'KEYRING_REFRESH_INTERVAL: must be a duration from 1s to 3600s, in seconds or with a unit (900, 15m, 12h, 30d) (got "0")',
  ],
  [
    'ACCESS_KEY_CACHE_TTL',
    '1h',
    'ACCESS_KEY_CACHE_TTL: must be a duration from 0s to 300s, in seconds or with a unit (900, 15m, 12h, 30d) (got "1h")',
  ],
  [
    'ACCESS_KEY_LAST_USED_INTERVAL',
    '0',
    'ACCESS_KEY_LAST_USED_INTERVAL: must be a duration from 1s to 86400s, in seconds or with a unit (900, 15m, 12h, 30d) (got "0")',
  ],
  [
    'JANITOR_INTERVAL',
    '30d',
    'JANITOR_INTERVAL: must be a duration from 0s to 604800s, in seconds or with a unit (900, 15m, 12h, 30d) (got "30d")',
  ],
  ['JANITOR_BATCH_SIZE', '0', 'JANITOR_BATCH_SIZE: must be an integer from 1 to 100000 (got "0")'],
  [
    'AUDIT_RETENTION',
    '1y',
    'AUDIT_RETENTION: must be a duration from 0s to 315360000s, in seconds or with a unit (900, 15m, 12h, 30d) (got "1y")',
  ],
  [
    'USAGE_RETENTION',
    '90 days',
    'USAGE_RETENTION: must be a duration from 0s to 315360000s, in seconds or with a unit (900, 15m, 12h, 30d) (got "90 days")',
  ],
  [
    'USAGE_FLUSH_INTERVAL',
    '0',
    'USAGE_FLUSH_INTERVAL: must be a duration from 1s to 3600s, in seconds or with a unit (900, 15m, 12h, 30d) (got "0")',
  ],
  [
    'JANITOR_RETENTION',
    '-1',
    'JANITOR_RETENTION: must be a duration from 0s to 315360000s, in seconds or with a unit (900, 15m, 12h, 30d) (got "-1")',
  ],
  ['UI_TITLE', 'Acme\nSign in', 'UI_TITLE: must be a name of at most 60 characters on one line (got "Acme\\nSign in")'],
  [
    'UI_TITLE',
    'x'.repeat(61),
    `UI_TITLE: must be a name of at most 60 characters on one line (got "${'x'.repeat(60)}…")`,
  ],
  ['LOGIN_URL', '/login', 'LOGIN_URL: must be an absolute http(s) URL (got "/login")'],
  ['LOGIN_URL', 'javascript:alert(1)', 'LOGIN_URL: must be an absolute http(s) URL (got "javascript:alert(1)")'],
  [
    'CONSENT_URL',
    'https://login.example.com/consent#x',
    'CONSENT_URL: must not have a fragment (got "https://login.example.com/consent#x")',
  ],
  ['SERVICE_DOCUMENTATION', 'docs', 'SERVICE_DOCUMENTATION: must be an absolute http(s) URL (got "docs")'],
  ...[
    'https://app.example.com/',
    'https://App.example.com',
    'https://app.example.com:443',
    'https://app.example.com/spa',
    '*',
    'null',
    'ftp://files.example.com',
  ].map((value): [string, string, string] => [
    'CORS_ORIGINS',
    `https://ok.example ${value}`,
    `CORS_ORIGINS: each entry must be an origin as browsers send it: http(s)://host[:port], lower case, no path or trailing slash (got ${JSON.stringify(value)})`,
  ]),
]

for (const [name, value, message] of badValues) {
  t.test(`${name}=${JSON.stringify(value)} is refused with one line naming it`, async (t) => {
    t.throws(() => load({ [name]: value }), new ConfigError(message))
    t.notMatch(message, '\n')
  })
}

t.test('keys must outlive the tokens and cached JWKS they verify', async (t) => {
  t.throws(
    () => load({ SIGNING_KEY_ROTATION_INTERVAL: '2h', JWKS_MAX_AGE: '1h', ACCESS_TOKEN_TTL: '1h' }),
    new ConfigError(
      'SIGNING_KEY_ROTATION_INTERVAL: must be longer than 2 × JWKS_MAX_AGE + ACCESS_TOKEN_TTL (10800s) (got "7200")',
    ),
  )
  t.equal(
    load({ SIGNING_KEY_ROTATION_INTERVAL: '4h', JWKS_MAX_AGE: '1h', ACCESS_TOKEN_TTL: '1h' })
      .signingKeyRotationInterval,
    14400,
  )
})

t.test('a long bad value is shortened in the message', async (t) => {
  t.throws(() => load({ PORT: '9'.repeat(100) }), {
    message: `PORT: must be an integer from 0 to 65535 (got "${'9'.repeat(60)}…")`,
  })
})

t.test('the master key never appears in its error', async (t) => {
  const secretish = Buffer.alloc(31, 1).toString('base64')
  const err = t.throws(() => load({ KEYS_MASTER_KEY: secretish })) as Error
  t.equal(err.message, 'KEYS_MASTER_KEY: must be 32 bytes in base64 (openssl rand -base64 32)')
  t.notMatch(err.message, secretish)
})

t.test('a bad REDIS_URL is reported without its value, which may hold a password', async (t) => {
  const err = t.throws(() => load({ REDIS_URL: 'redis//:hunter2@cache:6379' })) as Error
  t.equal(err.message, 'REDIS_URL: must be a redis://host:port or rediss://host:port URL')
  t.notMatch(err.message, 'hunter2')
})

t.test('a .env file is read, and the environment wins over it', async (t) => {
  const dir = tempDir(t)
  const envFile = join(dir, '.env')
  writeFileSync(envFile, '# comment\nPORT=4000\nLOG_LEVEL=debug\nSCOPES="read write"\nexport ACCESS_TOKEN_TTL=5m\n')
  const fromFile = loadConfig({}, { envFile })
  t.match(fromFile, { port: 4000, logLevel: 'debug', scopes: ['read', 'write'], accessTokenTtl: 300 })
  const overridden = loadConfig({ PORT: '4001' }, { envFile })
  t.match(overridden, { port: 4001, logLevel: 'debug', issuer: 'http://localhost:4001' })
})

t.test('a bad value in the .env file is reported like one in the environment', async (t) => {
  const envFile = join(tempDir(t), '.env')
  writeFileSync(envFile, 'BCRYPT_COST=99\n')
  t.throws(
    () => loadConfig({}, { envFile }),
    new ConfigError('BCRYPT_COST: must be an integer from 4 to 15 (got "99")'),
  )
})

t.test('by default the .env of the working directory is read; a missing one is fine', async (t) => {
  const dir = tempDir(t)
  const cwd = process.cwd()
  t.teardown(() => process.chdir(cwd))
  process.chdir(dir)
  t.equal(loadConfig({}).port, 3000)
  writeFileSync(join(dir, '.env'), 'PORT=4200\n')
  t.equal(loadConfig({}).port, 4200)
  t.equal(loadConfig({}, { envFile: false }).port, 3000, 'envFile: false ignores it')
})

t.test('every variable is documented in the README table and .env.example', async (t) => {
  const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')
  const variables = [...read('../src/config.ts').matchAll(/read\.\w+\('([A-Z_]+)'/g)].map((match) => match[1]!)
  t.ok(variables.length >= 29)
  const readme = read('../README.md')
  const example = read('../.env.example')
  for (const name of variables) {
    t.match(readme, `\n| \`${name}\` |`, `README: ${name}`)
    t.match(example, new RegExp(`^# ${name}=`, 'm'), `.env.example: ${name}`)
  }
})

t.test("PASSWORD_WORKERS defaults to the container's CPU limit, not the host's CPUs", async (t) => {
  const files = (entries: Record<string, string>) => (path: string) => entries[path]
  t.equal(
    cpus.cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' })),
    2,
    'cgroup v2: 1.5 CPUs → 2 threads',
  )
  t.equal(cpus.cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '50000 100000\n' })), 1)
  t.equal(cpus.cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' })), undefined, 'no limit')
  t.equal(
    cpus.cgroupCpuLimit(
      files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '400000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }),
    ),
    4,
    'cgroup v1',
  )
  t.equal(
    cpus.cgroupCpuLimit(
      files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }),
    ),
    undefined,
    'v1 without a quota',
  )
  t.equal(cpus.cgroupCpuLimit(files({})), undefined, 'not in a cgroup')
})
