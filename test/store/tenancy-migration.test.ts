// A database made by the release before tenants (its migrations only), holding a client, a user, a secret access
// key and a refresh token, is migrated to tenants: every row joins the default tenant and every credential keeps
// working (password grant, refresh, token exchange of the key, the key on the admin-free /v1/me route).
import { randomBytes } from 'node:crypto'
import bcrypt from 'bcryptjs'
import { decodeJwt } from 'jose'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { createKeyring } from '../../src/keys/keyring.ts'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { createChangeFeed } from '../../src/store/change-feed.ts'
import { createStore, DEFAULT_TENANT_ID, openDatabase, ANY_TENANT } from '../../src/store/index.ts'
import { readMigrations } from '../../src/store/migrations/schema-engine.ts'
import { migrateBefore } from '../support/migrate-before.ts'
import { createDatabaseUrl, providers, tempDir, testConfig } from '../support/helper.ts'
import { basic, tokenRequest } from '../support/token-fixtures.ts'

const FIRST_TENANCY_MIGRATION = '20261205212913_tenants'
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const SECRET = 'legacy-client-secret-with-plenty-of-entropy-0123456789'
const PASSWORD = 'correct horse battery staple'

for (const provider of providers) {
  t.test(`an existing database joins the default tenant on ${provider}, every credential working`, async (t) => {
    const url = await createDatabaseUrl(t, provider)
    await migrateBefore(provider, url, FIRST_TENANCY_MIGRATION)

    // What the previous release wrote: its tables had no tenant columns.
    const now = new Date()
    const later = new Date(now.getTime() + 3600_000)
    const userId = '01a24800-0000-7000-8000-00000000000a'
    const key = generateAccessKey(now.getTime())
    const refreshToken = randomBytes(32).toString('base64url')
    const old = await openDatabase(url)
    try {
      const { prisma } = old
      await prisma.$executeRaw`INSERT INTO "Client" ("clientId", "name", "secretHash", "grantTypes", "scopes", "createdAt", "updatedAt")
        VALUES ('legacy', 'Legacy', ${sha256(SECRET)}, ${`password refresh_token ${EXCHANGE}`}, 'read keys:write', ${now}, ${now})`
      await prisma.$executeRaw`INSERT INTO "User" ("id", "username", "passwordHash", "scopes", "createdAt", "updatedAt")
        VALUES (${userId}, 'olduser', ${bcrypt.hashSync(PASSWORD, 4)}, 'read keys:write', ${now}, ${now})`
      await prisma.$executeRaw`INSERT INTO "AccessKey" ("id", "prefix", "secretHash", "name", "userId", "scopes", "createdAt", "updatedAt")
        VALUES (${key.id}, ${key.prefix}, ${key.secretHash}, 'old key', ${userId}, 'read keys:write', ${now}, ${now})`
      await prisma.$executeRaw`INSERT INTO "RefreshFamily" ("id", "clientId", "userId", "scope", "audience", "absoluteExpiresAt", "createdAt")
        VALUES ('01a24800-0000-7000-8000-0000000000f1', 'legacy', ${userId}, 'read', 'http://portcullis.test', ${later}, ${now})`
      await prisma.$executeRaw`INSERT INTO "RefreshToken" ("id", "tokenHash", "familyId", "scope", "expiresAt", "createdAt")
        VALUES ('01a24800-0000-7000-8000-0000000000e1', ${sha256(refreshToken)}, '01a24800-0000-7000-8000-0000000000f1', 'read', ${later}, ${now})`
    } finally {
      await old.close()
    }

    // This release opens it: the tenancy migration runs.
    const db = await openDatabase(url, { migrate: true })
    const released = (await readMigrations(provider)).migrationDirectories.map((dir) => dir.path)
    t.same(
      db.migrationsApplied,
      released.filter((name) => name >= FIRST_TENANCY_MIGRATION),
      'the tenancy migration and every later one, in order',
    )
    t.equal(db.migrationsApplied[0], FIRST_TENANCY_MIGRATION)
    const store = createStore(db)
    const config = testConfig({ DATABASE_URL: url, KEYS_DIR: tempDir(t) })
    const changes = createChangeFeed(db)
    const masterKey = randomBytes(32)
    const keyring = await createKeyring({ config, store, masterKey, changes })
    const app = await buildApp({ config, store, keyring, masterKey, logger: false, changes })
    t.teardown(async () => {
      await app.close()
      keyring.close()
      await changes.close()
      await store.close()
    })

    t.equal((await store.tenants.find('default'))?.id, DEFAULT_TENANT_ID, 'the default tenant exists')
    t.equal((await store.users.findByUsername(DEFAULT_TENANT_ID, 'olduser'))?.tenantId, DEFAULT_TENANT_ID)
    t.equal((await store.clients.findById(ANY_TENANT, 'legacy'))?.tenantId, DEFAULT_TENANT_ID)
    t.equal((await store.accessKeys.findById(ANY_TENANT, key.id))?.tenantId, DEFAULT_TENANT_ID)

    const auth = { authorization: basic('legacy', SECRET) }
    const login = await tokenRequest(app, { grant_type: 'password', username: 'olduser', password: PASSWORD }, auth)
    t.equal(login.statusCode, 200, login.body)
    t.equal(decodeJwt(login.json().access_token).tenant_id, DEFAULT_TENANT_ID)

    const refreshed = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken }, auth)
    t.equal(refreshed.statusCode, 200, refreshed.body)
    t.equal(refreshed.json().scope, 'read')

    const exchanged = await tokenRequest(
      app,
      {
        grant_type: EXCHANGE,
        subject_token: key.key,
        subject_token_type: 'urn:portcullis:params:oauth:token-type:access_key',
      },
      auth,
    )
    t.equal(exchanged.statusCode, 200, exchanged.body)
    t.equal(decodeJwt(exchanged.json().access_token).tenant_id, DEFAULT_TENANT_ID)

    const mine = await app.inject({ method: 'GET', url: '/v1/me/access-keys', headers: { 'x-api-key': key.key } })
    t.equal(mine.statusCode, 200, mine.body)
    t.equal(mine.json().items[0].id, key.id)

    // A second tenant may reuse the username without touching the migrated user.
    const acme = await store.tenants.create({ slug: 'acme', name: 'Acme' })
    await store.users.create({ tenantId: acme.id, username: 'olduser', passwordHash: 'x', scopes: [] })
    t.equal((await store.users.findByUsername(DEFAULT_TENANT_ID, 'olduser'))?.id, userId)
  })
}
