// Disabling, deleting or re-passwording a user ends the access tokens already issued to them (RFC 9700 §4.14,
// RFC 7009 §2.1): their logins' JWTs (by `sid`) and their token-exchange JWTs (by `iat`) are refused by the
// admin API, /v1/me and introspection: at once on the instance that made the change, within
// REVOCATION_SYNC_INTERVAL on another one sharing the database, and on every server when the CLI made it.
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../src/app.ts'
import { generateAccessKey } from '../src/security/access-keys.ts'
import { hashPassword } from '../src/security/passwords.ts'
import { sha256 } from '../src/security/secrets.ts'
import { adminHeaders, client } from './admin-fixtures.ts'
import { build, providers, tempDir, type TestContext } from './helper.ts'
import { runCli } from './run-cli.ts'
import { basic, FORM, form, PASSWORD, SECRET, tokenRequest } from './token-fixtures.ts'

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const KEY_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'
const NEW_PASSWORD = 'a brand new password'
const SCOPES = ['admin', 'keys:write']
const INVALID_TOKEN = { status: 401, body: { error: 'invalid_token', error_description: 'the access token or access key is invalid, expired or revoked' } }

const answer = (response: LightMyRequestResponse) => ({ status: response.statusCode, body: response.json() as Record<string, unknown> })

/** The reported escalation: a service key with scope admin and no expiry, made with the user's JWT. */
const createAdminKey = async (app: FastifyInstance, token: string) =>
  answer(await app.inject({ method: 'POST', url: '/admin/v1/access-keys', headers: { authorization: `Bearer ${token}` }, payload: { name: 'escalation', scopes: ['admin'] } }))

const listOwnKeys = async (app: FastifyInstance, token: string) => answer(await app.inject({ method: 'GET', url: '/v1/me/access-keys', headers: { authorization: `Bearer ${token}` } }))

/** Polls (bounded) until `app` refuses `token`; a sync is due within REVOCATION_SYNC_INTERVAL (1 s here). */
async function refusedWithin(app: FastifyInstance, token: string, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    const { status } = await listOwnKeys(app, token)
    if (status === 401) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Clients, and a way to make admin users and tokens for them, on the app of `ctx`. */
async function fixtures(ctx: TestContext) {
  await ctx.store.clients.create({ clientId: 'console', name: 'Console', secretHash: sha256(SECRET), grantTypes: ['password', 'refresh_token', TOKEN_EXCHANGE], scopes: SCOPES })
  const auth = { authorization: basic('console', SECRET) }
  const operator = await adminHeaders(ctx)

  async function login(username: string, password = PASSWORD): Promise<string> {
    const response = await tokenRequest(ctx.app, { grant_type: 'password', username, password }, auth)
    if (response.statusCode !== 200) throw new Error(response.body)
    return response.json().access_token
  }

  /** An admin user, their access key, and one token of each kind: a login's (with sid) and an exchanged one (without). */
  async function adminUser(username: string, now: number) {
    const user = await ctx.store.users.create({ username, passwordHash: await hashPassword(PASSWORD, 4), scopes: SCOPES })
    const key = generateAccessKey(now)
    await ctx.store.accessKeys.create({ id: key.id, prefix: key.prefix, secretHash: key.secretHash, name: 'k', scopes: SCOPES, userId: user.id, expiresAt: null })
    return { user, key: key.key, tokens: { login: await login(username), exchanged: await exchange(key.key) } }
  }

  async function exchange(key: string): Promise<string> {
    const response = await tokenRequest(ctx.app, { grant_type: TOKEN_EXCHANGE, subject_token: key, subject_token_type: KEY_TYPE }, auth)
    if (response.statusCode !== 200) throw new Error(response.body)
    return response.json().access_token
  }

  async function introspect(app: FastifyInstance, token: string): Promise<unknown> {
    return (await app.inject({ method: 'POST', url: '/oauth/introspect', headers: { ...FORM, ...operator }, payload: form({ token }) })).json()
  }

  return { login, adminUser, exchange, introspect, admin: (app: FastifyInstance) => client(app, operator) }
}

for (const provider of providers) {
  t.test(`a user's access tokens end with the user, across two instances, on ${provider}`, async (t) => {
    let clock = Date.now()
    const ctx = await build(t, { provider, now: () => clock, env: { REVOCATION_SYNC_INTERVAL: '1' } })
    const other = await buildApp({ config: ctx.config, store: ctx.store, keyring: ctx.keyring, masterKey: ctx.masterKey, logger: false, now: () => clock })
    t.teardown(() => other.close())
    const { login, adminUser, exchange, introspect, admin } = await fixtures(ctx)
    const instances = { 'on this instance': ctx.app, 'on the other instance': other }

    t.test("a disabled admin's JWTs can no longer create an access key: at once here, within REVOCATION_SYNC_INTERVAL on another instance, nor once deleted", async (t) => {
      const { user, tokens } = await adminUser('root', clock)
      t.equal((await createAdminKey(other, tokens.login)).status, 201, 'before: the login token works')
      t.equal((await createAdminKey(ctx.app, tokens.exchanged)).status, 201, 'and so does the exchanged one')

      clock += 1_000
      t.equal((await admin(ctx.app).patch(`/admin/v1/users/${user.id}`, { disabled: true })).statusCode, 200)
      for (const token of [tokens.login, tokens.exchanged]) {
        t.same(await createAdminKey(ctx.app, token), INVALID_TOKEN, 'refused at once on the instance that disabled the user')
        t.same(await listOwnKeys(ctx.app, token), INVALID_TOKEN, '/v1/me too')
        t.same(await introspect(ctx.app, token), { active: false }, 'and introspection answers inactive')
      }
      for (const token of [tokens.login, tokens.exchanged]) {
        t.ok(await refusedWithin(other, token), 'refused on the other instance after its next sync')
        t.same(await createAdminKey(other, token), INVALID_TOKEN)
        t.same(await introspect(other, token), { active: false })
      }

      clock += 1_000
      t.equal((await admin(other).delete(`/admin/v1/users/${user.id}`)).statusCode, 204)
      for (const [name, app] of Object.entries(instances)) {
        for (const token of [tokens.login, tokens.exchanged]) t.same(await createAdminKey(app, token), INVALID_TOKEN, `still refused ${name} once the user is deleted`)
      }
    })

    t.test('deleting a user ends their access tokens, here at once and on another instance within REVOCATION_SYNC_INTERVAL', async (t) => {
      const { user, tokens } = await adminUser('gone', clock)
      clock += 1_000
      t.equal((await admin(other).delete(`/admin/v1/users/${user.id}`)).statusCode, 204)
      for (const token of [tokens.login, tokens.exchanged]) {
        t.same(await createAdminKey(other, token), INVALID_TOKEN, 'refused at once on the instance that deleted the user')
        t.ok(await refusedWithin(ctx.app, token), 'and on the other instance after its next sync')
        t.same(await introspect(ctx.app, token), { active: false })
      }
    })

    t.test("a new password ends the user's access tokens; a login with it a millisecond later works at once", async (t) => {
      const { user, key, tokens } = await adminUser('pat', clock)
      clock += 1_000
      t.equal((await admin(other).put(`/admin/v1/users/${user.id}/password`, { password: NEW_PASSWORD })).statusCode, 204)
      for (const token of [tokens.login, tokens.exchanged]) {
        t.same(await createAdminKey(other, token), INVALID_TOKEN, 'refused at once on the instance that set the password')
        t.ok(await refusedWithin(ctx.app, token), 'and on the other instance after its next sync')
      }
      clock += 1
      const fresh = await login('pat', NEW_PASSWORD)
      for (const app of Object.values(instances)) t.equal((await createAdminKey(app, fresh)).status, 201, "the new login's token works on both instances")
      clock += 1_000
      t.equal((await createAdminKey(ctx.app, await exchange(key))).status, 201, 'so does a token exchanged after the change (the key was not revoked)')
    })

    t.test('re-enabling lets new logins in at once; the tokens from before stay refused', async (t) => {
      const { user, tokens } = await adminUser('max', clock)
      clock += 1_000
      t.equal((await admin(ctx.app).patch(`/admin/v1/users/${user.id}`, { disabled: true })).statusCode, 200)
      t.equal((await admin(ctx.app).patch(`/admin/v1/users/${user.id}`, { disabled: false })).statusCode, 200)
      t.ok(await refusedWithin(other, tokens.login), 'the other instance has read the cutoff')
      clock += 1
      const fresh = await login('max')
      for (const [name, app] of Object.entries(instances)) {
        t.equal((await createAdminKey(app, fresh)).status, 201, `a login after the re-enable works ${name}`)
        t.same(await createAdminKey(app, tokens.login), INVALID_TOKEN, `the one from before does not, ${name}`)
      }
    })

    t.test("a change of scopes alone leaves the user's tokens working", async (t) => {
      const { user, tokens } = await adminUser('lee', clock)
      clock += 1_000
      t.equal((await admin(ctx.app).patch(`/admin/v1/users/${user.id}`, { scopes: [...SCOPES, 'read'] })).statusCode, 200)
      t.equal((await createAdminKey(ctx.app, tokens.login)).status, 201)
      t.equal(await ctx.db.prisma.revokedToken.count({ where: { jti: `user:${user.id}` } }), 0)
    })
  })

  t.test(`users disable and set-password through the CLI end the user's access tokens on a running server, on ${provider}`, async (t) => {
    const ctx = await build(t, { provider, env: { REVOCATION_SYNC_INTERVAL: '1' } })
    const { login, adminUser } = await fixtures(ctx)
    const cwd = tempDir(t)
    const cli = (args: string[], stdin?: string) => runCli(args, { cwd, env: { DATABASE_URL: ctx.databaseUrl }, ...(stdin === undefined ? {} : { stdin }) })
    const { tokens } = await adminUser('ops', Date.now())

    t.equal((await cli(['users', 'disable', 'ops'])).code, 0)
    for (const token of [tokens.login, tokens.exchanged]) {
      t.ok(await refusedWithin(ctx.app, token), 'refused after the next sync')
      t.same(await createAdminKey(ctx.app, token), INVALID_TOKEN)
    }

    t.equal((await cli(['users', 'enable', 'ops'])).code, 0)
    const again = await login('ops')
    t.equal((await createAdminKey(ctx.app, again)).status, 201, 'a login after enable works')

    const replaced = await cli(['users', 'set-password', 'ops', '--password-stdin'], NEW_PASSWORD)
    t.equal(replaced.code, 0, replaced.stderr)
    t.ok(await refusedWithin(ctx.app, again), 'the login from before the new password is refused after the next sync')
    t.same(await createAdminKey(ctx.app, again), INVALID_TOKEN)
    t.equal((await createAdminKey(ctx.app, await login('ops', NEW_PASSWORD))).status, 201, 'a login with the new password works')
  })
}
