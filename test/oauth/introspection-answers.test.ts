// Token introspection (RFC 7662), the details test/oauth/introspection.test.ts leaves out: how the caller's
// credentials are told apart (one method only, whatever the header's case or its missing credentials), which
// caller may see which token (a client without `introspect` sees only its own; a Bearer caller with it sees access
// keys), what each refusal is counted as, and how an active answer carries the claims a token may or may not have
// (workspace_id, cnf, nbf, act, aud) and the expiry boundary of a refresh token.
import t from 'tap'
import { decodeJwt } from 'jose'
import type { FastifyInstance } from 'fastify'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import type { UsageCounter } from '../../src/ops/usage.ts'
import { ANY_TENANT, DEFAULT_TENANT_ID, type Store } from '../../src/store/index.ts'
import { build, providers } from '../support/helper.ts'
import { goodClaims, ourToken } from '../support/forged-token-fixtures.ts'
import { basic, formPost, PASSWORD, seed, SECRET, tokenRequest } from '../support/token-fixtures.ts'

type Assert = Pick<typeof t, 'equal' | 'same'>

const introspect = (app: FastifyInstance, params: Record<string, string>, headers: Record<string, string> = {}) =>
  formPost(app, '/oauth/introspect', params, headers)

/** A usage counter that records what it is told (the statistics themselves are test/ops/usage.test.ts's). */
function recordingUsage(): UsageCounter & { counted: string[] } {
  const counted: string[] = []
  return {
    counted,
    count: (subjectType, id, kind) => void counted.push(`${subjectType}:${id}:${kind}`),
    flush: async () => {},
    close: async () => {},
  }
}

async function createKey(store: Store, scopes: string[], now: number, userId: string | null = null) {
  const generated = generateAccessKey(now)
  await store.accessKeys.create(
    {
      id: generated.id,
      prefix: generated.prefix,
      secretHash: generated.secretHash,
      name: 'introspection test key',
      scopes,
      userId,
      expiresAt: null,
    },
    new Date(now),
  )
  return generated
}

for (const provider of providers) {
  t.test(`introspection answers on ${provider}`, async (t) => {
    let clock = Date.now()
    const usage = recordingUsage()
    const { app, store, config, keyring } = await build(t, { provider, now: () => clock, deps: { usage } })
    const { service, machine, alice } = await seed(store)
    await store.clients.create({
      clientId: 'gateway',
      name: 'Gateway',
      secretHash: sha256(SECRET),
      grantTypes: ['client_credentials'],
      scopes: ['introspect', 'read'],
    })
    const gateway = basic('gateway', SECRET)
    const ctx = { keyring, config }
    const introspector = await createKey(store, ['introspect'], clock)
    const reader = await createKey(store, ['read'], clock)

    const expectOneMethod = (t: Assert, response: { statusCode: number; json(): unknown }, message: string) => {
      t.equal(response.statusCode, 400, message)
      t.same(
        response.json(),
        {
          error: 'invalid_request',
          error_description:
            'use one authentication method: client credentials or a Bearer token / access key, not both',
        },
        message,
      )
    }

    t.test(
      'client credentials and a Bearer token or access key together are refused, however each is given',
      async (t) => {
        const token = ourToken(ctx, goodClaims(ctx, { now: clock }))
        const cases: [string, Record<string, string>, Record<string, string>][] = [
          ['HTTP Basic and X-API-Key', { authorization: gateway, 'x-api-key': introspector.key }, {}],
          [
            'HTTP Basic in lower case and X-API-Key',
            { authorization: gateway.replace('Basic', 'basic'), 'x-api-key': introspector.key },
            {},
          ],
          ['"Basic" with no credentials and X-API-Key', { authorization: 'Basic', 'x-api-key': introspector.key }, {}],
          ['Bearer and client_id', { authorization: `Bearer ${token}` }, { client_id: 'gateway' }],
          ['Bearer and client_secret alone', { authorization: `Bearer ${token}` }, { client_secret: SECRET }],
          ['Bearer and client_assertion alone', { authorization: `Bearer ${token}` }, { client_assertion: 'a.b.c' }],
          [
            'Bearer and client_assertion_type alone',
            { authorization: `Bearer ${token}` },
            { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' },
          ],
          ['DPoP and client_secret', { authorization: `DPoP ${token}` }, { client_secret: SECRET }],
        ]
        for (const [name, headers, extra] of cases)
          expectOneMethod(t, await introspect(app, { token: token, ...extra }, headers), name)
      },
    )

    t.test('the scheme is the first word of Authorization, not a word found anywhere in it', async (t) => {
      // A Bearer credential that ends in "basic" is a Bearer credential: checked as one, and refused as one.
      const bearerBasic = await introspect(app, { token: 'x' }, { authorization: 'Bearer notbasic' })
      t.equal(bearerBasic.statusCode, 401)
      t.equal(bearerBasic.json().error, 'invalid_token')
      // Basic credentials that end in "dpop" are client credentials (that do not authenticate).
      const basicDpop = await introspect(app, { token: 'x' }, { authorization: 'Basic Z2F0ZXdheTp4dpop' })
      t.equal(basicDpop.statusCode, 401)
      t.equal(basicDpop.json().error, 'invalid_client')
      // "Bearer" with no token is a Bearer attempt without its token, not client authentication.
      const bareBearer = await introspect(app, { token: 'x' }, { authorization: 'Bearer' })
      t.equal(bareBearer.statusCode, 401)
      t.not(bareBearer.json().error, 'invalid_client', 'answered by the Bearer check')
    })

    t.test('an Authorization header of another scheme is tried as client authentication and refused', async (t) => {
      const response = await introspect(app, { token: 'x' }, { authorization: 'Digest username="gateway"' })
      t.equal(response.statusCode, 401)
      t.same(response.json(), {
        error: 'invalid_client',
        error_description: 'the Authorization header must use the Basic scheme with base64 credentials',
      })
    })

    t.test("a client without the introspect scope sees its own tokens and no other client's", async (t) => {
      const mine = await tokenRequest(
        app,
        { grant_type: 'client_credentials', scope: 'read' },
        { authorization: machine.auth },
      )
      const theirs = await tokenRequest(
        app,
        { grant_type: 'client_credentials', scope: 'read' },
        { authorization: service.auth },
      )
      t.equal(
        (await introspect(app, { token: mine.json().access_token }, { authorization: machine.auth })).json().active,
        true,
      )
      t.same(
        (await introspect(app, { token: theirs.json().access_token }, { authorization: machine.auth })).json(),
        { active: false },
        "another client's token is inactive to it",
      )
      t.equal(
        (await introspect(app, { token: theirs.json().access_token }, { authorization: gateway })).json().active,
        true,
        'the introspect scope sees it',
      )
    })

    t.test(
      'a Bearer caller holding introspect sees access keys; a key without it is refused and counted',
      async (t) => {
        const answer = (await introspect(app, { token: reader.key }, { 'x-api-key': introspector.key })).json()
        t.match(answer, { active: true, token_type: 'access_key', jti: reader.id, tenant_id: DEFAULT_TENANT_ID })
        t.ok(usage.counted.includes(`access_key:${introspector.id}:introspection`), 'counted for the asking key')
        usage.counted.length = 0
        const refused = await introspect(app, { token: reader.key }, { 'x-api-key': reader.key })
        t.equal(refused.statusCode, 403)
        t.equal(refused.json().error, 'insufficient_scope')
        t.same(usage.counted, [`access_key:${reader.id}:refused`], 'counted as refused for that key, and nothing else')
        // A JWT caller without the scope: refused, and no key to count it for.
        usage.counted.length = 0
        const jwt = ourToken(ctx, goodClaims(ctx, { scope: 'read', now: clock }))
        t.equal((await introspect(app, { token: reader.key }, { authorization: `Bearer ${jwt}` })).statusCode, 403)
        t.same(usage.counted, [], 'nothing counted for a caller that is no key')
        // A JWT caller with it: answered, and not counted as any key's.
        t.equal(
          (
            await introspect(
              app,
              { token: reader.key },
              { authorization: `Bearer ${ourToken(ctx, goodClaims(ctx, { now: clock }))}` },
            )
          ).json().active,
          true,
        )
        t.same(usage.counted, [], 'a token caller is no key: nothing counted')
      },
    )

    t.test('a public client may not introspect, and the refusal is counted for it', async (t) => {
      usage.counted.length = 0
      const response = await introspect(app, { token: reader.key, client_id: 'spa' })
      t.equal(response.statusCode, 401)
      t.same(response.json(), {
        error: 'invalid_client',
        error_description: 'a public client cannot introspect tokens',
      })
      t.same(usage.counted, ['client:spa:refused'])
    })

    t.test('an active JWT carries exactly the optional claims its token has', async (t) => {
      const base = goodClaims(ctx, { sub: alice.id, scope: 'read', now: clock })
      const answer = async (claims: Record<string, unknown>) =>
        (await introspect(app, { token: ourToken(ctx, claims) }, { authorization: gateway })).json()
      const common = {
        active: true,
        scope: 'read',
        client_id: 'service',
        exp: base.exp,
        iat: base.iat,
        sub: alice.id,
        iss: config.issuer,
        jti: base.jti,
        tenant_id: DEFAULT_TENANT_ID,
      }
      const { aud: _aud, ...noAudience } = base
      t.same(await answer(noAudience), { ...common, token_type: 'Bearer' }, 'no aud, nbf, act, cnf, username')
      t.same(
        await answer({ ...base, nbf: base.iat, username: 'alice', act: { sub: 'client:actor' }, workspace_id: 'w1' }),
        {
          ...common,
          username: 'alice',
          token_type: 'Bearer',
          nbf: base.iat,
          aud: config.defaultAudience,
          act: { sub: 'client:actor' },
          workspace_id: 'w1',
        },
      )
      // Malformed optional claims are left out rather than echoed (a malformed nbf fails the verification itself).
      t.same(
        await answer({ ...base, username: 7, act: null, workspace_id: 42 }),
        { ...common, aud: config.defaultAudience, token_type: 'Bearer' },
        'a non-string username and workspace_id, a null act',
      )
      t.same(await answer({ ...base, nbf: 'soon' }), { active: false }, 'a non-numeric nbf')
      t.same(
        await answer({ ...base, act: 'client:actor' }),
        { ...common, aud: config.defaultAudience, token_type: 'Bearer' },
        'an act that is not an object',
      )
      // Sender-constrained (RFC 9449 §6.1) only when cnf names a jkt string.
      t.same(await answer({ ...base, cnf: { jkt: 'thumbprint' } }), {
        ...common,
        aud: config.defaultAudience,
        token_type: 'DPoP',
        cnf: { jkt: 'thumbprint' },
      })
      for (const cnf of [null, {}, { jkt: 5 }, 'thumbprint'])
        t.same(
          await answer({ ...base, cnf }),
          { ...common, aud: config.defaultAudience, token_type: 'Bearer' },
          `cnf ${JSON.stringify(cnf)} binds nothing`,
        )
    })

    t.test("a workspace token's answer names its workspace; the login's refresh token names none", async (t) => {
      const acme = await store.tenants.create({ slug: 'acme', name: 'Acme' })
      const prod = await store.tenants.workspaces.create(acme.id, { slug: 'prod', name: 'Production' })
      const role = await store.tenants.roles.create(acme.id, { name: 'reader', scopes: ['read'] })
      await store.clients.create({
        clientId: 'acme-cli',
        tenantId: acme.id,
        name: 'Acme CLI',
        secretHash: sha256(SECRET),
        grantTypes: ['password', 'refresh_token'],
        scopes: ['read', 'write'],
      })
      const bob = await store.users.create({
        username: 'bob',
        passwordHash: await hashPassword(PASSWORD, 4),
        scopes: ['read', 'write'],
        tenantId: acme.id,
      })
      await store.tenants.memberships.put(acme.id, { userId: bob.id, workspaceId: prod.id, roleId: role.id })
      const response = await tokenRequest(
        app,
        { grant_type: 'password', username: 'bob', password: PASSWORD, scope: 'read', workspace: 'prod' },
        { authorization: basic('acme-cli', SECRET) },
      )
      t.equal(response.statusCode, 200, response.body)
      const tokens = response.json() as { access_token: string; refresh_token: string }
      t.equal(decodeJwt(tokens.access_token).workspace_id, prod.id)
      t.match((await introspect(app, { token: tokens.access_token }, { authorization: gateway })).json(), {
        active: true,
        sub: bob.id,
        tenant_id: acme.id,
        workspace_id: prod.id,
      })
      const refresh = (await introspect(app, { token: tokens.refresh_token }, { authorization: gateway })).json()
      t.match(refresh, { active: true, token_type: 'refresh_token', tenant_id: acme.id })
      t.notOk('workspace_id' in refresh)
    })

    t.test('a refresh token is active until its expiry instant, not at it', async (t) => {
      const response = await tokenRequest(
        app,
        { grant_type: 'password', username: alice.username, password: alice.password, scope: 'read' },
        { authorization: service.auth },
      )
      const refreshToken = response.json().refresh_token as string
      const row = (await store.refreshTokens.findByHash(ANY_TENANT, sha256(refreshToken)))!
      const expiresAt = Math.min(row.token.expiresAt.getTime(), row.family.absoluteExpiresAt.getTime())
      const saved = clock
      try {
        clock = expiresAt - 1
        t.equal((await introspect(app, { token: refreshToken }, { authorization: gateway })).json().active, true)
        clock = expiresAt
        t.same((await introspect(app, { token: refreshToken }, { authorization: gateway })).json(), { active: false })
      } finally {
        clock = saved
      }
    })
  })
}
