// SQLite's side of DATABASE_TIMEOUT: while another process holds the write lock longer than the busy timeout,
// a request that must write answers 503 with Retry-After (temporarily_unavailable on the OAuth endpoints,
// service_unavailable elsewhere) instead of hanging or answering 500, and works again once the lock is gone.
import { randomBytes } from 'node:crypto'
import BetterSqlite3 from 'better-sqlite3'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { createKeyring } from '../../src/keys/keyring.ts'
import { sqliteFilePath } from '../../src/store/database-url.ts'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { createDatabaseUrl, tempDir, testConfig } from '../support/helper.ts'
import { seed, tokenRequest } from '../support/token-fixtures.ts'

t.test('a write lock held past DATABASE_TIMEOUT: 503 within the timeout, then recovery', async (t) => {
  const databaseUrl = await createDatabaseUrl(t)
  const config = testConfig({ DATABASE_URL: databaseUrl, KEYS_DIR: tempDir(t), DATABASE_TIMEOUT: '1' })
  const store = createStore(
    await openDatabase(databaseUrl, { migrate: true, timeoutMs: config.databaseTimeout * 1000 }),
  )
  t.teardown(() => store.close())
  const masterKey = randomBytes(32)
  const keyring = await createKeyring({ config, store, masterKey, autoRefresh: false })
  const app = await buildApp({ config, store, keyring, masterKey, logger: false })
  t.teardown(() => app.close())
  const { service, alice } = await seed(store)
  const login = await tokenRequest(
    app,
    { grant_type: 'password', username: alice.username, password: alice.password },
    { authorization: service.auth },
  )
  const refreshToken = login.json().refresh_token as string
  const admin = (
    await tokenRequest(app, { grant_type: 'client_credentials', scope: 'admin' }, { authorization: service.auth })
  ).json().access_token as string

  // Another process (here another connection) holds the write lock.
  const other = new BetterSqlite3(sqliteFilePath(databaseUrl))
  t.teardown(() => other.close())
  other.exec('BEGIN IMMEDIATE')

  const started = Date.now()
  const refreshed = await tokenRequest(
    app,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    { authorization: service.auth },
  )
  const took = Date.now() - started
  t.equal(refreshed.statusCode, 503, 'the refresh answers 503')
  t.same(refreshed.json(), {
    error: 'temporarily_unavailable',
    error_description: 'the service is temporarily unavailable; try again later',
  })
  t.equal(refreshed.headers['retry-after'], '1')
  t.ok(took >= 900 && took < 5000, `after the busy timeout (${took} ms)`)

  const created = await app.inject({
    method: 'POST',
    url: '/admin/v1/clients',
    headers: { authorization: `Bearer ${admin}` },
    payload: { name: 'During the lock', grant_types: ['client_credentials'], scopes: ['read'] },
  })
  t.equal(created.statusCode, 503, 'an admin write answers 503')
  t.same(created.json(), {
    error: 'service_unavailable',
    error_description: 'the service is temporarily unavailable; try again later',
  })
  t.equal(created.headers['retry-after'], '1')

  other.exec('ROLLBACK')
  const again = await tokenRequest(
    app,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    { authorization: service.auth },
  )
  t.equal(again.statusCode, 200, 'the same refresh token works once the lock is gone: it was not half rotated')
})
