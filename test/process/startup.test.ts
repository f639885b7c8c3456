// Starting the real server: a wrong setting or an unreachable resource stops it with exit code 1 and
// one line on stderr naming the problem, never a stack trace.
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { spawnServer, startServer } from '../support/spawn-server.ts'

t.test('a bad configuration value exits 1 with one line naming the variable', async (t) => {
  const server = spawnServer(t, { ACCESS_TOKEN_TTL: '15 minutes' })
  t.same(await server.exited, { code: 1, signal: null })
  t.equal(
    server.stderr(),
    'portcullis: configuration error: ACCESS_TOKEN_TTL: must be a duration from 30s to 86400s, in seconds or with a unit (900, 15m, 12h, 30d) (got "15 minutes")\n',
  )
  t.equal(server.stdout(), '')
})

t.test('an unreachable PostgreSQL database exits 1 with one line', async (t) => {
  const server = spawnServer(t, { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/portcullis' })
  t.same(await server.exited, { code: 1, signal: null })
  t.match(server.stderr(), /^portcullis: cannot start: .*127\.0\.0\.1:1.*\n$/)
  t.equal(server.stderr().split('\n').length, 2, 'one line')
})

t.test('a port already in use exits 1 with one line', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  const server = spawnServer(t, { PORT: String(port) })
  t.same(await server.exited, { code: 1, signal: null })
  t.match(server.stderr(), new RegExp(`^portcullis: cannot start: .*EADDRINUSE.*${port}.*\\n$`))
  t.equal(server.stderr().split('\n').length, 2, 'one line')
})

t.test('with no configuration (but PORT=0) it migrates an empty SQLite file and serves', async (t) => {
  // Only PATH and PORT (3000 may be taken on a test machine): the database, keys folder, log level, hashing
  // cost and limits are the defaults, relative to the working directory.
  const defaults = {
    DATABASE_URL: undefined,
    KEYS_DIR: undefined,
    LOG_LEVEL: undefined,
    BCRYPT_COST: undefined,
    PASSWORD_WORKERS: undefined,
    RATE_LIMIT_PER_IP: undefined,
    RATE_LIMIT_PER_CLIENT: undefined,
  }
  const server = await startServer(t, defaults)
  t.ok(existsSync(join(server.dir, 'data/portcullis.db')), 'the database is ./data/portcullis.db')
  t.ok(existsSync(join(server.dir, 'keys/master.key')), 'the master key is ./keys/master.key')
  const ready = await fetch(`${server.url}/readyz`)
  t.equal(ready.status, 200)
  t.same(await ready.json(), { status: 'ready' })
  const logs = server
    .stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  t.ok(
    logs.every((entry) => typeof entry.level === 'number' && typeof entry.msg === 'string'),
    'every log line is JSON',
  )
  server.child.kill('SIGTERM')
  t.same(await server.exited, { code: 0, signal: null })
})
