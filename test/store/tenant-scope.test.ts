// The store keeps every query of a tenant-owned table to the tenant it is given (src/store/tenant-scope.ts): each
// scoped method, called on a row of tenant A with tenant B's scope, finds nothing, and each scoped write changes
// nothing and answers as for a missing row; with A's scope the same call finds, or changes, the row. One table of
// methods drives it: a new method is one more row. Below it, a type-level check that the compiler refuses a store
// method of a tenant-owned table whose tenant scope is optional or missing (npm run typecheck compiles test/).
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { ANY_TENANT, type Store, type TenantScope } from '../../src/store/index.ts'
import { createTestStore, providers } from '../support/helper.ts'

/** One tenant's rows, one of each tenant-owned kind. */
interface Seed {
  tenantId: string
  clientId: string
  userId: string
  passwordHash: string
  keyId: string
  workspaceId: string
  roleId: string
  sessionId: string
  familyId: string
  refreshHash: string
  auditId: string
  origin: string
}

type Assert = Pick<typeof t, 'fail' | 'same' | 'notSame'>

let seeded = 0

/** A tenant with a client, user, key, workspace, role, member, session, consent, login and audit event. */
async function seed(store: Store, now: Date): Promise<Seed> {
  const n = ++seeded
  const tenant = await store.tenants.create({ slug: `tenant-${n}`, name: `Tenant ${n}` }, now)
  const tenantId = tenant.id
  const origin = `https://tenant-${n}.example`
  const client = await store.clients.create({
    clientId: `web-${n}`,
    tenantId,
    name: 'Web',
    secretHash: sha256(`secret ${n}`),
    grantTypes: ['password', 'refresh_token'],
    scopes: ['read', 'write'],
    allowedOrigins: [origin],
  })
  // The same username in every tenant: a lookup by name in another tenant must find that tenant's alice.
  const user = await store.users.create({ tenantId, username: 'alice', passwordHash: `hash ${n}`, scopes: ['read'] })
  const generated = generateAccessKey(now.getTime())
  const key = await store.accessKeys.create(
    { ...generated, tenantId, name: 'key', userId: user.id, scopes: ['read'] },
    now,
  )
  const workspace = await store.tenants.workspaces.create(tenantId, { slug: 'prod', name: 'Production' }, now)
  const role = await store.tenants.roles.create(tenantId, { name: 'reader', scopes: ['read'] }, now)
  await store.tenants.memberships.put(tenantId, { userId: user.id, workspaceId: workspace.id, roleId: role.id }, now)
  const later = new Date(now.getTime() + 3_600_000)
  const session = await store.sessions.create(
    {
      idHash: sha256(randomBytes(32).toString('base64url')),
      tenantId,
      userId: user.id,
      authTime: now,
      amr: ['pwd'],
      idleExpiresAt: later,
      expiresAt: later,
    },
    now,
  )
  await store.consents.grant(tenantId, { userId: user.id, clientId: client.clientId, scopes: ['read'] }, now)
  const refreshHash = sha256(`refresh ${n}`)
  const { family } = await store.refreshTokens.createFamily(
    {
      clientId: client.clientId,
      userId: user.id,
      scope: ['read'],
      audience: 'https://api.example',
      absoluteExpiresAt: later,
      tokenHash: refreshHash,
      sessionId: session.id,
    },
    now,
  )
  await store.audit.record({ tenantId, type: 'user.created', subject: user.id }, now)
  const [event] = (await store.audit.list(tenantId, { limit: 1 })).items
  return {
    tenantId,
    clientId: client.clientId,
    userId: user.id,
    passwordHash: user.passwordHash,
    keyId: key.id,
    workspaceId: workspace.id,
    roleId: role.id,
    sessionId: session.id,
    familyId: family.id,
    refreshHash,
    auditId: event!.id,
    origin,
  }
}

/**
 * A scoped method on the target's row. `missing` says how it answers a row out of scope: not_found (it rejects),
 * or a result that does not reach the row. A write also names the `state` it changes, read across tenants: a call
 * out of scope must leave it as it was, and the call in scope must change it.
 */
interface Case {
  method: string
  call(store: Store, scope: string, target: Seed, now: Date): Promise<unknown>
  missing: 'not_found' | ((result: unknown, target: Seed) => boolean)
  state?(store: Store, target: Seed): Promise<unknown>
}

const isUndefined = (result: unknown) => result === undefined
const isFalse = (result: unknown) => result === false
/** A list (or a page's items) without the target's row. */
const without =
  (id: (target: Seed) => string, key: string) =>
  (result: unknown, target: Seed): boolean => {
    const items = (Array.isArray(result) ? result : (result as { items: unknown[] }).items) as Record<string, unknown>[]
    return !items.some((item) => (typeof item === 'string' ? item : item[key]) === id(target))
  }

const client = (store: Store, target: Seed) => store.clients.findById(ANY_TENANT, target.clientId)
const user = (store: Store, target: Seed) => store.users.findById(ANY_TENANT, target.userId)
const session = (store: Store, target: Seed) => store.sessions.findById(ANY_TENANT, target.sessionId)
const family = async (store: Store, target: Seed) =>
  (await store.refreshTokens.findByHash(ANY_TENANT, target.refreshHash))?.family
const consent = (store: Store, target: Seed) => store.consents.findActive(ANY_TENANT, target.userId, target.clientId)
const workspace = (store: Store, target: Seed) => store.tenants.workspaces.find(target.tenantId, target.workspaceId)
const membership = (store: Store, target: Seed) =>
  store.tenants.memberships.find(target.tenantId, target.userId, target.workspaceId)

const READS: Case[] = [
  { method: 'clients.findById', call: (s, scope, x) => s.clients.findById(scope, x.clientId), missing: isUndefined },
  {
    method: 'clients.list',
    call: (s, scope) => s.clients.list(scope, { limit: 100 }),
    missing: without((x) => x.clientId, 'clientId'),
  },
  {
    method: 'clients.listAllowedOrigins',
    call: (s, scope) => s.clients.listAllowedOrigins(scope),
    missing: (result, x) => !(result as string[]).includes(x.origin),
  },
  { method: 'users.findById', call: (s, scope, x) => s.users.findById(scope, x.userId), missing: isUndefined },
  { method: 'users.requireById', call: (s, scope, x) => s.users.requireById(scope, x.userId), missing: 'not_found' },
  {
    method: 'users.findByUsername',
    call: (s, scope) => s.users.findByUsername(scope, 'alice'),
    missing: (result, x) => (result as { id: string } | undefined)?.id !== x.userId,
  },
  {
    method: 'users.findByIdOrUsername',
    call: (s, scope, x) => s.users.findByIdOrUsername(scope, x.userId),
    missing: isUndefined,
  },
  {
    method: 'users.list',
    call: (s, scope) => s.users.list(scope, { limit: 100 }),
    missing: without((x) => x.userId, 'id'),
  },
  { method: 'accessKeys.findById', call: (s, scope, x) => s.accessKeys.findById(scope, x.keyId), missing: isUndefined },
  {
    method: 'accessKeys.list',
    call: (s, scope) => s.accessKeys.list(scope, { limit: 100 }),
    missing: without((x) => x.keyId, 'id'),
  },
  { method: 'sessions.findById', call: (s, scope, x) => s.sessions.findById(scope, x.sessionId), missing: isUndefined },
  {
    method: 'sessions.listActivePage',
    call: (s, scope, x, now) => s.sessions.listActivePage(scope, x.userId, { limit: 100 }, now),
    missing: without((x) => x.sessionId, 'id'),
  },
  {
    method: 'sessions.listActiveByUser',
    call: (s, scope, x, now) => s.sessions.listActiveByUser(scope, x.userId, now),
    missing: without((x) => x.sessionId, 'id'),
  },
  {
    method: 'consents.findActive',
    call: (s, scope, x) => s.consents.findActive(scope, x.userId, x.clientId),
    missing: isUndefined,
  },
  {
    method: 'consents.listActivePage',
    call: (s, scope, x) => s.consents.listActivePage(scope, x.userId, { limit: 100 }),
    missing: without((x) => x.clientId, 'clientId'),
  },
  {
    method: 'consents.listActiveByUser',
    call: (s, scope, x) => s.consents.listActiveByUser(scope, x.userId),
    missing: without((x) => x.clientId, 'clientId'),
  },
  {
    method: 'audit.list',
    call: (s, scope) => s.audit.list(scope, { limit: 100 }),
    missing: without((x) => x.auditId, 'id'),
  },
  {
    method: 'refreshTokens.listSessionFamilies',
    call: (s, scope, x) => s.refreshTokens.listSessionFamilies(scope, x.sessionId),
    missing: without((x) => x.familyId, 'id'),
  },
  {
    method: 'tenants.workspaces.find',
    call: (s, scope, x) => s.tenants.workspaces.find(scope, x.workspaceId),
    missing: isUndefined,
  },
  {
    method: 'tenants.workspaces.require',
    call: (s, scope, x) => s.tenants.workspaces.require(scope, x.workspaceId),
    missing: 'not_found',
  },
  {
    method: 'tenants.workspaces.list',
    call: (s, scope) => s.tenants.workspaces.list(scope),
    missing: without((x) => x.workspaceId, 'id'),
  },
  { method: 'tenants.roles.find', call: (s, scope, x) => s.tenants.roles.find(scope, x.roleId), missing: isUndefined },
  {
    method: 'tenants.roles.require',
    call: (s, scope, x) => s.tenants.roles.require(scope, x.roleId),
    missing: 'not_found',
  },
  {
    method: 'tenants.roles.list',
    call: (s, scope) => s.tenants.roles.list(scope),
    missing: without((x) => x.roleId, 'id'),
  },
  {
    method: 'tenants.memberships.find',
    call: (s, scope, x) => s.tenants.memberships.find(scope, x.userId, x.workspaceId),
    missing: isUndefined,
  },
  {
    method: 'tenants.memberships.listByWorkspace',
    call: (s, scope, x) => s.tenants.memberships.listByWorkspace(scope, x.workspaceId),
    missing: without((x) => x.userId, 'userId'),
  },
]

const WRITES: Case[] = [
  {
    method: 'clients.update',
    call: (s, scope, x) => s.clients.update(scope, x.clientId, { name: 'Renamed', scopes: ['read'] }),
    missing: 'not_found',
    state: client,
  },
  {
    method: 'clients.rotateSecret',
    call: (s, scope, x, now) => s.clients.rotateSecret(scope, x.clientId, sha256('new secret'), now),
    missing: 'not_found',
    state: client,
  },
  {
    method: 'clients.delete',
    call: (s, scope, x) => s.clients.delete(scope, x.clientId),
    missing: 'not_found',
    state: client,
  },
  {
    method: 'users.update',
    call: (s, scope, x, now) => s.users.update(scope, x.userId, { scopes: ['write'], name: 'Alice' }, now),
    missing: 'not_found',
    state: user,
  },
  {
    method: 'users.update (disabling ends the logins)',
    call: (s, scope, x, now) => s.users.update(scope, x.userId, { disabled: true }, now),
    missing: 'not_found',
    state: async (s, x) => [await user(s, x), await family(s, x)],
  },
  {
    method: 'users.replacePasswordHash',
    call: (s, scope, x) => s.users.replacePasswordHash(scope, x.userId, x.passwordHash, 'new hash'),
    missing: isFalse,
    state: user,
  },
  {
    method: 'users.delete',
    call: (s, scope, x, now) => s.users.delete(scope, x.userId, now),
    missing: 'not_found',
    state: user,
  },
  {
    method: 'accessKeys.revoke',
    call: (s, scope, x, now) => s.accessKeys.revoke(scope, x.keyId, { now }),
    missing: 'not_found',
    state: (s, x) => s.accessKeys.findById(ANY_TENANT, x.keyId),
  },
  {
    method: 'sessions.touch',
    call: (s, scope, x, now) =>
      s.sessions.touch(scope, x.sessionId, new Date(now.getTime() + 60_000), new Date(now.getTime() + 1000)),
    missing: isFalse,
    state: session,
  },
  {
    method: 'sessions.revoke',
    call: (s, scope, x, now) => s.sessions.revoke(scope, x.sessionId, now),
    missing: isFalse,
    state: session,
  },
  {
    method: 'consents.grant',
    call: (s, scope, x, now) =>
      s.consents.grant(scope, { userId: x.userId, clientId: x.clientId, scopes: ['write'] }, now),
    missing: 'not_found',
    state: consent,
  },
  {
    method: 'consents.revoke',
    call: (s, scope, x, now) => s.consents.revoke(scope, x.userId, x.clientId, now),
    missing: isUndefined,
    state: async (s, x) => [await consent(s, x), await family(s, x)],
  },
  {
    method: 'refreshTokens.revokeFamily',
    call: (s, scope, x, now) => s.refreshTokens.revokeFamily(scope, x.familyId, 'revoked', now),
    missing: isFalse,
    state: family,
  },
  {
    method: 'refreshTokens.moveSessionFamilies',
    call: (s, scope, x) => s.refreshTokens.moveSessionFamilies(scope, x.sessionId, 'another-session'),
    missing: (result) => result === 0,
    state: family,
  },
  {
    method: 'tenants.workspaces.delete',
    call: (s, scope, x) => s.tenants.workspaces.delete(scope, x.workspaceId),
    missing: 'not_found',
    state: workspace,
  },
  {
    method: 'tenants.roles.update',
    call: (s, scope, x) => s.tenants.roles.update(scope, x.roleId, { scopes: ['write'] }),
    missing: 'not_found',
    state: (s, x) => s.tenants.roles.find(x.tenantId, x.roleId),
  },
  {
    method: 'tenants.memberships.put',
    call: async (s, scope, x, now) => {
      const role = await s.tenants.roles.create(x.tenantId, { name: `writer-${scope}`, scopes: ['write'] }, now)
      return s.tenants.memberships.put(scope, { userId: x.userId, workspaceId: x.workspaceId, roleId: role.id }, now)
    },
    missing: 'not_found',
    state: membership,
  },
  {
    method: 'tenants.memberships.remove',
    call: (s, scope, x) => s.tenants.memberships.remove(scope, x.userId, x.workspaceId),
    missing: 'not_found',
    state: membership,
  },
]

/** The reads whose scope is a tenant id alone (ANY_TENANT does not fit them: see ScopedStores below). */
const TENANT_ID_ONLY = /^(tenants\.|users\.findByUsername$|users\.findByIdOrUsername$)/

async function outcome(run: () => Promise<unknown>): Promise<{ result: unknown } | { code: string }> {
  try {
    return { result: await run() }
  } catch (err) {
    return { code: (err as { code?: string }).code ?? String(err) }
  }
}

for (const provider of providers) {
  t.test(`the store keeps every scoped method to its tenant on ${provider}`, async (t) => {
    const { store } = await createTestStore(t, provider)
    const now = new Date(Math.floor(Date.now() / 1000) * 1000)
    const other = await seed(store, now)

    /** Another tenant's scope reaches nothing of the target; the target's own reaches it. */
    async function check(t: Assert, test: Case, target: Seed, scope: string): Promise<boolean> {
      const before = await test.state?.(store, target)
      const answer = await outcome(() => test.call(store, scope, target, now))
      const missed =
        test.missing === 'not_found'
          ? 'code' in answer && answer.code === 'not_found'
          : 'result' in answer && test.missing(answer.result, target)
      if ('code' in answer && answer.code !== 'not_found') t.fail(`${test.method} failed: ${answer.code}`)
      if (test.state) {
        const after = await test.state(store, target)
        if (scope === target.tenantId) t.notSame(after, before, `${test.method} in scope changes the row`)
        else t.same(after, before, `${test.method} out of scope changes nothing`)
      }
      return missed
    }

    for (const test of [...READS, ...WRITES]) {
      t.test(test.method, async (t) => {
        const target = await seed(store, now)
        t.equal(await check(t, test, target, other.tenantId), true, "another tenant's scope finds nothing")
        t.equal(await check(t, test, target, target.tenantId), false, 'its own tenant finds it')
      })
    }

    t.test('ANY_TENANT reaches every tenant, for the reads that take it', async (t) => {
      const target = await seed(store, now)
      for (const test of READS.filter((read) => !TENANT_ID_ONLY.test(read.method))) {
        // The table's calls take a tenant id, for the methods that take nothing else; these take ANY_TENANT too.
        const answer = await outcome(() => test.call(store, ANY_TENANT as unknown as string, target, now))
        const found =
          test.missing === 'not_found' ? 'result' in answer : 'result' in answer && !test.missing(answer.result, target)
        t.ok(found, test.method)
      }
    })
  })
}

// The compiler's side: the first parameter of every method of a tenant-owned store is a required tenant scope: a
// TenantScope (ANY_TENANT included), ANY_TENANT alone for a credential lookup, or, for the methods listed as such, a
// tenant id alone. Exempt are the inserts (their tenant is in the row) and the writes that go by the id of a row just
// read in scope. A method whose scope is optional, missing or of another type (an id in its place too) makes one of
// the Expect<…> below fail with its name.
type NoFirstParameter = { readonly missing: unique symbol }
type FirstParameter<F> = F extends (...args: infer P) => unknown
  ? P extends [infer First, ...unknown[]]
    ? First
    : NoFirstParameter
  : NoFirstParameter
type ScopeProblem<First, TenantIdOnly extends boolean> = undefined extends First
  ? 'optional'
  : unknown extends First
    ? 'untyped'
    : TenantIdOnly extends true
      ? [First] extends [string]
        ? [string] extends [First]
          ? never
          : 'not a tenant id'
        : 'not a tenant id'
      : [typeof ANY_TENANT] extends [First]
        ? [First] extends [TenantScope]
          ? never
          : 'not a TenantScope'
        : 'not a TenantScope'
type Unscoped<S, Exempt extends keyof S = never, TenantIdOnly extends keyof S = never> = {
  [K in keyof S]: K extends Exempt
    ? never
    : [ScopeProblem<FirstParameter<S[K]>, K extends TenantIdOnly ? true : false>] extends [never]
      ? never
      : K
}[keyof S]
type Expect<T extends never> = T
type Tenants = Store['tenants']

export type ScopedStores = [
  Expect<Unscoped<Store['clients'], 'create'>>,
  // By username: unique only within a tenant, so always one tenant's.
  Expect<Unscoped<Store['users'], 'create', 'findByUsername' | 'findByIdOrUsername'>>,
  // touchLastUsed: by the ids of keys just verified (whatever their tenant), never from a request's input.
  Expect<Unscoped<Store['accessKeys'], 'create' | 'touchLastUsed'>>,
  Expect<Unscoped<Store['sessions'], 'create'>>,
  Expect<Unscoped<Store['consents'], never, 'grant'>>,
  Expect<Unscoped<Store['audit'], 'record'>>,
  // rotate: a RefreshToken (no tenant of its own) by the id of the token just read by its hash.
  Expect<Unscoped<Store['refreshTokens'], 'createFamily' | 'rotate'>>,
  Expect<Unscoped<Store['authorizationCodes'], 'create'>>,
  Expect<Unscoped<Tenants['workspaces'], never, keyof Tenants['workspaces']>>,
  Expect<Unscoped<Tenants['roles'], never, keyof Tenants['roles']>>,
  Expect<Unscoped<Tenants['memberships'], never, keyof Tenants['memberships']>>,
]

/** Calls the compiler must refuse (never run). */
export function refusedCalls(store: Store): void {
  // @ts-expect-error: the scope is required
  void store.clients.findById('web')
  // @ts-expect-error: undefined is no scope
  void store.users.findById(undefined, 'id')
  // @ts-expect-error: a credential lookup says ANY_TENANT; a tenant id does not fit
  void store.accessKeys.findForVerification('tenant', 'id')
  // @ts-expect-error: workspaces are always one tenant's
  void store.tenants.workspaces.list(ANY_TENANT)
  // @ts-expect-error: a consent is granted in its tenant
  void store.consents.grant(ANY_TENANT, { userId: 'u', clientId: 'c', scopes: [] })
}
