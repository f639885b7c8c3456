// The password grant's defences: brute-force throttling per username and per client IP (shared through the
// database), the dummy-hash compare for unknown usernames, and bcrypt in a worker pool that runs from src/
// under tsx and from compiled JavaScript alike.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { build, providers, tempDir } from './helper.ts'
import { seed, type Seeded } from './token-fixtures.ts'
import { createPasswordHasher, passwordWorkerFile, type PasswordHasher } from '../src/security/password-hasher.ts'
import { bcryptCost } from '../src/security/passwords.ts'
import type { FastifyInstance } from 'fastify'

const THROTTLED = { error: 'too_many_requests', error_description: 'too many failed logins; try again later' }
const WRONG = { error: 'invalid_grant', error_description: 'the username or password is wrong' }

function loginAs(app: FastifyInstance, seeded: Seeded) {
  return (username: string, password: string, ip = '203.0.113.7') =>
    app.inject({
      method: 'POST',
      url: '/oauth/token',
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: seeded.service.auth },
      payload: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
    })
}

for (const provider of providers) {
  t.test(`failures per username lock that username, then reset (${provider})`, async (t) => {
    let clock = Date.now()
    const { app, store } = await build(t, {
      provider,
      now: () => clock,
      env: { LOGIN_MAX_FAILURES_PER_USER: '3', LOGIN_MAX_FAILURES_PER_IP: '1000', LOGIN_FAILURE_WINDOW: '300', LOGIN_LOCKOUT: '60' },
    })
    const seeded = await seed(store)
    const login = loginAs(app, seeded)
    const { alice } = seeded

    t.test('the limit of failures locks the username: 429 with Retry-After, even for the right password', async (t) => {
      for (let i = 0; i < 3; i++) t.same((await login('alice', 'wrong')).json(), WRONG)
      const locked = await login('alice', alice.password)
      t.equal(locked.statusCode, 429)
      t.equal(locked.headers['retry-after'], '60')
      t.equal(locked.headers['cache-control'], 'no-store')
      t.same(locked.json(), THROTTLED)
      clock += 30_000
      t.equal((await login('alice', alice.password)).headers['retry-after'], '30', 'Retry-After counts down')
      const events = await store.audit.list({ limit: 10, type: 'login.throttled' })
      t.equal(events.items.length, 1, 'audited once, when the lock starts')
      t.match(events.items[0], { subject: 'alice', ip: '203.0.113.7', actor: 'client:service', details: { by: 'username', failures: 3 } })
    })

    t.test('another username from the same address is not affected', async (t) => {
      await store.users.create({ username: 'bob', passwordHash: (await store.users.findByUsername('alice'))!.passwordHash, scopes: ['read'] })
      t.equal((await login('bob', alice.password)).statusCode, 200)
    })

    t.test('the lock ends after LOGIN_LOCKOUT', async (t) => {
      clock += 30_000
      t.equal((await login('alice', alice.password)).statusCode, 200)
    })

    t.test('a successful login resets the count', async (t) => {
      for (let i = 0; i < 2; i++) t.same((await login('alice', 'wrong')).json(), WRONG)
      t.equal((await login('alice', alice.password)).statusCode, 200)
      for (let i = 0; i < 2; i++) t.same((await login('alice', 'wrong')).json(), WRONG)
      t.equal((await login('alice', alice.password)).statusCode, 200, 'two plus two failures never reached three')
    })

    t.test('failures older than the window do not count', async (t) => {
      for (let i = 0; i < 2; i++) await login('alice', 'wrong')
      clock += 300_000
      for (let i = 0; i < 2; i++) t.same((await login('alice', 'wrong')).json(), WRONG)
      t.equal((await login('alice', alice.password)).statusCode, 200)
    })

    t.test('unknown usernames are throttled alike, so a lock says nothing about existence', async (t) => {
      for (let i = 0; i < 3; i++) t.same((await login('ghost', 'x')).json(), WRONG)
      t.same((await login('ghost', 'x')).json(), THROTTLED)
    })
  })

  t.test(`failures per client IP lock that address for every username (${provider})`, async (t) => {
    let clock = Date.now()
    const { app, store, db } = await build(t, {
      provider,
      now: () => clock,
      env: { LOGIN_MAX_FAILURES_PER_USER: '100', LOGIN_MAX_FAILURES_PER_IP: '4', LOGIN_FAILURE_WINDOW: '300', LOGIN_LOCKOUT: '120' },
    })
    const seeded = await seed(store)
    const login = loginAs(app, seeded)
    for (const name of ['u1', 'u2', 'u3']) t.same((await login(name, 'x', '198.51.100.1')).json(), WRONG)
    t.equal((await login('alice', seeded.alice.password, '198.51.100.1')).statusCode, 200, 'a success does not clear the address count')
    t.same((await login('u4', 'x', '198.51.100.1')).json(), WRONG)
    const locked = await login('alice', seeded.alice.password, '198.51.100.1')
    t.equal(locked.statusCode, 429)
    t.equal(locked.headers['retry-after'], '120')
    t.equal((await login('alice', seeded.alice.password, '198.51.100.2')).statusCode, 200, 'another address is not affected')
    t.match((await store.audit.list({ limit: 10, type: 'login.throttled' })).items, [{ ip: '198.51.100.1', details: { by: 'ip', failures: 4 } }])
    t.ok(await db.prisma.loginThrottle.findUnique({ where: { key: 'ip:198.51.100.1' } }), 'counters live in the database, shared by every instance')
    clock += 120_000
    t.equal((await login('alice', seeded.alice.password, '198.51.100.1')).statusCode, 200)
  })
}

t.test('an unknown username is compared against the dummy hash, like a wrong password', async (t) => {
  const real = createPasswordHasher({ workers: 1, cost: 4 })
  t.teardown(() => real.close())
  const compared: string[] = []
  const spy: PasswordHasher = {
    ...real,
    verify: async (password, hash) => {
      compared.push(hash)
      return real.verify(password, hash)
    },
  }
  const { app, store } = await build(t, { deps: { passwords: spy } })
  const seeded = await seed(store)
  const login = loginAs(app, seeded)
  const aliceHash = (await store.users.findByUsername('alice'))!.passwordHash

  const unknown = await login('nobody', 'guess')
  const wrong = await login('alice', 'guess')
  t.same(unknown.json(), wrong.json(), 'the same answer')
  t.equal(unknown.statusCode, wrong.statusCode)
  const dummy = await real.dummyHash()
  t.same(compared, [dummy, aliceHash], 'one bcrypt compare each: the dummy hash, then the user hash')
  t.equal(bcryptCost(dummy), 4, 'the dummy hash has the configured cost, so it costs what a real compare costs')
  t.not(dummy, aliceHash)
  t.equal(await real.dummyHash(), dummy, 'made once per pool')
})

t.test('the worker pool', async (t) => {
  t.test('runs the TypeScript worker beside the module under tsx', async (t) => {
    t.equal(passwordWorkerFile(), resolve('src/security/password-worker.ts'))
    const hasher = createPasswordHasher({ workers: 2, cost: 4 })
    t.teardown(() => hasher.close())
    const hash = await hasher.hash('pässword')
    t.equal(bcryptCost(hash), 4)
    const results = await Promise.all([hasher.verify('pässword', hash), hasher.verify('password', hash), hasher.verify('pässword', hash)])
    t.same(results, [true, false, true])
  })

  t.test('runs the compiled JavaScript worker from compiled code', async (t) => {
    const dir = tempDir(t, 'portcullis-dist-')
    const out = join(dir, 'dist')
    mkdirSync(out)
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
    const tsc = resolve('node_modules/typescript/bin/tsc')
    execFileSync(process.execPath, [tsc, '--outDir', out, '--rootDir', 'src/security', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', 'src/security/password-hasher.ts'])
    const script = `
      const { createPasswordHasher, passwordWorkerFile } = await import(${JSON.stringify(join(out, 'password-hasher.js'))})
      const hasher = createPasswordHasher({ workers: 1, cost: 4 })
      const hash = await hasher.hash('secret')
      console.log(JSON.stringify({ file: passwordWorkerFile(), ok: await hasher.verify('secret', hash), wrong: await hasher.verify('other', hash) }))
      await hasher.close()`
    // A plain node process: no TypeScript loader, as when the server runs from dist/.
    writeFileSync(join(dir, 'run.js'), script)
    const output = execFileSync(process.execPath, [join(dir, 'run.js')], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' } }).toString()
    t.same(JSON.parse(output), { file: join(out, 'password-worker.js'), ok: true, wrong: false })
  })
})
