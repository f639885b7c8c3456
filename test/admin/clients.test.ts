// /admin/v1/clients: each operation, validation, pagination, secret rotation with grace, audit entries.
import t from 'tap'
import { client, everyStoredValue, signedToken } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { basic, tokenRequest } from '../support/token-fixtures.ts'

const API = 'https://api.example'

for (const provider of providers) {
  t.test(`admin clients on ${provider}`, async (t) => {
    let clock = Date.now()
    const ctx = await build(t, { provider, now: () => clock, env: { AUDIENCES: API } })
    const admin = client(ctx.app, {
      authorization: `Bearer ${(await signedToken(ctx, { scope: 'admin', now: clock, ttl: 86400 })).token}`,
    })
    const auditOf = async (type: string, subject?: string) =>
      ((await admin.get(`/admin/v1/audit?type=${type}`)).json().items as Array<{ subject: string }>).filter(
        (event) => subject === undefined || event.subject === subject,
      )

    t.test('a confidential client: its secret is returned once and works at the token endpoint', async (t) => {
      const created = await admin.post('/admin/v1/clients', {
        name: 'Reporting',
        grant_types: ['client_credentials'],
        scopes: ['read'],
        audiences: [API],
      })
      t.equal(created.statusCode, 201)
      t.equal(created.headers['cache-control'], 'no-store')
      const body = created.json()
      t.match(body, {
        client_id: String,
        name: 'Reporting',
        public: false,
        grant_types: ['client_credentials'],
        scopes: ['read'],
        audiences: [API],
        previous_secret_expires_at: null,
      })
      t.match(body.client_secret, /^[A-Za-z0-9_-]{43}$/)
      const issued = await tokenRequest(
        ctx.app,
        { grant_type: 'client_credentials', resource: API },
        { authorization: basic(body.client_id, body.client_secret) },
      )
      t.equal(issued.statusCode, 200)

      const got = await admin.get(`/admin/v1/clients/${body.client_id}`)
      t.equal(got.statusCode, 200)
      t.notOk('client_secret' in got.json())
      t.notOk(got.body.includes(body.client_secret))
      t.notOk((await everyStoredValue(ctx)).includes(body.client_secret), 'the secret is in no row')
      t.match(await auditOf('client.created'), [
        {
          subject: body.client_id,
          actor: 'client:operator',
          ip: '127.0.0.1',
          details: { name: 'Reporting', client_id: 'operator' },
        },
      ])
    })

    t.test(
      'client secrets are random: 10 clients get 10 distinct 43-character base64url secrets, none stored',
      async (t) => {
        const secrets: string[] = []
        for (let i = 0; i < 10; i++)
          secrets.push(
            (
              await admin.post('/admin/v1/clients', {
                name: `Batch ${i}`,
                grant_types: ['client_credentials'],
                scopes: ['read'],
              })
            ).json().client_secret,
          )
        t.ok(
          secrets.every((secret) => /^[A-Za-z0-9_-]{43}$/.test(secret)),
          'each is 32 random bytes in base64url (256 bits)',
        )
        t.equal(new Set(secrets).size, 10, 'all distinct')
        const stored = await everyStoredValue(ctx)
        t.same(
          secrets.filter((secret) => stored.includes(secret)),
          [],
          'no row holds any of them',
        )
      },
    )

    t.test('a public client has no secret', async (t) => {
      const body = (
        await admin.post('/admin/v1/clients', { name: 'SPA', grant_types: ['password', 'refresh_token'], public: true })
      ).json()
      t.equal(body.public, true)
      t.notOk('client_secret' in body)
    })

    t.test('every bad field is named at once', async (t) => {
      const response = await admin.post('/admin/v1/clients', {
        name: '',
        grant_types: [],
        scopes: ['has space'],
        audiences: 'x',
        extra: 1,
      })
      t.equal(response.statusCode, 400)
      const { error, details } = response.json()
      t.equal(error, 'invalid_request')
      t.same(details.map((d: { field: string }) => d.field).sort(), [
        'audiences',
        'extra',
        'grant_types',
        'name',
        'scopes.0',
      ])
    })

    t.test(
      'unknown grant types, unregistered audiences and a public client_credentials client are refused by field',
      async (t) => {
        const response = await admin.post('/admin/v1/clients', {
          name: 'x',
          grant_types: ['implicit', 'client_credentials'],
          audiences: ['https://nowhere.example'],
          public: true,
        })
        t.equal(response.statusCode, 400)
        t.match(response.json().details, [
          { field: 'grant_types.0', message: /^unknown grant type/ },
          { field: 'grant_types', message: 'a public client cannot use client_credentials' },
          { field: 'audiences.0', message: 'not a registered audience (AUDIENCES)' },
        ])
      },
    )

    t.test('browser sign-in fields: exact redirect URIs (https, loopback IP http), origins, first-party', async (t) => {
      const created = await admin.post('/admin/v1/clients', {
        name: 'Web',
        grant_types: ['authorization_code', 'refresh_token'],
        public: true,
        redirect_uris: ['https://app.example/cb', 'http://127.0.0.1/cb', 'com.example.app:/oauth'],
        post_logout_redirect_uris: ['https://app.example/bye'],
        first_party: true,
        allowed_origins: ['https://app.example'],
      })
      t.equal(created.statusCode, 201, created.body)
      t.match(created.json(), {
        redirect_uris: ['https://app.example/cb', 'http://127.0.0.1/cb', 'com.example.app:/oauth'],
        post_logout_redirect_uris: ['https://app.example/bye'],
        first_party: true,
        allowed_origins: ['https://app.example'],
      })
      const refused = await admin.post('/admin/v1/clients', {
        name: 'Bad',
        grant_types: ['authorization_code'],
        redirect_uris: [
          'http://app.example/cb',
          'https://app.example/cb#x',
          'https://*.example/cb',
          'http://localhost/cb',
        ],
        post_logout_redirect_uris: ['/bye'],
        allowed_origins: ['https://app.example/'],
      })
      t.equal(refused.statusCode, 400)
      t.same(refused.json().details, [
        {
          field: 'redirect_uris.0',
          message: 'http is allowed only for a loopback IP literal (127.0.0.1 or [::1], RFC 8252 §8.3); use https',
        },
        { field: 'redirect_uris.1', message: 'must not have a fragment (RFC 6749 §3.1.2)' },
        { field: 'redirect_uris.2', message: 'must not contain a wildcard' },
        {
          field: 'redirect_uris.3',
          message: 'http is allowed only for a loopback IP literal (127.0.0.1 or [::1], RFC 8252 §8.3); use https',
        },
        { field: 'post_logout_redirect_uris.0', message: 'must be an absolute URI' },
        {
          field: 'allowed_origins.0',
          message: 'must be an origin: scheme://host[:port], http or https, without path or trailing slash',
        },
      ])
      const { client_id } = created.json()
      const updated = await admin.patch(`/admin/v1/clients/${client_id}`, {
        redirect_uris: ['https://app.example/new'],
        first_party: false,
      })
      t.match(updated.json(), {
        redirect_uris: ['https://app.example/new'],
        first_party: false,
        allowed_origins: ['https://app.example'],
      })
    })

    t.test('update changes the name, grants, scopes and audiences', async (t) => {
      const { client_id } = (
        await admin.post('/admin/v1/clients', { name: 'Old', grant_types: ['client_credentials'] })
      ).json()
      const updated = await admin.patch(`/admin/v1/clients/${client_id}`, {
        name: 'New',
        grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        scopes: ['a', 'b'],
        audiences: [API],
      })
      t.equal(updated.statusCode, 200)
      t.match(updated.json(), {
        name: 'New',
        grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        scopes: ['a', 'b'],
        audiences: [API],
      })
      t.equal((await admin.patch(`/admin/v1/clients/${client_id}`, {})).statusCode, 400, 'an empty update is refused')
      t.equal((await admin.patch('/admin/v1/clients/unknown', { name: 'x' })).statusCode, 404)
      t.match(await auditOf('client.updated', client_id), [
        { subject: client_id, details: { changed: ['name', 'grant_types', 'scopes', 'audiences'] } },
      ])
    })

    t.test('rotating the secret: the new one works, the old one only during the grace period', async (t) => {
      const { client_id, client_secret: old } = (
        await admin.post('/admin/v1/clients', { name: 'Rotating', grant_types: ['client_credentials'] })
      ).json()
      const works = async (secret: string) =>
        (await tokenRequest(ctx.app, { grant_type: 'client_credentials' }, { authorization: basic(client_id, secret) }))
          .statusCode === 200
      const rotated = await admin.post(`/admin/v1/clients/${client_id}/rotate-secret`, {
        previous_secret_grace_seconds: 60,
      })
      t.equal(rotated.statusCode, 200)
      const { client_secret: fresh, previous_secret_expires_at } = rotated.json()
      t.not(fresh, old)
      t.equal(previous_secret_expires_at, new Date(clock + 60_000).toISOString())
      t.ok(await works(fresh))
      t.ok(await works(old), 'the old secret works during the grace period')
      clock += 61_000
      t.notOk(await works(old), 'and not after it')
      t.equal((await admin.get(`/admin/v1/clients/${client_id}`)).json().previous_secret_expires_at, null)

      const again = (await admin.post(`/admin/v1/clients/${client_id}/rotate-secret`)).json()
      t.notOk(await works(fresh), 'without a grace period the old secret ends at once')
      t.ok(await works(again.client_secret))
      t.equal(
        (await admin.post(`/admin/v1/clients/${client_id}/rotate-secret`, { previous_secret_grace_seconds: -1 }))
          .statusCode,
        400,
      )
      t.match(await auditOf('client.secret_rotated'), [
        { subject: client_id, details: { previous_secret_grace_seconds: 0 } },
        { subject: client_id, details: { previous_secret_grace_seconds: 60 } },
      ])
      t.notOk(JSON.stringify(await auditOf('client.secret_rotated')).includes(again.client_secret))
    })

    t.test("a public client's secret cannot be rotated", async (t) => {
      const { client_id } = (
        await admin.post('/admin/v1/clients', { name: 'Public', grant_types: ['password'], public: true })
      ).json()
      const response = await admin.post(`/admin/v1/clients/${client_id}/rotate-secret`)
      t.equal(response.statusCode, 409)
      t.same(response.json(), { error: 'conflict', error_description: 'a public client has no secret to rotate' })
    })

    t.test('delete removes the client and its refresh-token families', async (t) => {
      const { client_id } = (
        await admin.post('/admin/v1/clients', {
          name: 'Doomed',
          grant_types: ['password', 'refresh_token'],
          public: true,
        })
      ).json()
      const user = await ctx.store.users.create({ username: `u-${client_id}`, passwordHash: 'x', scopes: [] })
      await ctx.db.prisma.refreshFamily.create({
        data: {
          id: `f-${client_id}`,
          clientId: client_id,
          userId: user.id,
          scope: '',
          absoluteExpiresAt: new Date(clock + 86400_000),
        },
      })
      t.equal((await admin.delete(`/admin/v1/clients/${client_id}`)).statusCode, 204)
      t.equal((await admin.get(`/admin/v1/clients/${client_id}`)).statusCode, 404)
      t.equal(await ctx.db.prisma.refreshFamily.count({ where: { clientId: client_id } }), 0)
      t.equal((await admin.delete(`/admin/v1/clients/${client_id}`)).statusCode, 404)
      t.match(await auditOf('client.deleted'), [{ subject: client_id }])
    })

    t.test('unknown ids are 404', async (t) => {
      const response = await admin.get('/admin/v1/clients/nope')
      t.equal(response.statusCode, 404)
      t.same(response.json(), { error: 'not_found', error_description: 'no client has this client_id' })
      t.equal((await admin.post('/admin/v1/clients/nope/rotate-secret')).statusCode, 404)
    })

    t.test('lists page with a cursor and a bounded limit', async (t) => {
      const all = []
      let after: string | null = null
      do {
        const page: { items: { client_id: string; client_secret?: string }[]; next_cursor: string | null } = (
          await admin.get(`/admin/v1/clients?limit=2${after ? `&after=${after}` : ''}`)
        ).json()
        t.ok(page.items.length <= 2)
        t.notOk(page.items.some((item) => 'client_secret' in item))
        all.push(...page.items)
        after = page.next_cursor
      } while (after)
      t.equal(new Set(all.map((item) => item.client_id)).size, await ctx.db.prisma.client.count())
      for (const limit of ['0', '201', 'x']) {
        const response = await admin.get(`/admin/v1/clients?limit=${limit}`)
        t.equal(response.statusCode, 400, `limit=${limit}`)
        t.equal(response.json().details[0].field, 'limit')
      }
      t.equal(
        (await admin.get('/admin/v1/clients')).json().items.length,
        Math.min(50, all.length),
        'default page size 50',
      )
    })

    t.test('the default page size is 50 (the README), with more than 50 clients', async (t) => {
      for (let i = await ctx.db.prisma.client.count(); i < 51; i++) {
        t.equal(
          (await admin.post('/admin/v1/clients', { name: `Filler ${i}`, grant_types: ['password'], public: true }))
            .statusCode,
          201,
        )
      }
      t.ok((await ctx.db.prisma.client.count()) >= 51)
      const page = (await admin.get('/admin/v1/clients')).json()
      t.equal(page.items.length, 50, 'default page size 50')
      t.type(page.next_cursor, 'string', 'and a cursor to the rest')
    })
  })
}
