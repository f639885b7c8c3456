// Prisma's errors never leave the store: they become one of these, with a stable code.
// 'unavailable': the database cannot be reached or did not answer within DATABASE_TIMEOUT (the request may
// be retried later; nothing was written, or the write's transaction was rolled back by the database).
export type StoreErrorCode = 'conflict' | 'not_found' | 'unavailable'

export class StoreError extends Error {
  override name = 'StoreError'
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message)
  }
}

function prismaCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

export function isUniqueViolation(err: unknown): boolean {
  return prismaCode(err) === 'P2002'
}

/** SQLite: another connection holds the lock this one needs (better-sqlite3, Prisma's adapter, the schema engine). */
export function isSqliteBusy(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err)
  return /SocketTimeout|database is locked|SQLITE_BUSY/i.test(message)
}

export function isNotFound(err: unknown): boolean {
  return prismaCode(err) === 'P2025'
}

// Prisma: P1001 cannot reach, P1002/P1008 timed out, P1017 connection closed, P2024 no pool connection in
// time, P2028 a transaction could not start or finish in time.
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028'])
// Node's socket errors, as pg passes them on.
const SOCKET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
])
// The driver adapter's kinds for a connection that failed (@prisma/adapter-pg convertDriverError).
const ADAPTER_UNAVAILABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections'])
// PostgreSQL SQLSTATEs: class 08 (connection exception), 53300 too many connections, 57014 statement
// timeout, 57P01-57P03 the server shutting down or starting.
const POSTGRES_UNAVAILABLE = /^(08...|53300|57014|57P0[1-3])$/
// pg's and pg-pool's own messages, which carry no code.
const MESSAGE_UNAVAILABLE =
  /timeout exceeded when trying to connect|Query read timeout|Connection terminated|terminating connection|timeout expired|Client has encountered a connection error|Can't reach database server|Timed out fetching a new connection|Server has closed the connection|database is locked|SQLITE_BUSY/i

/**
 * True when an error means the database is down or too slow, not that the request was wrong: the caller
 * answers 503 and retries later. Looks through `cause` chains, as Prisma wraps the driver's errors.
 */
export function isUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false
  if (err instanceof StoreError) return err.code === 'unavailable'
  const { code, kind, name, message, cause, originalCode } = err as {
    code?: unknown
    kind?: unknown
    name?: unknown
    message?: unknown
    cause?: unknown
    originalCode?: unknown
  }
  if (name === 'PrismaClientInitializationError') return true
  if (
    typeof code === 'string' &&
    (PRISMA_UNAVAILABLE.has(code) || SOCKET_UNAVAILABLE.has(code) || POSTGRES_UNAVAILABLE.test(code))
  )
    return true
  if (
    typeof originalCode === 'string' &&
    (SOCKET_UNAVAILABLE.has(originalCode) || POSTGRES_UNAVAILABLE.test(originalCode))
  )
    return true
  if (typeof kind === 'string' && ADAPTER_UNAVAILABLE.has(kind)) return true
  if (typeof message === 'string' && MESSAGE_UNAVAILABLE.test(message)) return true
  return isUnavailable(cause, depth + 1)
}

/**
 * For the log: the first message in the cause chain, or the driver adapter's kind. Of Prisma's messages
 * ("Invalid `prisma.x.y()` invocation in <file>: … <what happened>"), the last line, which says what happened.
 */
export function unavailableReason(err: unknown, depth = 0): string {
  if (typeof err !== 'object' || err === null || depth > 5) return 'unknown'
  const { message, kind, code, cause } = err as { message?: unknown; kind?: unknown; code?: unknown; cause?: unknown }
  const lines =
    typeof message === 'string'
      ? message
          .trim()
          .split('\n')
          .filter((line) => line.trim())
      : []
  const first = (lines[0]?.startsWith('Invalid `prisma') ? lines.at(-1) : lines[0])?.trim() ?? ''
  if (first) return typeof code === 'string' ? `${code}: ${first}` : first
  if (typeof kind === 'string') return kind
  return unavailableReason(cause, depth + 1)
}

/** Runs a write and translates unique violations, missing rows and an unreachable database into StoreErrors. */
export async function translate<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (isUniqueViolation(err)) throw new StoreError('conflict', `${what} already exists`)
    if (isNotFound(err)) throw new StoreError('not_found', `${what} not found`)
    if (isUnavailable(err)) throw new StoreError('unavailable', 'the database is unavailable')
    throw err
  }
}
