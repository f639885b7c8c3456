// `--tenants`: the database holds 1,000 tenants of 100 access keys each during the run, and the token-exchange
// and introspect-access-key scenarios present keys spread across all of them (issue 21: tenancy must not cost
// the hot paths their ratios). Each tenant has one workspace, and one token-exchange client (a client exchanges
// only its own tenant's keys); its keys are workspace service keys with the scopes of the bench's own key. The
// same number of keys again is seeded in the default tenant as the control (TenantKeys.control), measured in the
// same run beside the spread.
//
// Two patterns of use, each measured:
// - the subject (`portcullis`): the first key of every tenant in turn, the way keys are used (each presented again
//   and again: here every 1,000 requests, through 1,000 exchanger clients). A key is read from the database at its
//   first use and again once per ACCESS_KEY_CACHE_TTL; the ratio targets apply to it.
// - `new key`: every request a key the server has not seen (the other 99 keys of every tenant, tenants first): a
//   database read and a last-use write per request, the worst case. Reported beside the subject, no target.
//
// Seeded with raw SQL in one transaction (multi-row inserts), so 100,000 keys take seconds, not the minutes the
// CLI would. The rows are the ones the store writes (src/store/tenants.ts, clients.ts, access-keys.ts).
import Database from 'better-sqlite3'
import pg from 'pg'
import { generateAccessKey } from '../src/security/access-keys.ts'
import { randomSecret, sha256 } from '../src/security/secrets.ts'
import { newId } from '../src/store/ids.ts'
import { DEFAULT_TENANT_ID } from '../src/store/tenants.ts'
import { toText } from '../src/store/sqlite-values.ts'
import type { DbKind } from './fixtures.ts'
import { basicAuth, type RequestSpec } from './lib/load.ts'
import type { Contender, Summary } from './lib/rounds.ts'
import { expectOk, httpContender, SkipScenario, type BenchContext } from './scenarios/types.ts'

export const TENANTS = 1000
export const KEYS_PER_TENANT = 100
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const SCOPES = 'read write'

/** Keys presented in turn: tenant (or group) t's k-th key, with the authorization of the client that exchanges it. */
export interface KeySpread {
  tenants: number
  /** keys[t][k]: the k-th key of tenant (or group) t. */
  keys: string[][]
  /** The Basic authorization of the client that exchanges tenant t's keys. */
  exchangers: string[]
  /** The next key of the working set: every tenant's first key in turn (each key again 1,000 requests later). */
  cursor(): { key: string; authorization: string }
  /** The next key never presented before: every tenant's other keys, tenants first (the worst case). */
  newKeyCursor(): { key: string; authorization: string }
}

export interface TenantKeys extends KeySpread {
  /**
   * The control, seeded in the same run: as many keys again, in groups of the same size, all in the default tenant
   * (no workspace) and exchanged by the bench's own exchanger. Presented in the same order, they cost what the
   * spread costs (every key new to the server's cache) without tenancy, so the two side by side, in alternating
   * rounds of one run, give tenancy's own share.
   */
  control: KeySpread
}

interface Rows {
  tenants: unknown[][]
  workspaces: unknown[][]
  clients: unknown[][]
  keys: unknown[][]
}

const COLUMNS = {
  Tenant: ['id', 'slug', 'name', 'createdAt'],
  Workspace: ['id', 'tenantId', 'slug', 'name', 'createdAt'],
  Client: ['clientId', 'tenantId', 'name', 'secretHash', 'isPublic', 'grantTypes', 'scopes', 'createdAt', 'updatedAt'],
  AccessKey: ['id', 'tenantId', 'workspaceId', 'prefix', 'secretHash', 'name', 'scopes', 'createdAt', 'updatedAt'],
} as const

function spreadOf(keys: string[][], exchangers: string[]): KeySpread {
  let next = 0
  let nextNew = 0
  return {
    tenants: keys.length,
    keys,
    exchangers,
    cursor() {
      const tenant = next++ % keys.length
      return { key: keys[tenant]![0]!, authorization: exchangers[tenant]! }
    },
    newKeyCursor() {
      const i = nextNew++
      const tenant = i % keys.length
      // Keys 1 to 99 of each tenant (key 0 is the working set's); after the last, round again (a run uses fewer).
      const k = 1 + (Math.floor(i / keys.length) % (KEYS_PER_TENANT - 1))
      return { key: keys[tenant]![k]!, authorization: exchangers[tenant]! }
    },
  }
}

/** `control`: the authorization of the bench's own exchanger (default tenant), which exchanges the control's keys. */
function build(date: (at: Date) => unknown, bool: (value: boolean) => unknown, control: string) {
  const now = new Date()
  const at = date(now)
  const rows: Rows = { tenants: [], workspaces: [], clients: [], keys: [] }
  const keysOf = (tenantId: string, workspaceId: string | null): string[] => {
    const own: string[] = []
    for (let k = 0; k < KEYS_PER_TENANT; k++) {
      const generated = generateAccessKey(now.getTime())
      own.push(generated.key)
      rows.keys.push([
        generated.id,
        tenantId,
        workspaceId,
        generated.prefix,
        generated.secretHash,
        `key ${k}`,
        SCOPES,
        at,
        at,
      ])
    }
    return own
  }
  const keys: string[][] = []
  const exchangers: string[] = []
  const controlKeys: string[][] = []
  for (let t = 0; t < TENANTS; t++) {
    const tenantId = newId(now.getTime())
    const workspaceId = newId(now.getTime())
    rows.tenants.push([tenantId, `bench-${t}`, `Bench tenant ${t}`, at])
    rows.workspaces.push([workspaceId, tenantId, 'prod', 'Production', at])
    const clientId = `bench-exchanger-${t}`
    const secret = randomSecret()
    exchangers.push(basicAuth(clientId, secret))
    rows.clients.push([
      clientId,
      tenantId,
      `Bench exchanger ${t}`,
      sha256(secret),
      bool(false),
      TOKEN_EXCHANGE,
      SCOPES,
      at,
      at,
    ])
    keys.push(keysOf(tenantId, workspaceId))
    controlKeys.push(keysOf(DEFAULT_TENANT_ID, null))
  }
  const tenantKeys: TenantKeys = {
    ...spreadOf(keys, exchangers),
    control: spreadOf(
      controlKeys,
      controlKeys.map(() => control),
    ),
  }
  return { rows, tenantKeys }
}

const quoted = (columns: readonly string[]) => columns.map((column) => `"${column}"`).join(', ')

async function seedSqlite(file: string, rows: Rows): Promise<void> {
  const db = new Database(file)
  try {
    db.pragma('busy_timeout = 10000')
    const insert = (table: keyof typeof COLUMNS) =>
      db.prepare(
        `INSERT INTO "${table}" (${quoted(COLUMNS[table])}) VALUES (${COLUMNS[table].map(() => '?').join(', ')})`,
      )
    const statements = {
      tenants: insert('Tenant'),
      workspaces: insert('Workspace'),
      clients: insert('Client'),
      keys: insert('AccessKey'),
    }
    db.transaction(() => {
      for (const name of ['tenants', 'workspaces', 'clients', 'keys'] as const)
        for (const row of rows[name]) statements[name].run(...row)
    })()
  } finally {
    db.close()
  }
}

async function seedPostgres(url: string, rows: Rows): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('BEGIN')
    const tables = { tenants: 'Tenant', workspaces: 'Workspace', clients: 'Client', keys: 'AccessKey' } as const
    for (const [name, table] of Object.entries(tables) as [keyof Rows, keyof typeof COLUMNS][]) {
      const columns = COLUMNS[table]
      // 1,000 rows a statement: well under PostgreSQL's 65,535 parameters.
      for (let start = 0; start < rows[name].length; start += 1000) {
        const batch = rows[name].slice(start, start + 1000)
        const values = batch
          .map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`)
          .join(', ')
        await client.query(`INSERT INTO "${table}" (${quoted(columns)}) VALUES ${values}`, batch.flat())
      }
    }
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    await client.end()
  }
}

/**
 * Seeds the migrated database of the run with the tenants and their keys, and the control's keys; returns the keys
 * to present. `control`: the authorization of the bench's own exchanger.
 */
export async function seedTenants(db: DbKind, databaseUrl: string, control: string): Promise<TenantKeys> {
  if (db === 'postgres') {
    const { rows, tenantKeys } = build(
      (at) => at,
      (value) => value,
      control,
    )
    await seedPostgres(databaseUrl, rows)
    return tenantKeys
  }
  const { rows, tenantKeys } = build(toText, (value) => (value ? 1 : 0), control)
  await seedSqlite(databaseUrl.replace(/^file:/, ''), rows)
  return tenantKeys
}

/**
 * A request presenting the next key of the spread each time; `asClient`: authenticated as the key's tenant's
 * exchanger (token exchange), else the caller sets its own authorization (introspection).
 */
export function spreadRequest(
  spread: KeySpread,
  path: string,
  body: (key: string) => string,
  asClient: boolean,
  pattern: 'working set' | 'new key' = 'working set',
): RequestSpec {
  const cursor = pattern === 'new key' ? () => spread.newKeyCursor() : () => spread.cursor()
  let authorization = spread.exchangers[0]!
  return {
    method: 'POST',
    path,
    // The first request's, for the probe; every measured request sets its own.
    body: body(spread.keys[0]![0]!),
    nextBody: () => {
      const next = cursor()
      authorization = next.authorization
      return body(next.key)
    },
    ...(asClient ? { headers: { authorization }, nextHeaders: () => ({ authorization }) } : {}),
  }
}

/** Checks keys of the first, a middle and the last tenant before measuring: each must work in its own tenant. */
export async function probeSpread(
  ctx: BenchContext,
  spread: KeySpread,
  path: string,
  body: (key: string) => string,
  asClient: boolean,
): Promise<void> {
  for (const tenant of [0, Math.floor(spread.tenants / 2), spread.tenants - 1]) {
    const key = spread.keys[tenant]![KEYS_PER_TENANT - 1]!
    const authorization = asClient ? spread.exchangers[tenant]! : ctx.fixtures.introspector.authorization
    const answer = JSON.parse(
      await expectOk(ctx.portcullis.url, { method: 'POST', path, headers: { authorization }, body: body(key) }),
    ) as { active?: boolean; access_token?: string; tenant_id?: string }
    // A token carries its tenant_id; introspection answers it, except for the default tenant (the control's keys):
    // there an active answer is the proof.
    const worked = answer.access_token
      ? (
          JSON.parse(Buffer.from(answer.access_token.split('.')[1] ?? '', 'base64url').toString()) as {
            tenant_id?: string
          }
        ).tenant_id !== undefined
      : answer.active === true
    if (!worked)
      throw new SkipScenario(`a key of tenant ${tenant} did not work: ${JSON.stringify(answer).slice(0, 200)}`)
  }
}

/**
 * The same server's references beside the spread (the subject), measured in the same alternating rounds:
 * - `one tenant`: the control's keys in the default tenant, in the same pattern (each of 1,000 keys in turn), so
 *   `portcullis = r × one tenant` is tenancy's own share;
 * - `new key`: keys of all the tenants, each presented for the first time (a database read and a last-use write per
 *   request), the worst case, so `new key = r × one key` is what a key not seen before costs;
 * - `one key`: the request of a run without --tenants (one key, cached after its first use).
 * `request(spread, pattern)` builds the scenario's request over a spread.
 */
export function spreadReferences(
  ctx: BenchContext,
  spread: TenantKeys,
  request: (spread: KeySpread, pattern: 'working set' | 'new key') => RequestSpec,
  single: RequestSpec,
): Contender[] {
  return [
    httpContender(
      ONE_TENANT,
      'reference',
      ctx.portcullis,
      request(spread.control, 'working set'),
      ctx.settings.connections,
    ),
    httpContender(NEW_KEY, 'reference', ctx.portcullis, request(spread, 'new key'), ctx.settings.connections),
    httpContender(ONE_KEY, 'reference', ctx.portcullis, single, ctx.settings.connections),
  ]
}

export const ONE_TENANT = 'one tenant'
export const NEW_KEY = 'new key'
export const ONE_KEY = 'one key'

/** The CPU per request of the spread and of new keys against their references: steadier than req/s under load. */
export function spreadNotes(scenario: string, contenders: readonly Summary[]): string[] {
  const cpu = (name: string) => contenders.find((contender) => contender.name === name)?.cpuUsPerRequest
  const ratio = (a: string, b: string) => {
    const x = cpu(a)
    const y = cpu(b)
    return x === undefined || y === undefined ? undefined : `${(x / y).toFixed(2)} × ${b}'s`
  }
  const shares = [ratio('portcullis', ONE_TENANT), ratio('portcullis', ONE_KEY)].filter((share) => share !== undefined)
  const fresh = ratio(NEW_KEY, ONE_KEY)
  return [
    ...(shares.length === 0
      ? []
      : [`${scenario}: CPU per request of the spread across tenants = ${shares.join(', ')}`]),
    ...(fresh === undefined ? [] : [`${scenario}: CPU per request of a key never presented before = ${fresh}`]),
  ]
}
