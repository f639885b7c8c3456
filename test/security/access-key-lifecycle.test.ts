// Creating and revoking access keys (security/access-key-lifecycle.ts) as a unit, over a fake store that records
// what it is asked and a fixed clock: boundedExpiry on each side of the parent's expiry, each problem
// accessKeyProblems reports (name, disabled owner, scopes beyond the owner, their workspace role or the ceiling, a
// public key, expires_in at 0, 1, the maximum and one over) and their order, exactly what issueAccessKey stores,
// records and returns for a secret key, a registered public key and a generated key pair, how a store conflict
// becomes ParentKeyInactiveError (with a parent only), and the revocation of a key and its descendants.
// Through the routes and a database: test/security/access-key-lineage.test.ts, test/manage/key-pair-access-keys.test.ts.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto'
import t, { type Test } from 'tap'
import {
  accessKeyProblems,
  type AccessKeyRequest,
  boundedExpiry,
  issueAccessKey,
  MAX_ACCESS_KEY_LIFETIME,
  ParentKeyInactiveError,
  revokeKeyWithDescendants,
} from '../../src/security/access-key-lifecycle.ts'
import { checkPublicJwk, PublicKeyError, publicKeyPair } from '../../src/security/access-key-pairs.ts'
import { sha256 } from '../../src/security/secrets.ts'
import type { AccessKey, NewAccessKey } from '../../src/store/access-keys.ts'
import type { NewAuditEvent } from '../../src/store/audit.ts'
import { DEFAULT_TENANT_ID, type Store, StoreError } from '../../src/store/index.ts'
import type { User } from '../../src/store/users.ts'
import { accessKeyRow } from '../support/access-key-row.ts'

const NOW = 1_800_000_000_000
const HOUR = 3_600_000
const ID_TIME = NOW.toString(36).padStart(9, '0')
const KEY_FORMAT = /^pcl_([0-9a-z]{9}[0-9A-Za-z]{7})_([0-9A-Za-z]{43})$/
const LIFETIME = 'must be a whole number of seconds from 1 to 315360000'

type Jwk = Record<string, unknown>
const ecPair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const ec = ecPair.publicKey.export({ format: 'jwk' }) as Jwk
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as Jwk

const user = (overrides: Partial<User> = {}): User => ({
  id: 'user-1',
  tenantId: 'tenant-1',
  username: 'quinn',
  passwordHash: 'hash',
  scopes: ['read', 'write'],
  disabled: false,
  email: null,
  emailVerified: false,
  name: null,
  createdAt: new Date(NOW - HOUR),
  updatedAt: new Date(NOW - HOUR),
  ...overrides,
})

const request = (overrides: Partial<AccessKeyRequest> = {}): AccessKeyRequest => ({
  name: 'ci',
  scopes: ['read'],
  owner: null,
  ...overrides,
})

/** The key a store makes of this input (as createAccessKeyStore's create does). */
const stored = (input: NewAccessKey, now: Date): AccessKey => ({
  id: input.id,
  prefix: input.prefix,
  kind: input.publicKey ? 'key_pair' : 'secret',
  publicKeyThumbprint: input.publicKey ? input.publicKey.thumbprint : null,
  publicKeyAlg: input.publicKey ? (input.publicKey.jwk.alg as string) : null,
  name: input.name,
  tenantId: input.tenantId ?? DEFAULT_TENANT_ID,
  workspaceId: input.workspaceId ?? null,
  userId: input.userId ?? null,
  scopes: [...input.scopes],
  expiresAt: input.expiresAt ?? null,
  lastUsedAt: null,
  revokedAt: null,
  parentId: input.parentId ?? null,
  createdAt: now,
})

const existing = (id: string, overrides: Partial<AccessKey> = {}): AccessKey =>
  accessKeyRow({ id, userId: 'user-1', revokedAt: new Date(NOW), ...overrides }, new Date(NOW - HOUR))

type RevokeResult = { accessKey: AccessKey; changed: boolean; descendants: AccessKey[] }

/** A store with only what the lifecycle calls: each call recorded; create fails with `createError` when given. */
function fakeStore(options: { createError?: unknown; revoke?: RevokeResult | Error } = {}) {
  const calls = {
    create: [] as [NewAccessKey, Date | undefined][],
    revoke: [] as [string, string, { userId?: string; now?: Date }][],
    record: [] as [NewAuditEvent, Date | undefined][],
  }
  const store = {
    accessKeys: {
      async create(input: NewAccessKey, now?: Date): Promise<AccessKey> {
        calls.create.push([input, now])
        if (options.createError !== undefined) throw options.createError
        return stored(input, now ?? new Date())
      },
      async revoke(scope: string, id: string, revokeOptions: { userId?: string; now?: Date }): Promise<RevokeResult> {
        calls.revoke.push([scope, id, revokeOptions])
        if (options.revoke instanceof Error) throw options.revoke
        if (!options.revoke) throw new Error('no revoke result given')
        return options.revoke
      },
    },
    audit: {
      async record(event: NewAuditEvent, now?: Date): Promise<void> {
        calls.record.push([event, now])
      },
    },
  }
  return { store: store as unknown as Pick<Store, 'accessKeys' | 'audit'>, calls }
}

/** The id and secret of an issued secret key (failing the test when it has none of the right form). */
function keyParts(t: Test, key: string | undefined): { id: string; secret: string } {
  const match = KEY_FORMAT.exec(key ?? '')
  t.ok(match, `pcl_<id>_<secret>: ${key}`)
  t.equal(match?.[1]?.slice(0, 9), ID_TIME, 'the id starts with the creation time')
  return { id: match?.[1] ?? '', secret: match?.[2] ?? '' }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  return 'nothing thrown'
}

t.test('MAX_ACCESS_KEY_LIFETIME is ten years of 365 days', async (t) => {
  t.equal(MAX_ACCESS_KEY_LIFETIME, 315_360_000)
})

t.test('boundedExpiry: as asked, never after the parent', async (t) => {
  t.equal(boundedExpiry({}, NOW), null, 'no expiry asked, no parent: none')
  t.strictSame(boundedExpiry({ expiresIn: 60 }, NOW), new Date(NOW + 60_000), 'asked, no parent: as asked')
  t.strictSame(boundedExpiry({ expiresIn: 1 }, NOW), new Date(NOW + 1000))
  const unbounded = { id: 'p', expiresAt: null }
  t.equal(boundedExpiry({ parent: unbounded }, NOW), null, 'a parent that does not expire: none')
  t.strictSame(boundedExpiry({ expiresIn: 60, parent: unbounded }, NOW), new Date(NOW + 60_000), 'or as asked')
  const parentExpiry = new Date(NOW + HOUR)
  const parent = { id: 'p', expiresAt: parentExpiry }
  t.equal(boundedExpiry({ parent }, NOW), parentExpiry, 'none asked: the parent’s')
  t.equal(boundedExpiry({ expiresIn: 3601, parent }, NOW), parentExpiry, 'a second after the parent: the parent’s')
  t.equal(boundedExpiry({ expiresIn: 86_400, parent }, NOW), parentExpiry, 'a day after: the parent’s')
  const before = boundedExpiry({ expiresIn: 3599, parent }, NOW)
  t.strictSame(before, new Date(NOW + HOUR - 1000), 'a second before the parent: as asked')
  const same = boundedExpiry({ expiresIn: 3600, parent }, NOW)
  t.strictSame(same, new Date(NOW + HOUR), 'at the parent’s expiry: that time')
  t.not(same, parentExpiry, 'as asked (a date of its own), not the parent’s object')
})

t.test('accessKeyProblems: a valid request has none', async (t) => {
  t.strictSame(accessKeyProblems(request()), [], 'a service key')
  t.strictSame(accessKeyProblems(request({ owner: user(), scopes: ['read', 'write'] })), [], "the owner's scopes")
  t.strictSame(accessKeyProblems(request({ name: ' a ' })), [], 'a name with spaces around it')
  t.strictSame(accessKeyProblems(request({ scopes: [] })), [], 'no scopes')
  t.strictSame(
    accessKeyProblems(request({ owner: null, scopes: ['admin'], workspace: { id: 'w', roleScopes: [] } })),
    [],
    'a service key is not bounded by an owner or a role',
  )
})

t.test('accessKeyProblems: the name', async (t) => {
  for (const name of ['', ' ', '\t\n  '])
    t.strictSame(
      accessKeyProblems(request({ name })),
      [{ field: 'name', message: 'must not be blank' }],
      JSON.stringify(name),
    )
})

t.test('accessKeyProblems: a disabled owner', async (t) => {
  t.strictSame(accessKeyProblems(request({ owner: user({ disabled: true }) })), [
    { field: 'user_id', message: 'the user is disabled' },
  ])
  t.strictSame(accessKeyProblems(request({ owner: user({ disabled: false }) })), [], 'an enabled one')
})

t.test("accessKeyProblems: scopes beyond the owner's, or their role's in the workspace", async (t) => {
  t.strictSame(accessKeyProblems(request({ owner: user({ scopes: ['read'] }), scopes: ['read', 'write', 'admin'] })), [
    { field: 'scopes', message: 'the user does not hold "write", "admin"' },
  ])
  t.strictSame(accessKeyProblems(request({ owner: user({ scopes: [] }), scopes: ['a"b'] })), [
    { field: 'scopes', message: 'the user does not hold "a\\"b"' },
  ])
  const workspace = { id: 'w-1', roleScopes: ['write'] }
  t.strictSame(
    accessKeyProblems(request({ owner: user({ scopes: ['read'] }), workspace, scopes: ['write'] })),
    [],
    "the role's scopes, not the owner's",
  )
  t.strictSame(accessKeyProblems(request({ owner: user({ scopes: ['read'] }), workspace, scopes: ['read'] })), [
    { field: 'scopes', message: 'the user\'s role in the workspace does not hold "read"' },
  ])
})

t.test('accessKeyProblems: scopes beyond the ceiling', async (t) => {
  t.strictSame(accessKeyProblems(request({ ceiling: ['read'], scopes: ['read', 'write', 'admin'] })), [
    { field: 'scopes', message: 'the presented credential does not hold "write", "admin"' },
  ])
  t.strictSame(accessKeyProblems(request({ ceiling: [], scopes: ['read'] })), [
    { field: 'scopes', message: 'the presented credential does not hold "read"' },
  ])
  t.strictSame(accessKeyProblems(request({ ceiling: ['read', 'write'], scopes: ['write'] })), [], 'within it')
  t.strictSame(
    accessKeyProblems(request({ owner: user({ scopes: ['a'] }), ceiling: ['b'], scopes: ['a', 'b', 'c'] })),
    [
      { field: 'scopes', message: 'the user does not hold "b", "c"' },
      { field: 'scopes', message: 'the presented credential does not hold "a"' },
    ],
    'a scope beyond both is named once, as the owner’s',
  )
})

t.test('accessKeyProblems: a registered public key', async (t) => {
  const problem = (jwk: unknown, alg?: 'ES256' | 'RS256' | 'PS256' | 'EdDSA') =>
    accessKeyProblems(request({ credential: { kind: 'public_key', jwk, alg } }))
  t.strictSame(problem(ec), [], 'a P-256 key')
  t.strictSame(problem(rsa, 'PS256'), [], 'an RSA key for PS256')
  t.strictSame(problem('text'), [{ field: 'public_key', message: 'the public key must be a JWK object' }])
  t.strictSame(problem(ec, 'RS256'), [{ field: 'public_key', message: 'an EC key cannot be used with RS256' }])
  t.strictSame(problem({ ...ec, alg: 'ES256' }, 'EdDSA'), [
    { field: 'public_key', message: "the JWK's alg ES256 differs from the alg asked for, EdDSA" },
  ])
  t.strictSame(
    accessKeyProblems(request({ credential: { kind: 'generate_key_pair', alg: 'ES256' } })),
    [],
    'a generated key pair: nothing to check',
  )
  t.strictSame(accessKeyProblems(request({ credential: { kind: 'secret' } })), [], 'a secret key')
  const broken = new Error('a getter failed')
  const jwk = {
    get kty(): string {
      throw broken
    },
  }
  let thrown: unknown
  try {
    accessKeyProblems(request({ credential: { kind: 'public_key', jwk } }))
  } catch (err) {
    thrown = err
  }
  t.equal(thrown, broken, 'anything but a PublicKeyError is no problem of the request: it is thrown')
})

t.test('accessKeyProblems: expires_in', async (t) => {
  for (const expiresIn of [undefined, 1, 2, 86_400, MAX_ACCESS_KEY_LIFETIME - 1, MAX_ACCESS_KEY_LIFETIME])
    t.strictSame(accessKeyProblems(request({ expiresIn })), [], `${expiresIn}`)
  for (const expiresIn of [0, -1, -86_400, 1.5, 0.5, MAX_ACCESS_KEY_LIFETIME + 1, Number.NaN, Number.POSITIVE_INFINITY])
    t.strictSame(
      accessKeyProblems(request({ expiresIn })),
      [{ field: 'expires_in', message: LIFETIME }],
      `${expiresIn}`,
    )
})

t.test('accessKeyProblems: every problem at once, in field order', async (t) => {
  t.strictSame(
    accessKeyProblems({
      name: '  ',
      scopes: ['read', 'admin', 'write'],
      owner: user({ disabled: true, scopes: ['read', 'write'] }),
      ceiling: ['admin'],
      credential: { kind: 'public_key', jwk: [] },
      expiresIn: 0,
    }),
    [
      { field: 'name', message: 'must not be blank' },
      { field: 'user_id', message: 'the user is disabled' },
      { field: 'scopes', message: 'the user does not hold "admin"' },
      { field: 'scopes', message: 'the presented credential does not hold "read", "write"' },
      { field: 'public_key', message: 'the public key must be a JWK object' },
      { field: 'expires_in', message: LIFETIME },
    ],
  )
})

t.test('issueAccessKey: a secret key with nothing but a name and scopes', async (t) => {
  const { store, calls } = fakeStore()
  const issued = await issueAccessKey(store, request(), { actor: 'cli' }, NOW)
  const { id, secret } = keyParts(t, issued.key)
  const input: NewAccessKey = {
    id,
    prefix: 'pcl',
    secretHash: sha256(secret),
    name: 'ci',
    tenantId: DEFAULT_TENANT_ID,
    workspaceId: null,
    userId: null,
    scopes: ['read'],
    expiresAt: null,
    parentId: null,
  }
  t.strictSame(calls.create, [[input, new Date(NOW)]], 'only the hash of the secret is stored')
  t.strictSame(issued, { accessKey: stored(input, new Date(NOW)), key: `pcl_${id}_${secret}` })
  t.strictSame(calls.record, [
    [
      {
        tenantId: DEFAULT_TENANT_ID,
        type: 'access_key.created',
        actor: 'cli',
        subject: id,
        ip: null,
        details: { name: 'ci', user_id: null, scopes: ['read'], expires_at: null, kind: 'secret' },
      },
      new Date(NOW),
    ],
  ])
  t.strictSame(calls.revoke, [])
})

t.test("issueAccessKey: a user's key in a workspace, bounded by its parent", async (t) => {
  const { store, calls } = fakeStore()
  const parent = { id: 'parent-1', expiresAt: new Date(NOW + 2 * HOUR) }
  const issued = await issueAccessKey(
    store,
    request({
      name: '  deploy  ',
      scopes: ['read', 'write'],
      owner: user(),
      tenantId: 'ignored-tenant',
      workspace: { id: 'workspace-1', roleScopes: ['read', 'write'] },
      expiresIn: 3600,
      parent,
      credential: { kind: 'secret' },
    }),
    { actor: 'user-1', ip: '203.0.113.7', details: { via: 'me', name: 'overridden' }, tenantId: 'unused' },
    NOW,
  )
  const { id, secret } = keyParts(t, issued.key)
  const input: NewAccessKey = {
    id,
    prefix: 'pcl',
    secretHash: sha256(secret),
    name: 'deploy',
    tenantId: 'tenant-1',
    workspaceId: 'workspace-1',
    userId: 'user-1',
    scopes: ['read', 'write'],
    expiresAt: new Date(NOW + HOUR),
    parentId: 'parent-1',
  }
  t.strictSame(calls.create, [[input, new Date(NOW)]], "the owner's tenant, the name trimmed")
  t.strictSame(issued, { accessKey: stored(input, new Date(NOW)), key: `pcl_${id}_${secret}` })
  t.strictSame(calls.record, [
    [
      {
        tenantId: 'tenant-1',
        type: 'access_key.created',
        actor: 'user-1',
        subject: id,
        ip: '203.0.113.7',
        details: {
          via: 'me',
          name: 'deploy',
          user_id: 'user-1',
          workspace_id: 'workspace-1',
          scopes: ['read', 'write'],
          expires_at: new Date(NOW + HOUR).toISOString(),
          kind: 'secret',
          parent_id: 'parent-1',
        },
      },
      new Date(NOW),
    ],
  ])
})

t.test('issueAccessKey: the tenant asked for a service key, the expiry shortened to the parent’s', async (t) => {
  const { store, calls } = fakeStore()
  const parent = { id: 'parent-1', expiresAt: new Date(NOW + HOUR) }
  const issued = await issueAccessKey(
    store,
    request({ tenantId: 'tenant-2', expiresIn: 86_400, parent }),
    { actor: null, ip: null },
    NOW,
  )
  const { id, secret } = keyParts(t, issued.key)
  const input: NewAccessKey = {
    id,
    prefix: 'pcl',
    secretHash: sha256(secret),
    name: 'ci',
    tenantId: 'tenant-2',
    workspaceId: null,
    userId: null,
    scopes: ['read'],
    expiresAt: new Date(NOW + HOUR),
    parentId: 'parent-1',
  }
  t.strictSame(calls.create, [[input, new Date(NOW)]])
  t.strictSame(calls.record, [
    [
      {
        tenantId: 'tenant-2',
        type: 'access_key.created',
        actor: null,
        subject: id,
        ip: null,
        details: {
          name: 'ci',
          user_id: null,
          scopes: ['read'],
          expires_at: new Date(NOW + HOUR).toISOString(),
          kind: 'secret',
          parent_id: 'parent-1',
        },
      },
      new Date(NOW),
    ],
  ])
  const second = fakeStore()
  await issueAccessKey(second.store, request({ expiresIn: 60 }), { actor: 'a' }, NOW)
  t.strictSame(second.calls.create[0]?.[0].expiresAt, new Date(NOW + 60_000), 'no parent: as asked')
  t.equal(second.calls.record[0]?.[0].details?.expires_at, new Date(NOW + 60_000).toISOString())
})

t.test('issueAccessKey: a registered public key is stored with its thumbprint, and no secret', async (t) => {
  const { store, calls } = fakeStore()
  const issued = await issueAccessKey(
    store,
    request({ owner: user(), credential: { kind: 'public_key', jwk: { ...rsa, kid: 'laptop' }, alg: 'PS256' } }),
    { actor: 'admin' },
    NOW,
  )
  const pair = await publicKeyPair(rsa, 'PS256')
  t.equal(calls.create.length, 1)
  const id = calls.create[0]?.[0].id ?? ''
  t.match(id, new RegExp(`^${ID_TIME}[0-9A-Za-z]{7}$`))
  const input: NewAccessKey = {
    id,
    prefix: 'pcl',
    publicKey: { jwk: { ...rsa, alg: 'PS256' }, thumbprint: pair.thumbprint },
    name: 'ci',
    tenantId: 'tenant-1',
    workspaceId: null,
    userId: 'user-1',
    scopes: ['read'],
    expiresAt: null,
    parentId: null,
  }
  t.strictSame(calls.create, [[input, new Date(NOW)]])
  t.strictSame(issued, { accessKey: stored(input, new Date(NOW)), publicKey: { ...rsa, alg: 'PS256' } })
  t.strictSame(calls.record, [
    [
      {
        tenantId: 'tenant-1',
        type: 'access_key.created',
        actor: 'admin',
        subject: id,
        ip: null,
        details: {
          name: 'ci',
          user_id: 'user-1',
          scopes: ['read'],
          expires_at: null,
          kind: 'key_pair',
          public_key_thumbprint: pair.thumbprint,
          alg: 'PS256',
        },
      },
      new Date(NOW),
    ],
  ])
  const unchecked = fakeStore()
  const err = await rejection(
    issueAccessKey(unchecked.store, request({ credential: { kind: 'public_key', jwk: 'x' } }), { actor: 'a' }, NOW),
  )
  t.ok(err instanceof PublicKeyError, 'an unchecked bad key: PublicKeyError, nothing stored')
  t.strictSame(unchecked.calls, { create: [], revoke: [], record: [] })
})

t.test('issueAccessKey: a generated key pair returns its private key once', async (t) => {
  for (const alg of [undefined, 'EdDSA'] as const) {
    const { store, calls } = fakeStore()
    const issued = await issueAccessKey(
      store,
      request({ credential: alg ? { kind: 'generate_key_pair', alg } : { kind: 'generate_key_pair' } }),
      { actor: 'admin' },
      NOW,
    )
    const pinned = alg ?? 'ES256'
    const id = calls.create[0]?.[0].id ?? ''
    t.match(id, new RegExp(`^${ID_TIME}[0-9A-Za-z]{7}$`))
    const pem = issued.privateKey?.pem ?? ''
    const privateKey = createPrivateKey(pem)
    t.equal(privateKey.asymmetricKeyType, alg ? 'ed25519' : 'ec', `${pinned}: the key type`)
    const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Jwk
    const pair = await publicKeyPair(publicJwk, pinned)
    const input: NewAccessKey = {
      id,
      prefix: 'pcl',
      publicKey: { jwk: pair.jwk, thumbprint: pair.thumbprint },
      name: 'ci',
      tenantId: DEFAULT_TENANT_ID,
      workspaceId: null,
      userId: null,
      scopes: ['read'],
      expiresAt: null,
      parentId: null,
    }
    t.strictSame(calls.create, [[input, new Date(NOW)]], `${pinned}: the public half stored, no secret`)
    t.strictSame(issued, {
      accessKey: stored(input, new Date(NOW)),
      publicKey: { ...publicJwk, alg: pinned },
      privateKey: {
        jwk: { ...(privateKey.export({ format: 'jwk' }) as Jwk), kid: id, alg: pinned, use: 'sig' },
        pem,
      },
    })
    t.strictSame(
      createPrivateKey({ key: issued.privateKey?.jwk as JsonWebKey, format: 'jwk' }).export({ format: 'jwk' }),
      privateKey.export({ format: 'jwk' }),
      `${pinned}: the private JWK and PEM are one key`,
    )
    t.strictSame(calls.record, [
      [
        {
          tenantId: DEFAULT_TENANT_ID,
          type: 'access_key.created',
          actor: 'admin',
          subject: id,
          ip: null,
          details: {
            name: 'ci',
            user_id: null,
            scopes: ['read'],
            expires_at: null,
            kind: 'key_pair',
            public_key_thumbprint: pair.thumbprint,
            alg: pinned,
          },
        },
        new Date(NOW),
      ],
    ])
    t.strictSame(checkPublicJwk(issued.publicKey).alg, pinned)
  }
})

t.test('issueAccessKey: a conflict on insert means the parent is no longer active', async (t) => {
  const parent = { id: 'parent-1', expiresAt: null }
  const conflict = new StoreError('conflict', 'the parent access key is revoked, expired or gone')
  const { store, calls } = fakeStore({ createError: conflict })
  const err = await rejection(issueAccessKey(store, request({ parent }), { actor: 'a' }, NOW))
  t.ok(err instanceof ParentKeyInactiveError, 'ParentKeyInactiveError')
  t.strictSame(
    { name: (err as Error).name, message: (err as Error).message },
    { name: 'ParentKeyInactiveError', message: 'the parent access key is revoked, expired or gone' },
  )
  t.equal(calls.create.length, 1)
  t.strictSame(calls.record, [], 'nothing is recorded')
  t.equal(new ParentKeyInactiveError('x').name, 'ParentKeyInactiveError')
})

t.test('issueAccessKey: any other failure of the insert is thrown as it is', async (t) => {
  const parent = { id: 'parent-1', expiresAt: null }
  const cases: [string, unknown, AccessKeyRequest][] = [
    ['a conflict without a parent', new StoreError('conflict', 'duplicate'), request()],
    ['not_found with a parent', new StoreError('not_found', 'user not found'), request({ parent })],
    ['unavailable with a parent', new StoreError('unavailable', 'timed out'), request({ parent })],
    ['an Error with code conflict', Object.assign(new Error('boom'), { code: 'conflict' }), request({ parent })],
    ['a plain Error', new Error('boom'), request({ parent })],
  ]
  for (const [name, failure, req] of cases) {
    const { store, calls } = fakeStore({ createError: failure })
    t.equal(await rejection(issueAccessKey(store, req, { actor: 'a' }, NOW)), failure, name)
    t.strictSame(calls.record, [], `${name}: nothing recorded`)
  }
})

t.test('revokeKeyWithDescendants: the key, for its owner only, recorded once', async (t) => {
  const accessKey = existing('key-1', { tenantId: 'tenant-1', userId: 'user-1', name: 'laptop' })
  const result = { accessKey, changed: true, descendants: [] }
  const { store, calls } = fakeStore({ revoke: result })
  const revoked = await revokeKeyWithDescendants(
    store,
    'tenant-1',
    'key-1',
    { actor: 'user-1', ip: '198.51.100.4', userId: 'user-1', details: { via: 'me', name: 'overridden' } },
    NOW,
  )
  t.strictSame(calls.revoke, [['tenant-1', 'key-1', { now: new Date(NOW), userId: 'user-1' }]])
  t.strictSame(revoked, { accessKey, descendants: [] })
  t.equal(revoked.accessKey, accessKey)
  t.strictSame(calls.record, [
    [
      {
        tenantId: 'tenant-1',
        type: 'access_key.revoked',
        actor: 'user-1',
        subject: 'key-1',
        ip: '198.51.100.4',
        details: { via: 'me', name: 'laptop', user_id: 'user-1' },
      },
      new Date(NOW),
    ],
  ])
})

t.test('revokeKeyWithDescendants: with its descendants, each recorded as revoked with it', async (t) => {
  const accessKey = existing('key-1', { userId: null, name: 'root' })
  const children = [
    existing('key-2', { name: 'child', parentId: 'key-1' }),
    existing('key-3', { name: 'grandchild', userId: 'user-2', parentId: 'key-2' }),
  ]
  const { store, calls } = fakeStore({ revoke: { accessKey, changed: true, descendants: children } })
  const revoked = await revokeKeyWithDescendants(store, 'tenant-1', 'key-1', { actor: 'admin' }, NOW)
  t.strictSame(calls.revoke, [['tenant-1', 'key-1', { now: new Date(NOW) }]], 'no userId: any owner’s key')
  t.strictSame(revoked, { accessKey, descendants: children })
  const event = (subject: string, details: Record<string, unknown>) => [
    { tenantId: 'tenant-1', type: 'access_key.revoked', actor: 'admin', subject, ip: null, details },
    new Date(NOW),
  ]
  t.strictSame(calls.record, [
    event('key-1', { name: 'root', user_id: null }),
    event('key-2', { name: 'child', user_id: 'user-1', revoked_with: 'key-1' }),
    event('key-3', { name: 'grandchild', user_id: 'user-2', revoked_with: 'key-1' }),
  ])
})

t.test(
  'revokeKeyWithDescendants: a key revoked before is not recorded again; descendants revoked now are',
  async (t) => {
    const accessKey = existing('key-1', { revokedAt: new Date(NOW - HOUR) })
    const late = existing('key-2', { name: 'late child', parentId: 'key-1' })
    const { store, calls } = fakeStore({ revoke: { accessKey, changed: false, descendants: [late] } })
    const revoked = await revokeKeyWithDescendants(
      store,
      'tenant-1',
      'key-1',
      { actor: null, ip: '192.0.2.1', details: { reason: 'leaked' } },
      NOW,
    )
    t.strictSame(revoked, { accessKey, descendants: [late] })
    t.strictSame(calls.record, [
      [
        {
          tenantId: 'tenant-1',
          type: 'access_key.revoked',
          actor: null,
          subject: 'key-2',
          ip: '192.0.2.1',
          details: { reason: 'leaked', name: 'late child', user_id: 'user-1', revoked_with: 'key-1' },
        },
        new Date(NOW),
      ],
    ])
    const again = fakeStore({ revoke: { accessKey, changed: false, descendants: [] } })
    await revokeKeyWithDescendants(again.store, 'tenant-1', 'key-1', { actor: 'a' }, NOW)
    t.strictSame(again.calls.record, [], 'nothing changed: nothing recorded')
  },
)

t.test('revokeKeyWithDescendants: a key not found is thrown, nothing recorded', async (t) => {
  const notFound = new StoreError('not_found', 'access key not found')
  const { store, calls } = fakeStore({ revoke: notFound })
  t.equal(
    await rejection(revokeKeyWithDescendants(store, 'tenant-1', 'key-9', { actor: 'a', userId: 'user-2' }, NOW)),
    notFound,
  )
  t.strictSame(calls.revoke, [['tenant-1', 'key-9', { now: new Date(NOW), userId: 'user-2' }]])
  t.strictSame(calls.record, [])
})
