// The benchmark's world: a fresh database (SQLite in a temp dir, or a new PostgreSQL database), the
// environment the server is started with, and fixtures created the way an operator creates them (the
// CLI), plus token pools minted through the token endpoint itself.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import autocannon from 'autocannon'
import type { Build } from './lib/build.ts'
import { basicAuth, form, FORM } from './lib/load.ts'
import { runCommand } from './lib/processes.ts'
import type { TenantKeys } from './tenants.ts'

export type DbKind = 'sqlite' | 'postgres'

export const POSTGRES_SERVER = 'postgresql://postgres@127.0.0.1:5432/postgres'

/** The algorithms measured beside RS256, each with clients registered for it and a sign reference of its own. */
export const OTHER_ALGORITHMS = ['ES256', 'EdDSA', 'PS256'] as const
export type OtherAlgorithm = (typeof OTHER_ALGORITHMS)[number]

export interface Environment {
  dir: string
  databaseUrl: string
  /** The variables every Portcullis process of this run gets (server, fixture server, CLI). */
  env: Record<string, string>
  remove(): Promise<void>
}

/** A temp dir (keys, SQLite file) and a fresh database; the master key is fixed for the run so every process shares the keys. */
export async function createEnvironment(db: DbKind, options: { bcryptCost: number }): Promise<Environment> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'))
  let databaseUrl = `file:${join(dir, 'portcullis.db')}`
  let dropDatabase = async (): Promise<unknown> => undefined
  if (db === 'postgres') {
    const name = `portcullis_bench_${randomBytes(5).toString('hex')}`
    await adminQuery(`CREATE DATABASE ${name}`)
    const url = new URL(POSTGRES_SERVER)
    url.pathname = `/${name}`
    databaseUrl = url.toString()
    dropDatabase = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
  const env = {
    DATABASE_URL: databaseUrl,
    KEYS_DIR: join(dir, 'keys'),
    KEYS_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    BCRYPT_COST: String(options.bcryptCost),
    HOST: '127.0.0.1',
    // RS256 first: the clients registered without an algorithm (every scenario but the per-algorithm ones) get
    // RS256 tokens, as in a deployment that sets nothing; the others are registered for theirs.
    SIGNING_ALGORITHMS: ['RS256', ...OTHER_ALGORITHMS].join(','),
    // The benchmark measures the endpoints, not the limiter: its load comes from one address.
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_CLIENT: '0',
  }
  return {
    dir,
    databaseUrl,
    env,
    async remove() {
      await dropDatabase().catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

export interface ClientCredentials {
  clientId: string
  secret: string
  authorization: string
}

export interface Fixtures {
  /** client_credentials, revocation of its own tokens. */
  service: ClientCredentials
  /** client_credentials, registered with --access-token-signing-alg ES256, EdDSA and PS256. */
  serviceByAlg: Partial<Record<OtherAlgorithm, ClientCredentials>>
  /** password + refresh_token. */
  app: ClientCredentials
  /** token exchange of access keys. */
  exchanger?: ClientCredentials
  /** token exchange of access keys, registered with --access-token-signing-alg ES256, EdDSA and PS256. */
  exchangerByAlg: Partial<Record<OtherAlgorithm, ClientCredentials>>
  /** holds the `introspect` scope: may introspect any token. */
  introspector: ClientCredentials
  user: { username: string; password: string }
  /** The same user shape at bcrypt cost 4, only for minting token pools quickly. */
  poolUser: { username: string; password: string }
  accessKey?: string
  /** A private_key_jwt client (client_credentials) and its RS256 private key, which never leaves this process. */
  signer?: { clientId: string; kid: string; privateKey: KeyObject }
  /** `--tenants`: 1,000 tenants of 100 access keys each, whose keys token exchange and introspection spread across. */
  tenantKeys?: TenantKeys
  /** Why a fixture could not be created (e.g. a command that does not exist yet). */
  missing: string[]
}

const SCOPES = 'read write'

/** Creates clients, users and an access key through the CLI, as an operator would. */
export async function createFixtures(build: Build, environment: Environment, cwd: string): Promise<Fixtures> {
  const missing: string[] = []
  const cli = async (args: string[], input = '', env: Record<string, string> = {}): Promise<Record<string, string>> => {
    const { command, args: lead } = build.node('cli/main.ts')
    const out = await runCommand(command, [...lead, ...args, '--json'], {
      env: { ...environment.env, ...env },
      cwd,
      input,
    })
    return JSON.parse(out) as Record<string, string>
  }
  const client = async (
    name: string,
    grantTypes: string,
    scopes = SCOPES,
    extra: string[] = [],
  ): Promise<ClientCredentials> => {
    const created = await cli([
      'clients',
      'create',
      '--name',
      name,
      '--grant-types',
      grantTypes,
      '--scopes',
      scopes,
      ...extra,
    ])
    return {
      clientId: created.client_id!,
      secret: created.client_secret!,
      authorization: basicAuth(created.client_id!, created.client_secret!),
    }
  }
  const optional = async <T>(what: string, create: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await create()
    } catch (err) {
      missing.push(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)
      return undefined
    }
  }

  await cli(['migrate'])
  const service = await client('bench service', 'client_credentials')
  const serviceByAlg: Fixtures['serviceByAlg'] = {}
  const exchangerByAlg: Fixtures['exchangerByAlg'] = {}
  for (const alg of OTHER_ALGORITHMS) {
    const algorithm = ['--access-token-signing-alg', alg]
    const created = await optional(`${alg} client`, () =>
      client(`bench service ${alg}`, 'client_credentials', SCOPES, algorithm),
    )
    if (created) serviceByAlg[alg] = created
    const exchanging = await optional(`${alg} token-exchange client`, () =>
      client(`bench exchanger ${alg}`, 'token-exchange', SCOPES, algorithm),
    )
    if (exchanging) exchangerByAlg[alg] = exchanging
  }
  const app = await client('bench app', 'password,refresh_token')
  const introspector = await client('bench introspector', 'client_credentials', `${SCOPES} introspect`)
  const exchanger = await optional('token-exchange client', () => client('bench exchanger', 'token-exchange'))
  const user = { username: 'bench-user', password: randomBytes(12).toString('base64url') }
  await cli(
    ['users', 'create', '--username', user.username, '--password-stdin', '--scopes', SCOPES],
    `${user.password}\n`,
  )
  const poolUser = { username: 'bench-pool-user', password: randomBytes(12).toString('base64url') }
  await cli(
    ['users', 'create', '--username', poolUser.username, '--password-stdin', '--scopes', SCOPES],
    `${poolUser.password}\n`,
    { BCRYPT_COST: '4' },
  )
  const accessKey = await optional(
    'access key',
    async () =>
      (await cli(['access-keys', 'create', '--name', 'bench key', '--scopes', SCOPES, '--user', user.username])).key,
  )
  const signer = await optional('private_key_jwt client', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const kid = 'bench-signer'
    const file = join(cwd, 'bench-signer.jwks.json')
    writeFileSync(file, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256' }] }))
    const created = await cli([
      'clients',
      'create',
      '--name',
      'bench signer',
      '--grant-types',
      'client_credentials',
      '--scopes',
      SCOPES,
      '--auth-method',
      'private_key_jwt',
      '--jwks-file',
      file,
    ])
    return { clientId: created.client_id!, kid, privateKey }
  })
  return {
    service,
    serviceByAlg,
    app,
    introspector,
    ...(signer ? { signer } : {}),
    ...(exchanger ? { exchanger } : {}),
    exchangerByAlg,
    user,
    poolUser,
    ...(accessKey ? { accessKey } : {}),
    missing,
  }
}

/**
 * Mints `count` tokens through a running server with `fields` as the token request, `concurrency` at a
 * time, and returns `pick(response)` of each successful one.
 */
export async function mintTokens(
  baseUrl: string,
  options: {
    count: number
    authorization: string
    fields: Record<string, string>
    pick: 'access_token' | 'refresh_token'
    connections?: number
  },
): Promise<string[]> {
  const tokens: string[] = []
  let failure = ''
  await autocannon({
    url: baseUrl,
    connections: options.connections ?? 16,
    amount: options.count,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/oauth/token',
        headers: { 'content-type': FORM, authorization: options.authorization },
        body: form(options.fields),
        onResponse: (status, body) => {
          if (status !== 200) {
            failure = `${status} ${body.slice(0, 300)}`
            return
          }
          const token = (JSON.parse(body) as Record<string, string>)[options.pick]
          if (token) tokens.push(token)
        },
      },
    ],
  })
  if (tokens.length === 0) throw new Error(`minting ${options.pick}s failed: ${failure || 'no response'}`)
  return tokens
}
