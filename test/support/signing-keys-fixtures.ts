// Fixtures for the signing-key tests: a clock tests move by hand, a resource server that caches the JWKS
// for max-age, and a second instance of the service on the same database.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { buildApp } from '../../src/app.ts'
import type { Config } from '../../src/config.ts'
import { signAccessToken } from '../../src/keys/access-token.ts'
import { createKeyring, type Keyring } from '../../src/keys/keyring.ts'
import { createStore, openDatabase, type Store } from '../../src/store/index.ts'
import type { Every } from '../../src/ops/every.ts'
import type { Test } from './helper.ts'

export const START = Date.UTC(2030, 0, 1)
export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const DAY = 86400 * SECOND

export interface Clock {
  now: () => number
  advance(ms: number): void
  set(ms: number): void
}

export function createClock(start = START): Clock {
  let time = start
  return { now: () => time, advance: (ms) => void (time += ms), set: (ms) => void (time = ms) }
}

export async function fetchJwks(app: FastifyInstance): Promise<JSONWebKeySet> {
  const res = await app.inject('/.well-known/jwks.json')
  if (res.statusCode !== 200) throw new Error(`JWKS answered ${res.statusCode}`)
  return res.json() as JSONWebKeySet
}

export const kids = (jwks: JSONWebKeySet): string[] => jwks.keys.map((key) => key.kid!).sort()

export async function issue(keyring: Keyring, config: Readonly<Config>, now: number): Promise<string> {
  const { token } = await signAccessToken(
    keyring,
    { issuer: config.issuer, ttl: config.accessTokenTtl, now },
    { sub: 'alice', aud: config.defaultAudience, clientId: 'service', scope: 'read' },
  )
  return token
}

/** What a resource server does: verifies with jose against a JWKS it holds, at a given time. */
export async function verifiesWith(
  jwks: JSONWebKeySet,
  token: string,
  config: Readonly<Config>,
  at: number,
): Promise<boolean> {
  try {
    await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: config.issuer,
      typ: 'at+jwt',
      algorithms: ['RS256'],
      currentDate: new Date(at),
      clockTolerance: config.clockSkew,
    })
    return true
  } catch {
    return false
  }
}

export interface Instance {
  app: FastifyInstance
  store: Store
  keyring: Keyring
}

/** Another instance of the service on the same database: its own connection, keyring and app. */
export async function secondInstance(
  t: Test,
  config: Readonly<Config>,
  databaseUrl: string,
  options: { masterKey: Buffer; now?: () => number; autoRefresh?: boolean; every?: Every },
): Promise<Instance> {
  const store = createStore(await openDatabase(databaseUrl))
  const keyring = await createKeyring({
    config,
    store,
    masterKey: options.masterKey,
    autoRefresh: options.autoRefresh ?? false,
    every: options.every,
    ...(options.now ? { now: options.now } : {}),
  })
  const app = await buildApp({
    config,
    store,
    keyring,
    masterKey: randomBytes(32),
    logger: false,
    ...(options.now ? { now: options.now } : {}),
  })
  t.teardown(async () => {
    await app.close()
    keyring.close()
    await store.close()
  })
  return { app, store, keyring }
}

const TSX = import.meta.resolve('tsx')
export const SERVER = fileURLToPath(new URL('../../src/main.cts', import.meta.url))
/** Only what the child needs: the test process's own environment (TEST_DATABASE_URL…) stays out. */
const childEnv = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? '',
  LOG_LEVEL: 'info',
  BCRYPT_COST: '4',
  ...env,
})

export interface Exited {
  code: number | null
  stdout: string
  stderr: string
}

export interface RunningServer {
  url: string
  /** SIGTERM, then the exit code and everything it wrote. */
  stop(): Promise<Exited>
}

/** Starts the real server (src/main.cts); resolves once it listens, or with its exit if it stops first. */
export function startServer(
  t: Test,
  options: { cwd: string; env: Record<string, string> },
): Promise<RunningServer | Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, SERVER], {
      cwd: options.cwd,
      env: childEnv({ HOST: '127.0.0.1', PORT: '0', ...options.env }),
    })
    let stdout = ''
    let stderr = ''
    const exited = new Promise<Exited>((done) => child.on('close', (code) => done({ code, stdout, stderr })))
    t.teardown(() => void child.kill('SIGKILL'))
    const stop = () => {
      child.kill('SIGTERM')
      return exited
    }
    child.on('error', reject)
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
      const listening = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(stdout)
      if (listening) resolve({ url: listening[1]!, stop })
    })
    void exited.then(resolve)
  })
}
