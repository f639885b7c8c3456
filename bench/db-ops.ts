// `npx tsx bench/db-ops.ts`: the database work of one request of each kind, on PostgreSQL, for the
// capacity plan (docs/scaling.md). Counts, not timings: run it on a loaded machine and the numbers are
// the same.
//
//   npx tsx bench/db-ops.ts                          N = 200 requests per kind, caches on and off
//   npx tsx bench/db-ops.ts --requests 500 --pg-stat also pg_stat_user_tables deltas (waits ~11 s per kind)
//   npx tsx bench/db-ops.ts --sql                    also each kind's statements (first 160 characters)
//   npx tsx bench/db-ops.ts --wal                    also the WAL bytes each kind writes (pg_waldump; a local
//                                                    server whose data directory this user can read)
//   npx tsx bench/db-ops.ts --concurrency 20         requests sent 20 at a time (default 1, one at a time): the
//                                                    writes of one event-loop turn share a statement on PostgreSQL
//   npx tsx bench/db-ops.ts --only refresh,revoke    only the kinds whose name contains one of these
//
// The app is built in process (buildApp, as the tests build it) on a fresh database of the local
// PostgreSQL (127.0.0.1:5432, user postgres, dropped at the end), and requests go through app.inject.
// Every statement is observed where node-postgres sends it (pg.Client.prototype.query, which Prisma's pg
// adapter calls for every query, inside transactions or not): its verb, its first table, the rows it
// returned or changed. With --pg-stat, PostgreSQL's own per-table counters (index and sequential scans,
// rows inserted, updated, deleted) are read before and after each kind; a backend reports them up to
// 10 s after it went idle, hence the wait. With --wal, the write-ahead log between the two points is read
// with pg_waldump and the records of this database (and the commits of their transactions) are summed,
// so that other databases of the same server do not count.
//
// Background timers are pushed out of the way during the per-request passes (REVOCATION_SYNC_INTERVAL and
// KEYRING_REFRESH_INTERVAL at their maxima) and measured on their own at the end, at 1 s, per tick.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { createKeyring } from '../src/keys/keyring.ts'
import { generateAccessKey } from '../src/security/access-keys.ts'
import { hashPassword } from '../src/security/passwords.ts'
import { sha256 } from '../src/security/secrets.ts'
import { createStore, openDatabase, type Store } from '../src/store/index.ts'

const SERVER = 'postgresql://postgres@127.0.0.1:5432/postgres'
const FORM = 'application/x-www-form-urlencoded'
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_KEY_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'

const { values: options } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    'pg-stat': { type: 'boolean', default: false },
    sql: { type: 'boolean', default: false },
    wal: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
})
const N = Number(options.requests)
if (!Number.isInteger(N) || N < 10) throw new Error('--requests must be an integer ≥ 10')
const CONCURRENCY = Number(options.concurrency)
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) throw new Error('--concurrency must be an integer ≥ 1')
const ONLY = options.only?.split(',').filter(Boolean)

// ---------------------------------------------------------------------------------------------------
// Observing statements

interface Tally {
  statements: number
  transactions: number
  /** verb → count (SELECT, INSERT, UPDATE, DELETE, BEGIN, COMMIT…). */
  verbs: Map<string, number>
  /** table → rows returned by SELECTs (and RETURNING). */
  rowsRead: Map<string, number>
  /** table → rows inserted, updated or deleted. */
  rowsWritten: Map<string, number>
  /** statement text (shortened) → count. */
  texts: Map<string, number>
}

const newTally = (): Tally => ({
  statements: 0,
  transactions: 0,
  verbs: new Map(),
  rowsRead: new Map(),
  rowsWritten: new Map(),
  texts: new Map(),
})
let tally = newTally()
const inTransaction = new WeakSet<object>()
/** Our own monitoring connection: its queries are not the app's. */
const ignored = new WeakSet<object>()
const add = (map: Map<string, number>, key: string, by: number) => map.set(key, (map.get(key) ?? 0) + by)

function record(
  client: object,
  text: string,
  result: { rowCount?: number | null; rows?: unknown[] } | undefined,
): void {
  if (ignored.has(client)) return
  const verb = (/^\s*(\w+)/.exec(text)?.[1] ?? '?').toUpperCase()
  const table = /(?:FROM|INTO|UPDATE)\s+(?:"public"\.)?"(\w+)"/i.exec(text)?.[1] ?? '-'
  tally.statements++
  add(tally.verbs, verb, 1)
  add(tally.texts, text.replace(/\s+/g, ' ').trim().slice(0, 160), 1)
  if (verb === 'BEGIN') {
    inTransaction.add(client)
    tally.transactions++
  } else if (verb === 'COMMIT' || verb === 'ROLLBACK') {
    inTransaction.delete(client)
  } else if (!inTransaction.has(client)) {
    tally.transactions++
  }
  const rows = result?.rows?.length ?? 0
  if (verb === 'SELECT') add(tally.rowsRead, table, rows)
  if (verb === 'INSERT' || verb === 'UPDATE' || verb === 'DELETE') {
    add(tally.rowsWritten, table, result?.rowCount ?? 0)
  }
}

type Query = (this: object, ...args: unknown[]) => unknown
const originalQuery = pg.Client.prototype.query as unknown as Query
;(pg.Client.prototype as unknown as { query: Query }).query = function (this: object, ...args: unknown[]) {
  const config = args[0] as string | { text?: string } | undefined
  const text = typeof config === 'string' ? config : (config?.text ?? '')
  const last = args.at(-1)
  if (typeof last === 'function') {
    args[args.length - 1] = (err: unknown, result: never) => {
      if (!err) record(this, text, result)
      return (last as (err: unknown, result: unknown) => unknown)(err, result)
    }
    return originalQuery.apply(this, args)
  }
  const out = originalQuery.apply(this, args)
  if (out && typeof (out as Promise<unknown>).then === 'function')
    (out as Promise<never>).then(
      (result) => record(this, text, result),
      () => undefined,
    )
  return out
}

// ---------------------------------------------------------------------------------------------------
// PostgreSQL's own counters (optional)

type TableStats = Map<string, { idx: number; seq: number; ins: number; upd: number; del: number; hot: number }>

async function tableStats(monitor: pg.Client): Promise<TableStats> {
  const { rows } = await monitor.query<{
    relname: string
    idx: string
    seq: string
    ins: string
    upd: string
    del: string
    hot: string
  }>(
    `SELECT relname, coalesce(idx_scan, 0) AS idx, seq_scan AS seq, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del, n_tup_hot_upd AS hot
     FROM pg_stat_user_tables WHERE relname <> '_prisma_migrations'`,
  )
  return new Map(
    rows.map((row) => [
      row.relname,
      {
        idx: Number(row.idx),
        seq: Number(row.seq),
        ins: Number(row.ins),
        upd: Number(row.upd),
        del: Number(row.del),
        hot: Number(row.hot),
      },
    ]),
  )
}

function statsDelta(before: TableStats, after: TableStats, requests: number): string {
  const parts: string[] = []
  for (const [table, now] of after) {
    const was = before.get(table) ?? { idx: 0, seq: 0, ins: 0, upd: 0, del: 0, hot: 0 }
    const delta = {
      idx: now.idx - was.idx,
      seq: now.seq - was.seq,
      ins: now.ins - was.ins,
      upd: now.upd - was.upd,
      del: now.del - was.del,
      hot: now.hot - was.hot,
    }
    const fields = Object.entries(delta)
      .filter(([, value]) => value > 0)
      .map(([name, value]) => `${name} ${per(value, requests)}`)
    if (fields.length) parts.push(`${table}: ${fields.join(', ')}`)
  }
  return parts.join('; ') || '-'
}

interface Wal {
  bytes: number
  records: number
  fullPageImages: number
}

async function walInsertPosition(monitor: pg.Client): Promise<string> {
  return (await monitor.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0]!.lsn
}

/** The WAL this database wrote between two positions: its records, and the commit records of their transactions. */
async function walBetween(monitor: pg.Client, start: string, end: string): Promise<Wal> {
  if (start === end) return { bytes: 0, records: 0, fullPageImages: 0 }
  // Wait until the end is on disk, where pg_waldump reads it.
  for (let i = 0; i < 50; i++) {
    const { rows } = await monitor.query<{ flushed: boolean }>(
      'SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS flushed',
      [end],
    )
    if (rows[0]!.flushed) break
    await sleep(100)
  }
  const { rows } = await monitor.query<{ dir: string; oid: string; major: string }>(
    `SELECT current_setting('data_directory') AS dir, (SELECT oid::text FROM pg_database WHERE datname = current_database()) AS oid,
            (current_setting('server_version_num')::int / 10000)::text AS major`,
  )
  const { dir, oid, major } = rows[0]!
  const waldump = existsSync(`/usr/lib/postgresql/${major}/bin/pg_waldump`)
    ? `/usr/lib/postgresql/${major}/bin/pg_waldump`
    : 'pg_waldump'
  const output = execFileSync(waldump, ['-p', join(dir, 'pg_wal'), '-s', start, '-e', end], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const ours = new RegExp(`rel \\d+/${oid}/`)
  const lines = output.split('\n')
  const size = (line: string) => Number(/len \(rec\/tot\):\s*\d+\/\s*(\d+)/.exec(line)?.[1] ?? 0)
  const xid = (line: string) => /tx:\s*(\d+)/.exec(line)?.[1] ?? '0'
  const transactions = new Set<string>()
  const wal: Wal = { bytes: 0, records: 0, fullPageImages: 0 }
  for (const line of lines) {
    if (!ours.test(line)) continue
    wal.bytes += size(line)
    wal.records++
    wal.fullPageImages += line.match(/FPW/g)?.length ?? 0
    if (xid(line) !== '0') transactions.add(xid(line))
  }
  for (const line of lines) {
    if (/rmgr: Transaction/.test(line) && /desc: COMMIT/.test(line) && transactions.has(xid(line))) {
      wal.bytes += size(line)
      wal.records++
    }
  }
  return wal
}

// ---------------------------------------------------------------------------------------------------
// The world: a database, fixtures, an app

const per = (value: number, requests: number) => {
  const x = value / requests
  if (x === Math.round(x)) return String(x)
  return x < 0.01 ? x.toFixed(3) : String(Number(x.toFixed(2)))
}
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

interface World {
  service: string
  app: string
  exchanger: string
  introspector: string
  username: string
  password: string
  accessKey: string
  adminKey: string
}

const SECRET = randomBytes(24).toString('base64url')

async function seed(store: Store): Promise<World> {
  const client = async (clientId: string, grantTypes: string[], scopes: string[]) => {
    await store.clients.create({ clientId, name: clientId, secretHash: sha256(SECRET), grantTypes, scopes })
    return basic(clientId, SECRET)
  }
  const password = randomBytes(12).toString('base64url')
  const user = await store.users.create({
    username: 'capacity-user',
    passwordHash: await hashPassword(password, 4),
    scopes: ['read', 'write'],
  })
  const key = async (scopes: string[], userId: string | null) => {
    const generated = generateAccessKey()
    await store.accessKeys.create({
      id: generated.id,
      prefix: generated.prefix,
      secretHash: generated.secretHash,
      name: 'capacity',
      scopes,
      userId,
      expiresAt: null,
    })
    return generated.key
  }
  return {
    service: await client('service', ['client_credentials'], ['read', 'write']),
    app: await client('app', ['password', 'refresh_token'], ['read', 'write']),
    exchanger: await client('exchanger', [EXCHANGE], ['read', 'write']),
    introspector: await client('introspector', ['client_credentials'], ['read', 'introspect']),
    username: 'capacity-user',
    password,
    accessKey: await key(['read', 'write'], user.id),
    adminKey: await key(['admin'], null),
  }
}

async function open(databaseUrl: string, env: Record<string, string>) {
  const keysDir = mkdtempSync(join(tmpdir(), 'portcullis-db-ops-'))
  const config = loadConfig(
    {
      DATABASE_URL: databaseUrl,
      KEYS_DIR: keysDir,
      LOG_LEVEL: 'silent',
      BCRYPT_COST: '4',
      PASSWORD_WORKERS: '2',
      ISSUER: 'http://portcullis.capacity',
      // So that measuring wrong passwords never locks the user or the address.
      LOGIN_MAX_FAILURES_PER_USER: '1000',
      LOGIN_MAX_FAILURES_PER_IP: '100000',
      // The rate limits' counters are in memory (or Redis), never in the database: off, so that no request is refused.
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_PER_CLIENT: '0',
      // A sweep would add its statements to whichever kind is being counted.
      JANITOR_INTERVAL: '0',
      ...env,
    },
    { envFile: false },
  )
  const db = await openDatabase(databaseUrl)
  const store = createStore(db)
  const masterKey = Buffer.alloc(32, 7)
  const keyring = await createKeyring({ config, store, masterKey })
  const app = await buildApp({ config, store, keyring, masterKey, logger: false })
  await app.ready()
  return {
    app,
    async close() {
      await app.close()
      keyring.close()
      await store.close()
      rmSync(keysDir, { recursive: true, force: true })
    },
  }
}

// ---------------------------------------------------------------------------------------------------
// Request kinds

interface Kind {
  name: string
  /** Prepares what the i-th request needs (e.g. distinct tokens), outside the measured window. */
  prepare?: (count: number) => Promise<void>
  send: (i: number) => Promise<void>
}

async function expectOk(
  app: FastifyInstance,
  what: string,
  request: InjectOptions,
  status = 200,
): Promise<Record<string, unknown>> {
  const response = await app.inject(request)
  if (response.statusCode !== status) throw new Error(`${what}: ${response.statusCode} ${response.body.slice(0, 300)}`)
  return response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {}
}

function kinds(app: FastifyInstance, world: World): Kind[] {
  const token = (authorization: string, fields: Record<string, string>, what: string, status = 200) =>
    expectOk(
      app,
      what,
      { method: 'POST', url: '/oauth/token', headers: { 'content-type': FORM, authorization }, payload: form(fields) },
      status,
    )
  const post = (url: string, authorization: string, fields: Record<string, string>, what: string) =>
    expectOk(app, what, {
      method: 'POST',
      url,
      headers: { 'content-type': FORM, authorization },
      payload: form(fields),
    })
  const login = () =>
    token(
      world.app,
      { grant_type: 'password', username: world.username, password: world.password, scope: 'read' },
      'password',
    )
  const serviceToken = async () =>
    (await token(world.service, { grant_type: 'client_credentials', scope: 'read' }, 'client_credentials'))
      .access_token as string

  let refreshTokens: string[] = []
  let accessTokens: string[] = []
  let jwt = ''
  const mintRefresh = async (count: number) => {
    refreshTokens = []
    for (let i = 0; i < count; i++) refreshTokens.push((await login()).refresh_token as string)
  }
  const mintAccess = async (count: number) => {
    accessTokens = []
    for (let i = 0; i < count; i++) accessTokens.push(await serviceToken())
  }

  return [
    { name: 'client_credentials', send: async () => void (await serviceToken()) },
    { name: 'password', send: async () => void (await login()) },
    {
      name: 'password, wrong password',
      send: async () =>
        void (await token(
          world.app,
          { grant_type: 'password', username: world.username, password: 'not-the-password' },
          'wrong password',
          400,
        )),
    },
    {
      name: 'refresh_token (rotation)',
      prepare: mintRefresh,
      send: async (i) =>
        void (await token(
          world.app,
          { grant_type: 'refresh_token', refresh_token: refreshTokens[i]! },
          'refresh_token',
        )),
    },
    {
      name: 'token exchange (access key)',
      send: async () =>
        void (await token(
          world.exchanger,
          { grant_type: EXCHANGE, subject_token: world.accessKey, subject_token_type: ACCESS_KEY_TYPE },
          'token exchange',
        )),
    },
    {
      name: 'introspect JWT',
      prepare: async () => void (jwt = await serviceToken()),
      send: async () => {
        const body = await post('/oauth/introspect', world.introspector, { token: jwt }, 'introspect JWT')
        if (body.active !== true) throw new Error('introspect JWT: inactive')
      },
    },
    {
      name: 'introspect access key',
      send: async () => {
        const body = await post(
          '/oauth/introspect',
          world.introspector,
          { token: world.accessKey },
          'introspect access key',
        )
        if (body.active !== true) throw new Error('introspect access key: inactive')
      },
    },
    {
      name: 'introspect refresh token',
      prepare: mintRefresh,
      send: async (i) => {
        const body = await post(
          '/oauth/introspect',
          world.introspector,
          { token: refreshTokens[i]! },
          'introspect refresh token',
        )
        if (body.active !== true) throw new Error('introspect refresh token: inactive')
      },
    },
    {
      name: 'revoke access token (JWT)',
      prepare: mintAccess,
      send: async (i) =>
        void (await post(
          '/oauth/revoke',
          world.service,
          { token: accessTokens[i]!, token_type_hint: 'access_token' },
          'revoke JWT',
        )),
    },
    {
      name: 'revoke refresh token',
      prepare: mintRefresh,
      send: async (i) =>
        void (await post(
          '/oauth/revoke',
          world.app,
          { token: refreshTokens[i]!, token_type_hint: 'refresh_token' },
          'revoke refresh token',
        )),
    },
    {
      name: 'GET JWKS',
      send: async () => void (await expectOk(app, 'jwks', { method: 'GET', url: '/.well-known/jwks.json' })),
    },
    {
      name: 'admin GET /admin/v1/clients/:id (access key)',
      send: async () =>
        void (await expectOk(app, 'admin', {
          method: 'GET',
          url: '/admin/v1/clients/service',
          headers: { 'x-api-key': world.adminKey },
        })),
    },
  ]
}

// ---------------------------------------------------------------------------------------------------

function describe(
  t: Tally,
  requests: number,
): { statements: string; transactions: string; verbs: string; read: string; written: string } {
  const list = (map: Map<string, number>) =>
    [...map]
      .filter(([, value]) => value > 0)
      .map(([key, value]) => `${key} ${per(value, requests)}`)
      .join(', ') || '-'
  return {
    statements: per(t.statements, requests),
    transactions: per(t.transactions, requests),
    verbs: list(t.verbs),
    read: list(t.rowsRead),
    written: list(t.rowsWritten),
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function measurePass(
  databaseUrl: string,
  label: string,
  env: Record<string, string>,
  world: World,
  monitor: pg.Client | undefined,
): Promise<void> {
  const { app, close } = await open(databaseUrl, {
    REVOCATION_SYNC_INTERVAL: '300',
    KEYRING_REFRESH_INTERVAL: '3600',
    ...env,
  })
  try {
    console.log(`\n### ${label}\n`)
    console.log(
      `${N} requests of each kind, ${CONCURRENCY === 1 ? 'one at a time' : `${CONCURRENCY} at a time`}, after ${WARMUP} of the same kind; per request:\n`,
    )
    const wal = Boolean(monitor && options.wal)
    const pgStat = Boolean(monitor && options['pg-stat'])
    console.log(
      `| request | statements | transactions | by verb | rows read (by table) | rows written (by table) |${pgStat ? ' pg_stat_user_tables |' : ''}${wal ? ' WAL bytes (records, full-page images) |' : ''}`,
    )
    console.log(`|---|---|---|---|---|---|${pgStat ? '---|' : ''}${wal ? '---|' : ''}`)
    for (const kind of kinds(app, world)) {
      if (ONLY && !ONLY.some((part) => kind.name.includes(part))) continue
      await kind.prepare?.(N + WARMUP)
      for (let i = 0; i < WARMUP; i++) await kind.send(N + i)
      await sleep(1200) // the access keys' batched last_used_at write, if the warm-up caused one
      const before = pgStat ? await sleep(11_000).then(() => tableStats(monitor!)) : undefined
      const walStart = wal ? await walInsertPosition(monitor!) : ''
      tally = newTally()
      const started = Date.now()
      for (let i = 0; i < N; i += CONCURRENCY)
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, N - i) }, (_, j) => kind.send(i + j)))
      const elapsed = Date.now() - started
      const measured = tally
      const walEnd = wal ? await walInsertPosition(monitor!) : ''
      const written = wal ? await walBetween(monitor!, walStart, walEnd) : undefined
      const after = pgStat ? await sleep(11_000).then(() => tableStats(monitor!)) : undefined
      const row = describe(measured, N)
      const walCell = written
        ? ` ${Math.round(written.bytes / N)} (${per(written.records, N)}, ${per(written.fullPageImages, N)}) |`
        : ''
      console.log(
        `| ${kind.name} | ${row.statements} | ${row.transactions} | ${row.verbs} | ${row.read} | ${row.written} |${before && after ? ` ${statsDelta(before, after, N)} |` : ''}${walCell}`,
      )
      process.stderr.write(`  ${kind.name}: ${N} in ${elapsed} ms\n`)
      if (options.sql)
        for (const [text, count] of measured.texts) process.stderr.write(`      ${per(count, N)} × ${text}\n`)
    }
  } finally {
    await close()
  }
}

const WARMUP = 20

async function measureBackground(databaseUrl: string): Promise<void> {
  const { close } = await open(databaseUrl, { REVOCATION_SYNC_INTERVAL: '1', KEYRING_REFRESH_INTERVAL: '1' })
  try {
    await sleep(1500)
    tally = newTally()
    const seconds = 10
    await sleep(seconds * 1000)
    const row = describe(tally, seconds)
    console.log('\n### Background work of one idle instance\n')
    console.log(
      'REVOCATION_SYNC_INTERVAL=1 and KEYRING_REFRESH_INTERVAL=1, idle for 10 s; per second (= per tick of each timer):\n',
    )
    console.log('| statements | transactions | by verb | rows read (by table) | rows written (by table) |')
    console.log('|---|---|---|---|---|')
    console.log(`| ${row.statements} | ${row.transactions} | ${row.verbs} | ${row.read} | ${row.written} |`)
  } finally {
    await close()
  }
}

async function main(): Promise<void> {
  const name = `portcullis_dbops_${randomBytes(5).toString('hex')}`
  await adminQuery(`CREATE DATABASE ${name}`)
  const url = new URL(SERVER)
  url.pathname = `/${name}`
  const databaseUrl = url.toString()
  const monitor = options['pg-stat'] || options.wal ? new pg.Client({ connectionString: databaseUrl }) : undefined
  if (monitor) ignored.add(monitor)
  try {
    const db = await openDatabase(databaseUrl, { migrate: true })
    const world = await seed(createStore(db))
    await db.close()
    await monitor?.connect()
    console.log(`## Database work per request (PostgreSQL, bench/db-ops.ts, ${new Date().toISOString().slice(0, 10)})`)
    await measurePass(
      databaseUrl,
      'Caches on (the defaults: CLIENT_CACHE_TTL=5, ACCESS_KEY_CACHE_TTL=5), warm',
      {},
      world,
      monitor,
    )
    await measurePass(
      databaseUrl,
      'Caches off (CLIENT_CACHE_TTL=0, ACCESS_KEY_CACHE_TTL=0): the cost of a cache miss',
      { CLIENT_CACHE_TTL: '0', ACCESS_KEY_CACHE_TTL: '0' },
      world,
      undefined,
    )
    await measureBackground(databaseUrl)
  } finally {
    await monitor?.end().catch(() => undefined)
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined)
  }
}

// Piped into `head`, stdout closes early: keep going, so that the database is still dropped at the end.
process.stdout.on('error', () => undefined)
await main()
