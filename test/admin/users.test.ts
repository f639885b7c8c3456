// /admin/v1/users: each operation, validation, pagination; disable and delete end refresh tokens and keys.
import bcrypt from 'bcryptjs'
import t from 'tap'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

for (const provider of providers) {
  t.test(`admin users on ${provider}`, async (t) => {
    const ctx = await build(t, { provider })
    const admin = client(ctx.app, await adminHeaders(ctx))
    const auditOf = async (type: string) => (await admin.get(`/admin/v1/audit?type=${type}`)).json().items
    const newUser = async (username: string, scopes: string[] = ['read']) =>
      (await admin.post('/admin/v1/users', { username, password: 'a long enough password', scopes })).json()

    t.test('create: the password is stored as bcrypt and never shown', async (t) => {
      const response = await admin.post('/admin/v1/users', {
        username: 'jane',
        password: 'a long enough password',
        scopes: ['read', 'write'],
      })
      t.equal(response.statusCode, 201)
      const body = response.json()
      t.same(Object.keys(body).sort(), [
        'created_at',
        'disabled',
        'email',
        'email_verified',
        'id',
        'name',
        'scopes',
        'updated_at',
        'username',
      ])
      t.match(body, { username: 'jane', scopes: ['read', 'write'], disabled: false })
      const row = await ctx.store.users.requireById(ANY_TENANT, body.id)
      t.ok(await bcrypt.compare('a long enough password', row.passwordHash))
      t.match(await auditOf('user.created'), [
        { subject: body.id, details: { username: 'jane', scopes: ['read', 'write'] } },
      ])
      t.notOk(JSON.stringify(await auditOf('user.created')).includes('a long enough password'))
    })

    t.test('a taken username is 409, bad fields are 400 by field', async (t) => {
      await newUser('kim')
      const taken = await admin.post('/admin/v1/users', { username: 'kim', password: 'a long enough password' })
      t.equal(taken.statusCode, 409)
      t.same(taken.json(), { error: 'conflict', error_description: 'a user with this username exists' })
      const bad = await admin.post('/admin/v1/users', { username: 'x\u0001', password: 'short', scopes: 'read' })
      t.equal(bad.statusCode, 400)
      t.same(
        bad
          .json()
          .details.map((d: { field: string }) => d.field)
          .sort(),
        ['password', 'scopes', 'username'],
      )
      const long = await admin.post('/admin/v1/users', { username: 'long', password: 'é'.repeat(40) })
      t.same(long.json(), {
        error: 'invalid_request',
        error_description: 'password: must be at most 72 bytes in UTF-8',
        details: [{ field: 'password', message: 'must be at most 72 bytes in UTF-8' }],
      })
    })

    t.test('get, update scopes, set password', async (t) => {
      const user = await newUser('lee')
      t.same((await admin.get(`/admin/v1/users/${user.id}`)).json(), user)
      const updated = (await admin.patch(`/admin/v1/users/${user.id}`, { scopes: ['read', 'write'] })).json()
      t.same(updated.scopes, ['read', 'write'])
      t.match(await auditOf('user.updated'), [
        { subject: user.id, details: { scopes: ['read', 'write'], previous_scopes: ['read'] } },
      ])
      t.equal(
        (await admin.put(`/admin/v1/users/${user.id}/password`, { password: 'another long password' })).statusCode,
        204,
      )
      t.ok(
        await bcrypt.compare(
          'another long password',
          (await ctx.store.users.requireById(ANY_TENANT, user.id)).passwordHash,
        ),
      )
      t.match(await auditOf('user.password_set'), [{ subject: user.id, details: {} }])
      t.equal((await admin.put(`/admin/v1/users/${user.id}/password`, { password: 'short' })).statusCode, 400)
    })

    t.test(
      'email, email_verified and name (the OpenID Connect claims): set at creation, changed and cleared by PATCH, checked',
      async (t) => {
        const created = await admin.post('/admin/v1/users', {
          username: 'nora',
          password: 'a long enough password',
          email: 'nora@example.com',
          email_verified: true,
          name: 'Nora N',
        })
        t.equal(created.statusCode, 201)
        t.match(created.json(), { email: 'nora@example.com', email_verified: true, name: 'Nora N' })
        const plain = await newUser('omar')
        t.match(plain, { email: null, email_verified: false, name: null })
        const changed = await admin.patch(`/admin/v1/users/${plain.id}`, { email: 'omar@example.com', name: 'Omar O' })
        t.match(changed.json(), { email: 'omar@example.com', email_verified: false, name: 'Omar O', scopes: ['read'] })
        t.match(await auditOf('user.updated'), [{ subject: plain.id, details: { profile: ['email', 'name'] } }])
        t.notOk(
          JSON.stringify(await auditOf('user.updated')).includes('omar@example.com'),
          'the audit names the fields, not the values',
        )
        const cleared = await admin.patch(`/admin/v1/users/${plain.id}`, { name: null })
        t.match(cleared.json(), { email: 'omar@example.com', name: null })
        const bad = await admin.patch(`/admin/v1/users/${plain.id}`, { email: 'no-at-sign', name: ' ' })
        t.equal(bad.statusCode, 400)
        t.same(
          bad.json().details.map((d: { field: string }) => d.field),
          ['email', 'name'],
        )
      },
    )

    t.test('a new password ends the refresh-token families made with the old one', async (t) => {
      const user = await newUser('pat')
      await ctx.store.clients.create({
        clientId: `c-${user.id}`,
        name: 'c',
        secretHash: null,
        grantTypes: ['password'],
        scopes: [],
      })
      await ctx.db.prisma.refreshFamily.create({
        data: {
          id: `f-${user.id}`,
          clientId: `c-${user.id}`,
          userId: user.id,
          scope: '',
          absoluteExpiresAt: new Date(Date.now() + 86400_000),
        },
      })
      t.equal((await admin.patch(`/admin/v1/users/${user.id}`, { scopes: ['read', 'write'] })).statusCode, 200)
      t.match(
        await ctx.db.prisma.refreshFamily.findUnique({ where: { id: `f-${user.id}` } }),
        { revokedAt: null },
        'a scope change alone keeps them',
      )
      t.equal(
        (await admin.put(`/admin/v1/users/${user.id}/password`, { password: 'another long password' })).statusCode,
        204,
      )
      t.match(await ctx.db.prisma.refreshFamily.findUnique({ where: { id: `f-${user.id}` } }), {
        revokedReason: 'password_changed',
      })
    })

    t.test('disable ends refresh-token families and keys; enable lets the user in again', async (t) => {
      const user = await newUser('max', ['admin'])
      await ctx.store.clients.create({
        clientId: `c-${user.id}`,
        name: 'c',
        secretHash: null,
        grantTypes: ['password'],
        scopes: [],
      })
      await ctx.db.prisma.refreshFamily.create({
        data: {
          id: `f-${user.id}`,
          clientId: `c-${user.id}`,
          userId: user.id,
          scope: '',
          absoluteExpiresAt: new Date(Date.now() + 86400_000),
        },
      })
      const { key } = (
        await admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['admin'], user_id: user.id })
      ).json()
      t.equal(
        (await ctx.app.inject({ method: 'GET', url: '/admin/v1/users?limit=1', headers: { 'x-api-key': key } }))
          .statusCode,
        200,
      )

      t.match((await admin.patch(`/admin/v1/users/${user.id}`, { disabled: true })).json(), { disabled: true })
      t.match(await ctx.db.prisma.refreshFamily.findUnique({ where: { id: `f-${user.id}` } }), {
        revokedReason: 'user_disabled',
      })
      t.equal(
        (await ctx.app.inject({ method: 'GET', url: '/admin/v1/users?limit=1', headers: { 'x-api-key': key } }))
          .statusCode,
        401,
      )
      t.match(await auditOf('user.disabled'), [{ subject: user.id }])
      t.equal((await admin.patch(`/admin/v1/users/${user.id}`, { disabled: false })).json().disabled, false)
      t.match(await auditOf('user.enabled'), [{ subject: user.id }])
      const created = await admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['admin'], user_id: user.id })
      t.equal(created.statusCode, 201)
      await admin.patch(`/admin/v1/users/${user.id}`, { disabled: true })
      const refused = await admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['admin'], user_id: user.id })
      t.same(refused.json().details, [{ field: 'user_id', message: 'the user is disabled' }])
    })

    t.test('delete removes the user, their refresh tokens and keys', async (t) => {
      const user = await newUser('ned')
      await admin.post('/admin/v1/access-keys', { name: 'k', scopes: ['read'], user_id: user.id })
      await ctx.store.clients.create({
        clientId: `c-${user.id}`,
        name: 'c',
        secretHash: null,
        grantTypes: ['password'],
        scopes: [],
      })
      await ctx.db.prisma.refreshFamily.create({
        data: {
          id: `f-${user.id}`,
          clientId: `c-${user.id}`,
          userId: user.id,
          scope: '',
          absoluteExpiresAt: new Date(Date.now() + 86400_000),
        },
      })
      t.equal(await ctx.db.prisma.refreshFamily.count({ where: { userId: user.id } }), 1)
      t.equal((await admin.delete(`/admin/v1/users/${user.id}`)).statusCode, 204)
      t.equal((await admin.get(`/admin/v1/users/${user.id}`)).statusCode, 404)
      t.equal(await ctx.db.prisma.accessKey.count({ where: { userId: user.id } }), 0)
      t.equal(
        await ctx.db.prisma.refreshFamily.count({ where: { userId: user.id, revokedAt: null } }),
        0,
        'no live refresh-token family is left',
      )
      t.match(await auditOf('user.deleted'), [{ subject: user.id, details: { username: 'ned' } }])
    })

    t.test('unknown ids are 404', async (t) => {
      for (const response of [
        await admin.get('/admin/v1/users/nope'),
        await admin.patch('/admin/v1/users/nope', { disabled: true }),
        await admin.put('/admin/v1/users/nope/password', { password: 'a long enough password' }),
        await admin.delete('/admin/v1/users/nope'),
      ]) {
        t.equal(response.statusCode, 404)
        t.same(response.json(), { error: 'not_found', error_description: 'no user has this id' })
      }
    })

    t.test('users page with a cursor', async (t) => {
      for (let i = 0; i < 5; i++) await newUser(`page-${i}`)
      const seen: string[] = []
      let after: string | null = null
      do {
        const page: { items: { id: string; password_hash?: string }[]; next_cursor: string | null } = (
          await admin.get(`/admin/v1/users?limit=3${after ? `&after=${after}` : ''}`)
        ).json()
        t.ok(page.items.length <= 3)
        seen.push(...page.items.map((user) => user.id))
        after = page.next_cursor
      } while (after)
      t.equal(new Set(seen).size, await ctx.db.prisma.user.count())
    })
  })
}
