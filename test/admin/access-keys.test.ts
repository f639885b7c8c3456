// /admin/v1/access-keys and /v1/me/access-keys: create, list (by owner, paged), get, revoke; the audit log.
import t from 'tap'
import { adminHeaders, client, signedToken } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'

for (const provider of providers) {
  t.test(`admin access keys on ${provider}`, async (t) => {
    const ctx = await build(t, { provider })
    const admin = client(ctx.app, await adminHeaders(ctx))
    const owen = (
      await admin.post('/admin/v1/users', {
        username: 'owen',
        password: 'a long enough password',
        scopes: ['read', 'write', 'keys:write'],
      })
    ).json()
    const pia = (
      await admin.post('/admin/v1/users', {
        username: 'pia',
        password: 'a long enough password',
        scopes: ['read', 'keys:write'],
      })
    ).json()
    const asUser = async (user: { id: string }, scope: string) =>
      client(ctx.app, {
        authorization: `Bearer ${(await signedToken(ctx, { scope, sub: user.id, clientId: 'spa' })).token}`,
      })

    t.test('create for a user and as a service key; an unknown owner is a field error', async (t) => {
      const owned = (
        await admin.post('/admin/v1/access-keys', { name: 'owen-ci', scopes: ['read'], user_id: owen.id })
      ).json()
      t.match(owned, { user_id: owen.id, scopes: ['read'], key: /^pcl_/ })
      const service = (await admin.post('/admin/v1/access-keys', { name: 'svc', scopes: ['anything'] })).json()
      t.equal(service.user_id, null)
      const unknown = await admin.post('/admin/v1/access-keys', { name: 'x', scopes: ['read'], user_id: 'ghost' })
      t.same(unknown.json(), {
        error: 'invalid_request',
        error_description: 'user_id: no user has this id',
        details: [{ field: 'user_id', message: 'no user has this id' }],
      })
      const bad = await admin.post('/admin/v1/access-keys', { name: '', scopes: ['read', 'read'], expires_in: 0 })
      t.same(
        bad
          .json()
          .details.map((d: { field: string }) => d.field)
          .sort(),
        ['expires_in', 'name', 'scopes'],
      )
      t.match((await admin.get('/admin/v1/audit?type=access_key.created&limit=2')).json().items, [
        { subject: service.id, actor: 'client:operator', details: { name: 'svc', user_id: null } },
        { subject: owned.id, details: { name: 'owen-ci', user_id: owen.id, scopes: ['read'] } },
      ])
    })

    t.test('list filters by owner, service keys and state, and pages', async (t) => {
      for (let i = 0; i < 4; i++)
        await admin.post('/admin/v1/access-keys', { name: `pia-${i}`, scopes: ['read'], user_id: pia.id })
      const first = (await admin.get(`/admin/v1/access-keys?user_id=${pia.id}&limit=3`)).json()
      t.same(
        first.items.map((key: { name: string }) => key.name),
        ['pia-0', 'pia-1', 'pia-2'],
      )
      const second = (
        await admin.get(`/admin/v1/access-keys?user_id=${pia.id}&limit=3&after=${first.next_cursor}`)
      ).json()
      t.same(
        second.items.map((key: { name: string }) => key.name),
        ['pia-3'],
      )
      t.equal(second.next_cursor, null)
      const service = (await admin.get('/admin/v1/access-keys?service=true')).json()
      t.ok(service.items.length > 0 && service.items.every((key: { user_id: null }) => key.user_id === null))
      await admin.post(`/admin/v1/access-keys/${first.items[0].id}/revoke`)
      const active = (await admin.get(`/admin/v1/access-keys?user_id=${pia.id}&active=true`)).json()
      t.same(
        active.items.map((key: { name: string }) => key.name),
        ['pia-1', 'pia-2', 'pia-3'],
      )
      t.equal((await admin.get(`/admin/v1/access-keys?user_id=${pia.id}&service=true`)).statusCode, 400)
      t.equal((await admin.get('/admin/v1/access-keys?limit=201')).statusCode, 400)
    })

    t.test('get and revoke; revoking twice is harmless and audited once; unknown ids are 404', async (t) => {
      const { id } = (await admin.post('/admin/v1/access-keys', { name: 'tmp', scopes: ['read'] })).json()
      t.match((await admin.get(`/admin/v1/access-keys/${id}`)).json(), { id, name: 'tmp', status: 'active' })
      const first = (await admin.post(`/admin/v1/access-keys/${id}/revoke`)).json()
      const second = (await admin.post(`/admin/v1/access-keys/${id}/revoke`)).json()
      t.equal(first.status, 'revoked')
      t.equal(second.revoked_at, first.revoked_at)
      const revocations = (await admin.get('/admin/v1/audit?type=access_key.revoked'))
        .json()
        .items.filter((event: { subject: string }) => event.subject === id)
      t.equal(revocations.length, 1)
      for (const response of [
        await admin.get('/admin/v1/access-keys/nope'),
        await admin.post('/admin/v1/access-keys/nope/revoke'),
      ]) {
        t.equal(response.statusCode, 404)
        t.same(response.json(), { error: 'not_found', error_description: 'no access key has this id' })
      }
    })

    t.test(
      '/v1/me: a user creates keys within their scopes and the token’s, lists and revokes only their own',
      async (t) => {
        const me = await asUser(owen, 'read write keys:write')
        const created = await me.post('/v1/me/access-keys', {
          name: 'laptop',
          scopes: ['read', 'write'],
          expires_in: 86400,
        })
        t.equal(created.statusCode, 201)
        t.match(created.json(), { name: 'laptop', user_id: owen.id, scopes: ['read', 'write'], key: /^pcl_/ })
        t.equal(
          (
            await ctx.app.inject({
              method: 'GET',
              url: '/v1/me/access-keys',
              headers: { 'x-api-key': created.json().key },
            })
          ).statusCode,
          403,
          'the new key lacks keys:write',
        )

        const beyondUser = await me.post('/v1/me/access-keys', { name: 'x', scopes: ['admin'] })
        t.same(beyondUser.json().details, [{ field: 'scopes', message: 'the user does not hold "admin"' }])
        const narrow = await asUser(owen, 'keys:write')
        const beyondToken = await narrow.post('/v1/me/access-keys', { name: 'x', scopes: ['write'] })
        t.same(beyondToken.json().details, [
          { field: 'scopes', message: 'the presented credential does not hold "write"' },
        ])

        const mine = (await me.get('/v1/me/access-keys')).json().items
        t.ok(
          mine.length > 0 &&
            mine.every((key: { user_id: string; key?: string }) => key.user_id === owen.id && !('key' in key)),
        )
        const piaKey = (await admin.get(`/admin/v1/access-keys?user_id=${pia.id}&active=true`)).json().items[0]
        const foreign = await me.post(`/v1/me/access-keys/${piaKey.id}/revoke`)
        t.equal(foreign.statusCode, 404)
        t.same(foreign.json(), { error: 'not_found', error_description: 'you have no access key with this id' })
        t.equal((await admin.get(`/admin/v1/access-keys/${piaKey.id}`)).json().status, 'active')
        const revoked = await me.post(`/v1/me/access-keys/${created.json().id}/revoke`)
        t.equal(revoked.json().status, 'revoked')
        t.match((await admin.get('/admin/v1/audit?type=access_key.revoked&limit=1')).json().items, [
          { subject: created.json().id, actor: `user:${owen.id}`, details: { client_id: 'spa' } },
        ])
      },
    )

    t.test('a key with keys:write manages its owner’s keys', async (t) => {
      const { key } = (
        await admin.post('/admin/v1/access-keys', { name: 'manager', scopes: ['keys:write', 'read'], user_id: pia.id })
      ).json()
      const viaKey = client(ctx.app, { 'x-api-key': key })
      const created = await viaKey.post('/v1/me/access-keys', { name: 'child', scopes: ['read'] })
      t.equal(created.statusCode, 201)
      t.equal(created.json().user_id, pia.id)
    })

    t.test('the audit log filters by type and time and pages newest first', async (t) => {
      const all = (await admin.get('/admin/v1/audit?limit=200')).json().items as {
        id: string
        type: string
        created_at: string
      }[]
      t.ok(all.length > 5)
      t.same(
        [...all].sort((a, b) => (a.id < b.id ? 1 : -1)),
        all,
        'newest first',
      )
      const pages: string[] = []
      let after: string | null = null
      do {
        const page: { items: { id: string }[]; next_cursor: string | null } = (
          await admin.get(`/admin/v1/audit?limit=4${after ? `&after=${after}` : ''}`)
        ).json()
        pages.push(...page.items.map((event) => event.id))
        after = page.next_cursor
      } while (after)
      t.same(
        pages,
        all.map((event) => event.id),
      )
      const since = all[2]!.created_at
      const recent = (await admin.get(`/admin/v1/audit?since=${encodeURIComponent(since)}`)).json().items as {
        created_at: string
      }[]
      t.ok(recent.every((event) => event.created_at >= since))
      const before = (await admin.get(`/admin/v1/audit?until=${encodeURIComponent(since)}`)).json().items as {
        created_at: string
      }[]
      t.ok(before.every((event) => event.created_at < since))
      t.equal(recent.length + before.length, all.length)
      const bad = await admin.get('/admin/v1/audit?since=yesterday&until=2020-13-45T00:00:00Z')
      t.equal(bad.statusCode, 400)
      t.equal(bad.json().details[0].field, 'since')
      const inverted = await admin.get('/admin/v1/audit?since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z')
      t.same(inverted.json().details, [{ field: 'until', message: 'must be later than since' }])
    })
  })
}
