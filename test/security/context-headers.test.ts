// The context headers as a unit (src/security/context-headers.ts): X-Tenant-Id and X-Workspace-Id, an id or a
// slug each, are assertions about the credential, checked against it and never obeyed. Every answer exact, every
// store lookup recorded: a header naming the credential's own id needs none.
import type { FastifyRequest } from 'fastify'
import t from 'tap'
import { OAuthError } from '../../src/errors.ts'
import { checkContextHeaders, TENANT_HEADER, WORKSPACE_HEADER } from '../../src/security/context-headers.ts'

const TENANT = { id: 'tenant-acme', slug: 'acme' }
const WORKSPACES = [
  { id: 'ws-prod', slug: 'prod', tenantId: TENANT.id },
  { id: 'ws-dev', slug: 'dev', tenantId: TENANT.id },
]

function fakeTenants() {
  const calls: string[] = []
  return {
    calls,
    store: {
      async find(id: string) {
        calls.push(`find ${id}`)
        return id === TENANT.id ? TENANT : undefined
      },
      workspaces: {
        async find(tenantId: string, idOrSlug: string) {
          calls.push(`workspaces.find ${tenantId} ${idOrSlug}`)
          return WORKSPACES.find(
            (workspace) =>
              workspace.tenantId === tenantId && (workspace.id === idOrSlug || workspace.slug === idOrSlug),
          )
        },
      },
    },
  }
}

const request = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as FastifyRequest

const tenantWide = { tenantId: TENANT.id, workspaceId: undefined }
const inProd = { tenantId: TENANT.id, workspaceId: 'ws-prod' }

async function outcome(
  headers: Record<string, string | string[]>,
  principal: { tenantId: string; workspaceId: string | undefined },
) {
  const tenants = fakeTenants()
  try {
    await checkContextHeaders(request(headers), principal, tenants.store as never)
    return { result: 'accepted', calls: tenants.calls }
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return {
      result: { status: err.statusCode, body: err.toJSON(), headers: err.headers },
      calls: tenants.calls,
    }
  }
}

const mismatch = (description: string) => ({
  status: 403,
  body: { error: 'insufficient_scope', error_description: description },
  headers: {
    'www-authenticate': `Bearer realm="portcullis", error="insufficient_scope", error_description="${description.replace(/["\\]/g, '')}"`,
  },
})
const WRONG_TENANT = "X-Tenant-Id does not name this credential's tenant"
const WRONG_WORKSPACE = "X-Workspace-Id does not name this credential's workspace"

t.test('the header names', async (t) => {
  t.equal(TENANT_HEADER, 'x-tenant-id')
  t.equal(WORKSPACE_HEADER, 'x-workspace-id')
})

t.test('no context header: accepted without a lookup', async (t) => {
  t.strictSame(await outcome({}, inProd), { result: 'accepted', calls: [] })
  t.strictSame(await outcome({ 'x-other': 'acme' }, tenantWide), { result: 'accepted', calls: [] })
})

t.test("X-Tenant-Id: the credential's tenant by id (no lookup) or by slug, trimmed; any other is 403", async (t) => {
  t.strictSame(await outcome({ 'x-tenant-id': TENANT.id }, inProd), { result: 'accepted', calls: [] })
  t.strictSame(await outcome({ 'x-tenant-id': `  ${TENANT.id}\t` }, inProd), { result: 'accepted', calls: [] })
  t.strictSame(await outcome({ 'x-tenant-id': 'acme' }, inProd), {
    result: 'accepted',
    calls: ['find tenant-acme'],
  })
  t.strictSame(await outcome({ 'x-tenant-id': ' acme ' }, tenantWide), {
    result: 'accepted',
    calls: ['find tenant-acme'],
  })
  t.strictSame(await outcome({ 'x-tenant-id': 'globex' }, inProd), {
    result: mismatch(WRONG_TENANT),
    calls: ['find tenant-acme'],
  })
  t.strictSame(await outcome({ 'x-tenant-id': 'ACME' }, inProd), {
    result: mismatch(WRONG_TENANT),
    calls: ['find tenant-acme'],
  })
  t.strictSame(await outcome({ 'x-tenant-id': '' }, inProd), {
    result: mismatch(WRONG_TENANT),
    calls: ['find tenant-acme'],
  })
  // A credential whose tenant is gone: no slug to match.
  t.strictSame(await outcome({ 'x-tenant-id': 'acme' }, { tenantId: 'tenant-gone', workspaceId: undefined }), {
    result: mismatch(WRONG_TENANT),
    calls: ['find tenant-gone'],
  })
  t.strictSame(
    await outcome({ 'x-tenant-id': 'undefined' }, { tenantId: 'tenant-gone', workspaceId: undefined }),
    { result: mismatch(WRONG_TENANT), calls: ['find tenant-gone'] },
    'the slug of no tenant is not the text "undefined"',
  )
})

t.test("X-Workspace-Id: a workspace credential's own workspace, by id or slug; any other is 403", async (t) => {
  t.strictSame(await outcome({ 'x-workspace-id': 'ws-prod' }, inProd), { result: 'accepted', calls: [] })
  t.strictSame(await outcome({ 'x-workspace-id': ' ws-prod ' }, inProd), { result: 'accepted', calls: [] })
  t.strictSame(await outcome({ 'x-workspace-id': 'prod' }, inProd), {
    result: 'accepted',
    calls: ['workspaces.find tenant-acme prod'],
  })
  t.strictSame(await outcome({ 'x-workspace-id': 'dev' }, inProd), {
    result: mismatch(WRONG_WORKSPACE),
    calls: ['workspaces.find tenant-acme dev'],
  })
  t.strictSame(await outcome({ 'x-workspace-id': 'ws-dev' }, inProd), {
    result: mismatch(WRONG_WORKSPACE),
    calls: ['workspaces.find tenant-acme ws-dev'],
  })
  t.strictSame(await outcome({ 'x-workspace-id': 'staging' }, inProd), {
    result: mismatch(WRONG_WORKSPACE),
    calls: ['workspaces.find tenant-acme staging'],
  })
})

t.test("X-Workspace-Id with a tenant-wide credential: any workspace of its tenant, none of another's", async (t) => {
  t.strictSame(await outcome({ 'x-workspace-id': 'dev' }, tenantWide), {
    result: 'accepted',
    calls: ['workspaces.find tenant-acme dev'],
  })
  t.strictSame(await outcome({ 'x-workspace-id': 'ws-prod' }, tenantWide), {
    result: 'accepted',
    calls: ['workspaces.find tenant-acme ws-prod'],
  })
  t.strictSame(await outcome({ 'x-workspace-id': 'nowhere' }, tenantWide), {
    result: mismatch(WRONG_WORKSPACE),
    calls: ['workspaces.find tenant-acme nowhere'],
  })
  t.strictSame(
    await outcome({ 'x-workspace-id': 'prod' }, { tenantId: 'tenant-other', workspaceId: undefined }),
    { result: mismatch(WRONG_WORKSPACE), calls: ['workspaces.find tenant-other prod'] },
    "another tenant's credential cannot name this tenant's workspace",
  )
})

t.test('both headers: each checked, the tenant first', async (t) => {
  t.strictSame(await outcome({ 'x-tenant-id': 'acme', 'x-workspace-id': 'prod' }, inProd), {
    result: 'accepted',
    calls: ['find tenant-acme', 'workspaces.find tenant-acme prod'],
  })
  t.strictSame(await outcome({ 'x-tenant-id': 'globex', 'x-workspace-id': 'prod' }, inProd), {
    result: mismatch(WRONG_TENANT),
    calls: ['find tenant-acme'],
  })
  t.strictSame(await outcome({ 'x-tenant-id': TENANT.id, 'x-workspace-id': 'dev' }, inProd), {
    result: mismatch(WRONG_WORKSPACE),
    calls: ['workspaces.find tenant-acme dev'],
  })
})

t.test('a header sent twice is 400 invalid_request naming it, before any lookup', async (t) => {
  const twice = (name: string) => ({
    status: 400,
    body: { error: 'invalid_request', error_description: `${name} must be sent once` },
    headers: {},
  })
  t.strictSame(await outcome({ 'x-tenant-id': ['acme', 'acme'] }, inProd), {
    result: twice('X-Tenant-Id'),
    calls: [],
  })
  t.strictSame(await outcome({ 'x-workspace-id': ['prod', 'prod'] }, inProd), {
    result: twice('X-Workspace-Id'),
    calls: [],
  })
  t.strictSame(await outcome({ 'x-tenant-id': 'acme', 'x-workspace-id': ['prod', 'dev'] }, inProd), {
    result: twice('X-Workspace-Id'),
    calls: [],
  })
})
