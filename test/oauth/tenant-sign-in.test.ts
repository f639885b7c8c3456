// The browser sign-in of a tenant's own client: the authorization code flow signs in the user of the client's
// tenant (never the default tenant's user of the same name), the login's refresh family belongs to that tenant,
// and its tokens, first and refreshed, carry its `tenant_id`. Then `workspace` on the code's redemption.
import t from 'tap'
import { decodeJwt } from 'jose'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { DEFAULT_TENANT_ID, type Store, ANY_TENANT } from '../../src/store/index.ts'
import { build, providers } from '../support/helper.ts'
import { authorizeUrl, pkce, query, REDIRECT, signInFlow } from '../support/sign-in.ts'
import { basic, PASSWORD, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import type { FastifyInstance } from 'fastify'

const AUTH = { authorization: basic('acme-web', SECRET) }

/** Tenant acme with workspaces prod and dev, a role reader, its client acme-web and its user alice (member of prod). */
async function seedAcme(store: Store) {
  const acme = await store.tenants.create({ slug: 'acme', name: 'Acme' })
  const other = await store.tenants.create({ slug: 'globex', name: 'Globex' })
  const prod = await store.tenants.workspaces.create(acme.id, { slug: 'prod', name: 'Production' })
  const dev = await store.tenants.workspaces.create(acme.id, { slug: 'dev', name: 'Development' })
  const foreign = await store.tenants.workspaces.create(other.id, { slug: 'prod', name: 'Globex production' })
  const reader = await store.tenants.roles.create(acme.id, { name: 'reader', scopes: ['read'] })
  await store.clients.create({
    clientId: 'acme-web',
    tenantId: acme.id,
    name: 'Acme web',
    secretHash: sha256(SECRET),
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['read', 'write', 'openid'],
    redirectUris: [REDIRECT],
    firstParty: true,
  })
  const passwordHash = await hashPassword(PASSWORD, 4)
  // The default tenant's alice has the same name and password: the flow must sign in acme's.
  const defaultAlice = await store.users.create({ username: 'alice', passwordHash, scopes: ['read', 'write'] })
  const alice = await store.users.create({
    username: 'alice',
    passwordHash,
    scopes: ['read', 'write'],
    tenantId: acme.id,
  })
  await store.tenants.memberships.put(acme.id, { userId: alice.id, workspaceId: prod.id, roleId: reader.id })
  // globex's bob: a user of another tenant, member of globex's prod.
  const bob = await store.users.create({ username: 'bob', passwordHash, scopes: ['read'], tenantId: other.id })
  const globexReader = await store.tenants.roles.create(other.id, { name: 'reader', scopes: ['read'] })
  await store.tenants.memberships.put(other.id, { userId: bob.id, workspaceId: foreign.id, roleId: globexReader.id })
  return { acme, globex: other, prod, dev, foreign, alice, defaultAlice }
}

/** A code for acme-web, after alice's login on the login page, and its verifier. */
async function codeFor(app: FastifyInstance, scope = 'read write') {
  const { verifier, challenge } = pkce()
  const flow = signInFlow(app)
  const params = {
    response_type: 'code',
    client_id: 'acme-web',
    redirect_uri: REDIRECT,
    scope,
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }
  let response = await flow.get(authorizeUrl(params))
  if (response.headers.location?.startsWith('/oauth/login')) response = await flow.login(response.headers.location)
  const code = query(response.headers.location).code
  if (code === undefined) throw new Error(`no code: ${response.statusCode} ${response.headers.location}`)
  return { code, verifier }
}

const redeem = (app: FastifyInstance, code: { code: string; verifier: string }, extra: Record<string, string> = {}) =>
  tokenRequest(
    app,
    {
      grant_type: 'authorization_code',
      code: code.code,
      redirect_uri: REDIRECT,
      code_verifier: code.verifier,
      ...extra,
    },
    AUTH,
  )

for (const provider of providers) {
  t.test(`a tenant's client signs in its tenant's user, and the login is that tenant's, on ${provider}`, async (t) => {
    const { app, store } = await build(t, { provider })
    const { acme, globex, alice, defaultAlice } = await seedAcme(store)

    const tokens = await redeem(app, await codeFor(app))
    t.equal(tokens.statusCode, 200, tokens.body)
    const claims = decodeJwt(tokens.json().access_token)
    t.equal(claims.sub, alice.id, "acme's alice, not the default tenant's")
    t.not(claims.sub, defaultAlice.id)
    t.equal(claims.tenant_id, acme.id)
    t.notOk('workspace_id' in claims)
    t.equal(tokens.json().scope, 'read write')

    // The login's refresh family is the user's tenant's.
    const refreshToken = tokens.json().refresh_token as string
    const record = await store.refreshTokens.findByHash(ANY_TENANT, sha256(refreshToken))
    t.equal(record?.family.tenantId, acme.id)
    t.equal(record?.family.id, claims.sid)

    // A refresh mints tokens of that tenant.
    const refreshed = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken }, AUTH)
    t.equal(refreshed.statusCode, 200, refreshed.body)
    const again = decodeJwt(refreshed.json().access_token)
    t.equal(again.tenant_id, acme.id)
    t.equal(again.sub, alice.id)
    t.equal(again.sid, claims.sid)
    const next = await store.refreshTokens.findByHash(ANY_TENANT, sha256(refreshed.json().refresh_token))
    t.equal(next?.family.tenantId, acme.id)

    // Introspection says the same.
    const introspected = await app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: refreshed.json().access_token }).toString(),
    })
    t.equal(introspected.statusCode, 200, introspected.body)
    t.equal(introspected.json().active, true)
    t.equal(introspected.json().tenant_id, acme.id)
    // The refresh token too, with no workspace (one login serves all of the user's workspaces).
    const introspectAs = (auth: Record<string, string>, token: string) =>
      app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token }).toString(),
      })
    const refreshAnswer = (await introspectAs(AUTH, refreshed.json().refresh_token)).json()
    t.match(refreshAnswer, { active: true, token_type: 'refresh_token', tenant_id: acme.id })
    t.notOk('workspace_id' in refreshAnswer)

    // Another tenant's resource server, though it may introspect any token, sees none of acme's: each answer is
    // inactive, the refresh token's as the access token's.
    await store.clients.create({
      clientId: 'globex-gateway',
      tenantId: globex.id,
      name: 'Globex gateway',
      secretHash: sha256(SECRET),
      grantTypes: ['client_credentials'],
      scopes: ['introspect'],
    })
    const globexAuth = { authorization: basic('globex-gateway', SECRET) }
    for (const token of [refreshed.json().access_token, refreshed.json().refresh_token]) {
      const answer = await introspectAs(globexAuth, token)
      t.equal(answer.statusCode, 200)
      t.equal(answer.body, '{"active":false}', "another tenant's caller sees acme's token as inactive")
    }

    // The default tenant's logins stay the default tenant's.
    t.not(acme.id, DEFAULT_TENANT_ID)
  })

  t.test(`workspace on the code's redemption, on ${provider}`, async (t) => {
    const { app, store } = await build(t, { provider })
    const { acme, prod, foreign, alice } = await seedAcme(store)

    // By slug: the role's scopes within the consented ones, the tenant and the workspace in the token.
    const tokens = await redeem(app, await codeFor(app, 'read write openid'), { workspace: 'prod' })
    t.equal(tokens.statusCode, 200, tokens.body)
    t.equal(tokens.json().scope, 'read openid', 'write is beyond the reader role')
    const claims = decodeJwt(tokens.json().access_token)
    t.equal(claims.sub, alice.id)
    t.equal(claims.tenant_id, acme.id)
    t.equal(claims.workspace_id, prod.id)
    t.ok(tokens.json().id_token, 'the sign-in still yields its ID token')

    // The login serves the user's other scopes too: its family keeps the consented scope.
    const refreshToken = tokens.json().refresh_token as string
    const wide = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken }, AUTH)
    t.equal(wide.statusCode, 200, wide.body)
    t.equal(wide.json().scope, 'read write openid')
    t.notOk('workspace_id' in decodeJwt(wide.json().access_token))
    const inProd = await tokenRequest(
      app,
      { grant_type: 'refresh_token', refresh_token: wide.json().refresh_token, workspace: prod.id },
      AUTH,
    )
    t.equal(inProd.statusCode, 200, inProd.body)
    t.equal(inProd.json().scope, 'read openid')
    t.equal(decodeJwt(inProd.json().access_token).workspace_id, prod.id)

    // By id.
    const byId = await redeem(app, await codeFor(app, 'read'), { workspace: prod.id })
    t.equal(byId.statusCode, 200, byId.body)
    t.equal(decodeJwt(byId.json().access_token).workspace_id, prod.id)

    // Refusals leave the code unused: the same code then redeems without a workspace.
    const code = await codeFor(app, 'read write')
    const refusals: [string, Record<string, string>, string, RegExp][] = [
      [
        'an unknown workspace',
        { workspace: 'staging' },
        'invalid_target',
        /no workspace .staging. in this client's tenant/,
      ],
      ['a workspace she is no member of', { workspace: 'dev' }, 'invalid_target', /not a member/],
      ["another tenant's workspace, by id", { workspace: foreign.id }, 'invalid_target', /no workspace/],
    ]
    for (const [what, extra, error, description] of refusals) {
      const refused = await redeem(app, code, extra)
      t.equal(refused.statusCode, 400, what)
      t.equal(refused.json().error, error, what)
      t.match(refused.json().error_description, description, what)
    }
    // Another tenant's workspace is refused as an unknown one: nothing tells that it exists.
    const unknownId = foreign.id.replace(/[0-9a-f]$/, (digit) => (digit === '0' ? '1' : '0'))
    const [theirs, unknown] = [
      await redeem(app, code, { workspace: foreign.id }),
      await redeem(app, code, { workspace: unknownId }),
    ]
    t.same(
      { ...theirs.json(), error_description: theirs.json().error_description.replace(foreign.id, 'ID') },
      { ...unknown.json(), error_description: unknown.json().error_description.replace(unknownId, 'ID') },
    )
    // A binding that fails is refused as without a workspace, before the workspace is looked up.
    const wrongVerifier = await redeem(app, { code: code.code, verifier: 'x'.repeat(43) }, { workspace: 'staging' })
    t.equal(wrongVerifier.statusCode, 400)
    t.equal(wrongVerifier.json().error, 'invalid_grant')
    const unknownCode = await redeem(app, { code: 'nope', verifier: code.verifier }, { workspace: 'prod' })
    t.equal(unknownCode.json().error, 'invalid_grant')
    const stillGood = await redeem(app, code)
    t.equal(stillGood.statusCode, 200, stillGood.body)
    t.equal(stillGood.json().scope, 'read write')
    // Used now: a redemption naming a workspace is a replay, and the login it started ends.
    const replay = await redeem(app, code, { workspace: 'prod' })
    t.equal(replay.json().error, 'invalid_grant')
    t.match(replay.json().error_description, /already used/)
    const ended = await tokenRequest(
      app,
      { grant_type: 'refresh_token', refresh_token: stillGood.json().refresh_token },
      AUTH,
    )
    t.equal(ended.json().error, 'invalid_grant')

    // A code whose consented scopes the role grants none of: invalid_scope, and the code stays usable.
    const writeOnly = await codeFor(app, 'write')
    const none = await redeem(app, writeOnly, { workspace: 'prod' })
    t.equal(none.statusCode, 400)
    t.equal(none.json().error, 'invalid_scope')
    t.equal((await redeem(app, writeOnly)).statusCode, 200)

    // Demoted to a role without read: the next redemption for prod narrows at once.
    const lister = await store.tenants.roles.create(acme.id, { name: 'lister', scopes: ['list'] })
    await store.tenants.memberships.put(acme.id, { userId: alice.id, workspaceId: prod.id, roleId: lister.id })
    const demoted = await redeem(app, await codeFor(app, 'read'), { workspace: 'prod' })
    t.equal(demoted.json().error, 'invalid_scope')
    // Removed from prod: not a member any more.
    await store.tenants.memberships.remove(acme.id, alice.id, prod.id)
    const removed = await redeem(app, await codeFor(app, 'read'), { workspace: 'prod' })
    t.equal(removed.json().error, 'invalid_target')
  })
}

for (const provider of providers) {
  t.test(
    `a tenant's password login refused openid gets none from its refreshes (RFC 6749 §6), on ${provider}`,
    async (t) => {
      const { app, store } = await build(t, { provider })
      const { acme, prod } = await seedAcme(store)
      await store.clients.create({
        clientId: 'acme-cli',
        tenantId: acme.id,
        name: 'Acme CLI',
        secretHash: sha256(SECRET),
        grantTypes: ['password', 'refresh_token'],
        scopes: ['read', 'write', 'openid', 'profile'],
      })
      const cli = { authorization: basic('acme-cli', SECRET) }
      // alice holds read and write, not openid: the login gets her scopes within the client's.
      for (const workspace of [undefined, prod.slug]) {
        const where = workspace ? `in workspace ${workspace}` : 'tenant-wide'
        const login = await tokenRequest(
          app,
          { grant_type: 'password', username: 'alice', password: PASSWORD, ...(workspace ? { workspace } : {}) },
          cli,
        )
        t.equal(login.statusCode, 200, login.body)
        const granted = workspace ? 'read' : 'read write'
        t.equal(login.json().scope, granted, `${where}: the login's scope`)
        const refreshed = await tokenRequest(
          app,
          {
            grant_type: 'refresh_token',
            refresh_token: login.json().refresh_token,
            ...(workspace ? { workspace } : {}),
          },
          cli,
        )
        t.equal(refreshed.statusCode, 200, refreshed.body)
        t.equal(refreshed.json().scope, granted, `${where}: the refresh grants no scope the login was refused`)
        const asked = await tokenRequest(
          app,
          { grant_type: 'refresh_token', refresh_token: refreshed.json().refresh_token, scope: 'read openid' },
          cli,
        )
        t.same(
          [asked.statusCode, asked.json().error],
          [400, 'invalid_scope'],
          `${where}: nor when asked for: ${asked.body}`,
        )
      }
    },
  )
}
