// The per-app client cache behind client authentication: one lookup per CLIENT_CACHE_TTL for a known client,
// none remembered for an unknown one, one lookup for every refusal (so a refusal's time does not tell which
// client ids exist), changes through this instance's admin API at once, changes made elsewhere within the
// bound, and a bounded size.
import t from 'tap'
import { clientRow } from '../support/client-row.ts'
import { buildApp } from '../../src/app.ts'
import { createClientCache } from '../../src/oauth/client-cache.ts'
import { sha256 } from '../../src/security/secrets.ts'
import type { Client } from '../../src/store/clients.ts'
import { adminHeaders, client, signedToken } from '../support/admin-fixtures.ts'
import { build, providers, type TestContext } from '../support/helper.ts'
import { basic, seed, tokenRequest } from '../support/token-fixtures.ts'

const CC = { grant_type: 'client_credentials', scope: 'read' }

/** Counts the store's client lookups until the test ends. */
function countLookups(
  t: { teardown(fn: () => unknown): void },
  ctx: Pick<TestContext, 'store'>,
): { readonly count: number } {
  const findById = ctx.store.clients.findById
  const counter = { count: 0 }
  ctx.store.clients.findById = (scope, clientId) => {
    counter.count++
    return findById(scope, clientId)
  }
  t.teardown(() => {
    ctx.store.clients.findById = findById
  })
  return counter
}

const statuses = (responses: { statusCode: number }[]) => [...new Set(responses.map((response) => response.statusCode))]

for (const provider of providers) {
  t.test(`client cache on ${provider}`, async (t) => {
    let clock = Date.parse('2030-01-01T00:00:00Z')
    const ctx = await build(t, { provider, now: () => clock })
    const seeded = await seed(ctx.store)
    const admin = client(ctx.app, {
      authorization: `Bearer ${(await signedToken(ctx, { scope: 'admin', now: clock, ttl: 86400 })).token}`,
    })

    t.test('a known client is looked up once per CLIENT_CACHE_TTL, however many requests', async (t) => {
      const lookups = countLookups(t, ctx)
      const burst = () =>
        Promise.all(Array.from({ length: 20 }, () => tokenRequest(ctx.app, CC, { authorization: seeded.machine.auth })))
      t.same(statuses(await burst()), [200])
      t.equal(lookups.count, 1, 'concurrent requests share one lookup')
      clock += ctx.config.clientCacheTtl * 1000 - 1
      t.same(statuses(await burst()), [200])
      t.equal(lookups.count, 1, 'still cached just before the TTL')
      clock += 1
      t.same(statuses(await burst()), [200])
      t.equal(lookups.count, 2, 'looked up again once the entry is CLIENT_CACHE_TTL old')
    })

    t.test(
      'an unknown client_id is looked up on every request, so a client created elsewhere works at once',
      async (t) => {
        const lookups = countLookups(t, ctx)
        const auth = basic('later', 'later-secret-with-enough-entropy-0123456789')
        for (let i = 0; i < 3; i++) {
          const response = await tokenRequest(ctx.app, CC, { authorization: auth })
          t.equal(response.statusCode, 401)
          t.same(response.json(), { error: 'invalid_client', error_description: 'client authentication failed' })
        }
        t.equal(lookups.count, 3)
        await ctx.store.clients.create({
          clientId: 'later',
          name: 'Later',
          secretHash: sha256('later-secret-with-enough-entropy-0123456789'),
          grantTypes: ['client_credentials'],
          scopes: ['read'],
        })
        t.equal(
          (await tokenRequest(ctx.app, CC, { authorization: auth })).statusCode,
          200,
          'created in the database by someone else: accepted at once',
        )
      },
    )

    t.test('a refusal costs one lookup whether the client_id exists or not, so its time does not tell', async (t) => {
      const refusedAs = async (authorization: string | undefined, params: Record<string, string> = CC) => {
        const lookups = countLookups(t, ctx)
        for (let i = 0; i < 3; i++) {
          const response = await tokenRequest(ctx.app, params, authorization ? { authorization } : {})
          t.equal(response.statusCode, 401)
          t.same(response.json(), { error: 'invalid_client', error_description: 'client authentication failed' })
        }
        return lookups.count
      }
      t.equal(
        (await tokenRequest(ctx.app, CC, { authorization: seeded.machine.auth })).statusCode,
        200,
        'machine is cached',
      )
      t.equal(
        await refusedAs(basic('machine', 'a-wrong-secret')),
        3,
        'a known client with a wrong secret: one lookup per request',
      )
      t.equal(await refusedAs(basic('nobody', 'a-wrong-secret')), 3, 'an unknown client_id: one lookup per request')
      t.equal(
        await refusedAs(undefined, { ...CC, client_id: 'machine' }),
        3,
        'a known confidential client without its secret: the same answer, one lookup',
      )
      t.equal(
        await refusedAs(undefined, { ...CC, client_id: 'nobody' }),
        3,
        'an unknown client_id without a secret: the same',
      )
      const lookups = countLookups(t, ctx)
      t.equal((await tokenRequest(ctx.app, CC, { authorization: seeded.machine.auth })).statusCode, 200)
      t.equal(lookups.count, 0, 'the right secret is still answered from the cache')
    })

    t.test('a secret rotated through another instance works here at once', async (t) => {
      const other = await buildApp({
        config: ctx.config,
        store: ctx.store,
        keyring: ctx.keyring,
        masterKey: ctx.masterKey,
        logger: false,
        now: () => clock,
      })
      t.teardown(() => other.close())
      const created = (
        await admin.post('/admin/v1/clients', {
          name: 'rotated elsewhere',
          grant_types: ['client_credentials'],
          scopes: ['read'],
        })
      ).json()
      t.equal(
        (await tokenRequest(ctx.app, CC, { authorization: basic(created.client_id, created.client_secret) }))
          .statusCode,
        200,
        'cached here',
      )
      const rotated = await client(other, {
        authorization: `Bearer ${(await signedToken(ctx, { scope: 'admin', now: clock, ttl: 86400 })).token}`,
      }).post(`/admin/v1/clients/${created.client_id}/rotate-secret`, { previous_secret_grace_seconds: 0 })
      t.equal(rotated.statusCode, 200)
      t.equal(
        (await tokenRequest(ctx.app, CC, { authorization: basic(created.client_id, rotated.json().client_secret) }))
          .statusCode,
        200,
        'the new secret is accepted here at once',
      )
      const stale = await tokenRequest(ctx.app, CC, { authorization: basic(created.client_id, created.client_secret) })
      t.equal(stale.statusCode, 401, 'and the old one refused, since the refusal re-read the client')
    })

    t.test(
      'a rotated secret, a removed grant type and a deleted client take effect at once through this instance',
      async (t) => {
        const created = (
          await admin.post('/admin/v1/clients', {
            name: 'rotating',
            grant_types: ['client_credentials'],
            scopes: ['read'],
          })
        ).json()
        const oldAuth = basic(created.client_id, created.client_secret)
        t.equal((await tokenRequest(ctx.app, CC, { authorization: oldAuth })).statusCode, 200, 'cached now')

        const rotated = await admin.post(`/admin/v1/clients/${created.client_id}/rotate-secret`, {
          previous_secret_grace_seconds: 0,
        })
        t.equal(rotated.statusCode, 200)
        const stale = await tokenRequest(ctx.app, CC, { authorization: oldAuth })
        t.equal(stale.statusCode, 401, 'the old secret is refused at once')
        t.same(stale.json(), { error: 'invalid_client', error_description: 'client authentication failed' })
        const newAuth = basic(created.client_id, rotated.json().client_secret)
        t.equal(
          (await tokenRequest(ctx.app, CC, { authorization: newAuth })).statusCode,
          200,
          'the new secret works at once',
        )

        t.equal(
          (await admin.patch(`/admin/v1/clients/${created.client_id}`, { grant_types: ['password'] })).statusCode,
          200,
        )
        const refused = await tokenRequest(ctx.app, CC, { authorization: newAuth })
        t.equal(refused.statusCode, 400)
        t.same(refused.json(), {
          error: 'unauthorized_client',
          error_description: 'this client may not use the client_credentials grant',
        })

        t.equal((await admin.delete(`/admin/v1/clients/${created.client_id}`)).statusCode, 204)
        const gone = await tokenRequest(ctx.app, CC, { authorization: newAuth })
        t.equal(gone.statusCode, 401, 'deleted: refused at once')
        t.same(gone.json(), { error: 'invalid_client', error_description: 'client authentication failed' })
      },
    )

    t.test('with CLIENT_CACHE_TTL=0 every request looks the client up', async (t) => {
      const ctx = await build(t, { provider, env: { CLIENT_CACHE_TTL: '0' } })
      const seeded = await seed(ctx.store)
      const lookups = countLookups(t, ctx)
      for (let i = 0; i < 3; i++)
        t.equal((await tokenRequest(ctx.app, CC, { authorization: seeded.machine.auth })).statusCode, 200)
      t.equal(lookups.count, 3)
    })

    t.test('a secret rotated through another instance stops working here within CLIENT_CACHE_TTL', async (t) => {
      const ctx = await build(t, { provider, env: { CLIENT_CACHE_TTL: '30' } })
      // The other instance's clock is moved by hand: its cache expiry is a step of the test, not a wait.
      let otherClock = Date.now()
      const other = await buildApp({
        config: ctx.config,
        store: ctx.store,
        keyring: ctx.keyring,
        masterKey: ctx.masterKey,
        logger: false,
        now: () => otherClock,
      })
      t.teardown(() => other.close())
      const created = (
        await client(ctx.app, await adminHeaders(ctx)).post('/admin/v1/clients', {
          name: 'shared',
          grant_types: ['client_credentials'],
          scopes: ['read'],
        })
      ).json()
      const oldAuth = basic(created.client_id, created.client_secret)
      const use = () => tokenRequest(other, CC, { authorization: oldAuth })
      t.equal((await use()).statusCode, 200, 'the other instance has it cached')

      t.equal(
        (await client(ctx.app, await adminHeaders(ctx)).post(`/admin/v1/clients/${created.client_id}/rotate-secret`))
          .statusCode,
        200,
      )
      otherClock += 30_000 - 1
      t.equal((await use()).statusCode, 200, 'still accepted there while its cached entry is younger than the TTL')
      otherClock += 1
      const refused = await use()
      t.equal(refused.statusCode, 401, 'refused there once the entry is CLIENT_CACHE_TTL old')
      t.same(refused.json(), { error: 'invalid_client', error_description: 'client authentication failed' })
    })
  })
}

t.test('the cache itself', async (t) => {
  const row = (clientId: string): Client => clientRow({ clientId })

  t.test('holds at most maxEntries clients, dropping the oldest', async (t) => {
    const looked: string[] = []
    const cache = createClientCache({
      store: {
        clients: {
          findById: async (_scope, id) => {
            looked.push(id)
            return row(id)
          },
        },
      },
      ttlSeconds: 60,
      now: () => 0,
      maxEntries: 3,
    })
    for (const id of ['a', 'b', 'c', 'd']) await cache.find(id)
    await cache.find('d')
    await cache.find('b')
    t.same(looked, ['a', 'b', 'c', 'd'], 'b, c and d are still cached')
    await cache.find('a')
    t.same(looked, ['a', 'b', 'c', 'd', 'a'], 'a was dropped to make room for d')
  })

  t.test('a failed lookup is not remembered', async (t) => {
    let fail = true
    const cache = createClientCache({
      store: {
        clients: { findById: async (_scope, id) => (fail ? Promise.reject(new Error('database down')) : row(id)) },
      },
      ttlSeconds: 60,
      now: () => 0,
    })
    await t.rejects(cache.find('a'), { message: 'database down' })
    fail = false
    t.equal((await cache.find('a'))?.clientId, 'a')
  })

  t.test('cached clients are read-only, so no request can change what the next one sees', async (t) => {
    const cache = createClientCache({
      store: { clients: { findById: async (_scope, id) => row(id) } },
      ttlSeconds: 60,
      now: () => 0,
    })
    const found = (await cache.find('a'))!
    t.throws(() => (found.scopes as string[]).push('admin'), TypeError)
    t.throws(() => Object.assign(found, { isPublic: true }), TypeError)
    t.same((await cache.find('a'))?.scopes, ['read'])
  })

  /** A store whose queries answer when the test says, so that a test can order them. */
  const pendingStore = () => {
    const queries: { clientId: string; answer(client: Client | undefined): void; fail(err: Error): void }[] = []
    const store = {
      clients: {
        findById: (_scope: unknown, clientId: string) =>
          new Promise<Client | undefined>((answer, fail) => queries.push({ clientId, answer, fail })),
      },
    }
    return { store, queries }
  }

  /** A store that answers at once and counts its queries. */
  const countingStore = () => {
    const counter = { count: 0 }
    const store = {
      clients: {
        findById: async (_scope: unknown, clientId: string) => {
          counter.count++
          return row(clientId)
        },
      },
    }
    return { store, counter }
  }

  t.test('lookup tells whether the answer came from the cache, which decides the re-read of a refusal', async (t) => {
    // Client authentication re-reads a client it refuses only when the refusal came from the cache
    // (client-auth.ts, client-assertion.ts): a fresh answer reported as cached would cost a refusal two queries,
    // a cached one reported as fresh would refuse a secret rotated elsewhere and answer faster than an unknown id.
    const { store, queries } = pendingStore()
    const cache = createClientCache({ store, ttlSeconds: 60, now: () => 0 })
    const first = cache.lookup('a')
    const second = cache.lookup('a')
    t.equal(queries.length, 1, 'concurrent lookups share one query')
    queries[0]!.answer(row('a'))
    t.same((await first).fromCache, false, 'the lookup that made the query did not come from the cache')
    t.equal((await first).client?.clientId, 'a')
    const shared = await second
    t.equal(shared.client?.clientId, 'a', 'a lookup that waited for the query in flight gets its client')
    t.equal(shared.fromCache, false, 'and it awaited a query, so it is not from the cache')
    const cached = await cache.lookup('a')
    t.equal(cached.client?.clientId, 'a')
    t.equal(cached.fromCache, true, 'answered from memory with no query')
    t.equal(queries.length, 1)
  })

  t.test('with ttlSeconds 0 every call queries the store and nothing is reported as cached', async (t) => {
    const { store, counter } = countingStore()
    let clock = 10_000
    const cache = createClientCache({ store, ttlSeconds: 0, now: () => clock })
    t.equal((await cache.find('a'))?.clientId, 'a')
    // A wall clock can step back (NTP): a disabled cache must not then serve what an earlier call read.
    clock -= 5_000
    t.equal((await cache.find('a'))?.clientId, 'a')
    t.equal(counter.count, 2, 'find queried again after the clock stepped back')
    const lookup = await cache.lookup('a')
    t.same({ clientId: lookup.client?.clientId, fromCache: lookup.fromCache }, { clientId: 'a', fromCache: false })
    clock -= 5_000
    const again = await cache.lookup('a')
    t.same({ clientId: again.client?.clientId, fromCache: again.fromCache }, { clientId: 'a', fromCache: false })
    t.equal(counter.count, 4, 'lookup queried every time')
    const reloads = await Promise.all([cache.reload('a'), cache.reload('a')])
    t.same(
      reloads.map((client) => client?.clientId),
      ['a', 'a'],
    )
    t.equal(counter.count, 6, 'concurrent reloads each query the store: no query is shared either')
  })

  t.test('a clock stepping back makes a cached client stale rather than serving it for longer', async (t) => {
    const { store, counter } = countingStore()
    let clock = 100_000
    const cache = createClientCache({ store, ttlSeconds: 60, now: () => clock })
    await cache.find('a')
    clock += 59_999
    await cache.find('a')
    t.equal(counter.count, 1, 'served from memory within the TTL')
    // Stepped back before the read: without the check, the entry would live until 100,000 + 60,000 again.
    clock = 99_999
    await cache.find('a')
    t.equal(counter.count, 2, 'read again once the clock is earlier than the read')
    await cache.find('a')
    t.equal(counter.count, 2, 'and that read is cached from the new time on')
  })

  t.test('reload shares a query already in flight, and reads afresh a client already answered', async (t) => {
    const { store, queries } = pendingStore()
    const cache = createClientCache({ store, ttlSeconds: 60, now: () => 0 })
    const found = cache.lookup('a')
    const reloaded = cache.reload('a')
    t.equal(queries.length, 1, 'the reload waits for the lookup in flight')
    for (const query of queries) query.answer(row('a'))
    t.equal((await reloaded)?.clientId, 'a')
    t.equal((await found).client?.clientId, 'a')
    const again = cache.reload('a')
    t.equal(queries.length, 2, 'a client already answered is read again')
    queries.at(-1)!.answer({ ...row('a'), name: 'renamed' })
    t.equal((await again)?.name, 'renamed')
    t.equal((await cache.find('a'))?.name, 'renamed', 'and cached afresh')
    t.equal(queries.length, 2)
  })

  for (const [late, settle] of [
    ['no client', (query: { answer(client: undefined): void }) => query.answer(undefined)],
    ['an error', (query: { fail(err: Error): void }) => query.fail(new Error('database down'))],
  ] as const) {
    t.test(`a superseded lookup that answers late with ${late} does not forget the newer entry`, async (t) => {
      const { store, queries } = pendingStore()
      const cache = createClientCache({ store, ttlSeconds: 60, now: () => 0 })
      const stale = cache.find('a')
      cache.invalidate('a')
      const fresh = cache.find('a')
      t.equal(queries.length, 2, 'the invalidated lookup is not shared')
      queries[1]!.answer(row('a'))
      t.equal((await fresh)?.clientId, 'a')
      settle(queries[0]!)
      if (late === 'no client') t.equal(await stale, undefined)
      else await t.rejects(stale, { message: 'database down' })
      const again = cache.find('a')
      t.equal(queries.length, 2, 'the newer entry is still cached')
      for (const query of queries.slice(2)) query.answer(row('a'))
      t.equal((await again)?.clientId, 'a')
    })
  }

  t.test('a client read again once stale goes to the back of the eviction order', async (t) => {
    const { store, counter } = countingStore()
    let clock = 0
    const cache = createClientCache({ store, ttlSeconds: 60, now: () => clock, maxEntries: 3 })
    await cache.find('a')
    await cache.find('b')
    clock = 60_000
    await cache.find('a')
    t.equal(counter.count, 3, 'a was read again once 60 s old')
    await cache.find('c')
    await cache.find('d')
    t.equal(counter.count, 5)
    await cache.find('a')
    t.equal(counter.count, 5, 'b, read before a, was dropped to make room for d; a is still cached')
    await cache.find('b')
    t.equal(counter.count, 6)
  })

  t.test('invalidate and invalidateAll forget clients and tell onInvalidate', async (t) => {
    const { store, counter } = countingStore()
    let told = 0
    const cache = createClientCache({ store, ttlSeconds: 60, now: () => 0, onInvalidate: () => told++ })
    for (const id of ['a', 'b', 'c']) await cache.find(id)
    t.equal(counter.count, 3)
    cache.invalidate('a')
    t.equal(told, 1)
    await cache.find('a')
    await cache.find('b')
    t.equal(counter.count, 4, 'only a was read again')
    cache.invalidateAll()
    t.equal(told, 2)
    for (const id of ['a', 'b', 'c']) await cache.find(id)
    t.equal(counter.count, 7, 'every client was read again')
  })

  t.test('invalidate and invalidateAll work without onInvalidate', async (t) => {
    const { store, counter } = countingStore()
    const cache = createClientCache({ store, ttlSeconds: 60, now: () => 0 })
    await cache.find('a')
    t.doesNotThrow(() => cache.invalidate('a'))
    await cache.find('a')
    t.doesNotThrow(() => cache.invalidateAll())
    await cache.find('a')
    t.equal(counter.count, 3)
  })
})
