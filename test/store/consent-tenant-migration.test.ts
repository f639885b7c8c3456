// Consents and authorization codes were written in the default tenant whatever their user's, until the store took a
// tenant scope: migration 20261206040000_consent_code_tenants gives each its user's tenant, so that a consent read
// in its tenant is still found after the upgrade (no consent page asked again), and a deleted tenant takes them.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { createStore, DEFAULT_TENANT_ID, openDatabase } from '../../src/store/index.ts'
import { migrateBefore } from '../support/migrate-before.ts'
import { createDatabaseUrl, providers } from '../support/helper.ts'

const MIGRATION = '20261206040000_consent_code_tenants'

const ACME = '01a24900-0000-7000-8000-0000000000a1'

for (const provider of providers) {
  t.test(`consents and codes take their user's tenant on ${provider}`, async (t) => {
    const url = await createDatabaseUrl(t, provider)
    await migrateBefore(provider, url, MIGRATION)
    const now = new Date()
    const later = new Date(now.getTime() + 600_000)
    const old = await openDatabase(url)
    try {
      const { prisma } = old
      await prisma.$executeRaw`INSERT INTO "Tenant" ("id", "slug", "name", "createdAt") VALUES (${ACME}, 'acme', 'Acme', ${now})`
      for (const [suffix, tenantId] of [
        ['a', ACME],
        ['d', DEFAULT_TENANT_ID],
      ] as const) {
        await prisma.$executeRaw`INSERT INTO "Client" ("clientId", "tenantId", "name", "grantTypes", "scopes", "createdAt", "updatedAt")
          VALUES (${`web-${suffix}`}, ${tenantId}, 'Web', 'authorization_code', 'read', ${now}, ${now})`
        await prisma.$executeRaw`INSERT INTO "User" ("id", "tenantId", "username", "passwordHash", "scopes", "createdAt", "updatedAt")
          VALUES (${`user-${suffix}`}, ${tenantId}, 'alice', 'x', 'read', ${now}, ${now})`
        // What the previous build wrote: no tenant, so the column's default.
        await prisma.$executeRaw`INSERT INTO "Consent" ("id", "userId", "clientId", "scopes", "createdAt", "updatedAt")
          VALUES (${`consent-${suffix}`}, ${`user-${suffix}`}, ${`web-${suffix}`}, 'read', ${now}, ${now})`
        await prisma.$executeRaw`INSERT INTO "AuthorizationCode" ("id", "codeHash", "clientId", "userId", "redirectUri", "codeChallenge", "scope", "audience", "authTime", "expiresAt", "createdAt")
          VALUES (${`code-${suffix}`}, ${`hash-${suffix}`}, ${`web-${suffix}`}, ${`user-${suffix}`}, 'https://a.example/cb', 'x', 'read', 'aud', ${now}, ${later}, ${now})`
      }
      // A code whose user is gone keeps the tenant it has.
      await prisma.$executeRaw`INSERT INTO "AuthorizationCode" ("id", "codeHash", "clientId", "userId", "redirectUri", "codeChallenge", "scope", "audience", "authTime", "expiresAt", "createdAt")
        VALUES ('code-orphan', 'hash-orphan', 'web-a', 'gone', 'https://a.example/cb', 'x', 'read', 'aud', ${now}, ${later}, ${now})`
      t.equal(
        (await prisma.consent.findUniqueOrThrow({ where: { id: 'consent-a' } })).tenantId,
        DEFAULT_TENANT_ID,
        "before: acme's consent is in the default tenant",
      )
    } finally {
      await old.close()
    }

    const db = await openDatabase(url, { migrate: true })
    const store = createStore(db)
    t.teardown(() => store.close())
    const byId = (rows: { id: string; tenantId: string }[]) =>
      Object.fromEntries(rows.map((row) => [row.id, row.tenantId]))
    const tenants = async (model: 'consent' | 'authorizationCode') =>
      byId(
        model === 'consent'
          ? await db.prisma.consent.findMany({ orderBy: { id: 'asc' } })
          : await db.prisma.authorizationCode.findMany({ orderBy: { id: 'asc' } }),
      )
    t.same(await tenants('consent'), { 'consent-a': ACME, 'consent-d': DEFAULT_TENANT_ID })
    t.same(await tenants('authorizationCode'), {
      'code-a': ACME,
      'code-d': DEFAULT_TENANT_ID,
      'code-orphan': DEFAULT_TENANT_ID,
    })
    // A data migration cut short after its commit is applied again (store/migrations/interrupted-migrations.ts:
    // the trial applies, since no object of it exists): it must change nothing the second time.
    const script = readFileSync(
      new URL(
        `../../prisma/${provider === 'sqlite' ? 'sqlite' : 'postgres'}/migrations/${MIGRATION}/migration.sql`,
        import.meta.url,
      ),
      'utf8',
    )
    for (const statement of script
      .split(';')
      .map((part) => part.replace(/^\s*--.*$/gm, '').trim())
      .filter(Boolean))
      t.equal(await db.prisma.$executeRawUnsafe(statement), 0, 'applied again, it changes no row')
    t.same(await tenants('consent'), { 'consent-a': ACME, 'consent-d': DEFAULT_TENANT_ID })
    t.match(await store.consents.findActive(ACME, 'user-a', 'web-a'), { id: 'consent-a', scopes: ['read'] })
    t.equal(await store.consents.findActive(DEFAULT_TENANT_ID, 'user-a', 'web-a'), undefined)
    await store.tenants.delete(ACME)
    t.same(await tenants('consent'), { 'consent-d': DEFAULT_TENANT_ID }, 'a deleted tenant takes its consents')
    t.same(
      Object.keys(await tenants('authorizationCode')),
      ['code-d', 'code-orphan'],
      'and its codes (the orphan stays for the janitor)',
    )
  })
}
