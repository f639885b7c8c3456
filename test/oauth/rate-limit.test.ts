// The token endpoint's rate limits: per client IP on every request, per confidential client once it has
// authenticated; the 429 they answer with; whose X-Forwarded-For is believed (TRUST_PROXY); counters shared
// through Redis (when TEST_REDIS_URL is set); and a Redis that is down or silent, which must cost nothing.
import { randomBytes } from 'node:crypto'
import { createServer, type Socket } from 'node:net'
import { Writable } from 'node:stream'
import t from 'tap'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { buildApp } from '../../src/app.ts'
import { DEFAULT_TENANT_ID } from '../../src/store/index.ts'
import { build, providers, type Test } from '../support/helper.ts'
import { startTcpProxy } from '../support/tcp-proxy.ts'
import { memoryStore } from '../../src/oauth/rate-limit-stores.ts'
import { basic, FORM, form, seed, type Seeded } from '../support/token-fixtures.ts'

const CLIENT_CREDENTIALS = { grant_type: 'client_credentials' }

function post(
  app: FastifyInstance,
  options: { ip?: string; auth?: string; params?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: options.ip ?? '198.51.100.1',
    headers: { ...FORM, ...(options.auth ? { authorization: options.auth } : {}), ...options.headers },
    payload: form(options.params ?? CLIENT_CREDENTIALS),
  })
}

const perIpBody = (max: number, window: number) => ({
  error: 'too_many_requests',
  error_description: `too many token requests from this address: at most ${max} per ${window} s`,
})
const perClientBody = (max: number, window: number) => ({
  error: 'too_many_requests',
  error_description: `too many token requests for this client: at most ${max} per ${window} s`,
})

function memoryLogger(): { logger: FastifyBaseLogger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  const logger = Fastify({ logger: { level: 'info', stream } }).log
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}

/** The app on a fresh database, its clock stopped at the build (or `options.now`): windows move only when told. */
async function seeded(
  t: Test,
  env: Record<string, string>,
  options: { provider?: (typeof providers)[number]; now?: () => number } = {},
): Promise<{ app: FastifyInstance; clients: Seeded }> {
  const stopped = Date.now()
  const { app, store } = await build(t, {
    provider: options.provider ?? 'sqlite',
    env,
    now: options.now ?? (() => stopped),
  })
  return { app, clients: await seed(store) }
}

for (const provider of providers) {
  t.test(`per client IP (${provider})`, async (t) => {
    const { app, clients } = await seeded(
      t,
      { RATE_LIMIT_PER_IP: '3', RATE_LIMIT_PER_CLIENT: '0', RATE_LIMIT_WINDOW: '60' },
      { provider },
    )

    t.test(
      'every request counts, whatever its outcome; past the limit: 429 with Retry-After and the OAuth error',
      async (t) => {
        t.equal(
          (await app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: '198.51.100.1', payload: 'x' }))
            .statusCode,
          400,
          'no body type: counted',
        )
        t.equal(
          (await post(app, { auth: basic('machine', 'wrong') })).statusCode,
          401,
          'a failed authentication: counted',
        )
        t.equal((await post(app, { auth: clients.machine.auth })).statusCode, 200)
        const refused = await post(app, { auth: clients.machine.auth })
        t.equal(refused.statusCode, 429)
        t.same(refused.json(), perIpBody(3, 60))
        t.equal(refused.headers['retry-after'], '60', 'the whole window is left (the clock has not moved)')
        t.equal(refused.headers['cache-control'], 'no-store')
        t.equal(refused.headers['content-type'], 'application/json; charset=utf-8')
      },
    )

    t.test('another address is not affected', async (t) => {
      t.equal((await post(app, { ip: '198.51.100.2', auth: clients.machine.auth })).statusCode, 200)
    })

    t.test('the refusals are counted in the token metrics', async (t) => {
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
      t.match(metrics, /portcullis_token_requests_total\{[^}]*outcome="too_many_requests"[^}]*\} 1/)
    })

    t.test('an IPv6 /64 is one address, an IPv4-mapped address its IPv4 address', async (t) => {
      for (const ip of ['2001:db8:5:6::1', '2001:db8:5:6::2', '2001:db8:5:6:ffff::3'])
        t.equal((await post(app, { ip, auth: clients.machine.auth })).statusCode, 200)
      t.same((await post(app, { ip: '2001:db8:5:6::4', auth: clients.machine.auth })).json(), perIpBody(3, 60))
      t.equal(
        (await post(app, { ip: '2001:db8:5:7::1', auth: clients.machine.auth })).statusCode,
        200,
        'the next /64 is not affected',
      )
      t.same(
        (await post(app, { ip: '::ffff:198.51.100.1', auth: clients.machine.auth })).json(),
        perIpBody(3, 60),
        'counted with 198.51.100.1',
      )
    })
  })

  t.test(`per client, counted only after authentication (${provider})`, async (t) => {
    const { app, clients } = await seeded(
      t,
      { RATE_LIMIT_PER_IP: '1000', RATE_LIMIT_PER_CLIENT: '3', RATE_LIMIT_WINDOW: '60' },
      { provider },
    )

    t.test('an unauthenticated flood naming a client does not spend its quota', async (t) => {
      for (let i = 0; i < 10; i++) {
        const wrong = await post(app, { ip: '203.0.113.66', auth: basic('machine', `guess-${i}`) })
        t.equal(wrong.statusCode, 401, 'a wrong secret is invalid_client, never 429')
      }
      for (let i = 0; i < 5; i++) {
        t.equal(
          (await post(app, { ip: '203.0.113.66', params: { ...CLIENT_CREDENTIALS, client_id: 'machine' } })).statusCode,
          401,
          'no secret at all',
        )
      }
    })

    t.test('the client gets its whole quota, from any address, then 429 with Retry-After', async (t) => {
      for (let i = 0; i < 3; i++)
        t.equal((await post(app, { ip: `198.51.100.${10 + i}`, auth: clients.machine.auth })).statusCode, 200)
      const refused = await post(app, { ip: '198.51.100.20', auth: clients.machine.auth })
      t.equal(refused.statusCode, 429)
      t.same(refused.json(), perClientBody(3, 60))
      t.equal(refused.headers['retry-after'], '60')
      t.equal(refused.headers['cache-control'], 'no-store')
    })

    t.test('a noisy client does not lock out another client from the same address', async (t) => {
      t.equal(
        (await post(app, { ip: '198.51.100.20', auth: clients.machine.auth })).statusCode,
        429,
        'the noisy one is still refused',
      )
      const other = await post(app, { ip: '198.51.100.20', auth: clients.service.auth })
      t.equal(other.statusCode, 200)
      t.type(other.json().access_token, 'string')
    })

    t.test('a public client, which anyone can name, is limited per IP only', async (t) => {
      for (let i = 0; i < 6; i++) {
        const answer = await post(app, { params: { ...CLIENT_CREDENTIALS, client_id: 'spa' } })
        t.equal(answer.statusCode, 400, 'unauthorized_client, never 429')
      }
    })
  })
}

t.test('the documented limits and window, on the app clock: 600 per IP and 300 per client per 60 s', async (t) => {
  // The README's values: the defaults (an empty setting is an unset one), not values this test chooses.
  let clock = Date.now()
  const { app, clients } = await seeded(
    t,
    { RATE_LIMIT_PER_IP: '', RATE_LIMIT_PER_CLIENT: '', RATE_LIMIT_WINDOW: '' },
    {
      now: () => clock,
    },
  )
  // Requests that cost little: no body type (400 before authentication), or a grant the client may not use
  // (400 unauthorized_client after authentication, so counted for the client).
  const cheap = (ip: string) => app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: ip, payload: 'x' })
  const cheapForClient = (ip: string) =>
    post(app, { ip, auth: clients.machine.auth, params: { grant_type: 'password', username: 'u', password: 'p' } })

  t.test('per IP: 600 in the window; the 601st refused until 60 s after the first, admitted at 60 s', async (t) => {
    const start = clock
    const statuses = new Set<number>()
    for (let i = 0; i < 600; i++) statuses.add((await cheap('198.51.100.1')).statusCode)
    t.same([...statuses], [400], 'all 600 admitted')
    const refused = await cheap('198.51.100.1')
    t.equal(refused.statusCode, 429)
    t.same(refused.json(), perIpBody(600, 60))
    t.equal(refused.headers['retry-after'], '60', 'the whole window is left')
    clock = start + 59_999
    const last = await cheap('198.51.100.1')
    t.same(last.json(), perIpBody(600, 60), 'refused 1 ms before the window ends')
    t.equal(last.headers['retry-after'], '1')
    clock = start + 60_000
    t.equal((await cheap('198.51.100.1')).statusCode, 400, 'admitted when it ends')
    clock = start + 60_000 + 59_999
    for (let i = 0; i < 599; i++) t.equal((await cheap('198.51.100.1')).statusCode, 400)
    t.same((await cheap('198.51.100.1')).json(), perIpBody(600, 60), 'the next window counts from its own start')
  })

  t.test('per client: 300 in the window, from any address; refused until 60 s after the first', async (t) => {
    const start = clock
    const statuses = new Set<number>()
    for (let i = 0; i < 300; i++) statuses.add((await cheapForClient(`203.0.113.${i % 200}`)).statusCode)
    t.same([...statuses], [400], 'all 300 admitted (unauthorized_client)')
    const refused = await cheapForClient('203.0.113.250')
    t.equal(refused.statusCode, 429)
    t.same(refused.json(), perClientBody(300, 60))
    t.equal(refused.headers['retry-after'], '60')
    clock = start + 59_999
    t.same((await cheapForClient('203.0.113.251')).json(), perClientBody(300, 60), 'refused 1 ms before the end')
    clock = start + 60_000
    const admitted = await cheapForClient('203.0.113.252')
    t.equal(admitted.statusCode, 400, 'admitted when it ends')
    t.equal(admitted.json().error, 'unauthorized_client')
  })
})

t.test('the memory store keeps at most its capacity of keys, dropping the window that started first', async (t) => {
  let clock = 0
  const Store = memoryStore(() => clock, 2)
  const store = new Store({} as never).child({} as never)
  const count = (key: string) =>
    new Promise<unknown>((resolve, reject) =>
      store.incr(key, (err, counted) => (err ? reject(err) : resolve(counted)), 1000, 10),
    )
  t.same(await count('a'), { current: 1, ttl: 1000 })
  clock = 1
  await count('b')
  t.same(await count('b'), { current: 2, ttl: 1000 })
  clock = 2
  t.same(await count('c'), { current: 1, ttl: 1000 }, 'a third key: the first one (a) is dropped')
  t.same(await count('a'), { current: 1, ttl: 1000 }, 'a counts afresh, and b, the oldest left, is dropped')
  t.same(await count('c'), { current: 2, ttl: 1000 }, 'c is kept')
  t.same(await count('b'), { current: 1, ttl: 1000 }, 'b counts afresh')
  clock = 1002
  t.same(await count('c'), { current: 1, ttl: 1000 }, 'a window ends 1000 ms after its start')
})

t.test('X-Forwarded-For and TRUST_PROXY', async (t) => {
  const env = { RATE_LIMIT_PER_IP: '2', RATE_LIMIT_PER_CLIENT: '0', RATE_LIMIT_WINDOW: '60' }
  const xff = (ip: string) => ({ 'x-forwarded-for': ip })

  t.test('without TRUST_PROXY the header is ignored: a client cannot pick a fresh address per request', async (t) => {
    const { app, clients } = await seeded(t, env)
    for (let i = 0; i < 2; i++)
      t.equal(
        (await post(app, { ip: '10.0.0.1', auth: clients.machine.auth, headers: xff(`203.0.113.${i}`) })).statusCode,
        200,
      )
    t.equal(
      (await post(app, { ip: '10.0.0.1', auth: clients.machine.auth, headers: xff('203.0.113.99') })).statusCode,
      429,
    )
  })

  t.test('with TRUST_PROXY naming the proxy, the address it forwards for is the client', async (t) => {
    const { app, clients } = await seeded(t, { ...env, TRUST_PROXY: '10.0.0.1' })
    for (let i = 0; i < 4; i++) {
      t.equal(
        (await post(app, { ip: '10.0.0.1', auth: clients.machine.auth, headers: xff(`203.0.113.${i}`) })).statusCode,
        200,
        'each client has its own quota',
      )
    }
    t.equal(
      (await post(app, { ip: '10.0.0.1', auth: clients.machine.auth, headers: xff('203.0.113.0') })).statusCode,
      200,
    )
    t.equal(
      (await post(app, { ip: '10.0.0.1', auth: clients.machine.auth, headers: xff('203.0.113.0') })).statusCode,
      429,
      'one client past its quota',
    )
    t.equal(
      (await post(app, { ip: '10.0.0.1', auth: clients.machine.auth, headers: xff('203.0.113.1, 10.0.0.1') }))
        .statusCode,
      200,
    )
    t.equal(
      (await post(app, { ip: '10.0.0.1', auth: clients.machine.auth, headers: xff('203.0.113.1') })).statusCode,
      429,
      'the request before counted for 203.0.113.1: a trusted hop is skipped',
    )

    t.test('a sender that is not the proxy cannot use the header', async (t) => {
      for (let i = 0; i < 2; i++)
        t.equal(
          (await post(app, { ip: '10.0.0.2', auth: clients.machine.auth, headers: xff(`192.0.2.${i}`) })).statusCode,
          200,
        )
      t.equal(
        (await post(app, { ip: '10.0.0.2', auth: clients.machine.auth, headers: xff('192.0.2.50') })).statusCode,
        429,
      )
    })
  })
})

t.test(
  'shared counters across instances through Redis',
  { skip: process.env.TEST_REDIS_URL ? false : 'TEST_REDIS_URL is not set' },
  async (t) => {
    const redisUrl = process.env.TEST_REDIS_URL!
    // A unique issuer is a unique key prefix: parallel runs on one Redis do not meet.
    const issuer = `http://rate-limit-${randomBytes(6).toString('hex')}.test`
    const prefix = `portcullis:rate-limit:${issuer}:`
    const admin = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
    t.teardown(async () => {
      const keys = await admin.keys(`${prefix}*`)
      if (keys.length > 0) await admin.del(...keys)
      await admin.quit()
    })
    const env = {
      RATE_LIMIT_PER_IP: '4',
      RATE_LIMIT_PER_CLIENT: '3',
      RATE_LIMIT_WINDOW: '60',
      REDIS_URL: redisUrl,
      ISSUER: issuer,
    }
    // One clock for both instances, stopped: the windows move only when the test moves it.
    const start = Date.now()
    let clock = start
    const now = () => clock
    const first = await build(t, { env, now })
    const clients = await seed(first.store)
    // A second instance of the same deployment: same database, same configuration, its own process state.
    const second = await buildApp({
      config: first.config,
      store: first.store,
      keyring: first.keyring,
      masterKey: first.masterKey,
      logger: false,
      now,
    })
    t.teardown(() => second.close())
    const apps = [first.app, second]

    t.test('per IP: the quota is spent across both instances', async (t) => {
      for (let i = 0; i < 4; i++)
        t.equal((await post(apps[i % 2]!, { ip: '198.51.100.7', auth: basic('nobody', 'x') })).statusCode, 401)
      for (const app of apps) {
        const refused = await post(app, { ip: '198.51.100.7', auth: basic('nobody', 'x') })
        t.equal(refused.statusCode, 429)
        t.same(refused.json(), perIpBody(4, 60))
      }
    })

    t.test('per client: likewise', async (t) => {
      for (let i = 0; i < 3; i++)
        t.equal((await post(apps[i % 2]!, { ip: `198.51.100.${30 + i}`, auth: clients.machine.auth })).statusCode, 200)
      for (const app of apps)
        t.same((await post(app, { ip: '198.51.100.40', auth: clients.machine.auth })).json(), perClientBody(3, 60))
    })

    t.test('the counters are in Redis under the deployment prefix, with an expiry', async (t) => {
      const keys = await admin.keys(`${prefix}*`)
      t.ok(
        keys.some((key) => key.endsWith('ip:198.51.100.7')),
        keys.join(', '),
      )
      t.ok(
        keys.some((key) => key.endsWith(`client:${DEFAULT_TENANT_ID}:machine`)),
        keys.join(', '),
      )
      for (const key of keys) t.ok((await admin.pttl(key)) > 0, `${key} expires`)
    })

    t.test('the shared window ends on the app clock, not on Redis expiring the key', async (t) => {
      const nobody = { ip: '198.51.100.7', auth: basic('nobody', 'x') }
      clock = start + 59_999
      for (const app of apps) t.same((await post(app, nobody)).json(), perIpBody(4, 60), 'refused 1 ms before the end')
      clock = start + 60_000
      for (let i = 0; i < 4; i++)
        t.equal((await post(apps[i % 2]!, nobody)).statusCode, 401, 'admitted: a new window, shared by both')
      const refused = await post(first.app, nobody)
      t.same(refused.json(), perIpBody(4, 60), 'the new window counts from its own start')
      t.equal(refused.headers['retry-after'], '60')
    })
  },
)

t.test(
  'a Redis that is down or silent: requests are served, quickly, and the log says why they are unlimited',
  async (t) => {
    const env = { RATE_LIMIT_PER_IP: '1', RATE_LIMIT_PER_CLIENT: '1', RATE_LIMIT_WINDOW: '60' }

    t.test('nothing listens (connection refused)', async (t) => {
      const { logger, lines } = memoryLogger()
      const started = Date.now()
      const { app, store } = await build(t, { env: { ...env, REDIS_URL: 'redis://127.0.0.1:1' }, deps: { logger } })
      const clients = await seed(store)
      for (let i = 0; i < 4; i++)
        t.equal(
          (await post(app, { auth: clients.machine.auth })).statusCode,
          200,
          'fails open: served, not 429, not 5xx',
        )
      t.ok(Date.now() - started < 10_000, `no waiting (${Date.now() - started} ms for the app and four requests)`)
      const warnings = lines().filter((line) => line.level === 40 && /rate-limit store/.test(String(line.msg)))
      t.equal(warnings.length, 1, 'one warning, not one per request')
    })

    t.test('a server that accepts connections and never answers', async (t) => {
      const sockets = new Set<Socket>()
      const silent = createServer((socket) => {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
      })
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      t.teardown(() => {
        for (const socket of sockets) socket.destroy()
        silent.close()
      })
      const port = (silent.address() as { port: number }).port
      const { logger, lines } = memoryLogger()
      const { app, store } = await build(t, {
        env: { ...env, REDIS_URL: `redis://127.0.0.1:${port}` },
        deps: { logger },
      })
      const clients = await seed(store)
      const started = Date.now()
      for (let i = 0; i < 3; i++) t.equal((await post(app, { auth: clients.machine.auth })).statusCode, 200)
      t.ok(Date.now() - started < 5_000, `three requests in ${Date.now() - started} ms`)
      t.ok(
        lines().some((line) => line.level === 40 && /rate-limit store/.test(String(line.msg))),
        'warned',
      )
    })
  },
)

t.test(
  'a Redis that goes away and comes back: one warning, then one line saying it answers again',
  { skip: !process.env.TEST_REDIS_URL && 'TEST_REDIS_URL is not set' },
  async (t) => {
    const redis = new URL(process.env.TEST_REDIS_URL!)
    const proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) })
    t.teardown(() => proxy.close())
    const { logger, lines } = memoryLogger()
    const { app, store } = await build(t, {
      env: { RATE_LIMIT_PER_IP: '100', RATE_LIMIT_PER_CLIENT: '100', REDIS_URL: `redis://127.0.0.1:${proxy.port}` },
      deps: { logger },
    })
    const clients = await seed(store)
    t.equal((await post(app, { auth: clients.machine.auth })).statusCode, 200)
    const linesAbout = (level: number, pattern: RegExp) =>
      lines().filter((line) => line.level === level && pattern.test(String(line.msg)))
    const until = async (what: string, check: () => boolean) => {
      const deadline = Date.now() + 20_000
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`${what}: not within 20 s`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    await proxy.refuse()
    await until('the warning', () => linesAbout(40, /rate-limit store \(Redis\) is unavailable/).length > 0)
    t.equal((await post(app, { auth: clients.machine.auth })).statusCode, 200, 'served meanwhile')
    await proxy.restore()
    // ioredis reconnects at most every 5 s.
    await until(
      'the line saying it answers again',
      () => linesAbout(30, /rate-limit store \(Redis\) answers again/).length > 0,
    )
    t.equal(linesAbout(40, /rate-limit store/).length, 1, 'one warning for the outage')
    t.equal(linesAbout(30, /answers again/).length, 1, 'one line for the recovery')
  },
)
