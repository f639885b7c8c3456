// The login throttle counts a username within its tenant (usernames are unique only there): failed logins of
// `alice` in one tenant lock out that alice, never the `alice` of another tenant or of the default tenant, on the
// password grant and on the sign-in page alike. The lock's audit event is the tenant's.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { usernameKey } from '../../src/oauth/login-attempts.ts'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { DEFAULT_TENANT_ID, type Store } from '../../src/store/index.ts'
import { build, providers } from '../support/helper.ts'
import { authorizeUrl, pkce, query, REDIRECT, signInFlow } from '../support/sign-in.ts'
import { basic, PASSWORD, SECRET, tokenRequest } from '../support/token-fixtures.ts'

const ENV = {
  LOGIN_MAX_FAILURES_PER_USER: '2',
  // One test address makes every attempt: its own limit must not be what locks.
  LOGIN_MAX_FAILURES_PER_IP: '1000',
  LOGIN_FAILURE_WINDOW: '300',
  LOGIN_LOCKOUT: '60',
}

/** Tenants acme and globex, each with a client (password and code flow) and a user alice; the default tenant's alice too. */
async function seedTenants(store: Store) {
  const passwordHash = await hashPassword(PASSWORD, 4)
  const acme = await store.tenants.create({ slug: 'acme', name: 'Acme' })
  const globex = await store.tenants.create({ slug: 'globex', name: 'Globex' })
  for (const [slug, tenantId] of [
    ['acme', acme.id],
    ['globex', globex.id],
    ['default', DEFAULT_TENANT_ID],
  ] as const) {
    await store.clients.create({
      clientId: `${slug}-app`,
      ...(tenantId === DEFAULT_TENANT_ID ? {} : { tenantId }),
      name: slug,
      secretHash: sha256(SECRET),
      grantTypes: ['password', 'authorization_code'],
      scopes: ['read'],
      redirectUris: [REDIRECT],
      firstParty: true,
    })
    await store.users.create({
      username: 'alice',
      passwordHash,
      scopes: ['read'],
      ...(tenantId === DEFAULT_TENANT_ID ? {} : { tenantId }),
    })
  }
  return { acme, globex }
}

const passwordLogin = (app: FastifyInstance, client: string, password: string) =>
  tokenRequest(
    app,
    { grant_type: 'password', username: 'alice', password, scope: 'read' },
    { authorization: basic(`${client}-app`, SECRET) },
  )

/** alice's sign-in on the login page of `client`'s code flow: the login page's answer. */
async function pageLogin(app: FastifyInstance, client: string, password: string) {
  const flow = signInFlow(app)
  const start = await flow.get(
    authorizeUrl({
      response_type: 'code',
      client_id: `${client}-app`,
      redirect_uri: REDIRECT,
      scope: 'read',
      state: 's',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    }),
  )
  if (!start.headers.location?.startsWith('/oauth/login')) throw new Error(`no login page: ${start.statusCode}`)
  return flow.login(start.headers.location, 'alice', password)
}

for (const provider of providers) {
  t.test(`the password grant's throttle counts alice within her tenant, on ${provider}`, async (t) => {
    let clock = Date.now()
    const { app, store, db } = await build(t, { provider, now: () => clock, env: ENV })
    const { acme, globex } = await seedTenants(store)

    for (const guess of ['guess 1', 'guess 2']) {
      const wrong = await passwordLogin(app, 'acme', guess)
      t.equal(wrong.statusCode, 400)
      t.equal(wrong.json().error, 'invalid_grant')
    }
    const locked = await passwordLogin(app, 'acme', PASSWORD)
    t.equal(locked.statusCode, 429, "acme's alice is locked, even with the right password")
    t.same(locked.json(), { error: 'too_many_requests', error_description: 'too many failed logins; try again later' })

    const other = await passwordLogin(app, 'globex', PASSWORD)
    t.equal(other.statusCode, 200, "globex's alice is not: her name is counted in her tenant")
    const byDefault = await passwordLogin(app, 'default', PASSWORD)
    t.equal(byDefault.statusCode, 200, "nor the default tenant's alice")

    // The counters, by key: acme's alice counts under her tenant, the default tenant's under the key from before
    // tenants (a lock in force at the upgrade holds), globex's was forgotten at her successful login.
    const keys = (await db.prisma.loginThrottle.findMany({ where: { key: { startsWith: 'user:' } } })).map(
      (row) => row.key,
    )
    t.same(keys, [usernameKey(acme.id, 'alice')])
    t.equal(usernameKey(acme.id, 'alice'), `user:${acme.id}:${sha256('alice')}`)
    t.equal(usernameKey(DEFAULT_TENANT_ID, 'alice'), `user:${sha256('alice')}`)
    t.not(usernameKey(globex.id, 'alice'), usernameKey(acme.id, 'alice'))

    // The lock is audited in acme's log, not in the default tenant's.
    const throttled = async (tenantId: string) =>
      (await store.audit.list(tenantId, { limit: 10, type: 'login.throttled' })).items.length
    t.equal(await throttled(acme.id), 1)
    t.equal(await throttled(DEFAULT_TENANT_ID), 0)

    // Failures at globex's alice lock her alone, and acme's lock ends on its own clock.
    for (const guess of ['guess 1', 'guess 2']) t.equal((await passwordLogin(app, 'globex', guess)).statusCode, 400)
    t.equal((await passwordLogin(app, 'globex', PASSWORD)).statusCode, 429)
    t.equal((await passwordLogin(app, 'default', PASSWORD)).statusCode, 200)
    clock += 61_000
    t.equal((await passwordLogin(app, 'acme', PASSWORD)).statusCode, 200, 'after LOGIN_LOCKOUT')
  })

  t.test(`the sign-in page's throttle counts alice within her tenant, on ${provider}`, async (t) => {
    const { app, store } = await build(t, { provider, env: ENV })
    const { acme } = await seedTenants(store)

    for (const guess of ['guess 1', 'guess 2']) t.equal((await pageLogin(app, 'acme', guess)).statusCode, 401)
    const locked = await pageLogin(app, 'acme', PASSWORD)
    t.equal(locked.statusCode, 429, "acme's alice is locked on the sign-in page")
    t.match(locked.body, 'Too many failed sign-ins')
    t.ok(Number(locked.headers['retry-after']) > 0)

    for (const client of ['globex', 'default']) {
      const signedIn = await pageLogin(app, client, PASSWORD)
      t.equal(signedIn.statusCode, 303, `${client}'s alice signs in`)
      t.ok(query(signedIn.headers.location).code, 'and her client gets a code')
    }

    // The page's failures and its lock are audited in acme's log.
    const acmeEvents = await store.audit.list(acme.id, { limit: 10 })
    t.same(acmeEvents.items.map((event) => event.type).sort(), ['login.failed', 'login.failed', 'login.throttled'])
    t.equal((await store.audit.list(DEFAULT_TENANT_ID, { limit: 10, type: 'login.failed' })).items.length, 0)
  })
}
