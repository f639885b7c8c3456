// The access-key verifier (src/security/access-keys.ts) as a unit, with a fake store and an injected clock: the key
// format (generate, parse, looksLikeAccessKey), the exact answer to every presented key (malformed, unknown, a wrong
// secret, a key-pair key, revoked, expired, owner disabled, not a member, and the scopes and `sub` of a good one),
// resolveKeyPair, the cache (its TTL on both sides, its 10,000-entry bound, invalidation, failed lookups not
// remembered), and last_used_at: once per interval per key, batched, written on a timer, kept and retried when the
// write fails. The timers are the verifier's own only where their delays are asserted (a fake setTimeout that the
// test fires); elsewhere real ones, polled to a deadline. Through the routes: test/security/access-keys.test.ts.
import t, { type Test } from 'tap'
import {
  ACCESS_KEY_PATTERN,
  ACCESS_KEY_PREFIX,
  createAccessKeyVerifier,
  generateAccessKey,
  looksLikeAccessKey,
  parseAccessKey,
  serviceKeySubject,
} from '../../src/security/access-keys.ts'
import { sha256 } from '../../src/security/secrets.ts'
import type { AccessKey, AccessKeyForVerification } from '../../src/store/access-keys.ts'
import { ANY_TENANT } from '../../src/store/tenant-scope.ts'
import { until } from '../support/timers.ts'
import { accessKeyRow } from '../support/access-key-row.ts'

const T0 = 1_800_000_000_000
const TTL = 5
const INTERVAL = 60
const SECRET = 'S'.repeat(43)
const OTHER_SECRET = 'x'.repeat(43)
const MAX_ENTRIES = 10_000

/** A 16-character base62 id (the middle of `pcl_<id>_<secret>`). */
const idOf = (name: string | number) => `k${String(name).padStart(15, '0')}`
const presented = (id: string, secret = SECRET) => `pcl_${id}_${secret}`

const accessKey = (id: string, extra: Partial<AccessKey> = {}): AccessKey =>
  accessKeyRow({ id, scopes: ['read', 'write', 'admin'], ...extra }, new Date(T0 - 86_400_000))

const owner = (extra: Partial<NonNullable<AccessKeyForVerification['owner']>> = {}) => ({
  id: 'user-1',
  username: 'ada',
  scopes: ['admin', 'read'],
  disabled: false,
  ...extra,
})

const secretKey = (
  id: string,
  key: Partial<AccessKey> = {},
  extra: Partial<AccessKeyForVerification> = {},
): AccessKeyForVerification => ({
  key: accessKey(id, key),
  secretHash: sha256(SECRET),
  publicKey: null,
  owner: null,
  ...extra,
})

const JWK = { kty: 'OKP', crv: 'Ed25519', x: 'x-coordinate', alg: 'EdDSA' }
const keyPairKey = (
  id: string,
  key: Partial<AccessKey> = {},
  extra: Partial<AccessKeyForVerification> = {},
): AccessKeyForVerification => ({
  key: accessKey(id, { kind: 'key_pair', publicKeyThumbprint: 'thumbprint-1', publicKeyAlg: 'EdDSA', ...key }),
  secretHash: null,
  publicKey: JWK,
  owner: null,
  ...extra,
})

interface Setup {
  records?: Record<string, AccessKeyForVerification>
  ttl?: number
  interval?: number
  /** Undefined: the verifier's default. */
  flushDelayMs?: number
  onError?: boolean
}

/** A verifier over a fake store; `clock.now` is its clock, `find`/`touch` can be replaced to fail or to wait. */
function setup(t: Test, options: Setup = {}) {
  const records = options.records ?? {}
  const clock = { now: T0 }
  const lookups: string[] = []
  const scopes: unknown[] = []
  const touches: Map<string, Date>[] = []
  const errors: unknown[] = []
  const fakes = {
    find: (id: string): Promise<AccessKeyForVerification | undefined> => Promise.resolve(records[id]),
    touch: (_uses: ReadonlyMap<string, Date>): Promise<number> => Promise.resolve(1),
  }
  const verifier = createAccessKeyVerifier({
    store: {
      accessKeys: {
        findForVerification(scope, id) {
          scopes.push(scope)
          lookups.push(id)
          return fakes.find(id)
        },
        touchLastUsed(uses) {
          touches.push(new Map(uses))
          return fakes.touch(uses)
        },
      },
    },
    config: { accessKeyCacheTtl: options.ttl ?? TTL, accessKeyLastUsedInterval: options.interval ?? INTERVAL },
    now: () => clock.now,
    ...('flushDelayMs' in options ? { flushDelayMs: options.flushDelayMs } : { flushDelayMs: 60_000 }),
    ...(options.onError === false ? {} : { onError: (err: unknown) => void errors.push(err) }),
  })
  t.teardown(() => verifier.close())
  /** How many times the store was asked for `id`. */
  const lookupsOf = (id: string) => lookups.filter((looked) => looked === id).length
  return { verifier, records, clock, lookups, lookupsOf, scopes, touches, errors, fakes }
}

const uses = (at: number, ...ids: string[]) => new Map(ids.map((id) => [id, new Date(at)]))

interface FakeTimer {
  delay: number | undefined
  fire: () => void
  cleared: boolean
}

/**
 * Replaces setTimeout and clearTimeout until the test ends: each timer is recorded (its delay, whether it was
 * cleared) and fires only when the test calls its `fire`.
 */
function fakeTimers(t: Test) {
  const timers: FakeTimer[] = []
  const handles = new Map<object, FakeTimer>()
  const { setTimeout: realSet, clearTimeout: realClear } = globalThis
  globalThis.setTimeout = ((callback: () => void, delay?: number) => {
    const timer: FakeTimer = { delay, fire: callback, cleared: false }
    const handle = { unref: () => handle, ref: () => handle, hasRef: () => false }
    timers.push(timer)
    handles.set(handle, timer)
    return handle
  }) as unknown as typeof setTimeout
  globalThis.clearTimeout = ((handle: object) => {
    const timer = handles.get(handle)
    if (timer) timer.cleared = true
    else realClear(handle as NodeJS.Timeout)
  }) as typeof clearTimeout
  t.teardown(() => {
    globalThis.setTimeout = realSet
    globalThis.clearTimeout = realClear
  })
  return {
    delays: () => timers.map((timer) => timer.delay),
    armed: () => timers.filter((timer) => !timer.cleared),
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

t.test('generateAccessKey: pcl_<time in base36, 9 wide><7 random>_<43 base62>, only its hash kept', async (t) => {
  t.equal(ACCESS_KEY_PREFIX, 'pcl')
  const early = generateAccessKey(0)
  t.equal(early.prefix, 'pcl')
  t.match(early.id, /^000000000[0-9A-Za-z]{7}$/, 'time 0: padded with zeros to 9')
  t.equal(early.key, `pcl_${early.id}_${early.key.slice(-43)}`)
  t.strictSame(parseAccessKey(early.key), { id: early.id, secret: early.key.slice(-43) })
  t.equal(early.secretHash, sha256(early.key.slice(-43)), 'the SHA-256 of the secret part')
  t.match(generateAccessKey(T0).id, new RegExp(`^0${T0.toString(36)}[0-9A-Za-z]{7}$`), 'now: 8 digits, one zero')
  // 36^9 ms is in the year 5188: from then the time keeps its last 9 digits, so the key keeps its length.
  t.match(generateAccessKey(35).id, /^00000000z[0-9A-Za-z]{7}$/, 'padded on the left')
  const late = generateAccessKey(36 ** 9 + 35)
  t.match(late.id, /^00000000z[0-9A-Za-z]{7}$/, 'past 9 digits: the last 9')
  t.strictSame(parseAccessKey(late.key), { id: late.id, secret: late.key.slice(-43) })
})

t.test('parseAccessKey: exactly pcl_<16 base62>_<43 base62>, a string, 64 characters', async (t) => {
  const id = idOf('a')
  const key = presented(id)
  t.strictSame(parseAccessKey(key), { id, secret: SECRET })
  t.equal(key.length, 64)
  for (const value of [undefined, null, 64, {}, [key], new String(key), { length: 64, toString: () => key }])
    t.equal(parseAccessKey(value), undefined, `not a string: ${Object.prototype.toString.call(value)}`)
  for (const value of [key.slice(0, -1), `${key}x`, `x${key}`, `${key}\n`, presented(id.slice(1), `${SECRET}S`)])
    t.equal(parseAccessKey(value), undefined, JSON.stringify(value))

  // A string of another length is refused before the pattern runs (a megabyte of header costs no scan).
  const exec = ACCESS_KEY_PATTERN.exec
  const scanned: string[] = []
  ACCESS_KEY_PATTERN.exec = function (this: RegExp, value: string) {
    scanned.push(value)
    return exec.call(this, value)
  }
  t.teardown(() => void (ACCESS_KEY_PATTERN.exec = exec))
  t.equal(parseAccessKey('p'.repeat(1_000_000)), undefined)
  t.equal(parseAccessKey(`${key}S`), undefined)
  t.strictSame(scanned, [], 'neither reached the pattern')
  t.strictSame(parseAccessKey(key), { id, secret: SECRET })
  t.strictSame(scanned, [key], 'a string of 64 characters does')
})

t.test('looksLikeAccessKey and serviceKeySubject', async (t) => {
  t.equal(looksLikeAccessKey('pcl_'), true)
  t.equal(looksLikeAccessKey(presented(idOf('a'))), true)
  for (const value of ['pcl', 'pcl-x', 'PCL_x', 'xpcl_', '', 'eyJhbGciOi.x.y'])
    t.equal(looksLikeAccessKey(value), false)
  t.equal(serviceKeySubject('key-1'), 'access_key:key-1')
})

t.test('verify: the exact answer to each presented key', async (t) => {
  const ids = {
    service: idOf('service'),
    user: idOf('user'),
    pair: idOf('pair'),
    revoked: idOf('revoked'),
    noHash: idOf('nohash'),
  }
  const { verifier, records, lookups, scopes } = setup(t, {
    records: {
      [ids.service]: secretKey(ids.service),
      [ids.user]: secretKey(ids.user, { userId: 'user-1' }, { owner: owner() }),
      [ids.pair]: keyPairKey(ids.pair),
      [ids.revoked]: secretKey(ids.revoked, { revokedAt: new Date(T0 - 1) }),
      [ids.noHash]: secretKey(ids.noHash, {}, { secretHash: null }),
    },
  })

  t.strictSame(await verifier.verify('pcl_short'), { ok: false, reason: 'malformed' })
  t.strictSame(await verifier.verify(`${presented(ids.service)}x`), { ok: false, reason: 'malformed' })
  t.strictSame(lookups, [], 'a malformed key is not looked up')

  t.strictSame(await verifier.verify(presented(ids.service)), {
    ok: true,
    key: records[ids.service]!.key,
    owner: null,
    sub: `access_key:${ids.service}`,
    scopes: ['read', 'write', 'admin'],
  })
  t.strictSame(scopes, [ANY_TENANT], "looked up in any tenant: the key's id names its tenant")
  t.strictSame(await verifier.verify(presented(ids.user)), {
    ok: true,
    key: records[ids.user]!.key,
    owner: owner(),
    sub: 'user-1',
    scopes: ['read', 'admin'],
  })

  t.strictSame(await verifier.verify(presented(idOf('nobody'))), { ok: false, reason: 'unknown' })
  t.strictSame(
    await verifier.verify(presented(ids.service, OTHER_SECRET)),
    { ok: false, reason: 'unknown', keyId: ids.service },
    'a wrong secret answers as unknown, with the id for the usage statistics',
  )
  t.strictSame(
    await verifier.verify(presented(ids.noHash)),
    { ok: false, reason: 'unknown', keyId: ids.noHash },
    'a secret key without a hash matches nothing',
  )
  t.strictSame(await verifier.verify(presented(ids.pair)), { ok: false, reason: 'no_secret', keyId: ids.pair })
  t.strictSame(
    await verifier.verify(presented(ids.pair, OTHER_SECRET)),
    { ok: false, reason: 'no_secret', keyId: ids.pair },
    'whatever follows the id of a key-pair key',
  )
  t.strictSame(await verifier.verify(presented(ids.revoked)), { ok: false, reason: 'revoked', keyId: ids.revoked })
  t.strictSame(
    await verifier.verify(presented(ids.revoked, OTHER_SECRET)),
    { ok: false, reason: 'unknown', keyId: ids.revoked },
    'a revoked key with a wrong secret tells nothing of its state',
  )
})

t.test('the state of a found key: revoked, expired, owner disabled or gone, not a member', async (t) => {
  const expiresAt = new Date(T0 + 1000)
  const id = idOf('state')
  const check = async (record: AccessKeyForVerification, at = T0) => {
    const { verifier, clock } = setup(t, { records: { [id]: record } })
    clock.now = at
    return verifier.verify(presented(id))
  }
  const refused = (reason: string) => ({ ok: false, reason, keyId: id })

  const revoked = await check(secretKey(id, { revokedAt: new Date(T0 + 60_000), expiresAt: new Date(T0 - 1) }))
  t.strictSame(revoked, refused('revoked'), 'revoked (even before its revokedAt, even when also expired)')

  t.strictSame(await check(secretKey(id, { expiresAt }), T0 + 999), {
    ok: true,
    key: accessKey(id, { expiresAt }),
    owner: null,
    sub: `access_key:${id}`,
    scopes: ['read', 'write', 'admin'],
  })
  t.strictSame(await check(secretKey(id, { expiresAt }), T0 + 1000), refused('expired'), 'expired at expiresAt')
  t.strictSame(await check(secretKey(id, { expiresAt }), T0 + 1001), refused('expired'))

  const userKey = { userId: 'user-1' }
  t.strictSame(await check(secretKey(id, userKey)), refused('owner_disabled'), 'a user key whose owner is gone')
  t.strictSame(
    await check(secretKey(id, userKey, { owner: owner({ disabled: true }) })),
    refused('owner_disabled'),
    'whose owner is disabled',
  )
  t.strictSame(
    await check(secretKey(id, {}, { owner: owner({ disabled: true }) })),
    { ok: true, key: accessKey(id), owner: owner({ disabled: true }), sub: 'user-1', scopes: ['read', 'admin'] },
    'no userId: not refused for its owner (a row the store never makes)',
  )

  const inWorkspace = { userId: 'user-1', workspaceId: 'ws-1' }
  t.strictSame(
    await check(secretKey(id, inWorkspace, { owner: owner(), role: null })),
    refused('not_member'),
    'a workspace key whose owner left the workspace',
  )
  t.strictSame(
    await check(secretKey(id, {}, { role: null })),
    refused('not_member'),
    'role null refuses whoever owns the key',
  )
  t.strictSame(
    await check(secretKey(id, inWorkspace, { owner: owner(), role: { name: 'editor', scopes: ['write', 'read'] } })),
    {
      ok: true,
      key: accessKey(id, inWorkspace),
      owner: owner(),
      sub: 'user-1',
      scopes: ['read', 'write'],
    },
    "in a workspace: the key's scopes its owner's role allows there (in the key's order), not the owner's own",
  )
  t.strictSame(
    await check(secretKey(id, {}, { role: { name: 'none', scopes: [] } })),
    { ok: true, key: accessKey(id), owner: null, sub: `access_key:${id}`, scopes: [] },
    'a role without scopes leaves none',
  )
  t.strictSame(
    await check(secretKey(id, userKey, { owner: owner({ scopes: [] }) })),
    { ok: true, key: accessKey(id, userKey), owner: owner({ scopes: [] }), sub: 'user-1', scopes: [] },
    'an owner without scopes leaves none',
  )
})

t.test('resolveKeyPair: a key-pair key by id, checked like verify(), with its public key', async (t) => {
  const ids = {
    pair: idOf('pair'),
    user: idOf('userpair'),
    secret: idOf('secret'),
    nojwk: idOf('nojwk'),
    secretJwk: idOf('secretjwk'),
  }
  const expiresAt = new Date(T0 + 1000)
  const { verifier, records, clock, touches, lookups } = setup(t, {
    records: {
      [ids.pair]: keyPairKey(ids.pair, { expiresAt }),
      [ids.user]: keyPairKey(ids.user, { userId: 'user-1' }, { owner: owner() }),
      [ids.secret]: secretKey(ids.secret),
      [ids.nojwk]: keyPairKey(ids.nojwk, {}, { publicKey: null }),
      [ids.secretJwk]: secretKey(ids.secretJwk, {}, { publicKey: JWK }),
      revoked: keyPairKey('revoked', { revokedAt: new Date(T0) }),
    },
  })

  t.strictSame(await verifier.resolveKeyPair(ids.pair), {
    ok: true,
    key: records[ids.pair]!.key,
    owner: null,
    sub: `access_key:${ids.pair}`,
    scopes: ['read', 'write', 'admin'],
    publicKey: JWK,
  })
  t.strictSame(await verifier.resolveKeyPair(ids.user), {
    ok: true,
    key: records[ids.user]!.key,
    owner: owner(),
    sub: 'user-1',
    scopes: ['read', 'admin'],
    publicKey: JWK,
  })
  t.strictSame(await verifier.resolveKeyPair('nobody'), { ok: false, reason: 'unknown' }, 'any string is an id')
  t.strictSame(await verifier.resolveKeyPair(ids.secret), { ok: false, reason: 'not_key_pair' })
  t.strictSame(
    await verifier.resolveKeyPair(ids.nojwk),
    { ok: false, reason: 'not_key_pair' },
    'a key-pair key without a public key',
  )
  t.strictSame(
    await verifier.resolveKeyPair(ids.secretJwk),
    { ok: false, reason: 'not_key_pair' },
    'a secret key, even with a public key (a row the store never makes)',
  )
  t.strictSame(await verifier.resolveKeyPair('revoked'), { ok: false, reason: 'revoked', keyId: 'revoked' })
  clock.now = T0 + 999
  t.equal((await verifier.resolveKeyPair(ids.pair)).ok, true, 'cached, and checked against the clock')
  clock.now = T0 + 1000
  t.strictSame(await verifier.resolveKeyPair(ids.pair), { ok: false, reason: 'expired', keyId: ids.pair })
  t.strictSame(
    lookups,
    [ids.pair, ids.user, 'nobody', ids.secret, ids.nojwk, ids.secretJwk, 'revoked'],
    'each looked up once',
  )

  await verifier.flush()
  t.strictSame(touches, [], 'no use recorded: the caller records it once the signature is checked')
  clock.now = T0 + 500
  verifier.recordUse(records[ids.pair]!.key)
  await verifier.flush()
  t.strictSame(touches, [uses(T0 + 500, ids.pair)])
})

t.test(`the cache: ${TTL} s per key, one lookup for concurrent uses, invalidation`, async (t) => {
  const [a, b] = [idOf('a'), idOf('b')]
  const { verifier, records, clock, lookupsOf } = setup(t, { records: { [a]: secretKey(a), [b]: secretKey(b) } })

  const both = await Promise.all([verifier.verify(presented(a)), verifier.verify(presented(a, OTHER_SECRET))])
  t.strictSame(
    both.map((result) => result.ok),
    [true, false],
  )
  t.equal(lookupsOf(a), 1, 'two uses at once: one lookup')
  clock.now = T0 + TTL * 1000 - 1
  records[a] = secretKey(a, { revokedAt: new Date(T0) })
  t.equal((await verifier.verify(presented(a))).ok, true, 'within the TTL the cached key answers')
  t.equal(lookupsOf(a), 1)
  clock.now = T0 + TTL * 1000
  t.strictSame(await verifier.verify(presented(a)), { ok: false, reason: 'revoked', keyId: a }, 'at the TTL: looked up')
  t.equal(lookupsOf(a), 2)

  await verifier.verify(presented(b))
  t.equal(lookupsOf(b), 1)
  verifier.invalidate(a)
  await verifier.verify(presented(a))
  await verifier.verify(presented(b))
  t.strictSame([lookupsOf(a), lookupsOf(b)], [3, 1], 'invalidate drops that key only')
  verifier.invalidateOwner('user-1')
  await verifier.verify(presented(a))
  await verifier.verify(presented(b))
  t.strictSame([lookupsOf(a), lookupsOf(b)], [4, 2], 'invalidateOwner drops every key')
  verifier.invalidateAll()
  await verifier.resolveKeyPair(a)
  await verifier.verify(presented(b))
  t.strictSame([lookupsOf(a), lookupsOf(b)], [5, 3], 'invalidateAll drops every key')
  await verifier.verify(presented(a))
  t.equal(lookupsOf(a), 5, 'verify() and resolveKeyPair() share the cache')

  const unknown = idOf('unknown')
  await verifier.verify(presented(unknown))
  records[unknown] = secretKey(unknown)
  t.strictSame(await verifier.verify(presented(unknown)), { ok: false, reason: 'unknown' }, 'a miss is cached too')
  t.equal(lookupsOf(unknown), 1)
})

t.test('ACCESS_KEY_CACHE_TTL=0: every use is looked up, even when the clock steps back', async (t) => {
  const a = idOf('a')
  const { verifier, clock, lookupsOf } = setup(t, { ttl: 0, records: { [a]: secretKey(a) } })
  await Promise.all([verifier.verify(presented(a)), verifier.verify(presented(a))])
  t.equal(lookupsOf(a), 2)
  clock.now = T0 - 1
  await verifier.resolveKeyPair(a)
  clock.now = T0 - 2
  await verifier.verify(presented(a))
  t.equal(lookupsOf(a), 4)
})

t.test('a failed lookup is thrown to its callers and not remembered', async (t) => {
  const a = idOf('a')
  const { verifier, lookupsOf, fakes } = setup(t, { records: { [a]: secretKey(a) } })
  const failure = new Error('database down')
  const find = fakes.find
  fakes.find = () => Promise.reject(failure)
  await t.rejects(verifier.verify(presented(a)), failure)
  await t.rejects(verifier.resolveKeyPair(a), failure)
  t.equal(lookupsOf(a), 2)
  fakes.find = find
  t.equal((await verifier.verify(presented(a))).ok, true)
  t.equal((await verifier.verify(presented(a))).ok, true)
  t.equal(lookupsOf(a), 3, 'the lookup after the failure is cached')

  // A failure that ends after its entry was replaced (invalidated, looked up again) leaves the new entry alone;
  // one whose entry is already gone changes nothing.
  const slow = deferred<AccessKeyForVerification | undefined>()
  fakes.find = () => slow.promise
  verifier.invalidate(a)
  const first = verifier.verify(presented(a))
  verifier.invalidate(a)
  fakes.find = find
  t.equal((await verifier.verify(presented(a))).ok, true)
  slow.reject(failure)
  await t.rejects(first, failure)
  await settle()
  t.equal((await verifier.verify(presented(a))).ok, true)
  t.equal(lookupsOf(a), 5, 'the newer entry is still cached')

  const gone = deferred<AccessKeyForVerification | undefined>()
  fakes.find = () => gone.promise
  verifier.invalidate(a)
  const second = verifier.resolveKeyPair(a)
  verifier.invalidate(a)
  gone.reject(failure)
  await t.rejects(second, failure)
  await settle()
  fakes.find = find
  t.equal((await verifier.verify(presented(a))).ok, true)
  t.equal(lookupsOf(a), 7)
})

t.test(`at most ${MAX_ENTRIES} cached keys: the one looked up longest ago goes first`, async (t) => {
  const { verifier, clock, lookupsOf } = setup(t)
  const x = idOf('x')
  const a = idOf('a')
  await verifier.resolveKeyPair(x)
  clock.now = T0 + TTL * 1000
  await verifier.resolveKeyPair(a)
  await verifier.resolveKeyPair(x)
  t.equal(lookupsOf(x), 2, 'x expired and was looked up again: now younger than a')
  for (let i = 2; i < MAX_ENTRIES; i++) await verifier.resolveKeyPair(idOf(i))
  await verifier.resolveKeyPair(a)
  await verifier.resolveKeyPair(x)
  await verifier.resolveKeyPair(idOf(2))
  t.strictSame([lookupsOf(a), lookupsOf(x), lookupsOf(idOf(2))], [1, 2, 1], `${MAX_ENTRIES} keys: all cached`)

  await verifier.resolveKeyPair(idOf(MAX_ENTRIES))
  await verifier.resolveKeyPair(x)
  await verifier.resolveKeyPair(idOf(2))
  await verifier.resolveKeyPair(idOf(MAX_ENTRIES))
  t.strictSame([lookupsOf(x), lookupsOf(idOf(2)), lookupsOf(idOf(MAX_ENTRIES))], [2, 1, 1], 'one more: still cached')
  await verifier.resolveKeyPair(a)
  t.equal(lookupsOf(a), 2, 'but a, the oldest, was dropped')
})

t.test(`last_used_at: at most once per ${INTERVAL} s per key, from the key's own lastUsedAt`, async (t) => {
  const interval = INTERVAL * 1000
  const [a, b, c] = [idOf('a'), idOf('b'), idOf('c')]
  const { verifier, clock, touches } = setup(t, {
    records: {
      [a]: secretKey(a),
      [b]: secretKey(b, { lastUsedAt: new Date(T0 - interval + 1) }),
      [c]: secretKey(c, { lastUsedAt: new Date(T0 - interval) }),
      [idOf('revoked')]: secretKey(idOf('revoked'), { revokedAt: new Date(T0) }),
    },
  })
  await verifier.flush()
  t.strictSame(touches, [], 'nothing pending: the store is not asked')

  t.equal((await verifier.verify(presented(a))).ok, true)
  t.equal((await verifier.verify(presented(b))).ok, true)
  t.equal((await verifier.verify(presented(c))).ok, true)
  t.equal((await verifier.verify(presented(a, OTHER_SECRET))).ok, false)
  t.equal((await verifier.verify(presented(idOf('revoked')))).ok, false)
  await verifier.flush()
  t.strictSame(
    touches,
    [uses(T0, a, c)],
    'a (never used), c (used one interval ago); not b (used less), nor refused uses',
  )

  clock.now = T0 + interval - 1
  await verifier.verify(presented(a))
  await verifier.verify(presented(b))
  await verifier.flush()
  t.strictSame(touches.slice(1), [uses(T0 + interval - 1, b)], 'a, written less than an interval ago, is not')
  clock.now = T0 + interval
  await verifier.verify(presented(a))
  await verifier.verify(presented(b))
  await verifier.flush()
  t.strictSame(touches.slice(2), [uses(T0 + interval, a)], 'a is again at one interval; b is not yet')

  // A batch is written at one time, its latest use.
  clock.now = T0 + 3 * interval
  verifier.recordUse(accessKey(c))
  clock.now = T0 + 3 * interval + 700
  verifier.recordUse(accessKey(b))
  await verifier.close()
  t.strictSame(touches.slice(3), [uses(T0 + 3 * interval + 700, c, b)], 'close() writes what is pending')
})

t.test(`the memory of last writes is bounded: past ${MAX_ENTRIES} keys it starts again`, async (t) => {
  const { verifier, touches } = setup(t)
  const first = accessKey(idOf(0))
  verifier.recordUse(first)
  verifier.recordUse(accessKey(idOf(1)))
  verifier.recordUse(first)
  await verifier.flush()
  t.strictSame(touches, [uses(T0, idOf(0), idOf(1))])
  for (let i = 2; i < MAX_ENTRIES; i++) verifier.recordUse(accessKey(idOf(i)))
  verifier.recordUse(first)
  await verifier.flush()
  t.equal(touches[1]!.size, MAX_ENTRIES - 2)
  t.equal(touches[1]!.has(idOf(0)), false, `${MAX_ENTRIES} keys remembered: the first one still is`)
  verifier.recordUse(accessKey(idOf(MAX_ENTRIES)))
  verifier.recordUse(first)
  await verifier.flush()
  t.strictSame(touches.slice(2), [uses(T0, idOf(MAX_ENTRIES), idOf(0))], 'one more: forgotten, so written again')
})

t.test('the batch is written on its own shortly after the first use', async (t) => {
  const [a, b] = [idOf('a'), idOf('b')]
  const { verifier, touches } = setup(t, { flushDelayMs: 5 })
  verifier.recordUse(accessKey(a))
  verifier.recordUse(accessKey(b))
  t.ok(await until(() => touches.length > 0, 5000), 'written without a flush()')
  t.strictSame(touches, [uses(T0, a, b)], 'both uses in one batch')
  await verifier.flush()
  t.strictSame(touches, [uses(T0, a, b)])
})

t.test('the timer: one per batch, after flushDelayMs (default 1 s), cancelled by flush()', async (t) => {
  const a = idOf('a')
  t.test('flushDelayMs', async (t) => {
    const timers = fakeTimers(t)
    const { verifier, clock, touches } = setup(t, { flushDelayMs: 7_000 })
    verifier.recordUse(accessKey(a))
    verifier.recordUse(accessKey(idOf('b')))
    t.strictSame(timers.delays(), [7_000], 'one timer for the batch')
    await verifier.flush()
    t.strictSame(timers.armed(), [], 'an explicit flush cancels it')
    t.equal(touches.length, 1)
    clock.now = T0 + INTERVAL * 1000
    verifier.recordUse(accessKey(a))
    t.strictSame(timers.delays(), [7_000, 7_000], 'the next use starts the next one')
    const [timer] = timers.armed()
    timer!.fire()
    await settle()
    t.strictSame(touches.slice(1), [uses(T0 + INTERVAL * 1000, a)], 'which writes the batch')
  })
  t.test('the default', async (t) => {
    const timers = fakeTimers(t)
    const { verifier } = setup(t, { flushDelayMs: undefined })
    verifier.recordUse(accessKey(a))
    t.strictSame(timers.delays(), [1_000])
  })
})

t.test('a failed write is kept and tried again after max(flushDelayMs, the interval)', async (t) => {
  const [a, b] = [idOf('a'), idOf('b')]
  const failure = new Error('database down')

  t.test('the interval is longer', async (t) => {
    const timers = fakeTimers(t)
    const { verifier, fakes, touches, errors } = setup(t, { flushDelayMs: 7_000 })
    fakes.touch = () => Promise.reject(failure)
    verifier.recordUse(accessKey(a))
    verifier.recordUse(accessKey(b))
    await verifier.flush()
    t.strictSame(errors, [failure], 'onError is told')
    t.strictSame(timers.delays(), [7_000, INTERVAL * 1000])
    t.equal(timers.armed().length, 1)
    fakes.touch = () => Promise.resolve(2)
    timers.armed()[0]!.fire()
    await settle()
    t.strictSame(touches, [uses(T0, a, b), uses(T0, a, b)], 'the same uses, written again')
    await verifier.flush()
    t.equal(touches.length, 2, 'and then nothing is pending')
  })

  t.test('flushDelayMs is longer', async (t) => {
    const timers = fakeTimers(t)
    const { verifier, fakes, errors } = setup(t, { flushDelayMs: 90_000 })
    fakes.touch = () => Promise.reject(failure)
    verifier.recordUse(accessKey(a))
    await verifier.flush()
    t.strictSame(errors, [failure])
    t.strictSame(timers.delays(), [90_000, 90_000])
  })

  t.test('the default flushDelayMs, an interval of 1 s', async (t) => {
    const timers = fakeTimers(t)
    const { verifier, fakes } = setup(t, { flushDelayMs: undefined, interval: 1 })
    fakes.touch = () => Promise.reject(failure)
    verifier.recordUse(accessKey(a))
    await verifier.flush()
    t.strictSame(timers.delays(), [1_000, 1_000])
  })

  t.test('a use recorded while the write failed is kept, not the older one', async (t) => {
    const timers = fakeTimers(t)
    const { verifier, clock, fakes, touches, errors } = setup(t, { flushDelayMs: 7_000 })
    const write = deferred<number>()
    fakes.touch = () => write.promise
    verifier.recordUse(accessKey(a))
    verifier.recordUse(accessKey(b))
    const flushed = verifier.flush()
    clock.now = T0 + INTERVAL * 1000
    verifier.recordUse(accessKey(a))
    write.reject(failure)
    await flushed
    t.strictSame(errors, [failure])
    t.strictSame(timers.delays(), [7_000, 7_000], "the new use's timer serves the retry")
    fakes.touch = () => Promise.resolve(2)
    await verifier.flush()
    t.strictSame(touches, [uses(T0, a, b), uses(T0 + INTERVAL * 1000, a, b)])
    t.strictSame(timers.armed(), [])
  })

  t.test('without onError the failure is swallowed', async (t) => {
    fakeTimers(t)
    const { verifier, fakes, touches } = setup(t, { onError: false })
    fakes.touch = () => Promise.reject(failure)
    verifier.recordUse(accessKey(a))
    await t.resolves(verifier.flush())
    fakes.touch = () => Promise.resolve(1)
    await t.resolves(verifier.close())
    t.strictSame(touches, [uses(T0, a), uses(T0, a)])
  })
})
