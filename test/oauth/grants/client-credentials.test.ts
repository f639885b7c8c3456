// The client_credentials grant (src/oauth/grants/client-credentials.ts, RFC 6749 §4.4) as a unit: it needs no
// service; only a confidential client that authenticated gets a token, for itself (`client:<client_id>`), with
// the requested scope within the client's, or all of it, for the audience the endpoint chose. Through the
// routes: test/oauth/token-grants.test.ts, token-errors.test.ts.
import t from 'tap'
import { OAuthError } from '../../../src/errors.ts'
import { CLIENT_CREDENTIALS_GRANT, createClientCredentialsGrant } from '../../../src/oauth/grants/client-credentials.ts'
import type { GrantRequest } from '../../../src/oauth/grants/grant.ts'
import type { Client } from '../../../src/store/clients.ts'
import { clientRow } from '../../support/client-row.ts'

const AUDIENCE = 'https://api.example'

const request = (extra: Partial<GrantRequest> = {}, client: Partial<Client> = {}): GrantRequest => ({
  client: clientRow({ clientId: 'service', scopes: ['read', 'write'], ...client }),
  authMethod: 'client_secret_basic',
  params: {},
  scope: undefined,
  resource: undefined,
  audience: AUDIENCE,
  now: 1_800_000_000_000,
  ip: '203.0.113.9',
  dpopJkt: undefined,
  ...extra,
})

/** The refusal, whole; or what the handler resolved to (which fails the comparison). */
async function outcome(promise: Promise<unknown>) {
  try {
    return { resolved: await promise }
  } catch (err) {
    if (!(err instanceof OAuthError) || err.constructor !== OAuthError) throw err
    return { status: err.statusCode, error: err.error, description: err.description, headers: err.headers }
  }
}

const grant = createClientCredentialsGrant()

t.test("the grant's contract", async (t) => {
  t.equal(CLIENT_CREDENTIALS_GRANT, 'client_credentials')
  t.equal(grant.grantType, 'client_credentials')
  t.strictSame(grant.parameters, { required: [], optional: [] }, 'no parameters of its own')
})

t.test('a confidential client gets a token for itself', async (t) => {
  for (const authMethod of ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const)
    t.strictSame(
      await grant.handler(request({ authMethod })),
      { subject: 'client:service', scope: ['read', 'write'], audience: AUDIENCE },
      `${authMethod}: no scope asked, all of the client's`,
    )
  t.strictSame(
    await grant.handler(request({ scope: ['write'], audience: 'https://other.example' })),
    { subject: 'client:service', scope: ['write'], audience: 'https://other.example' },
    "the requested scope, for the endpoint's audience",
  )
  t.strictSame(await grant.handler(request({ scope: [] }, { scopes: [] })), {
    subject: 'client:service',
    scope: [],
    audience: AUDIENCE,
  })
})

t.test("a scope beyond the client's", async (t) => {
  t.strictSame(await outcome(grant.handler(request({ scope: ['read', 'admin'] }))), {
    status: 400,
    error: 'invalid_scope',
    description: "this client may not have the scope 'admin'",
    headers: {},
  })
})

t.test('only for confidential clients', async (t) => {
  const refused = {
    status: 400,
    error: 'unauthorized_client',
    description: 'client_credentials is only for confidential clients',
    headers: {},
  }
  t.strictSame(
    await outcome(grant.handler(request({ authMethod: 'none' }, { isPublic: true, secretHash: null }))),
    refused,
    'a public client',
  )
  t.strictSame(
    await outcome(grant.handler(request({ authMethod: 'client_secret_basic' }, { isPublic: true }))),
    refused,
    'a public client, however it claims to have authenticated',
  )
  t.strictSame(
    await outcome(grant.handler(request({ authMethod: 'none' }))),
    refused,
    'a confidential client that did not authenticate',
  )
})
