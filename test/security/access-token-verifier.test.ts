// The per-app JWT verifier: a valid token's signature is checked once, while the key's publication and the
// token's times are checked on every use; invalid tokens are never remembered; the memory is bounded.
import { sign } from 'node:crypto'
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
  // A remembered token asks whether its key is still published (verificationKey); a full check asks once
  // for the key with its algorithm (verifier), to check the signature with.
  let keyLookups = 0
  let fullChecks = 0
  const keyring: Keyring = {
    ...ctx.keyring,
    verificationKey(kid) {
      keyLookups++
      return published ? ctx.keyring.verificationKey(kid) : undefined
    },
    verifier(kid) {
      fullChecks++
      return published ? ctx.keyring.verifier(kid) : undefined
    },
  }
  const fresh = (maxEntries?: number) =>
    createAccessTokenVerifier({ keyring, config: ctx.config, now: () => clock, ...(maxEntries ? { maxEntries } : {}) })

  t.test('checks a signature once, and the key and the times on every use', async (t) => {
    const verifier = fresh()
    const { token, jti } = await signedToken(ctx, { scope: 'read', now: clock, ttl: 60 })
    keyLookups = 0
    fullChecks = 0
    t.equal((await verifier.verify(token))?.jti, jti)
    t.equal(fullChecks, 1, 'the first time: checked in full, the key looked up once')
    t.equal(keyLookups, 0)
    keyLookups = 0
    fullChecks = 0
    t.equal((await verifier.verify(token))?.jti, jti)
    t.equal(keyLookups, 1, 'remembered: one key lookup (the key is still published)')
    t.equal(fullChecks, 0, 'and no signature check')

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
    t.ok(await verifier.verify(token), 'remembered, and still at the first instant the allowance admits it')
    clock -= 1000
    t.equal(await verifier.verify(token), undefined, 'remembered, a second before that instant: refused')
    clock -= 300_000 - ctx.config.clockSkew * 1000 - 1000
    t.equal(await verifier.verify(token), undefined, 'the remembered signature does not skip the nbf check')
  })

  t.test('invalid tokens are never remembered', async (t) => {
    const verifier = fresh()
    const { token } = await signedToken(ctx, { scope: 'read', now: clock })
    const tampered = `${token.slice(0, -4)}AAAA`
    for (let i = 0; i < 2; i++) {
      keyLookups = 0
      fullChecks = 0
      t.equal(await verifier.verify(tampered), undefined)
      t.equal(fullChecks, 1, 'checked in full each time')
      t.equal(keyLookups, 0, 'never found remembered')
    }
    t.equal(await verifier.verify('not.a.jwt'), undefined)
    t.equal(await verifier.verify(''), undefined)
  })

  t.test('remember: false checks a token in full and leaves what is remembered as it was', async (t) => {
    const verifier = fresh(1)
    const kept = await signedToken(ctx, { scope: 'read', now: clock })
    const revoked = await signedToken(ctx, { scope: 'read', now: clock })
    await verifier.verify(kept.token)
    for (let i = 0; i < 2; i++) {
      fullChecks = 0
      t.equal((await verifier.verify(revoked.token, { remember: false }))?.jti, revoked.jti, 'its claims')
      t.equal(fullChecks, 1, 'checked in full each time')
    }
    t.equal(
      await verifier.verify(`${revoked.token.slice(0, -4)}AAAA`, { remember: false }),
      undefined,
      'a bad signature is refused as without it',
    )
    fullChecks = 0
    t.equal((await verifier.verify(kept.token))?.jti, kept.jti)
    t.equal(fullChecks, 0, 'the remembered token was not pushed out (maxEntries 1)')
  })

  t.test('remembers at most maxEntries tokens, the oldest dropped first', async (t) => {
    const verifier = fresh(2)
    const tokens = await Promise.all([1, 2, 3].map(() => signedToken(ctx, { scope: 'read', now: clock })))
    for (const { token } of tokens) await verifier.verify(token)
    const checksOf = async (token: string) => {
      fullChecks = 0
      await verifier.verify(token)
      return fullChecks
    }
    t.equal(await checksOf(tokens[2]!.token), 0, 'the newest is remembered')
    t.equal(await checksOf(tokens[1]!.token), 0)
    t.equal(await checksOf(tokens[0]!.token), 1, 'the oldest was dropped, so checked in full')
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

// The signature check on node:crypto (keys/jws.ts verifyCompact) refuses what jose's jwtVerify refused.
t.test('the strict compact form of our access tokens', async (t) => {
  const ctx = await build(t)
  const verifier = createAccessTokenVerifier({ keyring: ctx.keyring, config: ctx.config, now: Date.now })
  const key = ctx.keyring.signingKey()
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    iss: ctx.config.issuer,
    sub: 's',
    aud: ctx.config.defaultAudience,
    client_id: 'c',
    scope: 'read',
    iat: now,
    exp: now + 600,
    jti: 'j',
  }
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  /** A token of `header` and `payload` signed by the active key, whatever they say. */
  const signed = (header: Record<string, unknown>, payload: unknown) => {
    const input = `${segment(header)}.${segment(payload)}`
    const how = key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const } : key.privateKey
    return `${input}.${sign(key.alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), how).toString('base64url')}`
  }
  const header = { alg: key.alg, typ: 'at+jwt', kid: key.kid }
  t.ok(await verifier.verify(signed(header, claims)), 'the reference token is accepted')
  t.ok(
    await verifier.verify(signed({ ...header, typ: 'application/AT+JWT' }, { ...claims, jti: 'k' })),
    'typ compared as media types are',
  )
  t.equal(await verifier.verify(signed({ ...header, typ: 'JWT' }, claims)), undefined, 'another typ')
  t.equal(await verifier.verify(signed({ alg: key.alg, kid: key.kid }, claims)), undefined, 'no typ')
  t.equal(await verifier.verify(signed({ ...header, crit: ['exp'] }, claims)), undefined, 'a crit header')
  t.equal(await verifier.verify(signed({ ...header, alg: 'none' }, claims)), undefined, 'another alg')
  t.equal(await verifier.verify(signed(header, [claims])), undefined, 'a payload that is not an object')
  t.equal(await verifier.verify(signed(header, { ...claims, iss: 'https://other' })), undefined, 'another issuer')
  t.equal(await verifier.verify(signed(header, { ...claims, iat: 'now' })), undefined, 'iat not a number')
  t.equal(await verifier.verify(signed(header, { ...claims, nbf: '0' })), undefined, 'nbf not a number')
  t.equal(
    await verifier.verify(signed(header, { ...claims, exp: now - ctx.config.clockSkew - 1 })),
    undefined,
    'expired',
  )
  const token = signed(header, { ...claims, jti: 'l' })
  const [h, p, s] = token.split('.') as [string, string, string]
  t.equal(await verifier.verify(`${h}.${p}.${s.slice(0, 8)}*${s.slice(8)}`), undefined, 'a signature not in base64url')
  t.equal(await verifier.verify(`${h}.${p}.${s}=`), undefined, 'a padded signature')
  t.equal(await verifier.verify(`${h}.${p}.`), undefined, 'no signature')
  t.equal(await verifier.verify(`${h}.${p}.${s}.${s}`), undefined, 'four segments')
  t.equal(await verifier.verify(`${h}.${p} .${s}`), undefined, 'a space in the payload segment')
  t.ok(await verifier.verify(token), 'and the token itself is accepted')
})
