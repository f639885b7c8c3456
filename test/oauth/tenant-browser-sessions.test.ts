// A client signs in only its own tenant's users, on the browser paths too: a browser signed in as the default
// tenant's alice (through the default tenant's client) is not signed in for a tenant's client, which asks for a
// login (login_required with prompt=none) and then signs in its own tenant's alice; and a delegated login app
// names a user within the client's tenant, never another tenant's by id or by username.
import t from 'tap'
import { decodeJwt } from 'jose'
import type { FastifyInstance } from 'fastify'
import { hashPassword } from '../../src/security/passwords.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { DEFAULT_TENANT_ID, type Store, ANY_TENANT } from '../../src/store/index.ts'
import { build, providers } from '../support/helper.ts'
import { client, signedToken } from '../support/admin-fixtures.ts'
import { authorizeUrl, pkce, query, REDIRECT, seedSignIn, signedInBrowser, signInFlow } from '../support/sign-in.ts'
import { basic, PASSWORD, SECRET, tokenRequest } from '../support/token-fixtures.ts'

const ISSUER = 'http://portcullis.test'
const LOGIN_URL = 'https://login.example/sign-in'

/** The default tenant's sign-in fixtures, and tenant acme with its first-party client acme-web and its alice. */
async function seedTwoTenants(store: Store) {
  const { alice: defaultAlice } = await seedSignIn(store)
  const acme = await store.tenants.create({ slug: 'acme', name: 'Acme' })
  await store.clients.create({
    clientId: 'acme-web',
    tenantId: acme.id,
    name: 'Acme web',
    secretHash: sha256(SECRET),
    grantTypes: ['authorization_code'],
    scopes: ['read'],
    redirectUris: [REDIRECT],
    firstParty: true,
  })
  const alice = await store.users.create({
    username: 'alice',
    passwordHash: await hashPassword(PASSWORD, 4),
    scopes: ['read'],
    tenantId: acme.id,
  })
  return { acme, alice, defaultAlice }
}

const acmeAuthorize = (extra: Record<string, string> = {}) => {
  const { verifier, challenge } = pkce()
  const url = authorizeUrl({
    response_type: 'code',
    client_id: 'acme-web',
    redirect_uri: REDIRECT,
    scope: 'read',
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  })
  return { url, verifier }
}

const redeem = (app: FastifyInstance, code: string, verifier: string) =>
  tokenRequest(
    app,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
    { authorization: basic('acme-web', SECRET) },
  )

for (const provider of providers) {
  t.test(`another tenant's browser session does not sign in a tenant's client, on ${provider}`, async (t) => {
    const { app, store } = await build(t, { provider })
    const { acme, alice, defaultAlice } = await seedTwoTenants(store)
    // The default tenant's alice signs in through the default tenant's client: the browser has her session.
    const { flow, accessToken } = await signedInBrowser(app)
    t.equal(decodeJwt(accessToken).sub, defaultAlice.id)

    const silent = await flow.get(acmeAuthorize({ prompt: 'none' }).url)
    t.equal(silent.statusCode, 303)
    t.match(query(silent.headers.location), { error: 'login_required', state: 's' }, 'prompt=none: not signed in')

    const { url, verifier } = acmeAuthorize()
    const start = await flow.get(url)
    t.equal(start.statusCode, 303)
    t.match(start.headers.location, /^\/oauth\/login\?/, 'the login page, not a code for the default tenant’s alice')
    const signedIn = await flow.login(start.headers.location!)
    const code = query(signedIn.headers.location).code
    t.ok(code, 'a code once acme’s alice has signed in')
    const tokens = await redeem(app, code!, verifier)
    t.equal(tokens.statusCode, 200, tokens.body)
    const claims = decodeJwt(tokens.json().access_token)
    t.equal(claims.sub, alice.id, "acme's alice")
    t.equal(claims.tenant_id, acme.id)
    // Her session is her tenant's, and so are the audit events of her sign-in; the end of the session she
    // replaced is the default tenant's.
    const session = await store.sessions.findActiveByHash(
      ANY_TENANT,
      sha256(flow.jar.cookies.get('portcullis-session')!),
    )
    t.equal(session?.userId, alice.id)
    t.equal(session?.tenantId, acme.id)
    const acmeTypes = (await store.audit.list(acme.id, { limit: 20 })).items.map((event) => event.type)
    t.ok(acmeTypes.includes('login.succeeded'), acmeTypes.join(', '))
    t.notOk(acmeTypes.includes('session.ended'), acmeTypes.join(', '))
    const defaultTypes = (await store.audit.list(DEFAULT_TENANT_ID, { limit: 20 })).items.map((event) => event.type)
    t.ok(defaultTypes.includes('session.ended'), defaultTypes.join(', '))
  })

  t.test(`a delegated login names a user of the client's tenant only, on ${provider}`, async (t) => {
    const ctx = await build(t, { provider, env: { LOGIN_URL } })
    const { app, store } = ctx
    const { acme, alice, defaultAlice } = await seedTwoTenants(store)
    const loginApp = client(app, {
      authorization: `Bearer ${(await signedToken(ctx, { scope: 'login', ttl: 3600 })).token}`,
    })
    const flow = signInFlow(app)
    const { url, verifier } = acmeAuthorize()
    const start = await flow.get(url)
    t.equal(start.statusCode, 303)
    const challenge = new URL(start.headers.location!).searchParams.get('login_challenge')!
    const accept = (subject: string) =>
      loginApp.post(`/admin/v1/login-requests/${challenge}/accept`, { subject, remember: false })

    // The default tenant's alice, by id: no such user for acme's client.
    const byForeignId = await accept(defaultAlice.id)
    t.equal(byForeignId.statusCode, 400)
    t.same(byForeignId.json().error, 'invalid_request')
    t.match(byForeignId.json().error_description, 'subject: no enabled user has this id or username')

    // By username: acme's alice, not the default tenant's of the same name.
    const accepted = await accept('alice')
    t.equal(accepted.statusCode, 200, accepted.body)
    const redirectTo = accepted.json().redirect_to as string
    t.ok(redirectTo.startsWith(`${ISSUER}/oauth/authorize/continue?`))
    const back = await flow.get(redirectTo.slice(ISSUER.length))
    const code = query(back.headers.location).code
    t.ok(code, `a code: ${back.headers.location}`)
    const tokens = await redeem(app, code!, verifier)
    t.equal(tokens.statusCode, 200, tokens.body)
    t.equal(decodeJwt(tokens.json().access_token).sub, alice.id)
    t.equal(decodeJwt(tokens.json().access_token).tenant_id, acme.id)
    // The login app's answers are audited in the client's tenant.
    const acmeTypes = (await store.audit.list(acme.id, { limit: 20 })).items.map((event) => event.type)
    t.ok(acmeTypes.includes('login_request.accepted'), acmeTypes.join(', '))
    t.ok(acmeTypes.includes('login.succeeded'), acmeTypes.join(', '))
  })
}
