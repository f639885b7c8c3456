// What counts as "the database is unavailable" (answered 503, retried later), and the background work that
// meets such a failure: it is tried again later, not lost, and never makes a write's request fail.
import t from 'tap'
import { createAccessKeyVerifier, generateAccessKey } from '../../src/security/access-keys.ts'
import { StoreError, isUnavailable } from '../../src/store/errors.ts'

const withCode = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields)

t.test('errors that mean the database is down or too slow', async (t) => {
  const unavailable: Record<string, unknown> = {
    "StoreError 'unavailable'": new StoreError('unavailable', 'the database is unavailable'),
    'pg-pool: no connection within the timeout': new Error('timeout exceeded when trying to connect'),
    'pg: query_timeout': new Error('Query read timeout'),
    'pg: connection timeout': new Error('Connection terminated due to connection timeout'),
    'pg: connection lost': new Error('Connection terminated unexpectedly'),
    'socket: refused': withCode('connect ECONNREFUSED 127.0.0.1:5432', {
      code: 'ECONNREFUSED',
      syscall: 'connect',
      errno: -111,
    }),
    'socket: reset': withCode('read ECONNRESET', { code: 'ECONNRESET' }),
    'PostgreSQL 57P01 (administrator shutdown)': withCode('terminating connection due to administrator command', {
      code: '57P01',
      severity: 'FATAL',
    }),
    'PostgreSQL 57014 (statement_timeout)': withCode('canceling statement due to statement timeout', {
      code: '57014',
      severity: 'ERROR',
    }),
    'PostgreSQL 53300 (too many connections)': withCode('sorry, too many clients already', { code: '53300' }),
    'Prisma P1001': withCode("Can't reach database server at 127.0.0.1:5432", { code: 'P1001' }),
    'Prisma P1017': withCode('Server has closed the connection.', { code: 'P1017' }),
    'Prisma P2024': withCode('Timed out fetching a new connection from the connection pool.', { code: 'P2024' }),
    'Prisma initialisation': Object.assign(new Error('cannot connect'), { name: 'PrismaClientInitializationError' }),
    'driver adapter: DatabaseNotReachable (as a cause)': Object.assign(new Error(''), {
      cause: { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 },
    }),
    'driver adapter: postgres 08006 (as a cause)': Object.assign(new Error('x'), {
      cause: { kind: 'postgres', code: '08006', originalCode: '08006' },
    }),
    'SQLite: busy past the timeout': withCode('database is locked', { code: 'SQLITE_BUSY' }),
  }
  for (const [name, err] of Object.entries(unavailable)) t.ok(isUnavailable(err), name)

  const notUnavailable: Record<string, unknown> = {
    'a unique violation': withCode('Unique constraint failed', { code: 'P2002' }),
    'a missing row': withCode('Record to update not found', { code: 'P2025' }),
    "StoreError 'conflict'": new StoreError('conflict', 'client already exists'),
    'a PostgreSQL syntax error': withCode('syntax error at or near "SELEC"', { code: '42601', severity: 'ERROR' }),
    'a bug': new TypeError("Cannot read properties of undefined (reading 'id')"),
    'not an error': 'timeout exceeded when trying to connect',
    undefined: undefined,
  }
  for (const [name, err] of Object.entries(notUnavailable)) t.notOk(isUnavailable(err), name)
})

t.test("access keys' last uses that cannot be written are kept for a later write", async (t) => {
  const written: Array<Map<string, Date>> = []
  let down = true
  const errors: unknown[] = []
  const { key, id, prefix, secretHash } = generateAccessKey(Date.now())
  const record = {
    key: {
      id,
      prefix,
      secretHash,
      name: 'k',
      scopes: ['read'],
      userId: null,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
      createdAt: new Date(),
    },
    owner: null,
    secretHash,
  }
  const verifier = createAccessKeyVerifier({
    store: {
      accessKeys: {
        findForVerification: async () => record as never,
        touchLastUsed: async (uses) => {
          if (down) throw new StoreError('unavailable', 'the database is unavailable')
          written.push(new Map(uses))
          return uses.size
        },
      },
    },
    config: { accessKeyCacheTtl: 5, accessKeyLastUsedInterval: 60 },
    now: Date.now,
    flushDelayMs: 10_000,
    onError: (err) => errors.push(err),
  })
  t.teardown(() => verifier.close())
  t.match(await verifier.verify(key), { ok: true })
  await verifier.flush()
  t.equal(errors.length, 1, 'the failure is reported (the app logs it)')
  t.same(written, [])
  down = false
  await verifier.flush()
  t.equal(written.length, 1, 'the use is written by the next flush')
  t.same([...written[0]!.keys()], [id])
})
