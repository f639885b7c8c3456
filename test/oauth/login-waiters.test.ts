// The login waiters (src/oauth/login-waiters.ts) as a unit: logins waiting for a busy throttle key, one list per
// key in arrival order; wake() ends the longest wait, or every wait of the key; a wait ends by itself after its
// `ms`; and a wait that ended, either way, is no longer counted or woken. The module runs real timers: waits that
// must be woken are given a minute (and woken before the test ends), a wait that must end alone a few
// milliseconds, polled for with a deadline. Through the logins: test/oauth/grants/password.test.ts,
// test/oauth/authorize/login.test.ts, test/oauth/tenant-login-throttle.test.ts.
import t from 'tap'
import { createLoginWaiters } from '../../src/oauth/login-waiters.ts'
import { settle, until } from '../support/timers.ts'

/** Long enough that no wait of a test ends by itself: each test wakes its waits before it ends. */
const LONG = 60_000
/** How long a wait of a few milliseconds may take to end on a loaded machine (a deadline, not a measure). */
const DEADLINE = 5_000
const KEY = 'user:key-1'
const OTHER = 'ip:192.0.2.1'

/** The waits that ended so far, by label, in the order they ended (how, if not by resolving to nothing). */
function recorder() {
  const ended: string[] = []
  const track = (label: string, waiting: Promise<void>) =>
    void waiting.then(
      (value) => void ended.push(value === undefined ? label : `${label}: resolved with ${String(value)}`),
      (err: unknown) => void ended.push(`${label}: rejected with ${String(err)}`),
    )
  return { ended, track }
}

t.test('no one waits for a key that was never waited for', async (t) => {
  const waiters = createLoginWaiters()
  t.equal(waiters.waiting(KEY), 0)
  waiters.wake(KEY)
  waiters.wake(KEY, true)
  t.equal(waiters.waiting(KEY), 0)
})

t.test('a wait is counted for its key only, until it is woken', async (t) => {
  const waiters = createLoginWaiters()
  const { ended, track } = recorder()
  track('first', waiters.wait(KEY, LONG))
  t.strictSame([waiters.waiting(KEY), waiters.waiting(OTHER)], [1, 0])
  track('second', waiters.wait(KEY, LONG))
  track('other', waiters.wait(OTHER, LONG))
  t.strictSame([waiters.waiting(KEY), waiters.waiting(OTHER)], [2, 1])
  await settle()
  t.strictSame(ended, [], 'nothing ends a wait but a wake or its time')

  waiters.wake(KEY)
  await settle()
  t.strictSame(ended, ['first'], 'only the longest wait of the key')
  t.strictSame([waiters.waiting(KEY), waiters.waiting(OTHER)], [1, 1], 'the woken wait is no longer counted')

  waiters.wake(OTHER)
  await settle()
  t.strictSame(ended, ['first', 'other'], "another key's wake leaves this key's waits alone")
  t.strictSame([waiters.waiting(KEY), waiters.waiting(OTHER)], [1, 0])

  waiters.wake(KEY)
  await settle()
  t.strictSame(ended, ['first', 'other', 'second'])
  t.strictSame([waiters.waiting(KEY), waiters.waiting(OTHER)], [0, 0])
})

t.test('one wake at a time ends the waits in arrival order', async (t) => {
  const waiters = createLoginWaiters()
  const { ended, track } = recorder()
  for (const label of ['a', 'b', 'c', 'd']) track(label, waiters.wait(KEY, LONG))
  t.equal(waiters.waiting(KEY), 4)
  for (const [woken, expected] of [
    [['a'], 3],
    [['a', 'b'], 2],
    [['a', 'b', 'c'], 1],
    [['a', 'b', 'c', 'd'], 0],
  ] as const) {
    waiters.wake(KEY)
    await settle()
    t.strictSame(ended, woken)
    t.equal(waiters.waiting(KEY), expected)
  }
  waiters.wake(KEY)
  t.equal(waiters.waiting(KEY), 0, 'a wake with no one left is nothing')
})

t.test('a wake of all ends every wait of the key, in arrival order', async (t) => {
  const waiters = createLoginWaiters()
  const { ended, track } = recorder()
  for (const label of ['a', 'b', 'c']) track(label, waiters.wait(KEY, LONG))
  track('other', waiters.wait(OTHER, LONG))
  waiters.wake(KEY, true)
  await settle()
  t.strictSame(ended, ['a', 'b', 'c'])
  t.strictSame([waiters.waiting(KEY), waiters.waiting(OTHER)], [0, 1])

  track('later', waiters.wait(KEY, LONG))
  t.equal(waiters.waiting(KEY), 1, 'a key emptied is waited for again from scratch')
  waiters.wake(KEY, false)
  waiters.wake(OTHER, true)
  await settle()
  t.strictSame(ended, ['a', 'b', 'c', 'later', 'other'])
  t.strictSame([waiters.waiting(KEY), waiters.waiting(OTHER)], [0, 0])
})

t.test('a wait that is not woken ends after its time, and is no longer counted or woken', async (t) => {
  const waiters = createLoginWaiters()
  const { ended, track } = recorder()
  track('long', waiters.wait(KEY, LONG))
  track('short', waiters.wait(KEY, 5))
  track('last', waiters.wait(KEY, LONG))
  t.equal(waiters.waiting(KEY), 3)
  t.ok(await until(() => ended.length > 0, DEADLINE), 'the short wait ends by itself')
  t.strictSame(ended, ['short'])
  t.equal(waiters.waiting(KEY), 2, 'it left the list; the others stay, in their order')

  waiters.wake(KEY)
  await settle()
  t.strictSame(ended, ['short', 'long'])
  waiters.wake(KEY)
  await settle()
  t.strictSame(ended, ['short', 'long', 'last'])
  t.equal(waiters.waiting(KEY), 0)
})

t.test('the only wait of a key ends by itself and leaves the key unwaited', async (t) => {
  const waiters = createLoginWaiters()
  const { ended, track } = recorder()
  track('alone', waiters.wait(KEY, 1))
  t.equal(waiters.waiting(KEY), 1)
  t.ok(await until(() => ended.length > 0, DEADLINE), 'it ends by itself')
  t.strictSame(ended, ['alone'])
  t.equal(waiters.waiting(KEY), 0)

  track('next', waiters.wait(KEY, LONG))
  t.equal(waiters.waiting(KEY), 1)
  waiters.wake(KEY)
  await settle()
  t.strictSame(ended, ['alone', 'next'])
  t.equal(waiters.waiting(KEY), 0)
})

t.test('two apps share no waits', async (t) => {
  const one = createLoginWaiters()
  const two = createLoginWaiters()
  const { ended, track } = recorder()
  track('one', one.wait(KEY, LONG))
  t.strictSame([one.waiting(KEY), two.waiting(KEY)], [1, 0])
  two.wake(KEY, true)
  await settle()
  t.strictSame(ended, [])
  one.wake(KEY)
  await settle()
  t.strictSame(ended, ['one'])
})
