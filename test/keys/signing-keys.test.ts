// The signing-key lifecycle (issue 4): first key, scheduled rotation next → active → retired → removed, and tokens
// verified with jose by resource servers across rotations.
import { decodeProtectedHeader } from 'jose'
import t from 'tap'
import { verifyAccessToken } from '../../src/keys/access-token.ts'
import { build, providers } from '../support/helper.ts'
import {
  DAY,
  MINUTE,
  SECOND,
  START,
  createClock,
  fetchJwks,
  issue,
  kids,
  secondInstance,
  verifiesWith,
} from '../support/signing-keys-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

// The defaults: JWKS_MAX_AGE 300 s, KEYRING_REFRESH_INTERVAL 30 s, CLOCK_SKEW 60 s, ACCESS_TOKEN_TTL 900 s.
const PRE_PUBLICATION = (300 + 30 + 60) * SECOND
const RETENTION = (900 + 30 + 60) * SECOND
const ROTATION_DUE = START + 30 * DAY - PRE_PUBLICATION

const auditTypes = async (store: Awaited<ReturnType<typeof build>>['store'], type: string) =>
  (await store.audit.list(ANY_TENANT, { limit: 100, type })).items.map((event) => ({
    subject: event.subject,
    actor: event.actor,
    details: event.details,
  }))

for (const provider of providers) {
  t.test(`key lifecycle on ${provider}`, async (t) => {
    t.test('the first start on an empty store makes one key active at once', async (t) => {
      const clock = createClock()
      const { app, store, keyring } = await build(t, { provider, now: clock.now })
      const keys = await keyring.manager.list()
      t.equal(keys.length, 1)
      t.match(keys[0], {
        state: 'active',
        generation: 1,
        alg: 'RS256',
        modulusLength: 2048,
        activatesAt: new Date(START),
        retiresAt: null,
        removesAt: null,
      })
      t.equal(keyring.signingKey().kid, keys[0]!.kid)
      t.same(kids(await fetchJwks(app)), [keys[0]!.kid])
      t.same(await auditTypes(store, 'signing_key.created'), [
        {
          subject: keys[0]!.kid,
          actor: 'system',
          details: { generation: 1, modulusLength: 2048, activatesAt: new Date(START).toISOString() },
        },
      ])
      t.same(await auditTypes(store, 'signing_key.activated'), [
        { subject: keys[0]!.kid, actor: 'system', details: { immediate: true } },
      ])
    })

    t.test('a scheduled rotation goes next → active → retired → removed at the right times', async (t) => {
      const clock = createClock()
      const { app, store, keyring } = await build(t, { provider, now: clock.now })
      const [first] = await keyring.manager.list()

      clock.set(ROTATION_DUE - 1)
      await keyring.refresh()
      t.equal(
        (await keyring.manager.list()).length,
        1,
        'not due one millisecond before SIGNING_KEY_ROTATION_INTERVAL minus the pre-publication delay',
      )

      clock.set(ROTATION_DUE)
      await keyring.refresh()
      const [second, old] = await keyring.manager.list()
      const switchAt = ROTATION_DUE + PRE_PUBLICATION
      t.match(second, {
        state: 'next',
        generation: 2,
        createdAt: new Date(ROTATION_DUE),
        activatesAt: new Date(switchAt),
      })
      t.match(old, {
        kid: first!.kid,
        state: 'active',
        retiresAt: new Date(switchAt),
        removesAt: new Date(switchAt + RETENTION),
      })
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
      t.same(
        (await keyring.manager.list()).map((key) => key.state),
        ['active', 'removed'],
      )

      await keyring.refresh()
      await keyring.refresh()
      t.same(
        await auditTypes(store, 'signing_key.activated'),
        [
          { subject: second!.kid, actor: 'system', details: { scheduled: true, from: 'next' } },
          { subject: first!.kid, actor: 'system', details: { immediate: true } },
        ],
        'the scheduled activation is audited once',
      )
      t.same(await auditTypes(store, 'signing_key.rotated'), [
        {
          subject: second!.kid,
          actor: 'system',
          details: { previous: first!.kid, immediate: false, activatesAt: new Date(switchAt).toISOString() },
        },
      ])
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

    t.test(
      'a resource server that honours max-age verifies every token issued around a scheduled rotation, from either instance',
      async (t) => {
        const clock = createClock()
        const a = await build(t, { provider, now: clock.now })
        const b = await secondInstance(t, a.config, a.databaseUrl, { masterKey: a.masterKey, now: clock.now })
        const { config } = a
        let cache: { jwks: Awaited<ReturnType<typeof fetchJwks>>; until: number } | undefined
        const signers = new Set<string>()
        let fetches = 0
        let checked = 0
        for (
          let at = ROTATION_DUE - 5 * MINUTE;
          at <= ROTATION_DUE + PRE_PUBLICATION + 10 * MINUTE;
          at += 10 * SECOND
        ) {
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
            if (!(await verifiesWith(cache.jwks, token, config, at)))
              t.fail(`a token issued at +${(at - ROTATION_DUE) / SECOND}s does not verify against the cached JWKS`)
            checked++
          }
        }
        t.equal(signers.size, 2, 'tokens were signed by the old key and then the new one')
        t.equal(checked, 2 * ((5 * MINUTE + PRE_PUBLICATION + 10 * MINUTE) / (10 * SECOND) + 1))
        t.equal((await a.keyring.manager.list()).length, 2, 'the two instances made one new key between them')
      },
    )
  })
}

t.test('SIGNING_KEY_SIZE sets the modulus of new keys', async (t) => {
  const { app, keyring } = await build(t, { env: { SIGNING_KEY_SIZE: '3072' } })
  const [key] = (await fetchJwks(app)).keys
  t.equal(Buffer.from(key!.n!, 'base64url').length, 3072 / 8)
  t.equal((await keyring.manager.list())[0]!.modulusLength, 3072)
})
