// Fixtures for the tests of a user's access tokens ending with the user (test/user-token-revocation*.test.ts):
// an admin user with a token of each kind, the reported escalation, and a bounded wait for a sync.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { adminHeaders, client } from './admin-fixtures.ts'
import type { TestContext } from './helper.ts'
import { basic, FORM, form, PASSWORD, SECRET, tokenRequest } from './token-fixtures.ts'

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const KEY_TYPE = 'urn:portcullis:params:oauth:token-type:access_key'
export const NEW_PASSWORD = 'a brand new password'
export const SCOPES = ['admin', 'keys:write']
export const INVALID_TOKEN = {
  status: 401,
  body: { error: 'invalid_token', error_description: 'the access token or access key is invalid, expired or revoked' },
}

const answer = (response: LightMyRequestResponse) => ({
  status: response.statusCode,
  body: response.json() as Record<string, unknown>,
})

/** The reported escalation: a service key with scope admin and no expiry, made with the user's JWT. */
export const createAdminKey = async (app: FastifyInstance, token: string) =>
  answer(
    await app.inject({
      method: 'POST',
      url: '/admin/v1/access-keys',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'escalation', scopes: ['admin'] },
    }),
  )

export const listOwnKeys = async (app: FastifyInstance, token: string) =>
  answer(await app.inject({ method: 'GET', url: '/v1/me/access-keys', headers: { authorization: `Bearer ${token}` } }))

/** Polls (bounded) until `app` refuses `token`; a sync is due within REVOCATION_SYNC_INTERVAL (1 s here). */
export async function refusedWithin(app: FastifyInstance, token: string, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    const { status } = await listOwnKeys(app, token)
    if (status === 401) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Clients, and a way to make admin users and tokens for them, on the app of `ctx`. */
export async function fixtures(ctx: TestContext) {
  await ctx.store.clients.create({
    clientId: 'console',
    name: 'Console',
    secretHash: sha256(SECRET),
    grantTypes: ['password', 'refresh_token', TOKEN_EXCHANGE],
    scopes: SCOPES,
  })
  const auth = { authorization: basic('console', SECRET) }
  const operator = await adminHeaders(ctx)

  async function login(username: string, password = PASSWORD): Promise<string> {
    const response = await tokenRequest(ctx.app, { grant_type: 'password', username, password }, auth)
    if (response.statusCode !== 200) throw new Error(response.body)
    return response.json().access_token
  }

  /** An admin user, their access key, and one token of each kind: a login's (with sid) and an exchanged one (without). */
  async function adminUser(username: string, now: number) {
    const user = await ctx.store.users.create({
      username,
      passwordHash: await hashPassword(PASSWORD, 4),
      scopes: SCOPES,
    })
    const key = generateAccessKey(now)
    await ctx.store.accessKeys.create({
      id: key.id,
      prefix: key.prefix,
      secretHash: key.secretHash,
      name: 'k',
      scopes: SCOPES,
      userId: user.id,
      expiresAt: null,
    })
    return { user, key: key.key, tokens: { login: await login(username), exchanged: await exchange(key.key) } }
  }

  async function exchange(key: string): Promise<string> {
    const response = await tokenRequest(
      ctx.app,
      { grant_type: TOKEN_EXCHANGE, subject_token: key, subject_token_type: KEY_TYPE },
      auth,
    )
    if (response.statusCode !== 200) throw new Error(response.body)
    return response.json().access_token
  }

  async function introspect(app: FastifyInstance, token: string): Promise<unknown> {
    return (
      await app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        headers: { ...FORM, ...operator },
        payload: form({ token }),
      })
    ).json()
  }

  return { login, adminUser, exchange, introspect, admin: (app: FastifyInstance) => client(app, operator) }
}
