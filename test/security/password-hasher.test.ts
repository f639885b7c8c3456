// The bcrypt pool (src/security/password-hasher.ts): threads start with the first login and end after a time
// without one (README, "Memory"), so a server that sees few logins does not hold their memory; closing ends them.
// And the cost read from a stored hash (src/security/passwords.ts), which decides when a hash is upgraded.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createPasswordHasher, PASSWORD_WORKER_IDLE_MS } from '../../src/security/password-hasher.ts'
import { bcryptCost } from '../../src/security/passwords.ts'

t.test('bcrypt threads end after 30 s without a login', async (t) => {
  t.equal(PASSWORD_WORKER_IDLE_MS, 30_000, 'the documented figure')
  const hasher = createPasswordHasher({ workers: 2, cost: 4 })
  t.teardown(() => hasher.close())
  t.equal(hasher.idleTimeoutMs, 30_000, 'the pool is made with it unless told otherwise')
})

t.test('no thread runs before the first login; one runs for it and ends once idle', async (t) => {
  const hasher = createPasswordHasher({ workers: 2, cost: 4, idleTimeoutMs: 300 })
  t.teardown(() => hasher.close())
  t.equal(hasher.threads(), 0, 'nothing started with the pool')
  const hash = await hasher.hash('correct horse')
  t.equal(await hasher.verify('correct horse', hash), true)
  t.ok(hasher.threads() >= 1, 'a thread ran the work')
  // Polled with a deadline: the pool checks idleness on its own timer.
  const deadline = Date.now() + 15_000
  while (hasher.threads() > 0 && Date.now() < deadline) await sleep(50)
  t.equal(hasher.threads(), 0, 'every thread ended after the idle time')
  t.equal(await hasher.verify('correct horse', hash), true, 'and a later login starts one again')
})

t.test('closing the pool ends its threads at once, after the work in flight', async (t) => {
  const hasher = createPasswordHasher({ workers: 2, cost: 4 })
  const hashing = hasher.hash('correct horse')
  await hasher.close()
  t.match(await hashing, /^\$2[aby]\$04\$/, 'the hash in flight finished')
  t.equal(hasher.threads(), 0, 'no thread left running (the idle time is 30 s)')
})

t.test('the cost of a bcrypt hash is read from its prefix, and nothing else', async (t) => {
  const salt = '$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'
  t.equal(bcryptCost(`$2b$10${salt}`), 10)
  t.equal(bcryptCost(`$2a$04${salt}`), 4)
  t.equal(bcryptCost(`$2y$12${salt}`), 12)
  t.equal(bcryptCost(`$2$05${salt}`), 5, 'the first version, with no letter')
  t.equal(bcryptCost(`x$2b$10${salt}`), undefined, 'a prefix anywhere but at the start is no bcrypt hash')
  t.equal(bcryptCost(`$2b$1${salt}`), undefined, 'a cost of one digit')
  t.equal(bcryptCost(`$2c$10${salt}`), undefined, 'an unknown version')
  t.equal(bcryptCost('argon2id$v=19$m=65536'), undefined)
})
