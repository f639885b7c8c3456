// Disabling, deleting or re-passwording a user ends the access tokens already issued to them (RFC 9700 §4.14,
// RFC 7009 §2.1): their logins' JWTs (by `sid`) and their token-exchange JWTs (by `iat`) are refused by the
// admin API, /v1/me and introspection: at once on the instance that made the change, within
// REVOCATION_SYNC_INTERVAL on another one sharing the database. The CLI: test/cli/user-token-revocation.test.ts.
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { build, providers } from '../support/helper.ts'
import {
  createAdminKey,
  fixtures,
  INVALID_TOKEN,
  listOwnKeys,
  NEW_PASSWORD,
  refusedWithin,
  SCOPES,
} from '../support/user-token-fixtures.ts'

for (const provider of providers) {
  t.test(`a user's access tokens end with the user, across two instances, on ${provider}`, async (t) => {
    let clock = Date.now()
    const ctx = await build(t, { provider, now: () => clock, env: { REVOCATION_SYNC_INTERVAL: '1' } })
    const other = await buildApp({
      config: ctx.config,
      store: ctx.store,
      keyring: ctx.keyring,
      masterKey: ctx.masterKey,
      logger: false,
      now: () => clock,
    })
    t.teardown(() => other.close())
    const { login, adminUser, exchange, introspect, admin } = await fixtures(ctx)
    const instances = { 'on this instance': ctx.app, 'on the other instance': other }

    t.test(
      "a disabled admin's JWTs can no longer create an access key: at once here, within REVOCATION_SYNC_INTERVAL on another instance, nor once deleted",
      async (t) => {
        const { user, tokens } = await adminUser('root', clock)
        t.equal((await createAdminKey(other, tokens.login)).status, 201, 'before: the login token works')
        t.equal((await createAdminKey(ctx.app, tokens.exchanged)).status, 201, 'and so does the exchanged one')

        clock += 1_000
        t.equal((await admin(ctx.app).patch(`/admin/v1/users/${user.id}`, { disabled: true })).statusCode, 200)
        for (const token of [tokens.login, tokens.exchanged]) {
          t.same(
            await createAdminKey(ctx.app, token),
            INVALID_TOKEN,
            'refused at once on the instance that disabled the user',
          )
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
          for (const token of [tokens.login, tokens.exchanged])
            t.same(await createAdminKey(app, token), INVALID_TOKEN, `still refused ${name} once the user is deleted`)
        }
      },
    )

    t.test(
      'deleting a user ends their access tokens, here at once and on another instance within REVOCATION_SYNC_INTERVAL',
      async (t) => {
        const { user, tokens } = await adminUser('gone', clock)
        clock += 1_000
        t.equal((await admin(other).delete(`/admin/v1/users/${user.id}`)).statusCode, 204)
        for (const token of [tokens.login, tokens.exchanged]) {
          t.same(
            await createAdminKey(other, token),
            INVALID_TOKEN,
            'refused at once on the instance that deleted the user',
          )
          t.ok(await refusedWithin(ctx.app, token), 'and on the other instance after its next sync')
          t.same(await introspect(ctx.app, token), { active: false })
        }
      },
    )

    t.test(
      "a new password ends the user's access tokens; a login with it a millisecond later works at once",
      async (t) => {
        const { user, key, tokens } = await adminUser('pat', clock)
        clock += 1_000
        t.equal(
          (await admin(other).put(`/admin/v1/users/${user.id}/password`, { password: NEW_PASSWORD })).statusCode,
          204,
        )
        for (const token of [tokens.login, tokens.exchanged]) {
          t.same(
            await createAdminKey(other, token),
            INVALID_TOKEN,
            'refused at once on the instance that set the password',
          )
          t.ok(await refusedWithin(ctx.app, token), 'and on the other instance after its next sync')
        }
        clock += 1
        const fresh = await login('pat', NEW_PASSWORD)
        for (const app of Object.values(instances))
          t.equal((await createAdminKey(app, fresh)).status, 201, "the new login's token works on both instances")
        clock += 1_000
        t.equal(
          (await createAdminKey(ctx.app, await exchange(key))).status,
          201,
          'so does a token exchanged after the change (the key was not revoked)',
        )
      },
    )

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
      t.equal(
        (await admin(ctx.app).patch(`/admin/v1/users/${user.id}`, { scopes: [...SCOPES, 'read'] })).statusCode,
        200,
      )
      t.equal((await createAdminKey(ctx.app, tokens.login)).status, 201)
      t.equal(await ctx.db.prisma.revokedToken.count({ where: { jti: `user:${user.id}` } }), 0)
    })
  })
}
