// The isolation sweep: every admin and /v1/me route, read from the app's own route table, is called with tenant
// A's credential and tenant B's object ids. An object route answers 404 (B's objects do not exist for A) or 403
// (a route for operators alone); a route without ids never shows B's objects. A new route whose path parameter or
// body this sweep does not know fails it: its isolation must be thought about, and added here.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { signAccessToken } from '../../src/keys/access-token.ts'
import { build } from '../support/helper.ts'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { registeredRoutes as allRoutes } from '../support/routes.ts'

/** Every admin and /v1/me method and URL the router serves. */
function registeredRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  return allRoutes(app).filter(
    (route) => /^\/(admin\/v1|v1\/me)\//.test(route.url) && route.method !== 'HEAD' && route.method !== 'OPTIONS',
  )
}

t.test('a tenant admin reaches no other tenant’s object through any admin or /v1/me route', async (t) => {
  const ctx = await build(t)
  const { app } = ctx
  const operator = client(app, await adminHeaders(ctx))

  // Tenant B, with one object of every kind.
  const tenantB = (await operator.post('/admin/v1/tenants', { slug: 'bravo', name: 'Bravo' })).json()
  const bAdmin = client(app, {
    'x-api-key': (await operator.post('/admin/v1/tenants/bravo/access-keys', { name: 'b', scopes: ['admin'] })).json()
      .key,
  })
  const b = {
    tenant: tenantB.id as string,
    workspace: (await bAdmin.post('/admin/v1/workspaces', { slug: 'prod', name: 'B prod' })).json().id as string,
    role: (await bAdmin.post('/admin/v1/roles', { name: 'reader', scopes: ['read'] })).json().id as string,
    user: (
      await bAdmin.post('/admin/v1/users', { username: 'bob', password: 'correct horse battery', scopes: ['read'] })
    ).json().id as string,
    client: (await bAdmin.post('/admin/v1/clients', { name: 'B app', grant_types: ['client_credentials'] })).json()
      .client_id as string,
  }
  await bAdmin.put(`/admin/v1/workspaces/${b.workspace}/members/${b.user}`, { role: b.role })
  const bKey = (
    await bAdmin.post('/admin/v1/access-keys', { name: 'bob key', scopes: ['read'], user_id: b.user })
  ).json().id as string
  const bIds = [b.tenant, b.workspace, b.role, b.user, b.client, bKey]

  // Tenant A: its admin (a key), and one of its users for /v1/me.
  const tenantA = (await operator.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })).json()
  const aAdminKey = (await operator.post('/admin/v1/tenants/acme/access-keys', { name: 'a', scopes: ['admin'] })).json()
  const aAdmin = { 'x-api-key': aAdminKey.key as string }
  const aUser = (
    await client(app, aAdmin).post('/admin/v1/users', { username: 'alice', password: 'correct horse battery' })
  ).json()
  const aUserToken = await signAccessToken(
    ctx.keyring,
    { issuer: ctx.config.issuer, ttl: 300 },
    {
      sub: aUser.id,
      aud: ctx.config.issuer,
      clientId: 'acme-app',
      scope: 'keys:write account',
      extra: { tenant_id: tenantA.id },
    },
  )
  const aMe = { authorization: `Bearer ${aUserToken.token}` }

  // B's object for each path parameter; a parameter missing here fails the sweep.
  const ofParam: Record<string, string> = {
    userId: b.user,
    clientId: b.client,
    id: bKey,
    workspace: b.workspace,
    role: b.role,
    tenant: b.tenant,
    sessionId: '01a24800-0000-7000-8000-000000000000',
    kid: 'some-kid',
    challenge: 'some-challenge',
  }
  // A valid body for each route that takes one, naming B's objects where it names any.
  const bodies: Record<string, unknown> = {
    'POST /admin/v1/clients': { name: 'x', grant_types: ['client_credentials'] },
    'PATCH /admin/v1/clients/:clientId': { name: 'renamed' },
    'POST /admin/v1/clients/:clientId/rotate-secret': {},
    'POST /admin/v1/consent-requests/:challenge/accept': { scopes: [] },
    'POST /admin/v1/consent-requests/:challenge/reject': {},
    'POST /admin/v1/users': { username: 'bob', password: 'correct horse battery' },
    'PATCH /admin/v1/users/:userId': { scopes: [] },
    'PUT /admin/v1/users/:userId/password': { password: 'another horse battery' },
    'POST /admin/v1/access-keys': { name: 'k', scopes: ['read'], user_id: b.user },
    'POST /admin/v1/access-keys/:id/revoke': {},
    'POST /admin/v1/workspaces': { slug: 'prod', name: 'A prod' },
    'PUT /admin/v1/workspaces/:workspace/members/:userId': { role: b.role },
    'POST /admin/v1/roles': { name: 'reader', scopes: ['read'] },
    'PATCH /admin/v1/roles/:role': { scopes: [] },
    'POST /admin/v1/signing-keys/rotate': {},
    'POST /admin/v1/signing-keys/:kid/revoke': {},
    'POST /admin/v1/tenants': { slug: 'charlie', name: 'C' },
    'POST /admin/v1/tenants/:tenant/access-keys': { name: 'k', scopes: ['admin'] },
    'POST /admin/v1/login-requests/:challenge/accept': { subject: b.user },
    'POST /admin/v1/login-requests/:challenge/reject': {},
    'POST /v1/me/access-keys': { name: 'k', scopes: ['keys:write'], workspace: b.workspace },
    'POST /v1/me/access-keys/:id/revoke': {},
  }
  // Routes without ids that may answer 2xx: they act in A's own tenant, and must show nothing of B's.
  const ownTenant = new Set([
    'GET /admin/v1/clients',
    'GET /admin/v1/users',
    'GET /admin/v1/access-keys',
    'GET /admin/v1/audit',
    'GET /admin/v1/workspaces',
    'GET /admin/v1/roles',
    'POST /admin/v1/clients',
    'POST /admin/v1/users',
    'POST /admin/v1/workspaces',
    'POST /admin/v1/roles',
    'GET /v1/me/access-keys',
    'GET /v1/me/sessions',
    'DELETE /v1/me/sessions',
    'GET /v1/me/consents',
  ])

  const routes = registeredRoutes(app)
  t.ok(routes.length > 40, 'the route table was read')
  for (const { method, url } of routes) {
    const name = `${method} ${url}`
    const params = [...url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!)
    const unknown = params.filter((param) => !(param in ofParam))
    if (unknown.length > 0) {
      t.fail(`${name}: no tenant B object for :${unknown.join(', :')}; add one to this sweep`)
      continue
    }
    const path = url.replace(/:([A-Za-z]+)/g, (_, param: string) => encodeURIComponent(ofParam[param]!))
    const needsBody = ['POST', 'PUT', 'PATCH'].includes(method)
    if (needsBody && !(name in bodies)) {
      t.fail(`${name}: no body for this sweep; add one`)
      continue
    }
    const response = await app.inject({
      method: method as 'GET',
      url: path,
      headers: url.startsWith('/v1/me') ? aMe : aAdmin,
      ...(needsBody ? { payload: bodies[name] as Record<string, unknown> } : {}),
    })
    const leaked = bIds.filter((id) => response.body.includes(id) && !path.includes(id))
    t.same(leaked, [], `${name}: no tenant B id in the answer`)
    if (ownTenant.has(name)) {
      t.ok(response.statusCode < 500, `${name}: ${response.statusCode}`)
      continue
    }
    t.ok(
      [400, 403, 404].includes(response.statusCode),
      `${name} with tenant B's ids: ${response.statusCode} ${response.body.slice(0, 200)}`,
    )
    // 400 only where the body names B's object: a validation answer that says it does not exist.
    if (response.statusCode === 400) t.match(response.body, /no user has this id|no workspace|no role/, name)
  }

  // B's objects are all still there and unchanged.
  t.equal((await bAdmin.get(`/admin/v1/users/${b.user}`)).json().scopes[0], 'read')
  t.equal((await bAdmin.get(`/admin/v1/clients/${b.client}`)).json().name, 'B app')
  t.equal((await bAdmin.get(`/admin/v1/access-keys/${bKey}`)).json().status, 'active')
  t.equal((await bAdmin.get(`/admin/v1/workspaces/${b.workspace}/members`)).json().items.length, 1)
  t.same((await bAdmin.get('/admin/v1/roles')).json().items[0].scopes, ['read'])
})
