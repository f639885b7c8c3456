// Fixtures for the tests that drive real server processes over HTTP (crash recovery, several instances on one
// database): seeding through the store, token and admin requests with fetch, the database's own consistency.
import Sqlite from 'better-sqlite3'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import pg from 'pg'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { basic, seed, type Seeded } from './token-fixtures.ts'

/** The seeded clients and user (token-fixtures.ts seed()), written through the store of a database the servers use. */
export async function seedDatabase(databaseUrl: string, options: { migrate: boolean }): Promise<Seeded> {
  const store = createStore(await openDatabase(databaseUrl, { migrate: options.migrate }))
  try {
    return await seed(store)
  } finally {
    await store.close()
  }
}

export interface TokenAnswer {
  status: number
  body: Record<string, unknown>
}

export async function postToken(url: string, params: Record<string, string>, auth?: string): Promise<TokenAnswer> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
    body: new URLSearchParams(params).toString(),
  })
  const body = (await res.json()) as Record<string, unknown>
  rememberSecrets(
    params.password,
    params.client_secret,
    params.refresh_token,
    params.subject_token,
    auth,
    body.access_token,
    body.refresh_token,
  )
  return { status: res.status, body }
}

// Every secret the process tests sent or received through these fixtures (each test file is its own process), so
// that a test can scan its servers' whole logs for all of them: leakedSecrets(server.stdout(), usedSecrets()).
const used = new Set<string>()

/** Records secrets (a token, key, password, client secret or Authorization value) for usedSecrets(). */
export function rememberSecrets(...secrets: unknown[]): void {
  for (const secret of secrets) if (typeof secret === 'string' && secret.length >= 8) used.add(secret)
}

/** The seeded secrets and every secret recorded so far. */
export function usedSecrets(seeded?: Seeded): string[] {
  if (seeded)
    rememberSecrets(
      seeded.service.secret,
      seeded.service.auth,
      seeded.machine.secret,
      seeded.machine.auth,
      seeded.alice.password,
    )
  return [...used]
}

/**
 * The secrets found in a log, each in every form it could take there: as given, form-encoded, inside a Basic
 * credential (the value of a `Basic …` Authorization), and a JWT's signature on its own. Also anything shaped
 * like one of our JWTs or access keys, recorded or not.
 */
export function leakedSecrets(log: string, secrets: Iterable<string>): string[] {
  const found = new Set<string>()
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue
    const forms = [secret, new URLSearchParams({ s: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)]
    if (secret.startsWith('Basic '))
      forms.push(secret.slice(6), ...Buffer.from(secret.slice(6), 'base64').toString().split(':'))
    if (/^eyJ[\w-]*\.[\w-]*\.[\w-]{20,}$/.test(secret)) forms.push(secret.split('.')[2]!)
    if (forms.some((form) => form.length >= 8 && log.includes(form))) found.add(`${secret.slice(0, 12)}…`)
  }
  for (const match of log.matchAll(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+|pcl_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}/g))
    found.add(`${match[0].slice(0, 12)}… (by its shape)`)
  return [...found]
}

export async function postForm(
  url: string,
  path: string,
  params: Record<string, string>,
  auth: string,
): Promise<{ status: number; text: string }> {
  rememberSecrets(params.token, auth)
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
    body: new URLSearchParams(params).toString(),
  })
  return { status: res.status, text: await res.text() }
}

/** An admin API request with a Bearer JWT or an access key. */
export async function admin(
  url: string,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  credential: { bearer: string } | { apiKey: string },
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> =
    'bearer' in credential ? { authorization: `Bearer ${credential.bearer}` } : { 'x-api-key': credential.apiKey }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${url}/admin/v1${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  const answer = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
  rememberSecrets('bearer' in credential ? credential.bearer : credential.apiKey, answer.key, answer.client_secret)
  return { status: res.status, body: answer }
}

/** A client_credentials token of the seeded confidential client holding `admin`. */
export async function adminToken(url: string, seeded: Seeded): Promise<string> {
  const answer = await postToken(url, { grant_type: 'client_credentials', scope: 'admin' }, seeded.service.auth)
  if (answer.status !== 200) throw new Error(`no admin token: ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer.body.access_token as string
}

export const passwordLogin = (url: string, seeded: Seeded) =>
  postToken(
    url,
    { grant_type: 'password', username: seeded.alice.username, password: seeded.alice.password, scope: 'read write' },
    seeded.service.auth,
  )

export const refresh = (url: string, seeded: Seeded, refreshToken: string) =>
  postToken(url, { grant_type: 'refresh_token', refresh_token: refreshToken }, seeded.service.auth)

export const machineToken = (url: string, seeded: Seeded) =>
  postToken(
    url,
    { grant_type: 'client_credentials', scope: 'read' },
    basic(seeded.machine.clientId, seeded.machine.secret),
  )

export async function fetchJwks(url: string): Promise<JSONWebKeySet> {
  const res = await fetch(`${url}/.well-known/jwks.json`)
  if (res.status !== 200) throw new Error(`JWKS answered ${res.status}`)
  return (await res.json()) as JSONWebKeySet
}

export const kidsOf = (jwks: JSONWebKeySet): string[] => jwks.keys.map((key) => key.kid!).sort()

/** What a resource server does: the token verifies with jose against this JWKS. */
export async function verifies(jwks: JSONWebKeySet, token: string, issuer: string): Promise<boolean> {
  try {
    await jwtVerify(token, createLocalJWKSet(jwks), { issuer, audience: issuer, typ: 'at+jwt', algorithms: ['RS256'] })
    return true
  } catch {
    return false
  }
}

export const kidOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it is true or `timeoutMs` passes; resolves with the milliseconds it took, or rejects. */
export async function pollUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(everyMs)
  }
}

/**
 * Rows that reference nothing, or a rotation left half done: each query must return no row. Plain SQL with
 * quoted identifiers, the same on SQLite and PostgreSQL.
 */
export const ORPHAN_QUERIES: Record<string, string> = {
  'refresh tokens without their family': `SELECT t."id" FROM "RefreshToken" t LEFT JOIN "RefreshFamily" f ON f."id" = t."familyId" WHERE f."id" IS NULL`,
  'families without their client': `SELECT f."id" FROM "RefreshFamily" f LEFT JOIN "Client" c ON c."clientId" = f."clientId" WHERE c."clientId" IS NULL`,
  'families without their user': `SELECT f."id" FROM "RefreshFamily" f LEFT JOIN "User" u ON u."id" = f."userId" WHERE u."id" IS NULL`,
  'families without a first token': `SELECT f."id" FROM "RefreshFamily" f WHERE NOT EXISTS (SELECT 1 FROM "RefreshToken" t WHERE t."familyId" = f."id" AND t."parentId" IS NULL)`,
  'tokens whose parent is missing or in another family': `SELECT t."id" FROM "RefreshToken" t LEFT JOIN "RefreshToken" p ON p."id" = t."parentId" WHERE t."parentId" IS NOT NULL AND (p."id" IS NULL OR p."familyId" <> t."familyId")`,
  'used tokens without a successor': `SELECT p."id" FROM "RefreshToken" p WHERE p."usedAt" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "RefreshToken" t WHERE t."parentId" = p."id")`,
  'tokens rotated more than once': `SELECT t."parentId" FROM "RefreshToken" t WHERE t."parentId" IS NOT NULL GROUP BY t."parentId" HAVING COUNT(*) > 1`,
  'access keys without their owner': `SELECT k."id" FROM "AccessKey" k LEFT JOIN "User" u ON u."id" = k."userId" WHERE k."userId" IS NOT NULL AND u."id" IS NULL`,
  'more than one signing key of a generation': `SELECT "generation" FROM "SigningKey" GROUP BY "generation" HAVING COUNT(*) > 1`,
}

/** The rows of one query, on the SQLite file or the PostgreSQL database of the URL. */
export async function rowsOf<Row>(databaseUrl: string, sql: string): Promise<Row[]> {
  if (databaseUrl.startsWith('file:')) {
    const db = new Sqlite(databaseUrl.slice('file:'.length), { fileMustExist: true })
    try {
      return db.prepare(sql).all() as Row[]
    } finally {
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return (await client.query(sql)).rows as Row[]
  } finally {
    await client.end()
  }
}

/** Every consistency problem found: SQLite's own checks, then the orphan queries; empty when there is none. */
export async function consistencyProblems(databaseUrl: string): Promise<string[]> {
  const problems: string[] = []
  if (databaseUrl.startsWith('file:')) {
    const db = new Sqlite(databaseUrl.slice('file:'.length))
    try {
      const integrity = db.pragma('integrity_check') as { integrity_check: string }[]
      if (integrity.length !== 1 || integrity[0]!.integrity_check !== 'ok')
        problems.push(`integrity_check: ${JSON.stringify(integrity)}`)
      const foreignKeys = db.pragma('foreign_key_check') as unknown[]
      if (foreignKeys.length > 0) problems.push(`foreign_key_check: ${JSON.stringify(foreignKeys)}`)
      for (const [what, sql] of Object.entries(ORPHAN_QUERIES)) {
        const rows = db.prepare(sql).all()
        if (rows.length > 0) problems.push(`${what}: ${JSON.stringify(rows)}`)
      }
    } finally {
      db.close()
    }
    return problems
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    for (const [what, sql] of Object.entries(ORPHAN_QUERIES)) {
      const { rows } = await client.query(sql)
      if (rows.length > 0) problems.push(`${what}: ${JSON.stringify(rows)}`)
    }
    // A constraint added NOT VALID, or left invalid by an interrupted migration, would let orphans in later.
    const { rows } = await client.query(`SELECT conname FROM pg_constraint WHERE NOT convalidated`)
    if (rows.length > 0) problems.push(`unvalidated constraints: ${JSON.stringify(rows)}`)
  } finally {
    await client.end()
  }
  return problems
}
