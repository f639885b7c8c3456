import t from 'tap'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { createTestStore, providers } from '../support/helper.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

for (const provider of providers) {
  t.test(`access-key store on ${provider}`, async (t) => {
    const { store, db } = await createTestStore(t, provider)
    const alice = await store.users.create({ username: 'alice', passwordHash: 'x', scopes: ['read', 'write'] })

    const make = async (
      name: string,
      options: { userId?: string | null; expiresAt?: Date | null; now?: number } = {},
    ) => {
      const generated = generateAccessKey(options.now)
      const key = await store.accessKeys.create({
        id: generated.id,
        prefix: generated.prefix,
        secretHash: generated.secretHash,
        name,
        scopes: ['read'],
        userId: options.userId ?? null,
        expiresAt: options.expiresAt ?? null,
      })
      return { ...generated, record: key }
    }

    t.test('a key is stored with the hash of its secret, never the secret', async (t) => {
      const { key, id, secretHash } = await make('ci', { userId: alice.id })
      const row = await db.prisma.accessKey.findUniqueOrThrow({ where: { id } })
      t.equal(row.secretHash, secretHash)
      t.notOk(JSON.stringify(row).includes(key.split('_')[2]!), 'the secret is in no column')
      const found = await store.accessKeys.findForVerification(ANY_TENANT, id)
      t.match(found, {
        key: { id, name: 'ci', userId: alice.id, scopes: ['read'] },
        secretHash,
        owner: { id: alice.id, username: 'alice', scopes: ['read', 'write'], disabled: false },
      })
      t.notOk(
        'secretHash' in (await store.accessKeys.findById(ANY_TENANT, id))!,
        'the ordinary lookup does not carry the hash',
      )
    })

    t.test('an unknown id is undefined', async (t) => {
      t.equal(await store.accessKeys.findForVerification(ANY_TENANT, 'nope'), undefined)
      t.equal(await store.accessKeys.findById(ANY_TENANT, 'nope'), undefined)
    })

    t.test('creating a key for a user that does not exist is not_found', async (t) => {
      const generated = generateAccessKey()
      await t.rejects(
        store.accessKeys.create({
          id: generated.id,
          prefix: 'pcl',
          secretHash: generated.secretHash,
          name: 'x',
          scopes: [],
          userId: 'ghost',
        }),
        { name: 'StoreError', code: 'not_found' },
      )
    })

    t.test('lists page in creation order and filter by owner and state', async (t) => {
      const bob = await store.users.create({ username: 'bob', passwordHash: 'x', scopes: ['read'] })
      const base = Date.now() + 10_000
      const made = []
      for (let i = 0; i < 5; i++) made.push(await make(`bob-${i}`, { userId: bob.id, now: base + i }))
      const first = await store.accessKeys.list(ANY_TENANT, { userId: bob.id, limit: 2 })
      t.same(
        first.items.map((key) => key.name),
        ['bob-0', 'bob-1'],
      )
      const second = await store.accessKeys.list(ANY_TENANT, { userId: bob.id, limit: 2, after: first.nextCursor! })
      t.same(
        second.items.map((key) => key.name),
        ['bob-2', 'bob-3'],
      )
      const third = await store.accessKeys.list(ANY_TENANT, { userId: bob.id, limit: 2, after: second.nextCursor! })
      t.same(
        third.items.map((key) => key.name),
        ['bob-4'],
      )
      t.equal(third.nextCursor, null)

      await store.accessKeys.revoke(ANY_TENANT, made[0]!.id)
      const expired = await make('bob-expired', {
        userId: bob.id,
        expiresAt: new Date(Date.now() - 1000),
        now: base + 10,
      })
      const active = await store.accessKeys.list(ANY_TENANT, { userId: bob.id, limit: 50, active: true })
      t.same(
        active.items.map((key) => key.name),
        ['bob-1', 'bob-2', 'bob-3', 'bob-4'],
      )
      t.notOk(active.items.some((key) => key.id === expired.id))
      const service = await store.accessKeys.list(ANY_TENANT, { userId: null, limit: 50 })
      t.ok(service.items.every((key) => key.userId === null))
    })

    t.test('revocation is idempotent and keeps the first time', async (t) => {
      const { id } = await make('once')
      const first = await store.accessKeys.revoke(ANY_TENANT, id, { now: new Date('2030-01-01T00:00:00Z') })
      t.equal(first.changed, true)
      const again = await store.accessKeys.revoke(ANY_TENANT, id, { now: new Date('2031-01-01T00:00:00Z') })
      t.equal(again.changed, false)
      t.same(again.accessKey.revokedAt, new Date('2030-01-01T00:00:00Z'))
      await t.rejects(store.accessKeys.revoke(ANY_TENANT, 'nope'), { code: 'not_found' })
    })

    t.test("revoking with an owner refuses another owner's key", async (t) => {
      const { id } = await make('alices', { userId: alice.id })
      await t.rejects(store.accessKeys.revoke(ANY_TENANT, id, { userId: 'someone-else' }), { code: 'not_found' })
      t.equal((await store.accessKeys.findById(ANY_TENANT, id))!.revokedAt, null)
    })

    t.test('last_used_at is written in one batch and never moves backwards', async (t) => {
      const a = await make('a')
      const b = await make('b')
      const later = new Date('2030-06-01T00:00:00Z')
      t.equal(
        await store.accessKeys.touchLastUsed(
          new Map([
            [a.id, later],
            [b.id, later],
          ]),
        ),
        2,
      )
      t.equal(await store.accessKeys.touchLastUsed(new Map([[a.id, new Date('2030-01-01T00:00:00Z')]])), 0)
      t.same((await store.accessKeys.findById(ANY_TENANT, a.id))!.lastUsedAt, later)
      t.same((await store.accessKeys.findById(ANY_TENANT, b.id))!.lastUsedAt, later)
    })

    t.test("deleting the owner deletes the owner's keys", async (t) => {
      const carol = await store.users.create({ username: 'carol', passwordHash: 'x', scopes: [] })
      const { id } = await make('carols', { userId: carol.id })
      await store.users.delete(ANY_TENANT, carol.id)
      t.equal(await store.accessKeys.findById(ANY_TENANT, id), undefined)
    })
  })
}
