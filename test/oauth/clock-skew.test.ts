// CLOCK_SKEW: our access tokens' times (exp, nbf) are checked with that much leeway, no more, by introspection
// and by the Bearer authentication of the admin API; a refresh-token family's absolute lifetime is ours to keep
// on our own clock, so no leeway and no sequence of rotations extends it.
import t from 'tap'
import { signAccessToken } from '../../src/keys/access-token.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { build, providers } from '../support/helper.ts'
import { FORM, form, seed, tokenRequest } from '../support/token-fixtures.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

const SKEW = 30
const TTL = 900

for (const provider of providers) {
  t.test(`${provider}: CLOCK_SKEW ${SKEW} s`, async (t) => {
    let clock = Date.now()
    const { app, store, config, keyring } = await build(t, {
      provider,
      now: () => clock,
      env: {
        CLOCK_SKEW: String(SKEW),
        ACCESS_TOKEN_TTL: String(TTL),
        REFRESH_TOKEN_TTL: '300',
        REFRESH_TOKEN_IDLE_TTL: '120',
      },
    })
    const { service, alice } = await seed(store)
    const start = clock

    /** An admin access token of ours, issued at `start` (plus extra claims such as nbf). */
    const adminToken = async (extra: Record<string, unknown> = {}) =>
      (
        await signAccessToken(
          keyring,
          { issuer: config.issuer, ttl: TTL, now: start },
          { sub: 'service', aud: config.defaultAudience, clientId: 'service', scope: 'admin', extra },
        )
      ).token
    const introspect = async (token: string) =>
      (
        await app.inject({
          method: 'POST',
          url: '/oauth/introspect',
          headers: { ...FORM, authorization: service.auth },
          payload: form({ token }),
        })
      ).json().active as boolean
    const adminStatus = async (token: string) =>
      (await app.inject({ method: 'GET', url: '/admin/v1/clients', headers: { authorization: `Bearer ${token}` } }))
        .statusCode
    const at = async <T>(offsetSeconds: number, run: () => Promise<T>): Promise<T> => {
      clock = start + offsetSeconds * 1000
      try {
        return await run()
      } finally {
        clock = start
      }
    }

    t.test('a token expired by less than CLOCK_SKEW is still accepted; by more, refused', async (t) => {
      const token = await adminToken()
      t.equal(await at(TTL + SKEW - 5, () => introspect(token)), true, 'introspection: expired 25 s ago, active')
      t.equal(await at(TTL + SKEW - 5, () => adminStatus(token)), 200, 'admin API: expired 25 s ago, accepted')
      t.equal(await at(TTL + SKEW, () => introspect(token)), false, 'introspection: expired 30 s ago, not active')
      t.equal(await at(TTL + SKEW, () => adminStatus(token)), 401, 'admin API: expired 30 s ago, refused')
      t.equal(await at(TTL + SKEW + 5, () => introspect(token)), false, 'introspection: expired 35 s ago, not active')
      t.equal(await at(TTL + SKEW + 5, () => adminStatus(token)), 401, 'admin API: expired 35 s ago, refused')
    })

    t.test('a token not yet valid (nbf) within CLOCK_SKEW is accepted; beyond it, refused', async (t) => {
      const soon = await adminToken({ nbf: Math.floor(start / 1000) + SKEW - 5 })
      t.equal(await introspect(soon), true, 'introspection: valid in 25 s, active')
      t.equal(await adminStatus(soon), 200, 'admin API: valid in 25 s, accepted')
      const later = await adminToken({ nbf: Math.floor(start / 1000) + SKEW + 5 })
      t.equal(await introspect(later), false, 'introspection: valid in 35 s, not active')
      t.equal(await adminStatus(later), 401, 'admin API: valid in 35 s, refused')
      t.equal(await at(10, () => introspect(later)), true, 'the same token 10 s later (valid in 25 s): active')
    })

    t.test('no sequence of rotations extends a family past its absolute lifetime, CLOCK_SKEW or not', async (t) => {
      const refresh = (token: string) =>
        tokenRequest(app, { grant_type: 'refresh_token', refresh_token: token }, { authorization: service.auth })
      const login = await tokenRequest(
        app,
        { grant_type: 'password', username: alice.username, password: alice.password },
        { authorization: service.auth },
      )
      let token = login.json().refresh_token as string
      const absolute = start + 300_000
      // Rotations every 20 s, then one a second just before the end: each successor expires by the absolute time.
      for (const offset of [...Array.from({ length: 14 }, (_, i) => (i + 1) * 20), 290, 295, 297, 298, 299]) {
        const res = await at(offset, () => refresh(token))
        t.equal(res.statusCode, 200, `rotated ${offset} s after the login`)
        token = res.json().refresh_token
        const stored = await store.refreshTokens.findByHash(ANY_TENANT, sha256(token))
        t.ok(
          stored!.token.expiresAt.getTime() <= absolute,
          `its successor expires at most at the family's end (${(stored!.token.expiresAt.getTime() - start) / 1000} s)`,
        )
        t.equal(stored!.family.absoluteExpiresAt.getTime(), absolute, 'the family keeps its absolute expiry')
      }
      for (const offset of [300, 300 + SKEW - 1]) {
        t.same(
          (await at(offset, () => refresh(token))).json(),
          { error: 'invalid_grant', error_description: 'the refresh token has expired' },
          `refused ${offset} s after the login`,
        )
      }
    })
  })
}
