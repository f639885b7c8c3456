// A key made through /v1/me with an access key (presented, or the key a JWT was exchanged from, RFC 8693) is
// that key's child: it expires no later than the parent and is revoked with it, so a short-lived or revoked
// key cannot leave behind a key that outlives it. Keys made through the admin API have no parent.
import t from 'tap'
import { decodeJwt } from 'jose'
import { sha256 } from '../../src/security/secrets.ts'
import { adminHeaders, client, signedToken } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { basic, tokenRequest } from '../support/token-fixtures.ts'

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const KEY_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'
const SECRET = 'exchanger-secret-with-plenty-of-entropy-0123456789'
const PARENT_GONE = {
  error: 'invalid_token',
  error_description: 'the access key this credential comes from is revoked or expired',
}

for (const provider of providers) {
  t.test(`access-key lineage on ${provider}`, async (t) => {
    let clock = Date.parse('2026-03-01T12:00:00.000Z')
    const ctx = await build(t, { provider, now: () => clock })
    const { app, store } = ctx
    const admin = client(app, await adminHeaders(ctx))
    await store.clients.create({
      clientId: 'exchanger',
      name: 'Exchanger',
      secretHash: sha256(SECRET),
      grantTypes: [EXCHANGE],
      scopes: ['read', 'keys:write'],
    })
    const user = (
      await admin.post('/admin/v1/users', {
        username: 'quinn',
        password: 'a long enough password',
        scopes: ['read', 'keys:write'],
      })
    ).json()
    const at = (seconds: number) => new Date(clock + seconds * 1000).toISOString()

    /** A key of quinn's made by the admin API: a root, with no parent. */
    const rootKey = async (expiresIn?: number) => {
      const created = await admin.post('/admin/v1/access-keys', {
        name: 'root',
        scopes: ['read', 'keys:write'],
        user_id: user.id,
        ...(expiresIn === undefined ? {} : { expires_in: expiresIn }),
      })
      t.equal(created.statusCode, 201)
      return created.json() as { id: string; key: string; expires_at: string | null; parent_id: string | null }
    }
    const withKey = (key: string) => client(app, { 'x-api-key': key })
    const childOf = async (as: ReturnType<typeof client>, body: Record<string, unknown> = {}) => {
      const created = await as.post('/v1/me/access-keys', { name: 'child', scopes: ['read', 'keys:write'], ...body })
      t.equal(created.statusCode, 201, JSON.stringify(created.json()))
      return created.json() as { id: string; key: string; expires_at: string | null; parent_id: string | null }
    }
    const exchanged = async (key: string) => {
      const response = await tokenRequest(
        app,
        { grant_type: EXCHANGE, subject_token: key, subject_token_type: KEY_TYPE },
        { authorization: basic('exchanger', SECRET) },
      )
      t.equal(response.statusCode, 200)
      return response.json().access_token as string
    }
    const status = async (id: string) => (await admin.get(`/admin/v1/access-keys/${id}`)).json().status as string
    const works = async (key: string) =>
      (await app.inject({ method: 'GET', url: '/v1/me/access-keys', headers: { 'x-api-key': key } })).statusCode

    t.test('a key made with a short-lived key expires with it, whatever expiry it asks for', async (t) => {
      const parent = await rootKey(120)
      t.equal(parent.parent_id, null, 'the admin API makes roots')
      const asParent = withKey(parent.key)
      const unbounded = await childOf(asParent)
      t.match(unbounded, { parent_id: parent.id, expires_at: parent.expires_at }, 'no expiry asked: the parent’s')
      t.match(
        await childOf(asParent, { expires_in: 86400 }),
        { parent_id: parent.id, expires_at: parent.expires_at },
        'a longer one: the parent’s',
      )
      t.match(
        await childOf(asParent, { expires_in: 60 }),
        { parent_id: parent.id, expires_at: at(60) },
        'a shorter one: as asked',
      )
      const grandchild = await childOf(withKey(unbounded.key))
      t.match(
        grandchild,
        { parent_id: unbounded.id, expires_at: parent.expires_at },
        'a grandchild: bounded through its parent',
      )
      const events = (await admin.get('/admin/v1/audit?type=access_key.created&limit=10')).json().items as {
        subject: string
      }[]
      t.match(
        events.find((event) => event.subject === grandchild.id),
        { actor: `access_key:${unbounded.id}`, details: { parent_id: unbounded.id, expires_at: parent.expires_at } },
      )
      clock += 121_000
      t.equal(await works(unbounded.key), 401, 'the child died with its parent’s expiry')
    })

    t.test('revoking a key revokes its descendants at once, and nothing else', async (t) => {
      const parent = await rootKey()
      const sibling = await rootKey()
      const child = await childOf(withKey(parent.key))
      t.equal(child.expires_at, null, 'a parent without expiry bounds nothing')
      const grandchild = await childOf(withKey(child.key))
      const cousin = await childOf(withKey(sibling.key))
      for (const key of [child, grandchild, cousin]) t.equal(await works(key.key), 200, 'cached as valid')

      const revoked = await withKey(parent.key).post(`/v1/me/access-keys/${parent.id}/revoke`)
      t.equal(revoked.statusCode, 200)
      t.equal(revoked.json().status, 'revoked')
      for (const key of [parent, child, grandchild]) {
        t.equal(await status(key.id), 'revoked')
        t.equal(await works(key.key), 401, 'refused at once on this instance (the cache dropped it)')
      }
      const rows = await ctx.db.prisma.accessKey.findMany({
        where: { id: { in: [parent.id, child.id, grandchild.id] } },
      })
      t.equal(new Set(rows.map((row) => row.revokedAt?.toISOString())).size, 1, 'one revocation time: one transaction')
      t.equal(await works(cousin.key), 200, 'another root’s child is untouched')
      t.equal(await status(sibling.id), 'active')
      const events = (await admin.get('/admin/v1/audit?type=access_key.revoked&limit=3')).json().items as {
        subject: string
        details: Record<string, unknown>
      }[]
      t.same(
        events.map((event) => [event.subject, event.details.revoked_with]).sort(),
        [
          [child.id, parent.id],
          [grandchild.id, parent.id],
          [parent.id, undefined],
        ].sort(),
      )
    })

    t.test('the admin API and /oauth/revoke revoke descendants too', async (t) => {
      const viaAdmin = await rootKey()
      const adminChild = await childOf(withKey(viaAdmin.key))
      t.equal((await admin.post(`/admin/v1/access-keys/${viaAdmin.id}/revoke`)).statusCode, 200)
      t.equal(await status(adminChild.id), 'revoked')
      t.equal(await works(adminChild.key), 401)

      const viaOauth = await rootKey()
      const oauthChild = await childOf(withKey(viaOauth.key))
      const response = await app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { authorization: basic('exchanger', SECRET), 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${viaOauth.key}`,
      })
      t.equal(response.statusCode, 200)
      t.equal(await status(viaOauth.id), 'revoked')
      t.equal(await status(oauthChild.id), 'revoked')
      t.equal(await works(oauthChild.key), 401)
    })

    t.test(
      'a JWT exchanged from a key makes children of that key; a child exchanges like any key until its parent goes',
      async (t) => {
        const parent = await rootKey(120)
        const token = await exchanged(parent.key)
        t.equal(decodeJwt(token).access_key_id, parent.id)
        const child = await childOf(client(app, { authorization: `Bearer ${token}` }), { expires_in: 86400 })
        t.match(child, { parent_id: parent.id, expires_at: parent.expires_at })
        const childToken = await exchanged(child.key)
        t.equal(decodeJwt(childToken).access_key_id, child.id)
        t.match(await childOf(client(app, { authorization: `Bearer ${childToken}` })), { parent_id: child.id })

        t.equal((await admin.post(`/admin/v1/access-keys/${parent.id}/revoke`)).statusCode, 200)
        const refused = await tokenRequest(
          app,
          { grant_type: EXCHANGE, subject_token: child.key, subject_token_type: KEY_TYPE },
          { authorization: basic('exchanger', SECRET) },
        )
        t.equal(refused.statusCode, 400)
        t.same(refused.json(), {
          error: 'invalid_request',
          error_description: 'subject_token is not a valid access key (unknown, expired or revoked)',
        })
      },
    )

    t.test('a JWT whose key is revoked or expired makes no key', async (t) => {
      const revokedParent = await rootKey()
      const fromRevoked = client(app, { authorization: `Bearer ${await exchanged(revokedParent.key)}` })
      t.equal((await admin.post(`/admin/v1/access-keys/${revokedParent.id}/revoke`)).statusCode, 200)
      const afterRevocation = await fromRevoked.post('/v1/me/access-keys', { name: 'late', scopes: ['read'] })
      t.equal(afterRevocation.statusCode, 401)
      t.same(afterRevocation.json(), PARENT_GONE)

      const expiringParent = await rootKey(60)
      const fromExpiring = client(app, { authorization: `Bearer ${await exchanged(expiringParent.key)}` })
      clock += 61_000
      const afterExpiry = await fromExpiring.post('/v1/me/access-keys', { name: 'late', scopes: ['read'] })
      t.equal(afterExpiry.statusCode, 401, 'the JWT is still valid (ACCESS_TOKEN_TTL), its key is not')
      t.same(afterExpiry.json(), PARENT_GONE)
      t.equal(await ctx.db.prisma.accessKey.count({ where: { name: 'late' } }), 0)
    })

    t.test('a login JWT makes keys without a parent, with the expiry asked for', async (t) => {
      const login = client(app, {
        authorization: `Bearer ${(await signedToken(ctx, { scope: 'read keys:write', sub: user.id, clientId: 'spa', now: clock })).token}`,
      })
      t.match(await childOf(login), { parent_id: null, expires_at: null })
      t.match(await childOf(login, { expires_in: 86400 }), { parent_id: null, expires_at: at(86400) })
    })

    t.test('a child made while its parent is being revoked is revoked with it', async (t) => {
      const parent = await rootKey()
      const asParent = withKey(parent.key)
      const attempts = Array.from({ length: 16 }, (_, i) =>
        asParent.post('/v1/me/access-keys', { name: `racer-${i}`, scopes: ['read'] }),
      )
      // Once the first child exists, while the others are on their way.
      const revocation = Promise.race(attempts).then(() => admin.post(`/admin/v1/access-keys/${parent.id}/revoke`))
      const answers = await Promise.all([...attempts, revocation])
      t.ok(
        answers.every((answer) => [200, 201, 401].includes(answer.statusCode)),
        JSON.stringify(answers.map((answer) => answer.statusCode)),
      )
      const children = await ctx.db.prisma.accessKey.findMany({ where: { parentId: parent.id } })
      t.same(
        children.filter((child) => child.revokedAt === null).map((child) => child.name),
        [],
        'no child outlives the revocation',
      )
    })
  })
}
