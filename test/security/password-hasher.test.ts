// The bcrypt pool (src/security/password-hasher.ts): threads start with the first login and end after a time
// without one (README, "Memory"), so a server that sees few logins does not hold their memory.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createPasswordHasher, PASSWORD_WORKER_IDLE_MS } from '../../src/security/password-hasher.ts'

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
