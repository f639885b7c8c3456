// A PostgreSQL outage while the server runs (PostgreSQL only; the real server is never touched: a TCP proxy
// in front of it is cut). Requests that need the database fail fast with 503 and Retry-After, the process
// stays up, readiness says so, liveness and the JWKS (from memory) do not change, nothing is half written,
// and everything works again by itself when the database is back.
import pg from 'pg'
import t, { type Test } from 'tap'
import { createTestStore } from '../support/helper.ts'
import { leakedSecrets, rememberSecrets, usedSecrets } from '../support/process-fixtures.ts'
import { startServer } from '../support/spawn-server.ts'
import { startTcpProxy } from '../support/tcp-proxy.ts'
import { form, seed, type Seeded } from '../support/token-fixtures.ts'

const TIMEOUT_S = 1
// What a request may take during an outage: the timeout, plus a loaded machine's margin.
const BOUND_MS = TIMEOUT_S * 1000 + 2500

if (!process.env.TEST_DATABASE_URL) {
  // A skip, not a pass: a SQLite-only run must not count these as checked.
  t.test(
    'a database outage: 503 fast, no crash, nothing half written, recovery without restart',
    { skip: 'PostgreSQL only: set TEST_DATABASE_URL' },
    async () => undefined,
  )
} else {
  t.test('a database outage: 503 fast, no crash, nothing half written, recovery without restart', async (t) => {
    const { store, databaseUrl, db } = await createTestStore(t, 'postgresql')
    const seeded = await seed(store)
    const direct = new URL(databaseUrl)
    const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) })
    t.teardown(() => proxy.close())
    const viaProxy = new URL(databaseUrl)
    viaProxy.host = `127.0.0.1:${proxy.port}`
    const server = await startServer(t, {
      DATABASE_URL: viaProxy.toString(),
      DATABASE_TIMEOUT: String(TIMEOUT_S),
      // Every client authentication reads the database (no cached client answers in its place).
      CLIENT_CACHE_TTL: '0',
      REVOCATION_SYNC_INTERVAL: '1',
      KEYRING_REFRESH_INTERVAL: '1',
    })
    const call = async (
      method: string,
      path: string,
      options: { body?: Record<string, string>; headers?: Record<string, string> } = {},
    ) => {
      const started = Date.now()
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(options.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...options.headers,
        },
        ...(options.body ? { body: form(options.body) } : {}),
        signal: AbortSignal.timeout(30_000),
      })
      const text = await response.text()
      if (options.body)
        rememberSecrets(
          options.body.password,
          options.body.refresh_token,
          options.body.token,
          ...Object.values(options.headers ?? {}),
        )
      if (text.startsWith('{"access_token"'))
        rememberSecrets(
          (JSON.parse(text) as Record<string, unknown>).access_token,
          (JSON.parse(text) as Record<string, unknown>).refresh_token,
        )
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: () => JSON.parse(text) as Record<string, unknown>,
        ms: Date.now() - started,
      }
    }
    const { service } = seeded as Seeded
    const clientCredentials = () =>
      call('POST', '/oauth/token', {
        body: { grant_type: 'client_credentials', scope: 'admin' },
        headers: { authorization: service.auth },
      })
    const password = () =>
      call('POST', '/oauth/token', {
        body: { grant_type: 'password', username: 'alice', password: seeded.alice.password, scope: 'read' },
        headers: { authorization: service.auth },
      })
    const refresh = (token: string) =>
      call('POST', '/oauth/token', {
        body: { grant_type: 'refresh_token', refresh_token: token },
        headers: { authorization: service.auth },
      })

    // Before: the service works through the proxy.
    const admin = (await clientCredentials()).json().access_token as string
    const login = await password()
    t.equal(login.status, 200)
    const refreshToken = login.json().refresh_token as string
    const jwks = await call('GET', '/.well-known/jwks.json')
    t.equal(jwks.status, 200)
    t.equal((await call('GET', '/readyz')).status, 200)

    const outage = async (t: Test, name: string) => {
      const expectUnavailable = async (what: string, response: Awaited<ReturnType<typeof call>>, error: string) => {
        t.equal(response.status, 503, `${name}: ${what} answers 503 (${response.text})`)
        t.same(
          response.json(),
          { error, error_description: 'the service is temporarily unavailable; try again later' },
          `${name}: ${what} JSON error`,
        )
        t.equal(response.headers.get('retry-after'), String(TIMEOUT_S), `${name}: ${what} Retry-After`)
        t.ok(response.ms < BOUND_MS, `${name}: ${what} answered in ${response.ms} ms`)
      }
      await expectUnavailable('client_credentials', await clientCredentials(), 'temporarily_unavailable')
      await expectUnavailable('password', await password(), 'temporarily_unavailable')
      await expectUnavailable('refresh_token', await refresh(refreshToken), 'temporarily_unavailable')
      await expectUnavailable(
        'introspection',
        await call('POST', '/oauth/introspect', { body: { token: admin }, headers: { authorization: service.auth } }),
        'temporarily_unavailable',
      )
      await expectUnavailable(
        'revocation',
        await call('POST', '/oauth/revoke', {
          body: { token: refreshToken, token_type_hint: 'refresh_token' },
          headers: { authorization: service.auth },
        }),
        'temporarily_unavailable',
      )
      await expectUnavailable(
        'admin API',
        await call('GET', '/admin/v1/clients', { headers: { authorization: `Bearer ${admin}` } }),
        'service_unavailable',
      )
      // Many at once: waiting for a pooled connection is bounded too.
      const burst = await Promise.all(Array.from({ length: 30 }, () => clientCredentials()))
      t.same(
        [...new Set(burst.map((response) => response.status))],
        [503],
        `${name}: 30 concurrent token requests all answer 503`,
      )
      t.ok(
        Math.max(...burst.map((response) => response.ms)) < BOUND_MS + 2000,
        `${name}: the slowest of them in ${Math.max(...burst.map((response) => response.ms))} ms`,
      )

      const ready = await call('GET', '/readyz')
      t.same([ready.status, ready.json()], [503, { status: 'unavailable' }], `${name}: not ready`)
      t.ok(ready.ms < BOUND_MS, `${name}: readiness answered in ${ready.ms} ms`)
      const health = await call('GET', '/healthz')
      t.same([health.status, health.json()], [200, { status: 'ok' }], `${name}: still alive`)
      const keys = await call('GET', '/.well-known/jwks.json')
      t.same([keys.status, keys.text], [200, jwks.text], `${name}: the JWKS is served from memory`)
      // Background tasks (keyring refresh, revocation sync) fail meanwhile: the process stays up.
      await new Promise((resolve) => setTimeout(resolve, 1500))
      t.equal(server.child.exitCode, null, `${name}: the process is still running`)
    }

    const recovered = async (t: Test, name: string) => {
      // Recovery by itself: poll readiness until the pool has reconnected.
      const deadline = Date.now() + 15_000
      while ((await call('GET', '/readyz')).status !== 200) {
        if (Date.now() > deadline) throw new Error(`${name}: not ready again within 15 s`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      t.equal((await clientCredentials()).status, 200, `${name}: client_credentials works again`)
      t.equal(
        (await call('GET', '/admin/v1/clients', { headers: { authorization: `Bearer ${admin}` } })).status,
        200,
        `${name}: the admin API works again`,
      )
      const again = await password()
      t.equal(again.status, 200, `${name}: password works again`)
      t.equal(await db.prisma.loginThrottle.count(), 0, `${name}: no failed login was counted for the outage`)
      return again.json().refresh_token as string
    }

    await t.test('connections refused and reset', async (t) => {
      await proxy.refuse()
      await outage(t, 'refused')
      await proxy.restore()
      const next = await recovered(t, 'refused')
      // The refresh token presented during the outage was not half rotated: it still works, once.
      const rotated = await refresh(refreshToken)
      t.equal(rotated.status, 200, `the refresh token used during the outage still works (${rotated.text})`)
      t.ok(next)
    })

    await t.test('a database that stops answering (black hole)', async (t) => {
      const login = await password()
      const token = login.json().refresh_token as string
      proxy.blackHole()
      await outage(t, 'black hole')
      const during = await refresh(token)
      t.equal(during.status, 503)
      await proxy.restore()
      await recovered(t, 'black hole')
      const rotated = await refresh(token)
      t.equal(rotated.status, 200, `the refresh token used during the outage still works (${rotated.text})`)
    })

    await t.test('every connection terminated by the server (as on a PostgreSQL restart)', async (t) => {
      // 57P01 on each pooled connection, idle ones included: the pool drops them, the process stays up.
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
      await admin.connect()
      const { rowCount } = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [direct.pathname.slice(1)],
      )
      await admin.end()
      t.ok(rowCount! >= 1, `${rowCount} connections terminated`)
      await new Promise((resolve) => setTimeout(resolve, 300))
      t.equal(server.child.exitCode, null, 'the process is still running')
      await recovered(t, 'terminated')
    })

    t.equal(server.child.exitCode, null, 'the server never stopped')
    const problems = server
      .stdout()
      .split('\n')
      .filter((line) => /unhandled error|"level":60/.test(line))
    t.same(problems, [], 'no request failed as an unhandled error (500), nothing fatal')
    t.equal(server.stderr(), '', 'nothing on stderr')
    const reasons = new Set(
      server
        .stdout()
        .split('\n')
        .filter((line) => line.includes('the database is unavailable'))
        .map((line) => (JSON.parse(line) as { reason: string }).reason),
    )
    t.comment(`errors classified as unavailable: ${[...reasons].join(' | ')}`)
    server.child.kill('SIGTERM')
    await server.exited
    // The 503 paths log the database errors: none of them may carry a credential or token.
    rememberSecrets(admin, refreshToken, viaProxy.password)
    t.same(
      leakedSecrets(server.stdout() + server.stderr(), usedSecrets(seeded)),
      [],
      "no secret used is in the server's log",
    )
  })
}
