// The token exchange grant (src/oauth/grants/token-exchange.ts, RFC 8693) as a unit, with a fake access-key
// verifier and workspace store: the subject, requested and actor token types, every answer of the verifier (a
// key of another tenant as unknown as a missing one), the named workspace, the audience (registered, allowed for
// the client, agreeing with resource), the scope, the exact result (sub, claims, tenant, workspace, expiry,
// issued token type) and the usage field. Through the routes: test/oauth/token-exchange.test.ts.
import t from 'tap'
import type { Config } from '../../../src/config.ts'
import { OAuthError } from '../../../src/errors.ts'
import type { GrantRequest, TokenUsage } from '../../../src/oauth/grants/grant.ts'
import {
  ACCESS_KEY_TOKEN_TYPE,
  ACCESS_TOKEN_TOKEN_TYPE,
  createTokenExchangeGrant,
  TOKEN_EXCHANGE_GRANT,
} from '../../../src/oauth/grants/token-exchange.ts'
import type { AccessKeyVerification } from '../../../src/security/access-keys.ts'
import type { AccessKey } from '../../../src/store/access-keys.ts'
import type { Workspace } from '../../../src/store/tenants.ts'
import { DEFAULT_TENANT_ID } from '../../../src/store/tenants.ts'
import { clientRow } from '../../support/client-row.ts'
import { accessKeyRow } from '../../support/access-key-row.ts'

const NOW = 1_800_000_000_000
const DEFAULT_AUDIENCE = 'https://auth.example/base'
const API = 'https://api.example'
const OTHER = 'https://other.example'
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt'
const INVALID_KEY = 'subject_token is not a valid access key (unknown, expired or revoked)'

const accessKey = (id: string, extra: Partial<AccessKey> = {}): AccessKey =>
  accessKeyRow({ id, scopes: ['deploy', 'admin', 'read'], ...extra }, new Date(NOW - 86_400_000))

const verified = (key: AccessKey, extra: Partial<Extract<AccessKeyVerification, { ok: true }>> = {}) =>
  ({ ok: true, key, owner: null, sub: `access_key:${key.id}`, scopes: key.scopes, ...extra }) as const

const owner = { id: 'user-1', username: 'rosa', scopes: ['read', 'write'], disabled: false }
const keys: Record<string, AccessKeyVerification> = {
  'pcl-service': verified(accessKey('key-service')),
  'pcl-user': verified(accessKey('key-user', { userId: 'user-1', expiresAt: new Date(NOW + 90_000) }), {
    owner,
    sub: 'user-1',
    scopes: ['read', 'write'],
  }),
  'pcl-workspace': verified(accessKey('key-workspace', { workspaceId: 'ws-1', scopes: ['read'] })),
  'pcl-other-tenant': verified(accessKey('key-other', { tenantId: 'tenant-2' })),
  'pcl-default-tenant': verified(accessKey('key-default', { tenantId: DEFAULT_TENANT_ID, scopes: ['read'] })),
  'pcl-revoked': { ok: false, reason: 'revoked', keyId: 'key-revoked' },
  'pcl-wrong-secret': { ok: false, reason: 'unknown', keyId: 'key-wrong' },
  'pcl-key-pair': { ok: false, reason: 'no_secret', keyId: 'key-pair' },
}

const workspace = (id: string): Workspace => ({
  id,
  tenantId: 'tenant-1',
  slug: `slug-${id}`,
  name: id,
  createdAt: new Date(0),
})
/** By id or slug within tenant-1. */
const workspaces: Record<string, Workspace> = {
  'ws-1': workspace('ws-1'),
  'slug-ws-1': workspace('ws-1'),
  'ws-2': workspace('ws-2'),
}

type Call = ['verify', string] | ['findWorkspace', string, string]

function setup() {
  const calls: Call[] = []
  const grant = createTokenExchangeGrant({
    config: { audiences: [DEFAULT_AUDIENCE, API, OTHER] } as unknown as Config,
    accessKeys: {
      async verify(presented: string) {
        calls.push(['verify', presented])
        return keys[presented] ?? { ok: false, reason: 'malformed' }
      },
    } as never,
    store: {
      tenants: {
        workspaces: {
          async find(tenantId: string, idOrSlug: string) {
            calls.push(['findWorkspace', tenantId, idOrSlug])
            return tenantId === 'tenant-1' ? workspaces[idOrSlug] : undefined
          },
        },
      },
    } as never,
  })
  return { grant, calls }
}

const client = clientRow({
  clientId: 'exchanger',
  tenantId: 'tenant-1',
  grantTypes: [TOKEN_EXCHANGE_GRANT],
  scopes: ['read', 'write', 'deploy'],
})

const request = (params: Record<string, string>, extra: Partial<GrantRequest> = {}): GrantRequest => ({
  client,
  authMethod: 'client_secret_basic',
  params: { subject_token_type: ACCESS_KEY_TOKEN_TYPE, ...params },
  scope: undefined,
  resource: undefined,
  audience: DEFAULT_AUDIENCE,
  now: NOW,
  ip: '192.0.2.1',
  dpopJkt: undefined,
  usage: {},
  ...extra,
})

/** The result; or the refusal's status, error and description. */
async function outcome<T>(promise: Promise<T>) {
  try {
    return { result: await promise }
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err
    return { status: err.statusCode, error: err.error, description: err.description }
  }
}

const refused = (error: string, description: string) => ({ status: 400, error, description })

const serviceResult = (extra: Record<string, unknown> = {}) => ({
  result: {
    subject: 'access_key:key-service',
    scope: ['deploy', 'read'],
    audience: DEFAULT_AUDIENCE,
    claims: { access_key_id: 'key-service' },
    issuedTokenType: ACCESS_TOKEN_TOKEN_TYPE,
    tenantId: 'tenant-1',
    ...extra,
  },
})

t.test('the grant type and the parameters it reads', async (t) => {
  const { grant } = setup()
  t.equal(grant.grantType, 'urn:ietf:params:oauth:grant-type:token-exchange')
  t.equal(TOKEN_EXCHANGE_GRANT, grant.grantType)
  t.equal(ACCESS_KEY_TOKEN_TYPE, 'urn:portcullis:params:oauth:token-type:access_key')
  t.equal(ACCESS_TOKEN_TOKEN_TYPE, 'urn:ietf:params:oauth:token-type:access_token')
  t.strictSame(grant.parameters, {
    required: ['subject_token', 'subject_token_type'],
    optional: ['audience', 'requested_token_type', 'actor_token', 'actor_token_type', 'workspace'],
  })
})

t.test("a service key: the key's sub, its scopes within the client's, the key's tenant", async (t) => {
  const { grant, calls } = setup()
  const usage: TokenUsage = { clientId: 'exchanger' }
  t.strictSame(await outcome(grant.handler(request({ subject_token: 'pcl-service' }, { usage }))), serviceResult())
  t.strictSame(calls, [['verify', 'pcl-service']])
  t.strictSame(usage, { clientId: 'exchanger', accessKeyId: 'key-service' })
})

t.test("a user's key: the user's sub and username; the token expires with the key", async (t) => {
  const { grant, calls } = setup()
  t.strictSame(await outcome(grant.handler(request({ subject_token: 'pcl-user' }))), {
    result: {
      subject: 'user-1',
      scope: ['read', 'write'],
      audience: DEFAULT_AUDIENCE,
      claims: { access_key_id: 'key-user', username: 'rosa' },
      issuedTokenType: ACCESS_TOKEN_TOKEN_TYPE,
      tenantId: 'tenant-1',
      notAfter: NOW + 90_000,
    },
  })
  t.strictSame(calls, [['verify', 'pcl-user']])
})

t.test("a client without a tenant is the default tenant's: it exchanges that tenant's keys only", async (t) => {
  const { grant } = setup()
  const { tenantId: _, ...rest } = client
  const defaultClient = clientRow(rest)
  t.strictSame(
    await outcome(grant.handler(request({ subject_token: 'pcl-default-tenant' }, { client: defaultClient }))),
    {
      result: {
        subject: 'access_key:key-default',
        scope: ['read'],
        audience: DEFAULT_AUDIENCE,
        claims: { access_key_id: 'key-default' },
        issuedTokenType: ACCESS_TOKEN_TOKEN_TYPE,
        tenantId: DEFAULT_TENANT_ID,
      },
    },
  )
  t.strictSame(
    await outcome(grant.handler(request({ subject_token: 'pcl-service' }, { client: defaultClient }))),
    refused('invalid_request', INVALID_KEY),
  )
  t.strictSame(
    await outcome(grant.handler(request({ subject_token: 'pcl-default-tenant' }))),
    refused('invalid_request', INVALID_KEY),
    "and a tenant's client not the default tenant's",
  )
})

t.test('without a usage record to fill in, a good and a refused key answer the same', async (t) => {
  const { grant } = setup()
  const { usage: _, ...withoutUsage } = request({})
  const as = (subject_token: string) =>
    outcome(grant.handler({ ...withoutUsage, params: { ...withoutUsage.params, subject_token } }))
  t.strictSame(await as('pcl-service'), serviceResult())
  t.strictSame(await as('pcl-revoked'), refused('invalid_request', INVALID_KEY))
  t.strictSame(await as('garbage'), refused('invalid_request', INVALID_KEY))
})

t.test('a key refused by the verifier, or of another tenant: invalid_request, counted when it exists', async (t) => {
  const { grant, calls } = setup()
  const as = async (subject_token: string) => {
    const usage: TokenUsage = { clientId: 'exchanger' }
    return { answer: await outcome(grant.handler(request({ subject_token }, { usage }))), usage }
  }
  const invalid = refused('invalid_request', INVALID_KEY)
  t.strictSame(await as('garbage'), { answer: invalid, usage: { clientId: 'exchanger' } }, 'no key id: not counted')
  t.strictSame(await as('pcl-wrong-secret'), {
    answer: invalid,
    usage: { clientId: 'exchanger', accessKeyId: 'key-wrong' },
  })
  t.strictSame(await as('pcl-revoked'), {
    answer: invalid,
    usage: { clientId: 'exchanger', accessKeyId: 'key-revoked' },
  })
  t.strictSame(await as('pcl-key-pair'), { answer: invalid, usage: { clientId: 'exchanger', accessKeyId: 'key-pair' } })
  t.strictSame(
    await as('pcl-other-tenant'),
    { answer: invalid, usage: { clientId: 'exchanger', accessKeyId: 'key-other' } },
    "another tenant's key is as unknown as a missing one",
  )
  t.strictSame(calls, [
    ['verify', 'garbage'],
    ['verify', 'pcl-wrong-secret'],
    ['verify', 'pcl-revoked'],
    ['verify', 'pcl-key-pair'],
    ['verify', 'pcl-other-tenant'],
  ])
})

t.test('the token types: the subject is an access key; an access token or a JWT may be requested', async (t) => {
  const { grant, calls } = setup()
  const as = (params: Record<string, string>) =>
    outcome(grant.handler(request({ subject_token: 'pcl-service', ...params })))
  const subjectType = refused('invalid_request', `subject_token_type must be ${ACCESS_KEY_TOKEN_TYPE}`)
  t.strictSame(await as({ subject_token_type: ACCESS_TOKEN_TOKEN_TYPE }), subjectType)
  t.strictSame(await as({ subject_token_type: JWT_TYPE }), subjectType)
  t.strictSame(await as({ subject_token_type: '' }), subjectType)
  t.strictSame(await as({ subject_token_type: `${ACCESS_KEY_TOKEN_TYPE} ` }), subjectType)
  const requestedType = refused('invalid_request', `requested_token_type must be ${ACCESS_TOKEN_TOKEN_TYPE}`)
  t.strictSame(await as({ requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }), requestedType)
  t.strictSame(await as({ requested_token_type: ACCESS_KEY_TOKEN_TYPE }), requestedType)
  t.strictSame(await as({ requested_token_type: '' }), requestedType, 'an empty one')
  t.strictSame(calls, [], 'refused before the key is looked at')

  t.strictSame(await as({ requested_token_type: ACCESS_TOKEN_TOKEN_TYPE }), serviceResult())
  t.strictSame(await as({ requested_token_type: JWT_TYPE }), serviceResult(), 'a JWT: an access token is one')
  t.strictSame(calls, [
    ['verify', 'pcl-service'],
    ['verify', 'pcl-service'],
  ])
})

t.test('actor_token and actor_token_type, alone or together: delegation is not supported', async (t) => {
  const { grant, calls } = setup()
  const as = (params: Record<string, string>) =>
    outcome(grant.handler(request({ subject_token: 'pcl-service', ...params })))
  const unsupported = refused('invalid_request', 'actor_token is not supported')
  t.strictSame(await as({ actor_token: 'pcl-user' }), unsupported)
  t.strictSame(await as({ actor_token_type: ACCESS_KEY_TOKEN_TYPE }), unsupported)
  t.strictSame(await as({ actor_token: 'pcl-user', actor_token_type: ACCESS_KEY_TOKEN_TYPE }), unsupported)
  t.strictSame(await as({ actor_token: '' }), unsupported, 'even empty')
  t.strictSame(calls, [])
})

t.test('a named workspace must be the key’s own, found in the key’s tenant by id or slug', async (t) => {
  const { grant, calls } = setup()
  const as = (subject_token: string, name: string) =>
    outcome(grant.handler(request({ subject_token, workspace: name })))
  const workspaceResult = {
    result: {
      subject: 'access_key:key-workspace',
      scope: ['read'],
      audience: DEFAULT_AUDIENCE,
      claims: { access_key_id: 'key-workspace' },
      issuedTokenType: ACCESS_TOKEN_TOKEN_TYPE,
      tenantId: 'tenant-1',
      workspaceId: 'ws-1',
    },
  }
  const notIts = refused('invalid_target', 'this access key does not belong to the named workspace')
  t.strictSame(await outcome(grant.handler(request({ subject_token: 'pcl-workspace' }))), workspaceResult, 'none named')
  t.strictSame(await as('pcl-workspace', 'ws-1'), workspaceResult)
  t.strictSame(await as('pcl-workspace', 'slug-ws-1'), workspaceResult)
  t.strictSame(await as('pcl-workspace', 'ws-2'), notIts, 'another workspace: never a switch')
  t.strictSame(await as('pcl-workspace', 'missing'), notIts)
  t.strictSame(await as('pcl-service', 'ws-1'), notIts, 'a tenant-wide key is in no workspace')
  t.strictSame(await as('pcl-service', 'missing'), notIts)
  t.strictSame(calls, [
    ['verify', 'pcl-workspace'],
    ['verify', 'pcl-workspace'],
    ['findWorkspace', 'tenant-1', 'ws-1'],
    ['verify', 'pcl-workspace'],
    ['findWorkspace', 'tenant-1', 'slug-ws-1'],
    ['verify', 'pcl-workspace'],
    ['findWorkspace', 'tenant-1', 'ws-2'],
    ['verify', 'pcl-workspace'],
    ['findWorkspace', 'tenant-1', 'missing'],
    ['verify', 'pcl-service'],
    ['findWorkspace', 'tenant-1', 'ws-1'],
    ['verify', 'pcl-service'],
    ['findWorkspace', 'tenant-1', 'missing'],
  ])

  calls.length = 0
  t.strictSame(
    await as('pcl-other-tenant', 'ws-1'),
    refused('invalid_request', INVALID_KEY),
    'the key is checked first',
  )
  t.strictSame(calls, [['verify', 'pcl-other-tenant']])
})

t.test('audience: a registered one the client may use, agreeing with resource', async (t) => {
  const { grant, calls } = setup()
  const as = (audience: string | undefined, extra: Partial<GrantRequest> = {}) =>
    outcome(
      grant.handler(request({ subject_token: 'pcl-service', ...(audience === undefined ? {} : { audience }) }, extra)),
    )
  const unregistered = (audience: string) =>
    refused('invalid_target', `the audience '${audience}' is not registered for this client`)

  t.strictSame(await as(API), serviceResult({ audience: API }), 'registered; the client lists none: any registered')
  t.strictSame(await as(DEFAULT_AUDIENCE), serviceResult())
  t.strictSame(await as('https://evil.example'), unregistered('https://evil.example'))
  t.strictSame(await as(`${API}/`), unregistered(`${API}/`))
  t.strictSame(await as(''), unregistered(''))
  const long = `https://${'a'.repeat(300)}.example`
  t.strictSame(await as(long), unregistered(long.slice(0, 200)), 'quoted up to 200 characters')

  const listing = clientRow({ ...client, audiences: [API] })
  t.strictSame(await as(API, { client: listing }), serviceResult({ audience: API }), 'one the client lists')
  t.strictSame(await as(OTHER, { client: listing }), unregistered(OTHER), 'registered, but not for this client')
  t.strictSame(
    await as('https://evil.example', { client: clientRow({ ...client, audiences: ['https://evil.example'] }) }),
    unregistered('https://evil.example'),
    'listed for the client, but not registered',
  )

  t.strictSame(
    await as(API, { resource: API, audience: API }),
    serviceResult({ audience: API }),
    'resource and audience the same',
  )
  t.strictSame(
    await as(API, { resource: OTHER, audience: OTHER }),
    refused('invalid_target', 'audience and resource name different targets'),
  )
  t.strictSame(
    await as(undefined, { resource: OTHER, audience: OTHER }),
    serviceResult({ audience: OTHER }),
    "no audience: the request's (resource's)",
  )
  t.strictSame(
    await as('https://evil.example', { resource: OTHER, audience: OTHER }),
    unregistered('https://evil.example'),
    'registration is checked first',
  )
  t.strictSame(
    calls,
    Array.from({ length: 13 }, () => ['verify', 'pcl-service']),
    'the key is verified before the audience is looked at; no workspace lookup',
  )
})

t.test("scope: narrower is honoured; beyond the client's or the key's is invalid_scope", async (t) => {
  const { grant } = setup()
  const as = (scope: string[], subject_token = 'pcl-service') =>
    outcome(grant.handler(request({ subject_token }, { scope })))
  t.strictSame(await as(['read']), serviceResult({ scope: ['read'] }))
  t.strictSame(await as(['read', 'deploy']), serviceResult({ scope: ['read', 'deploy'] }), "in the request's order")
  t.strictSame(
    await as(['admin']),
    refused('invalid_scope', "this client may not have the scope 'admin'"),
    'the key holds it, the client not',
  )
  t.strictSame(
    await as(['write', 'read']),
    refused('invalid_scope', "this access key may not have the scope 'write'"),
    'the client holds it, the key not',
  )
  t.strictSame(await as(['nothing', 'write']), refused('invalid_scope', "this client may not have the scope 'nothing'"))
  t.strictSame(await as(['write'], 'pcl-user'), {
    result: {
      subject: 'user-1',
      scope: ['write'],
      audience: DEFAULT_AUDIENCE,
      claims: { access_key_id: 'key-user', username: 'rosa' },
      issuedTokenType: ACCESS_TOKEN_TOKEN_TYPE,
      tenantId: 'tenant-1',
      notAfter: NOW + 90_000,
    },
  })
})
