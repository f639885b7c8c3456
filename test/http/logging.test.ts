// What reaches the logs of the real server: JSON lines with a request id, and never a secret, whatever
// the client sends where (headers, form bodies, query strings), even at LOG_LEVEL=trace.
import { join } from 'node:path'
import t from 'tap'
import { redactUrl } from '../../src/http/logging.ts'
import { hashPassword } from '../../src/security/passwords.ts'
import { randomSecret, sha256 } from '../../src/security/secrets.ts'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { build, tempDir } from '../support/helper.ts'
import { seed, tokenRequest } from '../support/token-fixtures.ts'
import { leakedSecrets } from '../support/process-fixtures.ts'
import { startServer } from '../support/spawn-server.ts'

t.test('redactUrl keeps the path and parameter names, never the values', async (t) => {
  t.equal(redactUrl('/oauth/token'), '/oauth/token')
  t.equal(
    redactUrl('/oauth/token?client_secret=s3cret&password=pw&x'),
    '/oauth/token?client_secret=[redacted]&password=[redacted]&x',
  )
})

t.test('secrets of token requests never reach the log output', async (t) => {
  const databaseUrl = `file:${join(tempDir(t), 'portcullis.db')}`
  const server = await startServer(t, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'trace' })

  const db = await openDatabase(databaseUrl)
  const store = createStore(db)
  t.teardown(() => store.close())
  const clientSecret = randomSecret()
  const password = 'log-test-password-Qz9'
  await store.clients.create({
    clientId: 'logged-client',
    name: 'Logs',
    secretHash: sha256(clientSecret),
    grantTypes: ['password', 'refresh_token'],
    scopes: ['read'],
  })
  await store.users.create({ username: 'logged-user', passwordHash: await hashPassword(password, 4), scopes: ['read'] })

  const basic = `Basic ${Buffer.from(`logged-client:${clientSecret}`).toString('base64')}`
  const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body),
    })

  const issued = await post(
    { grant_type: 'password', username: 'logged-user', password, scope: 'read' },
    { authorization: basic },
  )
  t.equal(issued.status, 200, 'the password grant succeeded')
  const first = (await issued.json()) as { access_token: string; refresh_token: string }

  const refreshed = await post({
    grant_type: 'refresh_token',
    refresh_token: first.refresh_token,
    client_id: 'logged-client',
    client_secret: clientSecret,
  })
  t.equal(refreshed.status, 200, 'the refresh grant succeeded with client_secret_post')
  const second = (await refreshed.json()) as { access_token: string; refresh_token: string }

  const wrongPassword = 'wrong-password-Xy7'
  t.equal(
    (await post({ grant_type: 'password', username: 'logged-user', password: wrongPassword }, { authorization: basic }))
      .status,
    400,
  )
  const jsonBody = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: wrongPassword }),
  })
  t.ok(jsonBody.status >= 400 && jsonBody.status < 500, 'a JSON body is refused')

  const apiKey = `pk_${randomSecret()}`
  const cookie = `session=${randomSecret()}`
  const querySecret = randomSecret()
  await fetch(`${server.url}/.well-known/jwks.json?client_secret=${querySecret}&access_token=${first.access_token}`, {
    headers: { authorization: `Bearer ${second.access_token}`, 'x-api-key': apiKey, cookie },
  })
  await fetch(`${server.url}/healthz`)

  server.child.kill('SIGTERM')
  t.same(await server.exited, { code: 0, signal: null })
  const output = server.stdout() + server.stderr()

  const secrets = {
    clientSecret,
    password,
    wrongPassword,
    basic: basic.slice('Basic '.length),
    accessToken: first.access_token,
    refreshToken: first.refresh_token,
    secondAccessToken: second.access_token,
    secondRefreshToken: second.refresh_token,
    apiKey,
    cookie,
    querySecret,
  }
  for (const [name, value] of Object.entries(secrets)) t.notOk(output.includes(value), `no ${name} in the logs`)

  const entries = server
    .stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  const requests = entries.filter((entry) => entry.msg === 'incoming request')
  t.equal(requests.length, 5, 'every request is logged, except the probe')
  t.ok(
    entries
      .filter((entry) => entry.msg === 'incoming request' || entry.msg === 'request completed')
      .every((entry) => typeof entry.requestId === 'string'),
    'request logs carry the request id',
  )
  t.match(output, '"url":"/.well-known/jwks.json?client_secret=[redacted]&access_token=[redacted]"')
})

t.test(
  'secrets of the admin API, token exchange, introspection and revocation never reach the log output',
  async (t) => {
    const databaseUrl = `file:${join(tempDir(t), 'portcullis.db')}`
    const server = await startServer(t, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'trace' })
    const store = createStore(await openDatabase(databaseUrl))
    t.teardown(() => store.close())
    const clientSecret = randomSecret()
    await store.clients.create({
      clientId: 'ops',
      name: 'Ops',
      secretHash: sha256(clientSecret),
      grantTypes: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      scopes: ['read', 'admin'],
    })
    const basic = `Basic ${Buffer.from(`ops:${clientSecret}`).toString('base64')}`
    const form = (path: string, body: Record<string, string>) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
        body: new URLSearchParams(body),
      })
    const adminToken = (
      (await (await form('/oauth/token', { grant_type: 'client_credentials', scope: 'admin' })).json()) as {
        access_token: string
      }
    ).access_token
    const adminPost = async (path: string, body: unknown) =>
      (await (
        await fetch(`${server.url}/admin/v1${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
          body: JSON.stringify(body),
        })
      ).json()) as Record<string, unknown>

    const userPassword = 'admin-set-password-Kp4-long-enough'
    const user = await adminPost('/users', { username: 'carol', password: userPassword, scopes: ['read'] })
    t.type(user.id, 'string', 'a user created with a password in a JSON body')
    const created = await adminPost('/clients', { name: 'Made', grant_types: ['client_credentials'], scopes: ['read'] })
    t.type(created.client_secret, 'string', 'a client whose secret is in the response')
    const key = await adminPost('/access-keys', { name: 'k', scopes: ['read'] })
    t.type(key.key, 'string', 'an access key, shown once')
    const exchanged = (await (
      await form('/oauth/token', {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: key.key as string,
        subject_token_type: 'urn:portcullis:params:oauth:token-type:access_key',
      })
    ).json()) as Record<string, unknown>
    t.type(exchanged.access_token, 'string', 'the key exchanged for a token')
    t.equal((await form('/oauth/introspect', { token: exchanged.access_token as string })).status, 200, 'introspected')
    t.equal((await form('/oauth/revoke', { token: exchanged.access_token as string })).status, 200, 'revoked')

    server.child.kill('SIGTERM')
    t.same(await server.exited, { code: 0, signal: null })
    const secrets = [
      clientSecret,
      basic,
      adminToken,
      userPassword,
      created.client_secret as string,
      key.key as string,
      exchanged.access_token as string,
    ]
    t.same(leakedSecrets(server.stdout() + server.stderr(), secrets), [], 'none of them is in the logs')
  },
)

t.test('secrets of requests that fail with a 500 never reach the log output', async (t) => {
  let output = ''
  const ctx = await build(t, {
    env: { LOG_LEVEL: 'trace' },
    deps: { logger: undefined, logStream: { write: (line) => void (output += line) } },
  })
  const seeded = await seed(ctx.store)
  const issued = await tokenRequest(
    ctx.app,
    { grant_type: 'password', username: 'alice', password: seeded.alice.password, scope: 'read' },
    { authorization: seeded.service.auth },
  )
  t.equal(issued.statusCode, 200)
  const { access_token: accessToken, refresh_token: refreshToken } = issued.json()
  const adminToken = (
    await tokenRequest(
      ctx.app,
      { grant_type: 'client_credentials', scope: 'admin' },
      { authorization: seeded.service.auth },
    )
  ).json().access_token as string

  // The store fails in a way nothing expects: each request below ends in the generic 500.
  const broken = () => Promise.reject(new Error('the disk caught fire'))
  Object.assign(ctx.store.users, { findByUsername: broken })
  Object.assign(ctx.store.clients, { list: broken })
  Object.assign(ctx.store.refreshTokens, { rotate: broken, findByHash: broken })
  const failures = [
    await tokenRequest(
      ctx.app,
      { grant_type: 'password', username: 'alice', password: seeded.alice.password },
      { authorization: seeded.service.auth },
    ),
    await tokenRequest(ctx.app, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: seeded.service.clientId,
      client_secret: seeded.service.secret,
    }),
    await ctx.app.inject({
      method: 'GET',
      url: '/admin/v1/clients',
      headers: { authorization: `Bearer ${adminToken}` },
    }),
  ]
  t.same(
    failures.map((response) => response.statusCode),
    [500, 500, 500],
  )
  t.match(output, 'the disk caught fire', 'the failures were logged')
  const secrets = [
    seeded.alice.password,
    seeded.service.secret,
    seeded.service.auth,
    accessToken,
    refreshToken,
    adminToken,
  ]
  t.same(leakedSecrets(output, secrets), [], 'none of the secrets is in the logs')
})
