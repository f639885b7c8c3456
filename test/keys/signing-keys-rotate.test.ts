// Operators' rotations and revocations (issue 4): rotate, rotate --now, revoke in every state, and errors.
import t from 'tap'
import { verifyAccessToken } from '../../src/keys/access-token.ts'
import { SigningKeyError } from '../../src/keys/key-manager.ts'
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
  verifiesWith,
} from '../support/signing-keys-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const PRE_PUBLICATION = (300 + 30 + 60) * SECOND
const RETENTION = (900 + 30 + 60) * SECOND

const auditTypes = async (store: Awaited<ReturnType<typeof build>>['store'], type: string) =>
  (await store.audit.list(ANY_TENANT, { limit: 100, type })).items.map((event) => ({
    subject: event.subject,
    actor: event.actor,
    details: event.details,
  }))

for (const provider of providers) {
  t.test(`rotate and revoke on ${provider}`, async (t) => {
    t.test('rotate starts a rotation; a second rotate while one is pending changes nothing', async (t) => {
      const clock = createClock()
      const { keyring } = await build(t, { provider, now: clock.now })
      const first = await keyring.manager.rotate({ actor: 'cli' })
      t.match(first, {
        changed: true,
        immediate: false,
        key: { state: 'next', activatesAt: new Date(START + PRE_PUBLICATION) },
        previous: { state: 'active' },
        cacheWarning: null,
      })
      clock.advance(MINUTE)
      const again = await keyring.manager.rotate({ actor: 'cli' })
      t.match(again, { changed: false, key: { kid: first.key.kid, state: 'next' } })
      t.equal((await keyring.manager.list()).length, 2)
    })

    t.test(
      'rotate --now switches at once to a new key, keeps the old one published, and warns about caches',
      async (t) => {
        const clock = createClock()
        const { app, store, keyring, config } = await build(t, { provider, now: clock.now })
        const [old] = await keyring.manager.list()
        const result = await keyring.manager.rotate({ immediate: true, actor: 'cli' })
        t.match(result, {
          changed: true,
          immediate: true,
          key: { state: 'active', activatesAt: new Date(START) },
          previous: { kid: old!.kid, state: 'retired', removesAt: new Date(START + RETENTION) },
        })
        t.equal(
          result.cacheWarning,
          `${result.key.kid} signs from now on: resource servers that fetched the JWKS in the last ${config.jwksMaxAge}s do not know it yet and may reject its tokens until they fetch it again`,
        )
        t.equal(keyring.signingKey().kid, result.key.kid, 'the keyring re-read right after its own change')
        t.same(kids(await fetchJwks(app)), [old!.kid, result.key.kid].sort())
        t.same(await auditTypes(store, 'signing_key.rotated'), [
          {
            subject: result.key.kid,
            actor: 'cli',
            details: { previous: old!.kid, immediate: true, activatesAt: new Date(START).toISOString() },
          },
        ])
      },
    )

    t.test('rotate --now promotes a key that is already pending, without a warning once caches have it', async (t) => {
      const clock = createClock()
      const { keyring } = await build(t, { provider, now: clock.now })
      const pending = await keyring.manager.rotate()
      clock.advance((300 + 30) * SECOND)
      const result = await keyring.manager.rotate({ immediate: true })
      t.match(result, {
        changed: true,
        key: { kid: pending.key.kid, state: 'active', activatesAt: new Date(clock.now()) },
        cacheWarning: null,
      })
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
      t.equal(
        await verifyAccessToken(keyring, token, {
          issuer: config.issuer,
          clockSkew: config.clockSkew,
          now: clock.now(),
        }),
        undefined,
        'its tokens no longer verify here',
      )
      t.notOk(await verifiesWith(await fetchJwks(app), token, config, clock.now()), 'nor against the JWKS')
      t.same(await auditTypes(store, 'signing_key.revoked'), [
        { subject: active!.kid, actor: 'user:admin', details: { state: 'active', successor: pending.key.kid } },
      ])
      t.equal(
        (await store.signingKeys.list()).find((row) => row.kid === active!.kid)!.privateKeyEncrypted,
        null,
        'its private key is wiped',
      )

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
      t.same(
        (await auditTypes(store, 'signing_key.created')).map((event) => event.subject).sort(),
        [successor!.kid, active!.kid].sort(),
      )
    })

    t.test('revoking the pending key leaves the active key signing', async (t) => {
      const clock = createClock()
      const { app, keyring } = await build(t, { provider, now: clock.now })
      const [active] = await keyring.manager.list()
      const pending = await keyring.manager.rotate()
      const { successor } = await keyring.manager.revoke(pending.key.kid)
      t.equal(successor, null)
      t.match(
        (await keyring.manager.list()).find((key) => key.kid === active!.kid),
        { state: 'active', retiresAt: null, removesAt: null },
      )
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
      await t.rejects(
        keyring.manager.revoke('no-such-kid'),
        new SigningKeyError('not_found', 'no signing key no-such-kid'),
      )
      const { successor } = await keyring.manager.revoke(keyring.signingKey().kid)
      const [, revoked] = await keyring.manager.list()
      await t.rejects(
        keyring.manager.revoke(revoked!.kid),
        new SigningKeyError('already_revoked', `signing key ${revoked!.kid} is already revoked`),
      )
      t.equal(keyring.signingKey().kid, successor!.kid)
    })
  })
}
