// Usage statistics: requests per hour by kind, per access key and per client. Counted in this instance's memory
// (a Map increment: the hot paths gain no query) and written in batches every USAGE_FLUSH_INTERVAL, one row per
// key or client, hour and kind, each added to the stored count (store/usage.ts), so that several instances add
// up; and once more when the app closes. A failed write keeps its counts for the next one: a count arrives late
// rather than not at all.
//
// The kinds:
// - `token.<grant>`: an access token issued by that grant (client_credentials, password, refresh_token,
//   authorization_code, token_exchange, jwt_bearer), counted for the client and, for the last two, the key;
// - `introspection`: a token introspected, counted for the client or access key that asked;
// - `api`: an admin API or /v1/me call authenticated by the access key;
// - `refused`: a request by a known client or key refused: a wrong secret, a revoked or expired key, a missing
//   scope, a token request answered with an error;
// - `throttled`: a token request over the client's rate limit (RATE_LIMIT_PER_CLIENT).
// Only known clients and keys are counted (a stranger cannot make rows by naming ids that do not exist).
import type { Config } from '../config.js'
import { BatchWriteError } from '../store/direct-write.js'
import type { UsageIncrement, UsageStore, UsageSubjectType } from '../store/usage.js'

export type { UsageSubjectType }

/** Grant names as counted, short: token.client_credentials, token.token_exchange… */
export const TOKEN_GRANT_NAMES = [
  'client_credentials',
  'password',
  'refresh_token',
  'authorization_code',
  'token_exchange',
  'jwt_bearer',
] as const
export type TokenGrantName = (typeof TOKEN_GRANT_NAMES)[number]

export type UsageKind = `token.${TokenGrantName}` | 'introspection' | 'api' | 'refused' | 'throttled'

export const USAGE_KINDS: readonly UsageKind[] = [
  ...TOKEN_GRANT_NAMES.map((name) => `token.${name}` as const),
  'introspection',
  'api',
  'refused',
  'throttled',
]

/** The kind counted for a token issued by a grant type: `token.` and the last segment of its name, `-` as `_`. */
export function tokenUsageKind(grantType: string): UsageKind | undefined {
  const name = grantType.slice(grantType.lastIndexOf(':') + 1).replaceAll('-', '_')
  return (TOKEN_GRANT_NAMES as readonly string[]).includes(name) ? `token.${name as TokenGrantName}` : undefined
}

const HOUR_MS = 3_600_000
/** Distinct rows gathered before a write is started early (bounds memory under a flood of distinct ids). */
const MAX_PENDING_ROWS = 20_000
/**
 * Distinct rows held at most while writes fail (the database is down): new rows are dropped beyond it, so that an
 * outage under a flood of distinct ids cannot exhaust memory. Counts of rows already held still add up.
 */
const MAX_HELD_ROWS = 5 * MAX_PENDING_ROWS

/**
 * Counts by hour, then subject type, then id, then kind: a count is three or four Map lookups on numbers and on
 * strings whose hashes V8 keeps, and builds no key string (a request's share stays in the nanoseconds).
 */
type Pending = Map<number, Record<UsageSubjectType, Map<string, Map<UsageKind, number>>>>

export interface UsageCounter {
  /** Counts one request of `kind` by the key or client `id` at `at` (default: now). Never throws, never waits. */
  count(subjectType: UsageSubjectType, id: string, kind: UsageKind, at?: number): void
  /** Writes what is gathered now (joins a write in progress). */
  flush(): Promise<void>
  /** Stops the timer and writes what is gathered; called when the app closes. */
  close(): Promise<void>
}

/**
 * One counter per app (services.ts), never a module singleton.
 *
 * @example
 * const usage = createUsageCounter({ store, config, now: Date.now })
 * usage.count('client', client.clientId, 'token.client_credentials')
 * await usage.close()
 */
export function createUsageCounter(deps: {
  store: { usage: Pick<UsageStore, 'add'> }
  config: Pick<Config, 'usageFlushInterval'>
  now: () => number
  onError?: (err: unknown) => void
}): UsageCounter {
  const intervalMs = deps.config.usageFlushInterval * 1000
  let pending: Pending = new Map()
  let rows = 0
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> = Promise.resolve()
  let writing = false
  let closed = false

  function schedule(delayMs: number): void {
    if (!closed) timer ??= setTimeout(() => void flush(), delayMs).unref()
  }

  function add(subjectType: UsageSubjectType, id: string, kind: UsageKind, hour: number, count: number): void {
    let bySubject = pending.get(hour)
    if (!bySubject) pending.set(hour, (bySubject = { access_key: new Map(), client: new Map() }))
    const byId = bySubject[subjectType]
    let byKind = byId.get(id)
    if (!byKind) byId.set(id, (byKind = new Map()))
    const before = byKind.get(kind)
    if (before === undefined) {
      if (rows >= MAX_HELD_ROWS) return
      rows++
    }
    byKind.set(kind, (before ?? 0) + count)
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (rows === 0) return flushing
    const batch = pending
    pending = new Map()
    rows = 0
    const increments: UsageIncrement[] = []
    for (const [hour, bySubject] of batch)
      for (const subjectType of ['access_key', 'client'] as const)
        for (const [subjectId, byKind] of bySubject[subjectType])
          for (const [kind, count] of byKind)
            increments.push({ subjectType, subjectId, hour: new Date(hour), kind, count })
    writing = true
    flushing = flushing.then(() =>
      deps.store.usage.add(increments).then(
        () => {
          writing = false
        },
        (err: unknown) => {
          // Kept for the next write (the database may be down): added to what has been counted since. Only what
          // was not written: the store names it (the rows before it were added, and must not be added twice).
          writing = false
          for (const row of err instanceof BatchWriteError ? (err.unwritten as UsageIncrement[]) : increments)
            add(row.subjectType, row.subjectId, row.kind as UsageKind, row.hour.getTime(), row.count)
          schedule(intervalMs)
          deps.onError?.(err)
        },
      ),
    )
    return flushing
  }

  return {
    count(subjectType, id, kind, at = deps.now()) {
      add(subjectType, id, kind, at - (at % HOUR_MS), 1)
      // Early when many rows are gathered, unless a write is under way (its failure keeps them for the next).
      if (rows >= MAX_PENDING_ROWS && !writing) void flush()
      else schedule(intervalMs)
    },
    flush,
    async close() {
      closed = true
      await flush()
    },
  }
}
