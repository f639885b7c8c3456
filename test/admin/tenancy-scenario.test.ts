// The tenancy scenario end to end, through the HTTP API only: an operator makes tenant acme with workspaces prod
// and dev and a role reader; acme's own admin adds a user to prod as reader; the user makes a key in prod; the
// key's token carries acme and prod with reader's scopes; the key is refused in dev; demoting the user narrows
// the key, and removing them from prod disables it. Then what tenants may never do to each other.
import t from 'tap'
import { decodeJwt } from 'jose'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { basic, tokenRequest } from '../support/token-fixtures.ts'

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const KEY_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'
const PASSWORD = 'correct horse battery staple'

for (const provider of providers) {
  t.test(`tenants and workspaces on ${provider}`, async (t) => {
    const ctx = await build(t, { provider })
    const { app } = ctx
    const operator = client(app, await adminHeaders(ctx))

    // The operator makes the tenant and a first admin key for it.
    const tenant = await operator.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })
    t.equal(tenant.statusCode, 201)
    const acmeId = tenant.json().id as string
    const adminKey = await operator.post('/admin/v1/tenants/acme/access-keys', {
      name: 'acme admin',
      scopes: ['admin'],
    })
    t.equal(adminKey.statusCode, 201)
    const acme = client(app, { 'x-api-key': adminKey.json().key })

    // acme's admin builds its tenant.
    const prod = (await acme.post('/admin/v1/workspaces', { slug: 'prod', name: 'Production' })).json()
    const dev = (await acme.post('/admin/v1/workspaces', { slug: 'dev', name: 'Development' })).json()
    t.equal(prod.tenant_id, acmeId)
    const reader = await acme.post('/admin/v1/roles', {
      name: 'reader',
      scopes: ['read:objects', 'read:buckets', 'keys:write'],
    })
    t.equal(reader.statusCode, 201)
    t.equal(
      (await acme.post('/admin/v1/roles', { name: 'lister', scopes: ['read:buckets', 'keys:write'] })).statusCode,
      201,
    )
    const alice = await acme.post('/admin/v1/users', { username: 'alice', password: PASSWORD, scopes: [] })
    t.equal(alice.statusCode, 201)
    const aliceId = alice.json().id as string
    const member = await acme.put(`/admin/v1/workspaces/prod/members/${aliceId}`, { role: 'reader' })
    t.equal(member.statusCode, 200)
    t.same(member.json(), {
      user_id: aliceId,
      workspace_id: prod.id,
      role: 'reader',
      scopes: ['read:objects', 'read:buckets', 'keys:write'],
    })
    const app1 = await acme.post('/admin/v1/clients', {
      name: 'Acme app',
      grant_types: ['password', 'refresh_token', EXCHANGE],
      scopes: ['read:objects', 'read:buckets', 'keys:write'],
    })
    t.equal(app1.statusCode, 201)
    const auth = { authorization: basic(app1.json().client_id, app1.json().client_secret) }

    // alice signs in for prod: her role's scopes, the tenant and the workspace in the token.
    const login = await tokenRequest(
      app,
      { grant_type: 'password', username: 'alice', password: PASSWORD, workspace: 'prod' },
      auth,
    )
    t.equal(login.statusCode, 200, login.body)
    const claims = decodeJwt(login.json().access_token)
    t.equal(claims.tenant_id, acmeId)
    t.equal(claims.workspace_id, prod.id)
    t.equal(login.json().scope, 'read:objects read:buckets keys:write')

    // She is no member of dev.
    const notMember = await tokenRequest(
      app,
      { grant_type: 'refresh_token', refresh_token: login.json().refresh_token, workspace: 'dev' },
      auth,
    )
    t.equal(notMember.statusCode, 400)
    t.same(notMember.json(), {
      error: 'invalid_target',
      error_description: 'the user is not a member of this workspace',
    })
    const unknown = await tokenRequest(
      app,
      { grant_type: 'password', username: 'alice', password: PASSWORD, workspace: 'staging' },
      auth,
    )
    t.same(unknown.json(), {
      error: 'invalid_target',
      error_description: "no workspace 'staging' in this client's tenant",
    })

    // Her key in prod.
    const bearer = { authorization: `Bearer ${login.json().access_token}` }
    const created = await app.inject({
      method: 'POST',
      url: '/v1/me/access-keys',
      headers: bearer,
      payload: { name: 'laptop', scopes: ['read:objects', 'read:buckets', 'keys:write'] },
    })
    t.equal(created.statusCode, 201, created.body)
    const key = created.json().key as string
    const exchange = () =>
      tokenRequest(app, { grant_type: EXCHANGE, subject_token: key, subject_token_type: KEY_TYPE }, auth)

    const exchanged = await exchange()
    t.equal(exchanged.statusCode, 200, exchanged.body)
    const keyClaims = decodeJwt(exchanged.json().access_token)
    t.equal(keyClaims.tenant_id, acmeId)
    t.equal(keyClaims.workspace_id, prod.id)
    t.equal(keyClaims.scope, 'read:objects read:buckets keys:write')

    // Introspection names the tenant and the workspace.
    const introspected = await app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: { ...(await adminHeaders(ctx)), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${exchanged.json().access_token}`,
    })
    t.match(introspected.json(), { active: true, tenant_id: acmeId, workspace_id: prod.id })

    // The key in its own workspace, and in another.
    const withKey = (headers: Record<string, string>) =>
      app.inject({ method: 'GET', url: '/v1/me/access-keys', headers: { 'x-api-key': key, ...headers } })
    t.equal((await withKey({ 'x-workspace-id': 'prod' })).statusCode, 200)
    t.equal((await withKey({ 'x-workspace-id': prod.id, 'x-tenant-id': 'acme' })).statusCode, 200)
    const wrongWorkspace = await withKey({ 'x-workspace-id': 'dev' })
    t.equal(wrongWorkspace.statusCode, 403)
    t.same(wrongWorkspace.json(), {
      error: 'insufficient_scope',
      error_description: "X-Workspace-Id does not name this credential's workspace",
    })
    const wrongTenant = await withKey({ 'x-tenant-id': 'default' })
    t.equal(wrongTenant.statusCode, 403)
    t.same(wrongTenant.json(), {
      error: 'insufficient_scope',
      error_description: "X-Tenant-Id does not name this credential's tenant",
    })
    const exchangedForDev = await tokenRequest(
      app,
      { grant_type: EXCHANGE, subject_token: key, subject_token_type: KEY_TYPE, workspace: dev.id },
      auth,
    )
    t.same(exchangedForDev.json(), {
      error: 'invalid_target',
      error_description: 'this access key does not belong to the named workspace',
    })

    // Demoted to a role without read:objects: the key loses it without being reissued.
    t.equal((await acme.put(`/admin/v1/workspaces/prod/members/${aliceId}`, { role: 'lister' })).statusCode, 200)
    t.equal(decodeJwt((await exchange()).json().access_token).scope, 'read:buckets keys:write')
    // So does a role's change of scopes.
    t.equal((await acme.patch('/admin/v1/roles/lister', { scopes: ['keys:write'] })).statusCode, 200)
    t.equal(decodeJwt((await exchange()).json().access_token).scope, 'keys:write')

    // Removed from prod: the key no longer works at all.
    t.equal((await acme.delete(`/admin/v1/workspaces/prod/members/${aliceId}`)).statusCode, 204)
    const removed = await exchange()
    t.equal(removed.statusCode, 400)
    t.equal(removed.json().error, 'invalid_request')
    t.equal((await withKey({})).statusCode, 401)

    t.test('another tenant is out of reach', async (t) => {
      // The default tenant's client cannot log acme's users in, nor exchange acme's keys.
      const other = await operator.post('/admin/v1/clients', {
        name: 'Default app',
        grant_types: ['password', EXCHANGE],
        scopes: ['read:objects'],
      })
      const otherAuth = { authorization: basic(other.json().client_id, other.json().client_secret) }
      const login = await tokenRequest(
        app,
        { grant_type: 'password', username: 'alice', password: PASSWORD },
        otherAuth,
      )
      t.same(login.json(), { error: 'invalid_grant', error_description: 'the username or password is wrong' })
      const service = await acme.post('/admin/v1/access-keys', { name: 'svc', scopes: ['read:objects'] })
      const crossExchange = await tokenRequest(
        app,
        { grant_type: EXCHANGE, subject_token: service.json().key, subject_token_type: KEY_TYPE },
        otherAuth,
      )
      t.equal(crossExchange.json().error, 'invalid_request')
      // acme's admin sees none of the default tenant's objects.
      t.equal((await acme.get(`/admin/v1/clients/${other.json().client_id}`)).statusCode, 404)
      t.equal((await acme.get('/admin/v1/signing-keys')).statusCode, 403)
      t.equal((await acme.get('/admin/v1/tenants')).statusCode, 403)
      // A username is unique within its tenant only.
      t.equal(
        (await operator.post('/admin/v1/users', { username: 'alice', password: PASSWORD, scopes: [] })).statusCode,
        201,
      )
    })

    t.test('deleting a tenant removes everything it owns', async (t) => {
      t.equal((await operator.delete('/admin/v1/tenants/acme')).statusCode, 204)
      t.equal((await acme.get('/admin/v1/users')).statusCode, 401, 'its admin key went with it')
      t.same(
        (await operator.get('/admin/v1/tenants')).json().items.map((item: { slug: string }) => item.slug),
        ['default'],
      )
      t.equal((await operator.delete('/admin/v1/tenants/default')).statusCode, 409)
    })
  })
}
