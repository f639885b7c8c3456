import t from 'tap'
import { createTestStore, providers } from '../support/helper.ts'
import { StoreError, ANY_TENANT } from '../../src/store/index.ts'

for (const provider of providers) {
  t.test(`users and clients on ${provider}`, async (t) => {
    const { store } = await createTestStore(t, provider)

    t.test('a username is unique', async (t) => {
      const user = await store.users.create({ username: 'alice', passwordHash: 'x', scopes: ['read', 'write'] })
      t.match(user, { username: 'alice', scopes: ['read', 'write'], disabled: false })
      await t.rejects(
        store.users.create({ username: 'alice', passwordHash: 'y', scopes: [] }),
        new StoreError('conflict', 'user "alice" already exists'),
      )
    })

    t.test('users page by cursor in creation order', async (t) => {
      for (const name of ['u1', 'u2', 'u3']) await store.users.create({ username: name, passwordHash: 'x', scopes: [] })
      const first = await store.users.list(ANY_TENANT, { limit: 2 })
      t.equal(first.items.length, 2)
      t.ok(first.nextCursor)
      const second = await store.users.list(ANY_TENANT, { limit: 2, after: first.nextCursor! })
      t.same(
        second.items.map((u) => u.username),
        ['u2', 'u3'],
      )
      t.equal(second.nextCursor, null)
    })

    t.test('a user read by username is the user Prisma reads, in its tenant only', async (t) => {
      const created = await store.users.create({
        username: 'byname',
        passwordHash: 'h',
        scopes: ['read'],
        email: 'b@example.com',
        emailVerified: true,
        name: 'B',
      })
      const read = await store.users.findByUsername(created.tenantId, 'byname')
      t.same(read, created, 'every column, Dates and booleans included')
      t.ok(read?.createdAt instanceof Date && read.emailVerified === true)
      t.equal(await store.users.findByUsername(created.tenantId, 'nobody'), undefined)
      t.equal(await store.users.findByUsername('another-tenant', 'byname'), undefined)
    })

    t.test('deleting an unknown client is not_found', async (t) => {
      await t.rejects(store.clients.delete(ANY_TENANT, 'nope'), { code: 'not_found' })
    })

    t.test('ping answers', async (t) => {
      t.equal(await store.ping(), true)
    })
  })
}
