// The per-app JWT verifier: a valid token's signature is checked once, while the key's publication and the
// token's times are checked on every use; invalid tokens are never remembered; the memory is bounded.
import t from 'tap'
import { signAccessToken } from '../../src/keys/access-token.ts'
import type { Keyring } from '../../src/keys/keyring.ts'
import { createAccessTokenVerifier } from '../../src/security/access-token-verifier.ts'
import { signedToken } from '../support/admin-fixtures.ts'
import { build } from '../support/helper.ts'

t.test('the access-token verifier', async (t) => {
  const ctx = await build(t)
  let clock = Date.now()
  let published = true
  let keyLookups = 0
  const keyring: Keyring = {
    ...ctx.keyring,
    verificationKey(kid) {
      keyLookups++
      return published ? ctx.keyring.verificationKey(kid) : undefined
    },
    // The signature check asks for the key with its algorithm.
    verifier(kid) {
      keyLookups++
      return published ? ctx.keyring.verifier(kid) : undefined
    },
  }
  const fresh = (maxEntries?: number) =>
    createAccessTokenVerifier({ keyring, config: ctx.config, now: () => clock, ...(maxEntries ? { maxEntries } : {}) })

  t.test('checks a signature once, and the key and the times on every use', async (t) => {
    const verifier = fresh()
    const { token, jti } = await signedToken(ctx, { scope: 'read', now: clock, ttl: 60 })
    keyLookups = 0
    t.equal((await verifier.verify(token))?.jti, jti)
    const firstTime = keyLookups
    keyLookups = 0
    t.equal((await verifier.verify(token))?.jti, jti)
    t.equal(
      keyLookups,
      1,
      `remembered: one key lookup (the key is still published), not ${firstTime} and a signature check`,
    )

    published = false
    t.equal(await verifier.verify(token), undefined, 'its key revoked or gone: refused at once')
    published = true
    t.equal((await verifier.verify(token))?.jti, jti, 'and checked in full again')

    clock += (60 + ctx.config.clockSkew) * 1000
    t.equal(await verifier.verify(token), undefined, 'expired (past the clock-skew allowance): refused')
    clock -= (60 + ctx.config.clockSkew) * 1000
  })

  t.test('a token that is not valid yet is refused, then accepted once its nbf has come', async (t) => {
    const verifier = fresh()
    const { token } = await signAccessToken(
      ctx.keyring,
      { issuer: ctx.config.issuer, ttl: 600, now: clock },
      {
        sub: 's',
        aud: ctx.config.defaultAudience,
        clientId: 'c',
        scope: 'read',
        extra: { nbf: Math.floor(clock / 1000) + 300 },
      },
    )
    t.equal(await verifier.verify(token), undefined, 'nbf in 5 minutes')
    clock += 300_000 - ctx.config.clockSkew * 1000
    t.ok(await verifier.verify(token), 'within the clock-skew allowance of nbf')
    clock -= 300_000 - ctx.config.clockSkew * 1000
    t.equal(await verifier.verify(token), undefined, 'the remembered signature does not skip the nbf check')
  })

  t.test('invalid tokens are never remembered', async (t) => {
    const verifier = fresh()
    const { token } = await signedToken(ctx, { scope: 'read', now: clock })
    const tampered = `${token.slice(0, -4)}AAAA`
    for (let i = 0; i < 2; i++) {
      keyLookups = 0
      t.equal(await verifier.verify(tampered), undefined)
      t.equal(keyLookups, 2, 'checked in full each time')
    }
    t.equal(await verifier.verify('not.a.jwt'), undefined)
    t.equal(await verifier.verify(''), undefined)
  })

  t.test('remembers at most maxEntries tokens, the oldest dropped first', async (t) => {
    const verifier = fresh(2)
    const tokens = await Promise.all([1, 2, 3].map(() => signedToken(ctx, { scope: 'read', now: clock })))
    for (const { token } of tokens) await verifier.verify(token)
    const lookupsOf = async (token: string) => {
      keyLookups = 0
      await verifier.verify(token)
      return keyLookups
    }
    t.equal(await lookupsOf(tokens[2]!.token), 1, 'the newest is remembered')
    t.equal(await lookupsOf(tokens[1]!.token), 1)
    t.equal(await lookupsOf(tokens[0]!.token), 2, 'the oldest was dropped')
  })
})

t.test('extra claims are added to a token, and never replace a standard one', async (t) => {
  const ctx = await build(t)
  const verifier = createAccessTokenVerifier({ keyring: ctx.keyring, config: ctx.config, now: Date.now })
  const { token } = await signAccessToken(
    ctx.keyring,
    { issuer: ctx.config.issuer, ttl: 60 },
    {
      sub: 'alice',
      aud: 'https://api.example',
      clientId: 'c1',
      scope: 'read',
      extra: { sid: 'family-1', iss: 'https://evil.example', sub: 'mallory', scope: 'admin' },
    },
  )
  const claims = await verifier.verify(token)
  t.match(claims, {
    sid: 'family-1',
    iss: ctx.config.issuer,
    sub: 'alice',
    scope: 'read',
    client_id: 'c1',
    aud: 'https://api.example',
  })
})
