// Signing-key lifecycle, rotation, revocation, and instances sharing one database (issue 4).
import { decodeProtectedHeader } from 'jose'
import t from 'tap'
import { verifyAccessToken } from '../src/keys/access-token.ts'
import { SigningKeyError } from '../src/keys/key-manager.ts'
import { build, providers } from './helper.ts'
import { DAY, MINUTE, SECOND, START, createClock, fetchJwks, issue, kids, secondInstance, verifiesWith } from './signing-keys-fixtures.ts'

// The defaults: JWKS_MAX_AGE 300 s, KEYRING_REFRESH_INTERVAL 30 s, CLOCK_SKEW 60 s, ACCESS_TOKEN_TTL 900 s.
const PRE_PUBLICATION = (300 + 30 + 60) * SECOND
const RETENTION = (900 + 30 + 60) * SECOND
const ROTATION_DUE = START + 30 * DAY - PRE_PUBLICATION

const auditTypes = async (store: Awaited<ReturnType<typeof build>>['store'], type: string) =>
  (await store.audit.list({ limit: 100, type })).items.map((event) => ({ subject: event.subject, actor: event.actor, details: event.details }))

for (const provider of providers) {
  t.test(`key lifecycle on ${provider}`, async (t) => {
    t.test('the first start on an empty store makes one key active at once', async (t) => {
      const clock = createClock()
      const { app, store, keyring } = await build(t, { provider, now: clock.now })
      const keys = await keyring.manager.list()
      t.equal(keys.length, 1)
      t.match(keys[0], { state: 'active', generation: 1, alg: 'RS256', modulusLength: 2048, activatesAt: new Date(START), retiresAt: null, removesAt: null })
      t.equal(keyring.signingKey().kid, keys[0]!.kid)
      t.same(kids(await fetchJwks(app)), [keys[0]!.kid])
      t.same(await auditTypes(store, 'signing_key.created'), [{ subject: keys[0]!.kid, actor: 'system', details: { generation: 1, modulusLength: 2048, activatesAt: new Date(START).toISOString() } }])
      t.same(await auditTypes(store, 'signing_key.activated'), [{ subject: keys[0]!.kid, actor: 'system', details: { immediate: true } }])
    })

    t.test('a scheduled rotation goes next → active → retired → removed at the right times', async (t) => {
      const clock = createClock()
      const { app, store, keyring } = await build(t, { provider, now: clock.now })
      const [first] = await keyring.manager.list()

      clock.set(ROTATION_DUE - 1)
      await keyring.refresh()
      t.equal((await keyring.manager.list()).length, 1, 'not due one millisecond before SIGNING_KEY_ROTATION_INTERVAL minus the pre-publication delay')

      clock.set(ROTATION_DUE)
      await keyring.refresh()
      const [second, old] = await keyring.manager.list()
      const switchAt = ROTATION_DUE + PRE_PUBLICATION
      t.match(second, { state: 'next', generation: 2, createdAt: new Date(ROTATION_DUE), activatesAt: new Date(switchAt) })
      t.match(old, { kid: first!.kid, state: 'active', retiresAt: new Date(switchAt), removesAt: new Date(switchAt + RETENTION) })
      t.same(kids(await fetchJwks(app)), [first!.kid, second!.kid].sort(), 'the next key is published at once')
      t.equal(keyring.signingKey().kid, first!.kid, 'the next key does not sign yet')

      clock.set(switchAt - 1)
      t.equal(keyring.signingKey().kid, first!.kid)
      clock.set(switchAt)
      t.equal(keyring.signingKey().kid, second!.kid, 'the switch follows the clock, without a re-read')
      t.same(
        (await keyring.manager.list()).map((key) => key.state),
        ['active', 'retired'],
      )

      clock.set(switchAt + RETENTION - 1)
      t.same(kids(await fetchJwks(app)), [first!.kid, second!.kid].sort(), 'the retired key is still published')
      t.ok(keyring.verificationKey(first!.kid))
      clock.set(switchAt + RETENTION)
      t.same(kids(await fetchJwks(app)), [second!.kid], 'and removed after ACCESS_TOKEN_TTL plus the allowances')
      t.equal(keyring.verificationKey(first!.kid), undefined)
      t.same((await keyring.manager.list()).map((key) => key.state), ['active', 'removed'])

      await keyring.refresh()
      await keyring.refresh()
      t.same(await auditTypes(store, 'signing_key.activated'), [
        { subject: second!.kid, actor: 'system', details: { scheduled: true, from: 'next' } },
        { subject: first!.kid, actor: 'system', details: { immediate: true } },
      ], 'the scheduled activation is audited once')
      t.same(await auditTypes(store, 'signing_key.rotated'), [{ subject: second!.kid, actor: 'system', details: { previous: first!.kid, immediate: false, activatesAt: new Date(switchAt).toISOString() } }])
      const raw = await store.signingKeys.list()
      t.equal(raw[0]!.privateKeyEncrypted, null, 'a removed key no longer holds a private key')
      t.equal(raw[0]!.recordedState, 'removed')
    })

    t.test('tokens signed before a rotation still verify with jose against the JWKS after it', async (t) => {
      const clock = createClock()
      const { app, keyring, config } = await build(t, { provider, now: clock.now })
      const issuedAt = clock.now()
      const before = await issue(keyring, config, issuedAt)
      const oldKid = decodeProtectedHeader(before).kid

      const rotation = await keyring.manager.rotate({ immediate: true })
      t.equal(rotation.previous?.kid, oldKid)
      const after = await issue(keyring, config, clock.now())
      t.equal(decodeProtectedHeader(after).kid, rotation.key.kid, 'new tokens are signed by the new key')

      for (const at of [issuedAt + SECOND, issuedAt + config.accessTokenTtl * SECOND - 1]) {
        clock.set(at)
        const jwks = await fetchJwks(app)
        t.ok(await verifiesWith(jwks, before, config, at), `the old token verifies ${(at - issuedAt) / SECOND}s later`)
        t.ok(await verifiesWith(jwks, after, config, at))
        t.ok(await verifyAccessToken(keyring, before, { issuer: config.issuer, clockSkew: config.clockSkew, now: at }))
      }
    })

    t.test('a resource server that honours max-age verifies every token issued around a scheduled rotation, from either instance', async (t) => {
      const clock = createClock()
      const a = await build(t, { provider, now: clock.now })
      const b = await secondInstance(t, a.config, a.databaseUrl, { masterKey: a.masterKey, now: clock.now })
      const { config } = a
      let cache: { jwks: Awaited<ReturnType<typeof fetchJwks>>; until: number } | undefined
      const signers = new Set<string>()
      let fetches = 0
      let checked = 0
      for (let at = ROTATION_DUE - 5 * MINUTE; at <= ROTATION_DUE + PRE_PUBLICATION + 10 * MINUTE; at += 10 * SECOND) {
        clock.set(at)
        // Each instance re-reads on its own timer; b runs 20 s behind a.
        if ((at - START) % (30 * SECOND) === 0) await a.keyring.refresh()
        if ((at - START) % (30 * SECOND) === 20 * SECOND) await b.keyring.refresh()
        if (!cache || at >= cache.until) {
          const res = await (fetches++ % 2 === 0 ? a.app : b.app).inject('/.well-known/jwks.json')
          const maxAge = Number(/max-age=(\d+)/.exec(res.headers['cache-control'] as string)![1])
          cache = { jwks: res.json(), until: at + maxAge * SECOND }
        }
        for (const instance of [a, b]) {
          const token = await issue(instance.keyring, config, at)
          signers.add(decodeProtectedHeader(token).kid!)
          if (!(await verifiesWith(cache.jwks, token, config, at))) t.fail(`a token issued at +${(at - ROTATION_DUE) / SECOND}s does not verify against the cached JWKS`)
          checked++
        }
      }
      t.equal(signers.size, 2, 'tokens were signed by the old key and then the new one')
      t.equal(checked, 2 * ((5 * MINUTE + PRE_PUBLICATION + 10 * MINUTE) / (10 * SECOND) + 1))
      t.equal((await a.keyring.manager.list()).length, 2, 'the two instances made one new key between them')
    })
  })

  t.test(`rotate and revoke on ${provider}`, async (t) => {
    t.test('rotate starts a rotation; a second rotate while one is pending changes nothing', async (t) => {
      const clock = createClock()
      const { keyring } = await build(t, { provider, now: clock.now })
      const first = await keyring.manager.rotate({ actor: 'cli' })
      t.match(first, { changed: true, immediate: false, key: { state: 'next', activatesAt: new Date(START + PRE_PUBLICATION) }, previous: { state: 'active' }, cacheWarning: null })
      clock.advance(MINUTE)
      const again = await keyring.manager.rotate({ actor: 'cli' })
      t.match(again, { changed: false, key: { kid: first.key.kid, state: 'next' } })
      t.equal((await keyring.manager.list()).length, 2)
    })

    t.test('rotate --now switches at once to a new key, keeps the old one published, and warns about caches', async (t) => {
      const clock = createClock()
      const { app, store, keyring, config } = await build(t, { provider, now: clock.now })
      const [old] = await keyring.manager.list()
      const result = await keyring.manager.rotate({ immediate: true, actor: 'cli' })
      t.match(result, { changed: true, immediate: true, key: { state: 'active', activatesAt: new Date(START) }, previous: { kid: old!.kid, state: 'retired', removesAt: new Date(START + RETENTION) } })
      t.equal(
        result.cacheWarning,
        `${result.key.kid} signs from now on: resource servers that fetched the JWKS in the last ${config.jwksMaxAge}s do not know it yet and may reject its tokens until they fetch it again`,
      )
      t.equal(keyring.signingKey().kid, result.key.kid, 'the keyring re-read right after its own change')
      t.same(kids(await fetchJwks(app)), [old!.kid, result.key.kid].sort())
      t.same(await auditTypes(store, 'signing_key.rotated'), [{ subject: result.key.kid, actor: 'cli', details: { previous: old!.kid, immediate: true, activatesAt: new Date(START).toISOString() } }])
    })

    t.test('rotate --now promotes a key that is already pending, without a warning once caches have it', async (t) => {
      const clock = createClock()
      const { keyring } = await build(t, { provider, now: clock.now })
      const pending = await keyring.manager.rotate()
      clock.advance((300 + 30) * SECOND)
      const result = await keyring.manager.rotate({ immediate: true })
      t.match(result, { changed: true, key: { kid: pending.key.kid, state: 'active', activatesAt: new Date(clock.now()) }, cacheWarning: null })
      t.equal(keyring.signingKey().kid, pending.key.kid)
      t.equal((await keyring.manager.list()).length, 2, 'no other key was made')
    })

    t.test('revoking the active key removes it at once and the pending key takes over', async (t) => {
      const clock = createClock()
      const { app, keyring, config, store } = await build(t, { provider, now: clock.now })
      const token = await issue(keyring, config, clock.now())
      const [active] = await keyring.manager.list()
      const pending = await keyring.manager.rotate()
      const { key, successor } = await keyring.manager.revoke(active!.kid, { actor: 'user:admin' })
      t.match(key, { kid: active!.kid, state: 'revoked', revokedAt: new Date(START) })
      t.match(successor, { kid: pending.key.kid, state: 'active', activatesAt: new Date(START) })
      t.same(kids(await fetchJwks(app)), [pending.key.kid], 'gone from the JWKS without waiting')
      t.equal(keyring.signingKey().kid, pending.key.kid)
      t.equal(await verifyAccessToken(keyring, token, { issuer: config.issuer, clockSkew: config.clockSkew, now: clock.now() }), undefined, 'its tokens no longer verify here')
      t.notOk(await verifiesWith(await fetchJwks(app), token, config, clock.now()), 'nor against the JWKS')
      t.same(await auditTypes(store, 'signing_key.revoked'), [{ subject: active!.kid, actor: 'user:admin', details: { state: 'active', successor: pending.key.kid } }])
      t.equal((await store.signingKeys.list()).find((row) => row.kid === active!.kid)!.privateKeyEncrypted, null, 'its private key is wiped')

      clock.advance(40 * DAY)
      await keyring.refresh()
      const states = Object.fromEntries((await keyring.manager.list()).map((info) => [info.kid, info.state]))
      t.equal(states[active!.kid], 'revoked', 'and it is never used again')
    })

    t.test('revoking the active key with nothing pending makes a new key active at once', async (t) => {
      const clock = createClock()
      const { app, keyring, store } = await build(t, { provider, now: clock.now })
      const [active] = await keyring.manager.list()
      const { successor } = await keyring.manager.revoke(active!.kid)
      t.match(successor, { state: 'active', generation: 2, activatesAt: new Date(START) })
      t.equal(keyring.signingKey().kid, successor!.kid)
      t.same(kids(await fetchJwks(app)), [successor!.kid])
      t.same((await auditTypes(store, 'signing_key.created')).map((event) => event.subject).sort(), [successor!.kid, active!.kid].sort())
    })

    t.test('revoking the pending key leaves the active key signing', async (t) => {
      const clock = createClock()
      const { app, keyring } = await build(t, { provider, now: clock.now })
      const [active] = await keyring.manager.list()
      const pending = await keyring.manager.rotate()
      const { successor } = await keyring.manager.revoke(pending.key.kid)
      t.equal(successor, null)
      t.match((await keyring.manager.list()).find((key) => key.kid === active!.kid), { state: 'active', retiresAt: null, removesAt: null })
      clock.advance(PRE_PUBLICATION + MINUTE)
      t.equal(keyring.signingKey().kid, active!.kid, 'still signing after the revoked key would have taken over')
      t.same(kids(await fetchJwks(app)), [active!.kid])
    })

    t.test('revoking a retired key removes it before its time', async (t) => {
      const clock = createClock()
      const { app, keyring } = await build(t, { provider, now: clock.now })
      const { previous, key } = await keyring.manager.rotate({ immediate: true })
      await keyring.manager.revoke(previous!.kid)
      t.same(kids(await fetchJwks(app)), [key.kid])
      t.equal(keyring.signingKey().kid, key.kid)
    })

    t.test('revoking an unknown or an already revoked key is an error', async (t) => {
      const { keyring } = await build(t, { provider })
      await t.rejects(keyring.manager.revoke('no-such-kid'), new SigningKeyError('not_found', 'no signing key no-such-kid'))
      const { successor } = await keyring.manager.revoke(keyring.signingKey().kid)
      const [, revoked] = await keyring.manager.list()
      await t.rejects(keyring.manager.revoke(revoked!.kid), new SigningKeyError('already_revoked', `signing key ${revoked!.kid} is already revoked`))
      t.equal(keyring.signingKey().kid, successor!.kid)
    })
  })
}

t.test('SIGNING_KEY_SIZE sets the modulus of new keys', async (t) => {
  const { app, keyring } = await build(t, { env: { SIGNING_KEY_SIZE: '3072' } })
  const [key] = (await fetchJwks(app)).keys
  t.equal(Buffer.from(key!.n!, 'base64url').length, 3072 / 8)
  t.equal((await keyring.manager.list())[0]!.modulusLength, 3072)
})
