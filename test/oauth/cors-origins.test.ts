// The browser origins allowed to call the CORS endpoints (src/oauth/cors-origins.ts) as a unit, with a fake
// client store that records every read and an injected clock: CORS_ORIGINS without any read, the clients'
// origins read once per CLIENT_CACHE_TTL (both sides of its end, counted from when the read began), one read for
// requests that arrive together, invalidate() (also during a read), and a database that fails before and after
// a first read. Through the routes: test/http/cors.test.ts.
import t from 'tap'
import { createCorsOrigins } from '../../src/oauth/cors-origins.ts'
import { ANY_TENANT, type TenantScope } from '../../src/store/tenant-scope.ts'

const NOW = 1_800_000_000_000
const TTL = 60
const CONFIGURED = 'https://configured.example'
const SPA = 'https://spa.example'
const OTHER_SPA = 'https://other-spa.example'
const STRANGER = 'https://evil.example'
const DOWN = new Error('database unavailable')

interface Read {
  resolve(origins: string[]): void
  reject(err: Error): void
}

/** Each read waits until the test answers it (`answer`), or is answered at once with `next`. */
function setup() {
  const clock = { now: NOW }
  const calls: unknown[][] = []
  const pending: Read[] = []
  let next: string[] | Error | undefined
  const origins = createCorsOrigins({
    store: {
      clients: {
        listAllowedOrigins(scope: TenantScope) {
          calls.push(['clients.listAllowedOrigins', scope])
          const answer = next
          return new Promise<string[]>((resolve, reject) => {
            if (answer instanceof Error) reject(answer)
            else if (answer) resolve(answer)
            else pending.push({ resolve, reject })
          })
        },
      },
    },
    configured: [CONFIGURED],
    ttlSeconds: TTL,
    now: () => clock.now,
  })
  const answers = (value: string[] | Error) => {
    next = value
  }
  return { origins, calls, pending, clock, answers }
}

const READ = ['clients.listAllowedOrigins', ANY_TENANT]

t.test('a configured origin is allowed without reading the clients', async (t) => {
  const { origins, calls } = setup()
  t.strictSame(await origins.allows(CONFIGURED), true)
  t.strictSame(calls, [])
})

t.test("a client's origin is allowed, a stranger is not, from one read of every tenant's clients", async (t) => {
  const { origins, calls, answers } = setup()
  answers([SPA, OTHER_SPA])
  t.strictSame(await origins.allows(SPA), true)
  t.strictSame(await origins.allows(OTHER_SPA), true)
  t.strictSame(await origins.allows(STRANGER), false)
  t.strictSame(calls, [READ])
})

t.test('the origins read are kept until CLIENT_CACHE_TTL seconds after the read began', async (t) => {
  const { origins, calls, pending, clock } = setup()
  const first = origins.allows(SPA)
  clock.now = NOW + 5_000
  pending[0]!.resolve([SPA])
  t.strictSame(await first, true)
  clock.now = NOW + TTL * 1000 - 1
  t.strictSame(await origins.allows(STRANGER), false)
  t.strictSame(calls, [READ], 'one millisecond before the end: no second read')
  clock.now = NOW + TTL * 1000
  const second = origins.allows(STRANGER)
  t.strictSame(calls, [READ, READ], 'at the end (the read began at NOW, not when it answered): read again')
  pending[1]!.resolve([STRANGER])
  t.strictSame(await second, true)
  clock.now = NOW + 2 * TTL * 1000 - 1
  t.strictSame(await origins.allows(SPA), false, 'the new read replaced the old set')
  t.strictSame(calls, [READ, READ])
})

t.test('requests that arrive together share one read', async (t) => {
  const { origins, calls, pending } = setup()
  const both = Promise.all([origins.allows(SPA), origins.allows(STRANGER)])
  t.strictSame(calls, [READ])
  pending[0]!.resolve([SPA])
  t.strictSame(await both, [true, false])
  const after = origins.allows(SPA)
  t.strictSame(await after, true)
  t.strictSame(calls, [READ], 'fresh: not read again')
})

t.test('invalidate() reads the origins again at the next request, within the TTL', async (t) => {
  const { origins, calls, pending } = setup()
  const first = origins.allows(SPA)
  pending[0]!.resolve([])
  t.strictSame(await first, false)
  origins.invalidate()
  const second = origins.allows(SPA)
  t.strictSame(calls, [READ, READ])
  pending[1]!.resolve([SPA])
  t.strictSame(await second, true)
  t.strictSame(await origins.allows(SPA), true)
  t.strictSame(calls, [READ, READ], 'the read after the change is fresh')
  origins.invalidate()
  origins.invalidate()
  const third = origins.allows(SPA)
  pending[2]!.resolve([])
  t.strictSame(await third, false)
  t.strictSame(await origins.allows(SPA), false)
  t.strictSame(calls, [READ, READ, READ], 'fresh after two changes too')
})

t.test('a read that began before invalidate() is used, but not taken as fresh', async (t) => {
  const { origins, calls, pending } = setup()
  const during = origins.allows(SPA)
  origins.invalidate()
  pending[0]!.resolve([SPA])
  t.strictSame(await during, true)
  const after = origins.allows(SPA)
  t.strictSame(calls, [READ, READ], 'read again at once')
  pending[1]!.resolve([])
  t.strictSame(await after, false)
  t.strictSame(await origins.allows(SPA), false)
  t.strictSame(calls, [READ, READ], 'and that read is fresh')
})

t.test('the database failing before any read: the request fails with its error', async (t) => {
  const { origins, calls, answers } = setup()
  answers(DOWN)
  await t.rejects(origins.allows(SPA), DOWN)
  t.strictSame(await origins.allows(CONFIGURED), true)
  answers([SPA])
  t.strictSame(await origins.allows(SPA), true, 'a failed read is not kept')
  t.strictSame(calls, [READ, READ])
})

t.test('the database failing after a read: the origins last read still hold', async (t) => {
  const { origins, calls, answers, clock } = setup()
  answers([SPA])
  t.strictSame(await origins.allows(SPA), true)
  answers(DOWN)
  origins.invalidate()
  t.strictSame(await origins.allows(SPA), true)
  t.strictSame(await origins.allows(STRANGER), false)
  clock.now = NOW + TTL * 1000
  t.strictSame(await origins.allows(SPA), true)
  t.strictSame(calls, [READ, READ, READ, READ], 'a failed read is not fresh: every request tries again')
  answers([STRANGER])
  t.strictSame(await origins.allows(STRANGER), true)
  t.strictSame(await origins.allows(SPA), false)
  t.strictSame(calls, [READ, READ, READ, READ, READ])
})
