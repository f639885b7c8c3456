// Ending a login (oauth/end-login.ts) writes its access tokens' revocation first, then the refresh family's:
// a revocation that fails between the two leaves a login that the next attempt ends whole, never a revoked
// family whose access tokens live on.
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { build, providers } from '../support/helper.ts'
import { FORM, form, seed, tokenRequest } from '../support/token-fixtures.ts'

function post(
  app: FastifyInstance,
  url: string,
  params: Record<string, string>,
  auth: string,
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, headers: { ...FORM, authorization: auth }, payload: form(params) })
}

for (const provider of providers) {
  t.test(`ending a login on ${provider}`, async (t) => {
    const { app, store } = await build(t, { provider })
    const { service, alice } = await seed(store)
    const login = await tokenRequest(
      app,
      { grant_type: 'password', username: alice.username, password: alice.password },
      { authorization: service.auth },
    )
    t.equal(login.statusCode, 200, login.body)
    const { access_token: accessToken, refresh_token: refreshToken } = login.json() as {
      access_token: string
      refresh_token: string
    }
    const active = async (token: string) =>
      (await post(app, '/oauth/introspect', { token }, service.auth)).json().active as boolean

    t.test(
      'a revocation whose first write fails leaves the whole login usable, and a retry ends all of it',
      async (t) => {
        const revoke = store.revokedTokens.revoke
        store.revokedTokens.revoke = async () => {
          throw new Error('the write failed')
        }
        const failed = await post(app, '/oauth/revoke', { token: refreshToken }, service.auth)
        store.revokedTokens.revoke = revoke
        t.equal(failed.statusCode, 500)
        t.equal(await active(refreshToken), true)
        t.equal(await active(accessToken), true)

        const retried = await post(app, '/oauth/revoke', { token: refreshToken }, service.auth)
        t.equal(retried.statusCode, 200)
        t.equal(await active(refreshToken), false)
        t.equal(await active(accessToken), false)
      },
    )
  })
}
