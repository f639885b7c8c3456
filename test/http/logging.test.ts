// What reaches the logs of the real server: JSON lines with a request id, and never a secret, whatever
// the client sends where (headers, form bodies, query strings), even at LOG_LEVEL=trace.
import { join } from 'node:path'
import t from 'tap'
import { redactUrl } from '../../src/http/logging.ts'
import { hashPassword } from '../../src/security/passwords.ts'
import { randomSecret, sha256 } from '../../src/security/secrets.ts'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { tempDir } from '../support/helper.ts'
import { startServer } from '../support/spawn-server.ts'

t.test('redactUrl keeps the path and parameter names, never the values', async (t) => {
  t.equal(redactUrl('/oauth/token'), '/oauth/token')
  t.equal(redactUrl('/oauth/token?client_secret=s3cret&password=pw&x'), '/oauth/token?client_secret=[redacted]&password=[redacted]&x')
})

t.test('secrets of token requests never reach the log output', async (t) => {
  const databaseUrl = `file:${join(tempDir(t), 'portcullis.db')}`
  const server = await startServer(t, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'trace' })

  const db = await openDatabase(databaseUrl)
  const store = createStore(db)
  t.teardown(() => store.close())
  const clientSecret = randomSecret()
  const password = 'log-test-password-Qz9'
  await store.clients.create({ clientId: 'logged-client', name: 'Logs', secretHash: sha256(clientSecret), grantTypes: ['password', 'refresh_token'], scopes: ['read'] })
  await store.users.create({ username: 'logged-user', passwordHash: await hashPassword(password, 4), scopes: ['read'] })

  const basic = `Basic ${Buffer.from(`logged-client:${clientSecret}`).toString('base64')}`
  const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) })

  const issued = await post({ grant_type: 'password', username: 'logged-user', password, scope: 'read' }, { authorization: basic })
  t.equal(issued.status, 200, 'the password grant succeeded')
  const first = (await issued.json()) as { access_token: string; refresh_token: string }

  const refreshed = await post({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'logged-client', client_secret: clientSecret })
  t.equal(refreshed.status, 200, 'the refresh grant succeeded with client_secret_post')
  const second = (await refreshed.json()) as { access_token: string; refresh_token: string }

  const wrongPassword = 'wrong-password-Xy7'
  t.equal((await post({ grant_type: 'password', username: 'logged-user', password: wrongPassword }, { authorization: basic })).status, 400)
  const jsonBody = await fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: wrongPassword }) })
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

  const entries = server.stdout().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
  const requests = entries.filter((entry) => entry.msg === 'incoming request')
  t.equal(requests.length, 5, 'every request is logged, except the probe')
  t.ok(
    entries.filter((entry) => entry.msg === 'incoming request' || entry.msg === 'request completed').every((entry) => typeof entry.requestId === 'string'),
    'request logs carry the request id',
  )
  t.match(output, '"url":"/.well-known/jwks.json?client_secret=[redacted]&access_token=[redacted]"')
})
