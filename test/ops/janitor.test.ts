// The janitor: dead token rows (refresh families expired or revoked past the retention, with their tokens;
// revoked jtis past their exp; access keys expired or revoked past the retention; login counters that no
// longer count) are deleted in bounded batches while token requests keep being served, on both providers.
import pg from 'pg'
import t from 'tap'
import { createJanitorSchedule, janitorPolicy, sweepSummary } from '../../src/ops/janitor-schedule.ts'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { Prisma } from '../../src/store/generated/sqlite/client.ts'
import { createStore, openDatabase, type Database, type Store, ANY_TENANT } from '../../src/store/index.ts'
import { JANITOR_TABLES, type JanitorPolicy, type JanitorTable, type SweepResult } from '../../src/store/janitor.ts'
import { build, createTestStore, providers, tempDir, testConfig, type Test } from '../support/helper.ts'
import { failure, runCli, spawnCli } from '../support/run-cli.ts'
import { seed, tokenRequest } from '../support/token-fixtures.ts'
import { DEFAULT_TENANT_ID } from '../../src/store/index.ts'

// Seeding 100,000 rows, then the sweep, on a loaded machine.
t.setTimeout(170_000)

const DAY = 86_400_000
const RETENTION_MS = 7 * DAY
const WINDOW_SECONDS = 900
const AUDIT_RETENTION_MS = 365 * DAY

/** How many dead rows of each kind a seed makes; 100,000 rows in all at scale 1. */
function deadCounts(scale: number) {
  const families = 10_000 * scale
  return {
    families,
    tokens: 3 * families,
    revokedJtis: 20_000 * scale,
    usedJtis: 10_000 * scale,
    accessKeys: 15_000 * scale,
    throttles: 15_000 * scale,
  }
}

/**
 * Dead rows in bulk, straight through SQL (one INSERT … SELECT over a generated series per table; everything
 * else goes through the store): half the families past their absolute expiry, half revoked, both longer than
 * the retention ago, each with three tokens, two of them used. Families belong to `owner` and client `service`.
 */
async function seedDead(db: Database, owner: string, now: number, scale: number, prefix = 'dead') {
  const { prisma } = db
  const counts = deadCounts(scale)
  // PostgreSQL does not infer a parameter's type from the column an INSERT … SELECT writes it to.
  const at = (date: Date) =>
    db.provider === 'postgresql' ? Prisma.sql`CAST(${date} AS timestamp(3))` : Prisma.sql`${date}`
  const id = (kind: string) => Prisma.raw(`'${prefix}-${kind}-'`)
  const series = (n: number) =>
    Prisma.sql`WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < ${n - 1})`
  const longAgo = at(new Date(now - RETENTION_MS - DAY))
  const created = at(new Date(now - 40 * DAY))
  const windowOver = at(new Date(now - WINDOW_SECONDS * 1000 - 1000))
  await prisma.$executeRaw`${series(counts.families)}
    INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "revokedAt", "revokedReason", "createdAt")
    SELECT ${id('family')} || i, 'service', ${owner}, 'read', 'http://portcullis.test',
      CASE WHEN i % 2 = 1 THEN ${longAgo} ELSE ${at(new Date(now + 20 * DAY))} END,
      CASE WHEN i % 2 = 1 THEN NULL ELSE ${longAgo} END,
      CASE WHEN i % 2 = 1 THEN NULL ELSE 'revoked' END, ${created}
    FROM g`
  await prisma.$executeRaw`${series(counts.tokens)}
    INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "scope", "expiresAt", "usedAt", "createdAt")
    SELECT ${id('token')} || i, ${id('hash')} || i, ${id('family')} || (i / 3), 'read', ${longAgo},
      CASE WHEN i % 3 < 2 THEN ${longAgo} ELSE NULL END, ${created}
    FROM g`
  await prisma.$executeRaw`${series(counts.revokedJtis)}
    INSERT INTO "RevokedToken" ("jti", "expiresAt", "createdAt") SELECT ${id('jti')} || i, ${at(new Date(now - 1000))}, ${at(new Date(now - DAY))} FROM g`
  await prisma.$executeRaw`${series(counts.usedJtis)}
    INSERT INTO "UsedJti" ("namespace", "jti", "expiresAt") SELECT 'client_assertion', ${id('used')} || i, ${at(new Date(now - 1000))} FROM g`
  await prisma.$executeRaw`${series(counts.accessKeys)}
    INSERT INTO "AccessKey" ("id", "prefix", "secretHash", "name", "scopes", "expiresAt", "revokedAt", "createdAt", "updatedAt")
    SELECT ${id('key')} || i, 'pcl', ${id('secret')} || i, 'old', 'read',
      CASE WHEN i % 2 = 1 THEN ${longAgo} ELSE NULL END, CASE WHEN i % 2 = 1 THEN NULL ELSE ${longAgo} END, ${created}, ${longAgo}
    FROM g`
  // Every third counter was locked, and its lock has ended.
  await prisma.$executeRaw`${series(counts.throttles)}
    INSERT INTO "LoginThrottle" ("key", "failures", "windowStart", "lockedUntil", "updatedAt")
    SELECT ${id('ip')} || i, 3, ${windowOver}, CASE WHEN i % 3 = 0 THEN ${at(new Date(now - 1000))} ELSE NULL END, ${windowOver}
    FROM g`
  return counts
}

/** The rows the janitor must delete, still present at `now` (0 once it has swept). */
async function countDead(db: Database, now: number): Promise<number> {
  const { prisma } = db
  const cutoff = new Date(now - RETENTION_MS)
  const deadFamily = { OR: [{ absoluteExpiresAt: { lt: cutoff } }, { revokedAt: { lt: cutoff } }] }
  const counts = await Promise.all([
    prisma.refreshFamily.count({ where: deadFamily }),
    prisma.refreshToken.count({ where: { OR: [{ family: deadFamily }, { expiresAt: { lt: cutoff } }] } }),
    prisma.revokedToken.count({ where: { expiresAt: { lt: new Date(now) } } }),
    prisma.usedJti.count({ where: { expiresAt: { lt: new Date(now) } } }),
    prisma.accessKey.count({ where: { OR: [{ expiresAt: { lt: cutoff } }, { revokedAt: { lt: cutoff } }] } }),
    prisma.auditEvent.count({ where: { createdAt: { lt: new Date(now - AUDIT_RETENTION_MS) } } }),
    prisma.loginThrottle.count({
      where: {
        windowStart: { lte: new Date(now - WINDOW_SECONDS * 1000) },
        OR: [{ lockedUntil: null }, { lockedUntil: { lte: new Date(now) } }],
      },
    }),
  ])
  return counts.reduce((sum, n) => sum + n, 0)
}

const policy = (batchSize: number): JanitorPolicy => ({
  retentionMs: RETENTION_MS,
  loginFailureWindowSeconds: WINDOW_SECONDS,
  batchSize,
  auditRetentionMs: AUDIT_RETENTION_MS,
  usageRetentionMs: 0,
})

const total = (result: SweepResult) => JANITOR_TABLES.reduce((sum, table) => sum + result.deleted[table], 0)

async function openSecondStore(t: Test, url: string): Promise<Store> {
  const store = createStore(await openDatabase(url))
  t.teardown(() => store.close())
  return store
}

for (const provider of providers) {
  t.test(`100,000 dead rows are deleted in batches while token requests are served (${provider})`, async (t) => {
    const ctx = await build(t, {
      provider,
      env: { JANITOR_RETENTION: '7d', LOGIN_FAILURE_WINDOW: String(WINDOW_SECONDS) },
    })
    const { app, store, db } = ctx
    const seeded = await seed(store)
    const now = Date.now()
    const login = async () => {
      const response = await tokenRequest(
        app,
        { grant_type: 'password', username: seeded.alice.username, password: seeded.alice.password, scope: 'read' },
        { authorization: seeded.service.auth },
      )
      t.equal(response.statusCode, 200, response.body)
      return response.json() as { refresh_token: string; access_token: string }
    }
    const refresh = (token: string) =>
      tokenRequest(app, { grant_type: 'refresh_token', refresh_token: token }, { authorization: seeded.service.auth })
    const familyOf = async (token: string) =>
      (await store.refreshTokens.findByHash(ANY_TENANT, sha256(token)))!.family.id

    // A real login whose tokens are then dead: revoked longer than the retention ago.
    const old = await login()
    const oldSuccessor = (await refresh(old.refresh_token)).json().refresh_token as string
    await db.prisma.refreshFamily.update({
      where: { id: await familyOf(old.refresh_token) },
      data: { revokedAt: new Date(now - RETENTION_MS - DAY), revokedReason: 'revoked' },
    })
    // Within the retention: revoked a day ago, and one past its absolute expiry a day ago. Both stay.
    const recent = await login()
    await store.refreshTokens.revokeFamily(
      ANY_TENANT,
      await familyOf(recent.refresh_token),
      'revoked',
      new Date(now - DAY),
    )
    const expiredRecently = await login()
    await db.prisma.refreshFamily.update({
      where: { id: await familyOf(expiredRecently.refresh_token) },
      data: { absoluteExpiresAt: new Date(now - DAY) },
    })
    // Live rows: a login in use, an access key, an unexpired revoked jti, counters that still count.
    const live = await login()
    // In the live login: a used token past its own expiry longer than the retention ago goes; one past it
    // for less than the retention stays.
    const liveFirst = live.refresh_token
    live.refresh_token = (await refresh(liveFirst)).json().refresh_token
    const liveSecond = live.refresh_token
    live.refresh_token = (await refresh(liveSecond)).json().refresh_token
    await db.prisma.refreshToken.update({
      where: { tokenHash: sha256(liveFirst) },
      data: { expiresAt: new Date(now - RETENTION_MS - DAY) },
    })
    await db.prisma.refreshToken.update({
      where: { tokenHash: sha256(liveSecond) },
      data: { expiresAt: new Date(now - DAY) },
    })
    const liveKey = generateAccessKey()
    await store.accessKeys.create({
      id: liveKey.id,
      prefix: liveKey.prefix,
      secretHash: liveKey.secretHash,
      name: 'live',
      scopes: ['admin'],
      expiresAt: new Date(now + DAY),
    })
    for (const [id, fields] of [
      ['expired-recently', { expiresAt: new Date(now - DAY) }],
      ['revoked-recently', {}],
    ] as const) {
      const key = generateAccessKey()
      await store.accessKeys.create({
        id: `${id}-${key.id}`,
        prefix: key.prefix,
        secretHash: key.secretHash,
        name: id,
        scopes: ['read'],
        ...fields,
      })
      if (id === 'revoked-recently')
        await store.accessKeys.revoke(ANY_TENANT, `${id}-${key.id}`, { now: new Date(now - DAY) })
    }
    await store.revokedTokens.revoke('live-jti', new Date(now + 3600_000), new Date(now))
    const throttle = { maxFailures: 2, window: WINDOW_SECONDS, lockout: 3600 }
    await store.loginThrottle.reserve('ip:in-window', throttle, new Date(now - 1000))
    const lockedAt = new Date(now - WINDOW_SECONDS * 1000 - 60_000)
    const locking = await store.loginThrottle.reserve('ip:locked', { ...throttle, maxFailures: 1 }, lockedAt)
    if (locking.outcome !== 'admitted') throw new Error('a fresh key admits its first attempt')
    await store.loginThrottle.fail(locking.reservation, { ...throttle, maxFailures: 1 }, lockedAt)
    // Audit events: 2,500 older than AUDIT_RETENTION, and one recent that stays.
    const oldAudit = new Date(now - AUDIT_RETENTION_MS - DAY)
    await db.prisma.auditEvent.createMany({
      data: Array.from({ length: 2500 }, (_, i) => ({
        id: `old-audit-${i}`,
        type: 'login.throttled',
        details: '{}',
        createdAt: oldAudit,
      })),
    })
    await store.audit.record(
      {
        tenantId: DEFAULT_TENANT_ID,
        type: 'login.throttled',
        actor: 'client:service',
        subject: 'alice',
        ip: '192.0.2.1',
        details: {},
      },
      new Date(now - DAY),
    )

    const seedStarted = performance.now()
    const counts = await seedDead(db, seeded.alice.id, now, 1)
    t.comment(`seeded 100,000 dead rows on ${provider} in ${Math.round(performance.now() - seedStarted)} ms`)
    const dead =
      counts.families + counts.tokens + counts.revokedJtis + counts.usedJtis + counts.accessKeys + counts.throttles
    t.equal(dead, 100_000)
    t.equal(
      await countDead(db, now),
      dead + 1 + 2 + 1 + 2500,
      "and the dead login (one family, two tokens), the live login's long-expired token and the old audit events",
    )

    // Token requests, client_credentials and refresh in turn, all through the sweep.
    const latencies: number[] = []
    const failures: string[] = []
    let sweeping = true
    let current = live.refresh_token
    const served = (async () => {
      while (sweeping || latencies.length < 20) {
        let started = performance.now()
        const credentials = await tokenRequest(
          app,
          { grant_type: 'client_credentials', scope: 'read' },
          { authorization: seeded.machine.auth },
        )
        latencies.push(performance.now() - started)
        if (credentials.statusCode !== 200) failures.push(credentials.body)
        started = performance.now()
        const rotated = await refresh(current)
        latencies.push(performance.now() - started)
        if (rotated.statusCode === 200) current = rotated.json().refresh_token
        else failures.push(rotated.body)
      }
    })()
    const batchSize = 1000
    const batches: Record<string, number[]> = {}
    const result = await store.janitor.sweep(policy(batchSize), {
      now: new Date(now),
      onBatch: (table, deleted) => (batches[table] ??= []).push(deleted),
    })
    sweeping = false
    await served
    if (result === 'busy') throw new Error('no other janitor runs here')
    t.comment(
      `${sweepSummary(result)} (${provider}); ${latencies.length} token requests meanwhile, slowest ${Math.round(Math.max(...latencies))} ms`,
    )

    t.same(failures, [], 'every token request succeeded')
    t.ok(
      Math.max(...latencies) < 1000,
      `no token request waited a second (slowest: ${Math.round(Math.max(...latencies))} ms)`,
    )
    t.same(result.deleted, {
      RefreshToken: counts.tokens + 2 + 1,
      RefreshFamily: counts.families + 1,
      RevokedToken: counts.revokedJtis,
      UsedJti: counts.usedJtis,
      AccessKey: counts.accessKeys,
      LoginThrottle: counts.throttles,
      Session: 0,
      AuthorizationRequest: 0,
      Challenge: 0,
      AuthorizationCode: 0,
      AuditEvent: 2500,
      UsageCount: 0,
    } satisfies Record<JanitorTable, number>)
    for (const table of JANITOR_TABLES) {
      t.ok(
        batches[table]!.every((deleted) => deleted <= batchSize),
        `${table}: at most ${batchSize} rows per batch`,
      )
      t.equal(
        result.batches[table],
        Math.floor(result.deleted[table] / batchSize) + 1,
        `${table}: full batches, then the last, shorter one`,
      )
    }
    t.equal(await countDead(db, now), 0, 'no dead row is left')

    // What the retention and the conditions keep, and whether it still works.
    const answer = async (token: string) => (await refresh(token)).json()
    t.same(
      await answer(old.refresh_token),
      { error: 'invalid_grant', error_description: 'the refresh token is invalid' },
      'a replayed token of a deleted login is refused',
    )
    t.same(await answer(oldSuccessor), { error: 'invalid_grant', error_description: 'the refresh token is invalid' })
    t.same(
      await answer(recent.refresh_token),
      { error: 'invalid_grant', error_description: 'the refresh token has been revoked' },
      'revoked within the retention: kept',
    )
    t.same(
      await answer(expiredRecently.refresh_token),
      { error: 'invalid_grant', error_description: 'the refresh token has expired' },
      'expired within the retention: kept',
    )
    t.equal(
      await store.refreshTokens.findByHash(ANY_TENANT, sha256(liveFirst)),
      undefined,
      "a live login's token expired longer than the retention ago is gone",
    )
    t.same(
      await answer(liveSecond),
      { error: 'invalid_grant', error_description: 'the refresh token has expired' },
      'one expired within the retention: kept',
    )
    t.equal((await refresh(current)).statusCode, 200, 'the live login still refreshes')
    const withKey = await app.inject({
      method: 'GET',
      url: '/admin/v1/audit?limit=1',
      headers: { 'x-api-key': liveKey.key },
    })
    t.equal(withKey.statusCode, 200, 'the live access key still works')
    t.equal(await db.prisma.accessKey.count(), 3, 'the live key and the two dead for less than the retention')
    t.equal(await store.revokedTokens.isRevoked('live-jti'), true, 'an unexpired revoked jti stays')
    t.same(
      (
        await db.prisma.loginThrottle.findMany({
          where: { key: { in: ['ip:in-window', 'ip:locked'] } },
          orderBy: { key: 'asc' },
        })
      ).map((row) => row.key),
      ['ip:in-window', 'ip:locked'],
      'a counter in its window and a lock in force stay',
    )
    t.equal(await db.prisma.refreshFamily.count(), 3, 'the live login and the two dead for less than the retention')
    t.equal(
      await db.prisma.auditEvent.count({ where: { subject: 'alice', ip: '192.0.2.1' } }),
      1,
      'the audit event younger than AUDIT_RETENTION stays',
    )
  })

  t.test(`two janitors at once both finish, and every dead row goes once (${provider})`, async (t) => {
    const { db, store, databaseUrl } = await createTestStore(t, provider)
    const seeded = await seed(store)
    const now = Date.now()
    const counts = await seedDead(db, seeded.alice.id, now, 0.05)
    const other = await openSecondStore(t, databaseUrl)
    const results = await Promise.all([store, other].map((s) => s.janitor.sweep(policy(100), { now: new Date(now) })))
    const swept = results.filter((result): result is SweepResult => result !== 'busy')
    t.ok(swept.length >= 1, provider === 'postgresql' ? 'one sweeps, the other may find it busy' : 'both sweep')
    t.equal(
      swept.reduce((sum, result) => sum + total(result), 0),
      counts.families + counts.tokens + counts.revokedJtis + counts.usedJtis + counts.accessKeys + counts.throttles,
    )
    t.equal(await countDead(db, now), 0)
  })

  t.test(`portcullis janitor sweeps once and prints what it deleted (${provider})`, async (t) => {
    const { db, store, databaseUrl } = await createTestStore(t, provider)
    const seeded = await seed(store)
    const counts = await seedDead(db, seeded.alice.id, Date.now(), 0.01)
    const cwd = tempDir(t)
    const env = { DATABASE_URL: databaseUrl, JANITOR_BATCH_SIZE: '40' }
    const cli = (args: string[]) => runCli(args, { cwd, env })

    // The first sweep in a child process (the real entry point), the others through its function in this process.
    const first = await spawnCli(['janitor', '--json'], { cwd, env })
    t.equal(first.code, 0, first.stderr)
    const output = JSON.parse(first.stdout)
    t.same(output.deleted, {
      RefreshToken: counts.tokens,
      RefreshFamily: counts.families,
      RevokedToken: counts.revokedJtis,
      UsedJti: counts.usedJtis,
      AccessKey: counts.accessKeys,
      LoginThrottle: counts.throttles,
      Session: 0,
      AuthorizationRequest: 0,
      Challenge: 0,
      AuthorizationCode: 0,
      AuditEvent: 0,
      UsageCount: 0,
    })
    t.same(
      output.batches,
      {
        RefreshToken: 8,
        RefreshFamily: 3,
        RevokedToken: 6,
        UsedJti: 3,
        AccessKey: 4,
        LoginThrottle: 4,
        Session: 1,
        AuthorizationRequest: 1,
        Challenge: 1,
        AuthorizationCode: 1,
        AuditEvent: 1,
        UsageCount: 1,
      },
      'JANITOR_BATCH_SIZE rows per batch',
    )
    t.type(output.duration_ms, 'number')
    t.equal(await countDead(db, Date.now()), 0)

    if (provider === 'sqlite') {
      const again = await cli(['janitor'])
      t.equal(again.code, 0, again.stderr)
      t.match(
        again.stdout,
        /^deleted 0 dead rows in \d+ ms\nTABLE +DELETED +BATCHES\nRefreshToken +0 +1\nRefreshFamily +0 +1\nRevokedToken +0 +1\nUsedJti +0 +1\nAccessKey +0 +1\nLoginThrottle +0 +1\nSession +0 +1\nAuthorizationRequest +0 +1\nChallenge +0 +1\nAuthorizationCode +0 +1\nAuditEvent +0 +1\nUsageCount +0 +1\n$/,
      )
      t.same(await cli(['janitor', 'now']), failure('unexpected argument "now"'))
    } else {
      // Another instance holds the sweep: the command says so and deletes nothing.
      const holder = new pg.Client({ connectionString: databaseUrl })
      await holder.connect()
      t.teardown(() => holder.end())
      await holder.query("SELECT pg_advisory_lock('8098433521639060594'::bigint)")
      t.same(
        await cli(['janitor']),
        failure('another instance is sweeping the database now; nothing was deleted (try again later)'),
      )
    }
  })
}

t.test(
  'the schedule: jittered intervals, never overlapping, failures logged and retried, stopped on close',
  async (t) => {
    const calls: { started: number; ended?: number }[] = []
    let failNext = true
    let stopSeen = false
    const store = {
      janitor: {
        async sweep(_policy: JanitorPolicy, options: { shouldStop?: () => boolean }) {
          const call: { started: number; ended?: number } = { started: Date.now() }
          calls.push(call)
          // Longer than the interval: the next sweep must wait for this one.
          for (let i = 0; i < 15; i++) {
            if (options.shouldStop?.()) {
              stopSeen = true
              break
            }
            await new Promise((resolve) => setTimeout(resolve, 100))
          }
          call.ended = Date.now()
          if (failNext) {
            failNext = false
            throw new Error('database unreachable')
          }
          const signIn = { Session: 0, AuthorizationRequest: 0, Challenge: 0, AuthorizationCode: 0 }
          const signInBatches = { Session: 1, AuthorizationRequest: 1, Challenge: 1, AuthorizationCode: 1 }
          return {
            deleted: {
              RefreshToken: 0,
              RefreshFamily: 1,
              RevokedToken: 2,
              UsedJti: 0,
              AccessKey: 0,
              LoginThrottle: 0,
              ...signIn,
              AuditEvent: 0,
              UsageCount: 0,
            },
            batches: {
              RefreshToken: 1,
              RefreshFamily: 1,
              RevokedToken: 1,
              UsedJti: 1,
              AccessKey: 1,
              LoginThrottle: 1,
              ...signInBatches,
              AuditEvent: 1,
              UsageCount: 1,
            },
            durationMs: 1500,
            complete: true,
          } satisfies SweepResult
        },
      },
    }
    const lines: { level: string; msg: string }[] = []
    const log = {
      info: (_: object, msg: string) => void lines.push({ level: 'info', msg }),
      error: (_: object, msg: string) => void lines.push({ level: 'error', msg }),
    }
    const config = {
      janitorInterval: 1,
      janitorRetention: 7 * 86400,
      janitorBatchSize: 1000,
      loginFailureWindow: 900,
      auditRetention: 365 * 86400,
      usageRetention: 90 * 86400,
    }

    const disabled = createJanitorSchedule({ store, config: { ...config, janitorInterval: 0 }, now: Date.now, log })
    t.equal(disabled.enabled, false, 'JANITOR_INTERVAL=0 schedules nothing')

    const schedule = createJanitorSchedule({ store, config, now: Date.now, log, random: () => 0 })
    t.equal(schedule.enabled, true)
    const deadline = Date.now() + 20_000
    while (calls.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    await schedule.close()
    t.ok(stopSeen, 'close ended the sweep in progress at its next batch')
    const settled = calls.length
    t.ok(settled >= 3, 'a sweep after the failed one, and another')
    for (let i = 1; i < calls.length; i++)
      t.ok(calls[i]!.started >= calls[i - 1]!.ended!, `sweep ${i + 1} started after sweep ${i} ended`)
    t.same(lines[0], { level: 'error', msg: 'janitor: the sweep failed; the next interval tries again' })
    t.same(lines[1], {
      level: 'info',
      msg: 'janitor: deleted 3 dead rows (RefreshFamily 1, RevokedToken 2) in 1500 ms',
    })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    t.equal(calls.length, settled, 'no sweep after close')
    t.equal(disabled.enabled, false)
    await disabled.close()
    t.equal(calls.length, settled, 'the disabled schedule never swept')
  },
)

t.test('the service sweeps every JANITOR_INTERVAL and counts the deleted rows in /metrics', async (t) => {
  const { app, db } = await build(t, { env: { JANITOR_INTERVAL: '1' } })
  const now = Date.now()
  await db.prisma.revokedToken.createMany({
    data: [0, 1, 2].map((i) => ({
      jti: `expired-${i}`,
      expiresAt: new Date(now - 1000),
      createdAt: new Date(now - 3600_000),
    })),
  })
  const deadline = Date.now() + 20_000
  while ((await db.prisma.revokedToken.count()) > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(await db.prisma.revokedToken.count(), 0, 'swept within a few intervals')
  const metrics = await app.inject({ method: 'GET', url: '/metrics' })
  t.match(metrics.body, /\nportcullis_janitor_deleted_rows_total\{table="RevokedToken"\} 3\n/)
})

t.test(
  'the schedule: the first sweep within the first interval, then every interval ± 10 % (random at 0 and at 1)',
  async (t) => {
    // The README's bounds, pinned with the random source at its extremes: setTimeout is replaced for the
    // duration of the test so that the delays are read, not waited for.
    const realSetTimeout = globalThis.setTimeout
    t.teardown(() => {
      globalThis.setTimeout = realSetTimeout
    })
    const result = { deleted: {}, batches: {}, durationMs: 1, complete: true } as unknown as SweepResult
    const store = { janitor: { sweep: async () => result } }
    const log = { info: () => undefined, error: () => undefined }
    const config = {
      janitorInterval: 3600,
      janitorRetention: 7 * 86400,
      janitorBatchSize: 1000,
      loginFailureWindow: 900,
      auditRetention: 365 * 86400,
      usageRetention: 90 * 86400,
    }
    for (const [random, first, next] of [
      [0, 360_000, 3_240_000],
      [1, 3_600_000, 3_960_000],
    ] as const) {
      const delays: number[] = []
      const callbacks: (() => void)[] = []
      globalThis.setTimeout = ((callback: () => void, delay: number) => {
        delays.push(delay)
        callbacks.push(callback)
        return { unref() {} }
      }) as unknown as typeof setTimeout
      const schedule = createJanitorSchedule({ store, config, now: Date.now, log, random: () => random })
      t.same(
        delays.map(Math.round),
        [first],
        `random ${random}: the first sweep after ${first / 1000} s of a 3600 s interval`,
      )
      callbacks[0]!()
      for (let i = 0; i < 20 && delays.length < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve))
      t.same(delays.map(Math.round), [first, next], `random ${random}: the next ${next / 1000} s after it`)
      globalThis.setTimeout = realSetTimeout
      await schedule.close()
    }
  },
)

for (const provider of providers) {
  t.test(`AUDIT_RETENTION=0 keeps audit events however old; the default year deletes them (${provider})`, async (t) => {
    const { store, db } = await createTestStore(t, provider)
    const now = Date.now()
    const ancient = new Date(now - 10 * 365 * DAY)
    await db.prisma.auditEvent.createMany({
      data: [0, 1, 2].map((i) => ({ id: `ancient-${i}`, type: 'login.throttled', details: '{}', createdAt: ancient })),
    })
    const base = { JANITOR_INTERVAL: '0' }
    const keep = janitorPolicy(testConfig({ ...base, AUDIT_RETENTION: '0' }))
    t.equal(keep.auditRetentionMs, 0)
    const kept = await store.janitor.sweep(keep, { now: new Date(now) })
    t.equal(await db.prisma.auditEvent.count(), 3, 'all three ten-year-old events kept')
    t.equal(kept !== 'busy' && kept.deleted.AuditEvent, 0)
    await store.janitor.sweep(janitorPolicy(testConfig(base)), { now: new Date(now) })
    t.equal(await db.prisma.auditEvent.count(), 0, 'the default (365d) deletes them')
  })
}
