// The token endpoint's per-client rate limit and its metrics count each client within its tenant: one tenant's
// client spending its quota leaves another tenant's clients theirs, the counter's key names the tenant (in memory
// and in Redis), and portcullis_token_requests_total carries a `tenant` label, so each tenant's requests are
// counted apart.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { clientRateLimitKey } from '../../src/oauth/rate-limits.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { DEFAULT_TENANT_ID, type Store } from '../../src/store/index.ts'
import { build, providers } from '../support/helper.ts'
import { basic, SECRET, tokenRequest } from '../support/token-fixtures.ts'

const ENV = { RATE_LIMIT_PER_IP: '1000', RATE_LIMIT_PER_CLIENT: '2', RATE_LIMIT_WINDOW: '60' }

/** Tenants acme and globex, each with a confidential client_credentials client `<slug>-machine`. */
async function seedTenants(store: Store) {
  const acme = await store.tenants.create({ slug: 'acme', name: 'Acme' })
  const globex = await store.tenants.create({ slug: 'globex', name: 'Globex' })
  for (const [slug, tenantId] of [
    ['acme', acme.id],
    ['globex', globex.id],
  ] as const)
    await store.clients.create({
      clientId: `${slug}-machine`,
      tenantId,
      name: slug,
      secretHash: sha256(SECRET),
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
  return { acme, globex }
}

const machineToken = (app: FastifyInstance, slug: string, secret = SECRET) =>
  tokenRequest(
    app,
    { grant_type: 'client_credentials', scope: 'read' },
    { authorization: basic(`${slug}-machine`, secret) },
  )

const series = (tenant: string, client: string, outcome: string) =>
  `portcullis_token_requests_total{grant_type="client_credentials",tenant="${tenant}",client_id="${client}",outcome="${outcome}"}`

t.test('the per-client key names the tenant', async (t) => {
  t.equal(clientRateLimitKey({ clientId: 'web', tenantId: 'a' }), 'client:a:web')
  t.not(clientRateLimitKey({ clientId: 'web', tenantId: 'a' }), clientRateLimitKey({ clientId: 'web', tenantId: 'b' }))
  t.equal(clientRateLimitKey({ clientId: 'web' }), `client:${DEFAULT_TENANT_ID}:web`)
})

for (const provider of providers) {
  t.test(
    `one tenant's client spends only its own quota and counts in its tenant's series, on ${provider}`,
    async (t) => {
      const { app, store } = await build(t, { provider, env: ENV })
      const { acme, globex } = await seedTenants(store)

      for (let i = 0; i < 2; i++) t.equal((await machineToken(app, 'acme')).statusCode, 200)
      const refused = await machineToken(app, 'acme')
      t.equal(refused.statusCode, 429)
      t.same(refused.json(), {
        error: 'too_many_requests',
        error_description: 'too many token requests for this client: at most 2 per 60 s',
      })
      for (let i = 0; i < 2; i++)
        t.equal((await machineToken(app, 'globex')).statusCode, 200, "globex's client keeps its own quota")
      t.equal((await machineToken(app, 'globex')).statusCode, 429, 'and spends it alone')
      // A wrong secret is counted for no client, so it is in no tenant's series either.
      t.equal((await machineToken(app, 'acme', 'wrong')).statusCode, 401)

      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
      t.match(metrics, '# HELP portcullis_token_requests_total Token endpoint requests by grant type, tenant, client')
      t.match(metrics, `${series(acme.id, 'acme-machine', 'issued')} 2`)
      t.match(metrics, `${series(acme.id, 'acme-machine', 'too_many_requests')} 1`)
      t.match(metrics, `${series(globex.id, 'globex-machine', 'issued')} 2`)
      t.match(metrics, `${series(globex.id, 'globex-machine', 'too_many_requests')} 1`)
      t.match(
        metrics,
        '{grant_type="client_credentials",tenant="unknown",client_id="unknown",outcome="invalid_client"} 1',
      )
      t.notMatch(metrics, `tenant="${acme.id}",client_id="globex-machine"`, "no client is counted in another's tenant")
      t.notMatch(metrics, `tenant="${globex.id}",client_id="acme-machine"`)
    },
  )
}

t.test(
  "the counters in Redis are each tenant's",
  { skip: process.env.TEST_REDIS_URL ? false : 'TEST_REDIS_URL is not set' },
  async (t) => {
    const redisUrl = process.env.TEST_REDIS_URL!
    // A unique issuer is a unique key prefix: parallel runs on one Redis do not meet.
    const issuer = `http://tenant-rate-limit-${randomBytes(6).toString('hex')}.test`
    const prefix = `portcullis:rate-limit:${issuer}:`
    const admin = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
    t.teardown(async () => {
      const keys = await admin.keys(`${prefix}*`)
      if (keys.length > 0) await admin.del(...keys)
      await admin.quit()
    })
    const { app, store } = await build(t, { env: { ...ENV, REDIS_URL: redisUrl, ISSUER: issuer } })
    const { acme, globex } = await seedTenants(store)
    for (let i = 0; i < 2; i++) t.equal((await machineToken(app, 'acme')).statusCode, 200)
    t.equal((await machineToken(app, 'acme')).statusCode, 429)
    t.equal((await machineToken(app, 'globex')).statusCode, 200)
    // The store's key is the deployment prefix, then the limiter's, then ours.
    const keys = (await admin.keys(`${prefix}*`))
      .flatMap((key) => (key.includes('client:') ? [key.slice(key.indexOf('client:'))] : []))
      .sort()
    t.same(keys, [`client:${acme.id}:acme-machine`, `client:${globex.id}:globex-machine`].sort())
  },
)
