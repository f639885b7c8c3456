// Token revocation (RFC 7009) at POST /oauth/revoke, and the revoked-JWT store under it, on every provider.
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { build, createTestStore, providers } from '../support/helper.ts'
import { basic, FORM, form, seed, SECRET, tokenRequest, formPost } from '../support/token-fixtures.ts'
import { eventually, manualTimers } from '../support/timers.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const revoke = (app: FastifyInstance, params: Record<string, string> | string, headers: Record<string, string> = {}) =>
  formPost(app, '/oauth/revoke', params, headers)

function introspect(app: FastifyInstance, token: string, auth: string): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/oauth/introspect',
    headers: { ...FORM, authorization: auth },
    payload: form({ token }),
  })
}

/** What a caller can observe of an answer: status, body and headers, less the per-request ones. */
function observable(response: LightMyRequestResponse) {
  const { date: _date, 'x-request-id': _id, ...headers } = response.headers
  return { status: response.statusCode, body: response.body, headers }
}

const EMPTY_200 = { status: 200, body: '' }
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'

for (const provider of providers) {
  t.test(`POST /oauth/revoke on ${provider}`, async (t) => {
    let clock = Date.now()
    const { app, store, db, config } = await build(t, { provider, now: () => clock })
    const { service, machine, app: spa, alice } = await seed(store)

    const login = async (
      params: Record<string, string> = {},
      headers: Record<string, string> = { authorization: service.auth },
    ) => {
      const response = await tokenRequest(
        app,
        { grant_type: 'password', username: alice.username, password: alice.password, ...params },
        headers,
      )
      t.equal(response.statusCode, 200, response.body)
      return response.json() as { access_token: string; refresh_token: string }
    }
    const refresh = (token: string, headers: Record<string, string> = { authorization: service.auth }) =>
      tokenRequest(app, { grant_type: 'refresh_token', refresh_token: token }, headers)
    const active = async (token: string, auth = service.auth) =>
      (await introspect(app, token, auth)).json().active as boolean

    t.test('revoking a refresh token ends every token of its grant', async (t) => {
      const first = await login()
      const rotated = (await refresh(first.refresh_token)).json().refresh_token as string
      const response = await revoke(
        app,
        { token: rotated, token_type_hint: 'refresh_token' },
        { authorization: service.auth },
      )
      t.match(observable(response), EMPTY_200)
      t.equal(response.headers['cache-control'], 'no-store')
      const refused = await refresh(rotated)
      t.equal(refused.statusCode, 400)
      t.same(refused.json(), { error: 'invalid_grant', error_description: 'the refresh token has been revoked' })
      t.equal(await active(rotated), false)
      const family = await db.prisma.refreshFamily.findFirstOrThrow({
        where: { tokens: { some: { parentId: null } } },
        orderBy: { createdAt: 'desc' },
      })
      t.equal(family.revokedReason, 'revoked')
      t.ok(family.revokedAt)
    })

    t.test(
      "revoking a refresh token also ends the grant's access tokens, and no other login's (RFC 7009 §2.1)",
      async (t) => {
        const first = await login()
        const refreshed = (await refresh(first.refresh_token)).json() as { access_token: string; refresh_token: string }
        const other = await login()
        const sid = (token: string) =>
          JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string
        t.equal(
          sid(first.access_token),
          sid(refreshed.access_token),
          'the access tokens of one login carry its grant as sid',
        )
        t.not(sid(first.access_token), sid(other.access_token))
        t.equal(await active(first.access_token), true)
        t.match(
          observable(await revoke(app, { token: refreshed.refresh_token }, { authorization: service.auth })),
          EMPTY_200,
        )
        t.equal(await active(first.access_token), false, "the login's first access token")
        t.equal(await active(refreshed.access_token), false, 'and the one from the rotation')
        t.equal(await active(other.access_token), true, 'another login of the same user and client is untouched')
        const row = await db.prisma.revokedToken.findUniqueOrThrow({
          where: { jti: `grant:${sid(first.access_token)}` },
        })
        t.equal(
          row.expiresAt.getTime(),
          clock + (config.accessTokenTtl + config.clockSkew) * 1000,
          'kept until every access token of the grant has expired',
        )
      },
    )

    t.test('presenting an already rotated refresh token also ends its grant', async (t) => {
      const first = await login()
      const rotated = (await refresh(first.refresh_token)).json().refresh_token as string
      t.equal(await active(rotated), true)
      t.match(observable(await revoke(app, { token: first.refresh_token }, { authorization: service.auth })), EMPTY_200)
      t.equal(await active(rotated), false, 'the successor belongs to the revoked grant')
      t.equal((await refresh(rotated)).json().error, 'invalid_grant')
    })

    t.test(
      'revoking a JWT access token records its jti until it expires, and introspection then answers inactive',
      async (t) => {
        const { access_token: token } = (
          await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: service.auth })
        ).json()
        const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
        t.equal(await active(token), true)
        t.match(
          observable(await revoke(app, { token, token_type_hint: 'access_token' }, { authorization: service.auth })),
          EMPTY_200,
        )
        t.equal(await active(token), false)
        const row = await db.prisma.revokedToken.findUniqueOrThrow({ where: { jti: claims.jti } })
        t.equal(
          row.expiresAt.getTime(),
          (claims.exp + config.clockSkew) * 1000,
          'kept while a clock-skewed check could still accept it',
        )
        t.match(
          observable(await revoke(app, { token }, { authorization: service.auth })),
          EMPTY_200,
          'revoking again is the same 200',
        )
        t.equal(await db.prisma.revokedToken.count({ where: { jti: claims.jti } }), 1)
      },
    )

    t.test('a JWT revoked through another instance is refused here within REVOCATION_SYNC_INTERVAL', async (t) => {
      const ctx = await build(t, { provider, env: { REVOCATION_SYNC_INTERVAL: '5' } })
      const { service } = await seed(ctx.store)
      // The other instance's sync timer is advanced by hand: the interval is a step of the test, not a wait.
      const timers = manualTimers()
      const other = await buildApp({
        config: ctx.config,
        store: ctx.store,
        keyring: ctx.keyring,
        masterKey: ctx.masterKey,
        logger: false,
        every: timers.every,
      })
      t.teardown(() => other.close())
      const { access_token: token } = (
        await tokenRequest(
          ctx.app,
          { grant_type: 'client_credentials', scope: 'admin' },
          { authorization: service.auth },
        )
      ).json()
      const activeOn = async (app: FastifyInstance) =>
        (await introspect(app, token, service.auth)).json().active as boolean
      const bearerOn = async (app: FastifyInstance) =>
        (
          await app.inject({
            method: 'GET',
            url: '/admin/v1/audit?limit=1',
            headers: { authorization: `Bearer ${token}` },
          })
        ).statusCode
      t.equal(await activeOn(other), true)
      t.equal(await bearerOn(other), 200)

      t.match(observable(await revoke(ctx.app, { token }, { authorization: service.auth })), EMPTY_200)
      t.equal(await activeOn(ctx.app), false, 'inactive at once on the instance that revoked it')
      t.equal(await bearerOn(ctx.app), 401)
      t.same(timers.intervals(), [5_000], 'the other instance syncs every REVOCATION_SYNC_INTERVAL')
      timers.tick(4_999)
      t.equal(await activeOn(other), true, 'still active there before its next sync')
      timers.tick(1)
      t.ok(await eventually(async () => !(await activeOn(other))), 'inactive there once the interval has passed')
      t.equal(await bearerOn(other), 401, 'and refused as a Bearer token there')

      const third = await buildApp({
        config: ctx.config,
        store: ctx.store,
        keyring: ctx.keyring,
        masterKey: ctx.masterKey,
        logger: false,
      })
      t.teardown(() => third.close())
      t.equal(await activeOn(third), false, 'an instance started after the revocation reads it at start')
    })

    t.test('the hint is only a hint: a wrong or unknown one still finds the token', async (t) => {
      const tokens = await login()
      t.match(
        observable(
          await revoke(
            app,
            { token: tokens.access_token, token_type_hint: 'refresh_token' },
            { authorization: service.auth },
          ),
        ),
        EMPTY_200,
      )
      t.equal(await active(tokens.access_token), false)
      t.match(
        observable(
          await revoke(
            app,
            { token: tokens.refresh_token, token_type_hint: 'urn:example:unknown' },
            { authorization: service.auth },
          ),
        ),
        EMPTY_200,
      )
      t.equal(await active(tokens.refresh_token), false)
    })

    t.test('unknown, garbage, already revoked and expired tokens all get the same empty 200', async (t) => {
      const revoked = await login()
      await revoke(app, { token: revoked.refresh_token }, { authorization: service.auth })
      const soonExpired = (
        await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: service.auth })
      ).json().access_token as string
      const reference = observable(await revoke(app, { token: 'never-issued' }, { authorization: service.auth }))
      t.match(reference, EMPTY_200)
      const rowsBefore = await db.prisma.revokedToken.count()
      const saved = clock
      clock += (config.accessTokenTtl + config.clockSkew + 1) * 1000
      try {
        for (const token of [
          revoked.refresh_token,
          soonExpired,
          'a.b.c',
          'eyJhbGciOiJub25lIn0.e30.',
          'x'.repeat(9000),
          'pcl_notakey',
          `pcl_0000000000000000_${'A'.repeat(43)}`,
        ]) {
          t.same(
            observable(await revoke(app, { token }, { authorization: service.auth })),
            reference,
            `${token.slice(0, 24)}…`,
          )
        }
      } finally {
        clock = saved
      }
      t.equal(await db.prisma.revokedToken.count(), rowsBefore, 'an expired access token is not recorded')
    })

    t.test("another client's tokens are left untouched, and the answer does not say they exist", async (t) => {
      const tokens = await login()
      const unknown = observable(await revoke(app, { token: 'never-issued' }, { authorization: machine.auth }))
      t.same(observable(await revoke(app, { token: tokens.refresh_token }, { authorization: machine.auth })), unknown)
      t.same(observable(await revoke(app, { token: tokens.access_token }, { authorization: machine.auth })), unknown)
      t.equal(await active(tokens.refresh_token), true)
      t.equal(await active(tokens.access_token), true)
      t.equal((await refresh(tokens.refresh_token)).statusCode, 200, 'the grant still works for its own client')
    })

    t.test('a public client revokes its own refresh token with its client_id alone', async (t) => {
      const tokens = await login({ client_id: spa.clientId }, {})
      t.match(observable(await revoke(app, { token: tokens.refresh_token, client_id: spa.clientId })), EMPTY_200)
      t.equal(
        (
          await tokenRequest(app, {
            grant_type: 'refresh_token',
            refresh_token: tokens.refresh_token,
            client_id: spa.clientId,
          })
        ).json().error,
        'invalid_grant',
      )
    })

    t.test('the client must authenticate as at the token endpoint', async (t) => {
      const tokens = await login()
      const anonymous = await revoke(app, { token: tokens.refresh_token })
      t.equal(anonymous.statusCode, 401)
      t.same(anonymous.json(), { error: 'invalid_client', error_description: 'client authentication is required' })
      const wrong = await revoke(
        app,
        { token: tokens.refresh_token },
        { authorization: basic('service', 'wrong-secret') },
      )
      t.equal(wrong.statusCode, 401)
      t.same(wrong.json(), { error: 'invalid_client', error_description: 'client authentication failed' })
      t.match(wrong.headers['www-authenticate'], /^Basic realm="portcullis"/)
      const both = await revoke(
        app,
        { token: tokens.refresh_token, client_secret: SECRET },
        { authorization: service.auth },
      )
      t.equal(both.statusCode, 400)
      t.equal(both.json().error, 'invalid_request')
      t.equal(await active(tokens.refresh_token), true, 'nothing was revoked by the refused requests')
    })

    t.test('client credentials in the URL are not accepted (RFC 6749 §2.3.1)', async (t) => {
      const tokens = await login()
      const response = await app.inject({
        method: 'POST',
        url: `/oauth/revoke?client_id=service&client_secret=${encodeURIComponent(SECRET)}`,
        headers: FORM,
        payload: form({ token: tokens.refresh_token }),
      })
      t.equal(response.statusCode, 401)
      t.same(response.json(), { error: 'invalid_client', error_description: 'client authentication is required' })
      t.equal(await active(tokens.refresh_token), true)
    })

    t.test('malformed requests are 4xx JSON errors', async (t) => {
      const missing = await revoke(app, {}, { authorization: service.auth })
      t.equal(missing.statusCode, 400)
      t.same(missing.json(), {
        error: 'invalid_request',
        error_description: "body.token must have required property 'token'",
        details: [{ field: 'token', message: "must have required property 'token'" }],
      })
      const repeated = await revoke(app, 'token=a&token=b', { authorization: service.auth })
      t.equal(repeated.statusCode, 400)
      t.same(repeated.json(), {
        error: 'invalid_request',
        error_description: 'body.token must be string',
        details: [{ field: 'token', message: 'must be string' }],
      })
      const json = await app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { 'content-type': 'application/json', authorization: service.auth },
        payload: { token: 'x' },
      })
      t.equal(json.statusCode, 415)
      t.same(json.json(), {
        error: 'invalid_request',
        error_description: 'the request body must be application/x-www-form-urlencoded (UTF-8)',
      })
      const badEncoding = await revoke(app, 'token=%zz', { authorization: service.auth })
      t.equal(badEncoding.statusCode, 400)
      t.equal(badEncoding.json().error, 'invalid_request')
    })

    t.test('an access key is revoked by whoever presents the whole key', async (t) => {
      const generated = generateAccessKey(clock)
      await store.accessKeys.create({
        id: generated.id,
        prefix: generated.prefix,
        secretHash: generated.secretHash,
        name: 'ci',
        scopes: ['read'],
      })
      const wrongSecret = `${generated.key.slice(0, -4)}AAAA`
      t.match(observable(await revoke(app, { token: wrongSecret }, { authorization: machine.auth })), EMPTY_200)
      t.equal(
        (await store.accessKeys.findById(ANY_TENANT, generated.id))!.revokedAt,
        null,
        'a key with the wrong secret is not revoked',
      )
      t.match(observable(await revoke(app, { token: generated.key }, { authorization: machine.auth })), EMPTY_200)
      t.ok((await store.accessKeys.findById(ANY_TENANT, generated.id))!.revokedAt)
      const events = await store.audit.list(ANY_TENANT, { limit: 10, type: 'access_key.revoked' })
      t.match(events.items, [
        {
          type: 'access_key.revoked',
          actor: 'client:machine',
          subject: generated.id,
          details: { via: 'oauth_revoke' },
        },
      ])
      await store.clients.create({
        clientId: 'exchanger',
        name: 'Exchanger',
        secretHash: sha256(SECRET),
        grantTypes: [TOKEN_EXCHANGE],
        scopes: ['read'],
      })
      const exchange = await tokenRequest(
        app,
        {
          grant_type: TOKEN_EXCHANGE,
          subject_token: generated.key,
          subject_token_type: 'urn:portcullis:params:oauth:token-type:access_key',
        },
        { authorization: basic('exchanger', SECRET) },
      )
      t.equal(exchange.json().error, 'invalid_request', 'the revoked key can no longer be exchanged')
    })
  })

  t.test(`the revoked-token store on ${provider}`, async (t) => {
    const { store, db } = await createTestStore(t, provider)
    const now = new Date('2030-01-01T00:00:00Z')
    const inAnHour = new Date(now.getTime() + 3600_000)

    t.test('records a jti once, however often and concurrently it is revoked', async (t) => {
      await Promise.all(Array.from({ length: 5 }, () => store.revokedTokens.revoke('jti-1', inAnHour, now)))
      await store.revokedTokens.revoke('jti-1', inAnHour, now)
      t.equal(await db.prisma.revokedToken.count({ where: { jti: 'jti-1' } }), 1)
      t.equal(await store.revokedTokens.isRevoked('jti-1'), true)
      t.equal(await store.revokedTokens.isRevoked('jti-2'), false)
    })

    t.test('does not record a token that has already expired', async (t) => {
      await store.revokedTokens.revoke('jti-expired', new Date(now.getTime() - 1000), now)
      t.equal(await store.revokedTokens.isRevoked('jti-expired'), false)
    })

    t.test('lists the unexpired revocations, all of them or those recorded since a time', async (t) => {
      const at = new Date(now.getTime() + 10 * 3600_000)
      await store.revokedTokens.revoke('early', new Date(at.getTime() + 3600_000), new Date(at.getTime() - 60_000))
      await store.revokedTokens.revoke('recent', new Date(at.getTime() + 3600_000), at)
      await store.revokedTokens.revoke('ending', new Date(at.getTime() + 1000), at)
      const jtis = (rows: { jti: string }[]) => rows.map((row) => row.jti).sort()
      const byJti = (x: { jti: string }, y: { jti: string }) => x.jti.localeCompare(y.jti)
      t.same(
        (await store.revokedTokens.listActive(at)).sort(byJti),
        [
          { jti: 'early', expiresAt: new Date(at.getTime() + 3600_000), createdAt: new Date(at.getTime() - 60_000) },
          { jti: 'ending', expiresAt: new Date(at.getTime() + 1000), createdAt: at },
          { jti: 'recent', expiresAt: new Date(at.getTime() + 3600_000), createdAt: at },
        ],
        'each with its expiry and when it was recorded',
      )
      t.same(
        jtis(await store.revokedTokens.listRecordedSince(new Date(at.getTime() - 1000), at)),
        ['ending', 'recent'],
        'recorded at or after the time',
      )
      t.same(
        jtis(await store.revokedTokens.listRecordedSince(new Date(at.getTime() - 1000), new Date(at.getTime() + 1000))),
        ['recent'],
        'expired ones left out',
      )
      t.same(
        jtis(await store.revokedTokens.listActive(new Date(at.getTime() + 3600_000))),
        [],
        'none once every token has expired',
      )
    })

    t.test("a list's read since a time leaves out the rows it wrote itself, and only those", async (t) => {
      const at = new Date(now.getTime() + 50 * 3600_000)
      const expiresAt = new Date(at.getTime() + 3600_000)
      await store.revokedTokens.revoke('by-list-a', expiresAt, at, 'list-a')
      await store.revokedTokens.revoke('by-list-b', expiresAt, at, 'list-b')
      await store.revokedTokens.revoke('by-nobody', expiresAt, at)
      await store.revokedTokens.cutOff('user:by-cutoff', expiresAt, at)
      // Revoked again by list-a: the row stays list-b's, so list-a reads it (and holds it twice, harmlessly).
      await store.revokedTokens.revoke('by-list-b', expiresAt, at, 'list-a')
      const since = new Date(at.getTime() - 1000)
      const jtis = (rows: { jti: string }[]) => rows.map((row) => row.jti).sort()
      t.same(jtis(await store.revokedTokens.listRecordedSince(since, at, 'list-a')), [
        'by-list-b',
        'by-nobody',
        'user:by-cutoff',
      ])
      t.same(jtis(await store.revokedTokens.listRecordedSince(since, at, 'list-b')), [
        'by-list-a',
        'by-nobody',
        'user:by-cutoff',
      ])
      t.same(
        jtis(await store.revokedTokens.listRecordedSince(since, at)),
        ['by-list-a', 'by-list-b', 'by-nobody', 'user:by-cutoff'],
        'without a writer, every row',
      )
      t.same(
        jtis(await store.revokedTokens.listActive(at)).filter((jti) => jti.includes('by-')),
        ['by-list-a', 'by-list-b', 'by-nobody', 'user:by-cutoff'],
        'a list starting reads them all',
      )
    })

    t.test(
      'a cutoff moves forward with a later change, never back, and the move is read by the next sync',
      async (t) => {
        const at = new Date(now.getTime() + 100 * 3600_000)
        const later = new Date(at.getTime() + 60_000)
        const row = () =>
          db.prisma.revokedToken.findUniqueOrThrow({
            where: { jti: 'user:u1' },
            select: { jti: true, expiresAt: true, createdAt: true },
          })
        await store.revokedTokens.cutOff('user:u1', new Date(at.getTime() + 3600_000), at)
        await store.revokedTokens.cutOff('user:u1', new Date(later.getTime() + 3600_000), later)
        t.same(await row(), { jti: 'user:u1', expiresAt: new Date(later.getTime() + 3600_000), createdAt: later })
        await store.revokedTokens.cutOff('user:u1', new Date(at.getTime() + 3600_000), at)
        t.same(
          await row(),
          { jti: 'user:u1', expiresAt: new Date(later.getTime() + 3600_000), createdAt: later },
          'an earlier one (a clock behind) changes nothing',
        )
        t.same(await store.revokedTokens.listRecordedSince(new Date(later.getTime() - 1000), later), [await row()])
      },
    )
  })
}
