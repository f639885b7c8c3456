// The usage API: /admin/v1/usage, /admin/v1/access-keys/{id}/usage, /admin/v1/clients/{clientId}/usage and
// /v1/me/access-keys/{id}/usage. Periods and buckets (hour and day, widened to whole buckets), whole answers,
// every bad query a 400 in the error shape, unknown ids 404, and a user sees only their own keys' usage.
import t from 'tap'
import { sha256 } from '../../src/security/secrets.ts'
import type { UsageIncrement } from '../../src/store/usage.ts'
import { adminHeaders, client, signedToken } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'

const NOW = Date.parse('2026-12-05T10:20:00.000Z')
const at = (iso: string) => new Date(iso)

for (const provider of providers) {
  t.test(`usage API on ${provider}`, async (t) => {
    const ctx = await build(t, { provider, now: () => NOW })
    const { app, store } = ctx
    const admin = client(app, await adminHeaders(ctx))
    await store.clients.create({
      clientId: 'machine',
      name: 'Machine',
      secretHash: sha256('machine-secret-with-plenty-of-entropy-0123456789'),
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
    const users = async (username: string) =>
      (
        await admin.post('/admin/v1/users', {
          username,
          password: 'a long enough password',
          scopes: ['read', 'keys:write'],
        })
      ).json()
    const owen = await users('owen')
    const pia = await users('pia')
    const owensKey = (
      await admin.post('/admin/v1/access-keys', { name: 'owen-ci', scopes: ['read'], user_id: owen.id })
    ).json()
    const piasKey = (
      await admin.post('/admin/v1/access-keys', { name: 'pia-ci', scopes: ['read'], user_id: pia.id })
    ).json()
    const serviceKey = (await admin.post('/admin/v1/access-keys', { name: 'svc', scopes: ['read'] })).json()

    const row = (subjectId: string, hour: string, kind: string, count: number, subjectType = 'access_key') =>
      ({ subjectType, subjectId, hour: at(hour), kind, count }) as UsageIncrement
    await store.usage.add([
      row(owensKey.id, '2026-12-04T09:00:00.000Z', 'token.token_exchange', 7), // 25 hours ago: outside the default
      row(owensKey.id, '2026-12-04T23:00:00.000Z', 'token.token_exchange', 2),
      row(owensKey.id, '2026-12-05T08:00:00.000Z', 'token.token_exchange', 3),
      row(owensKey.id, '2026-12-05T08:00:00.000Z', 'refused', 1),
      row(owensKey.id, '2026-12-05T10:00:00.000Z', 'api', 4),
      row(piasKey.id, '2026-12-05T10:00:00.000Z', 'api', 5),
      row('machine', '2026-12-05T09:00:00.000Z', 'token.client_credentials', 6, 'client'),
      row('machine', '2026-12-05T10:00:00.000Z', 'throttled', 1, 'client'),
    ])

    t.test('an access key: the last 24 hours by hour, only the buckets with counts, ascending', async (t) => {
      const response = await admin.get(`/admin/v1/access-keys/${owensKey.id}/usage`)
      t.equal(response.statusCode, 200)
      t.equal(response.headers['cache-control'], 'no-store')
      t.same(response.json(), {
        from: '2026-12-04T10:00:00.000Z',
        to: '2026-12-05T11:00:00.000Z',
        granularity: 'hour',
        buckets: [
          { start: '2026-12-04T23:00:00.000Z', counts: { 'token.token_exchange': 2 } },
          { start: '2026-12-05T08:00:00.000Z', counts: { refused: 1, 'token.token_exchange': 3 } },
          { start: '2026-12-05T10:00:00.000Z', counts: { api: 4 } },
        ],
        totals: { refused: 1, 'token.token_exchange': 5, api: 4 },
      })
    })

    t.test('by day, over a period given with offsets, widened to whole days', async (t) => {
      const from = encodeURIComponent('2026-12-04T08:30:00+01:00')
      const response = await admin.get(
        `/admin/v1/access-keys/${owensKey.id}/usage?from=${from}&to=2026-12-05T10:00:00Z&granularity=day`,
      )
      t.same(response.json(), {
        from: '2026-12-04T00:00:00.000Z',
        to: '2026-12-06T00:00:00.000Z',
        granularity: 'day',
        buckets: [
          { start: '2026-12-04T00:00:00.000Z', counts: { 'token.token_exchange': 9 } },
          { start: '2026-12-05T00:00:00.000Z', counts: { refused: 1, 'token.token_exchange': 3, api: 4 } },
        ],
        totals: { 'token.token_exchange': 12, refused: 1, api: 4 },
      })
    })

    t.test('a period with nothing counted has no bucket and empty totals', async (t) => {
      const response = await admin.get(
        `/admin/v1/access-keys/${serviceKey.id}/usage?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z`,
      )
      t.same(response.json(), {
        from: '2026-12-01T00:00:00.000Z',
        to: '2026-12-02T00:00:00.000Z',
        granularity: 'hour',
        buckets: [],
        totals: {},
      })
    })

    t.test('a client', async (t) => {
      t.same((await admin.get('/admin/v1/clients/machine/usage')).json(), {
        from: '2026-12-04T10:00:00.000Z',
        to: '2026-12-05T11:00:00.000Z',
        granularity: 'hour',
        buckets: [
          { start: '2026-12-05T09:00:00.000Z', counts: { 'token.client_credentials': 6 } },
          { start: '2026-12-05T10:00:00.000Z', counts: { throttled: 1 } },
        ],
        totals: { 'token.client_credentials': 6, throttled: 1 },
      })
    })

    t.test('the overview sums every key and client; subject_type selects one side', async (t) => {
      const query = 'from=2026-12-05T00:00:00Z&granularity=day'
      t.same((await admin.get(`/admin/v1/usage?${query}`)).json(), {
        from: '2026-12-05T00:00:00.000Z',
        to: '2026-12-06T00:00:00.000Z',
        granularity: 'day',
        buckets: [
          {
            start: '2026-12-05T00:00:00.000Z',
            counts: { refused: 1, 'token.token_exchange': 3, api: 9, 'token.client_credentials': 6, throttled: 1 },
          },
        ],
        totals: { refused: 1, 'token.token_exchange': 3, api: 9, 'token.client_credentials': 6, throttled: 1 },
      })
      t.same((await admin.get(`/admin/v1/usage?${query}&subject_type=client`)).json().totals, {
        'token.client_credentials': 6,
        throttled: 1,
      })
      t.same((await admin.get(`/admin/v1/usage?${query}&subject_type=access_key`)).json().totals, {
        refused: 1,
        'token.token_exchange': 3,
        api: 9,
      })
    })

    t.test('bad queries are 400 with every field named; unknown ids are 404', async (t) => {
      const bad = await admin.get(`/admin/v1/access-keys/${owensKey.id}/usage?from=yesterday&to=2026-02-30T00:00:00Z`)
      t.equal(bad.statusCode, 400)
      t.same(bad.json(), {
        error: 'invalid_request',
        error_description:
          'from: must be an RFC 3339 date-time, e.g. 2026-12-05T10:00:00Z; to: must be an RFC 3339 date-time, e.g. 2026-12-05T10:00:00Z',
        details: [
          { field: 'from', message: 'must be an RFC 3339 date-time, e.g. 2026-12-05T10:00:00Z' },
          { field: 'to', message: 'must be an RFC 3339 date-time, e.g. 2026-12-05T10:00:00Z' },
        ],
      })
      const backwards = await admin.get('/admin/v1/usage?from=2026-12-05T10:00:00Z&to=2026-12-05T09:00:00Z')
      t.same(backwards.json(), {
        error: 'invalid_request',
        error_description: 'to: must be after from',
        details: [{ field: 'to', message: 'must be after from' }],
      })
      const long = await admin.get('/admin/v1/usage?from=2025-01-01T00:00:00Z&to=2026-12-05T00:00:00Z')
      t.same(long.json(), {
        error: 'invalid_request',
        error_description: 'from: the period may be at most 366 days long',
        details: [{ field: 'from', message: 'the period may be at most 366 days long' }],
      })
      const granularity = await admin.get('/admin/v1/clients/machine/usage?granularity=week')
      t.equal(granularity.statusCode, 400)
      t.match(granularity.json(), { error: 'invalid_request', details: [{ field: 'granularity' }] })
      const unknownParameter = await admin.get('/admin/v1/usage?since=7d')
      t.equal(unknownParameter.statusCode, 400)
      t.match(unknownParameter.json(), { error: 'invalid_request' })
      const tooLong = await admin.get(`/admin/v1/usage?from=${'9'.repeat(65)}`)
      t.equal(tooLong.statusCode, 400)
      t.same((await admin.get('/admin/v1/access-keys/nope/usage')).json(), {
        error: 'not_found',
        error_description: 'no access key has this id',
      })
      t.same((await admin.get('/admin/v1/clients/nope/usage')).json(), {
        error: 'not_found',
        error_description: 'no client has this client_id',
      })
    })

    t.test('the admin routes need scope admin', async (t) => {
      const user = client(app, {
        authorization: `Bearer ${(await signedToken(ctx, { scope: 'keys:write', sub: owen.id })).token}`,
      })
      for (const url of [
        '/admin/v1/usage',
        `/admin/v1/access-keys/${owensKey.id}/usage`,
        '/admin/v1/clients/machine/usage',
      ]) {
        const response = await user.get(url)
        t.equal(response.statusCode, 403, url)
        t.equal(response.json().error, 'insufficient_scope')
      }
      t.equal((await app.inject({ url: '/admin/v1/usage' })).statusCode, 401)
    })

    t.test("/v1/me: a user reads their own key's usage; another's key is as unknown as none", async (t) => {
      const as = async (user: { id: string }, scope = 'keys:write') =>
        client(app, {
          authorization: `Bearer ${(await signedToken(ctx, { scope, sub: user.id, clientId: 'spa' })).token}`,
        })
      const owenClient = await as(owen)
      const own = await owenClient.get(`/v1/me/access-keys/${owensKey.id}/usage?from=2026-12-05T10:00:00Z`)
      t.equal(own.statusCode, 200)
      t.same(own.json(), {
        from: '2026-12-05T10:00:00.000Z',
        to: '2026-12-05T11:00:00.000Z',
        granularity: 'hour',
        buckets: [{ start: '2026-12-05T10:00:00.000Z', counts: { api: 4 } }],
        totals: { api: 4 },
      })
      const notFound = { error: 'not_found', error_description: 'you have no access key with this id' }
      for (const id of [piasKey.id, serviceKey.id, 'nope']) {
        const other = await owenClient.get(`/v1/me/access-keys/${id}/usage`)
        t.equal(other.statusCode, 404, id)
        t.same(other.json(), notFound)
      }
      t.same((await (await as(pia)).get(`/v1/me/access-keys/${owensKey.id}/usage`)).json(), notFound)
      t.equal((await (await as(owen, 'read')).get(`/v1/me/access-keys/${owensKey.id}/usage`)).statusCode, 403)
      const bad = await owenClient.get(`/v1/me/access-keys/${owensKey.id}/usage?granularity=minute`)
      t.equal(bad.statusCode, 400)
      // A key without keys:write is refused before any lookup.
      const viaServiceKey = await app.inject({
        url: `/v1/me/access-keys/${serviceKey.id}/usage`,
        headers: { 'x-api-key': serviceKey.key },
      })
      t.equal(viaServiceKey.statusCode, 403)
    })
  })
}
