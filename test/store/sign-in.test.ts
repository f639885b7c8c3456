// The browser sign-in tables through the store: sessions, pending authorization requests, codes and consents,
// and what the janitor deletes of them; on SQLite and PostgreSQL.
import t from 'tap'
import { hashPassword } from '../../src/security/passwords.ts'
import { createTestStore, providers } from '../support/helper.ts'
import { DEFAULT_TENANT_ID, ANY_TENANT } from '../../src/store/index.ts'

const DAY = 86_400_000
const policy = {
  retentionMs: 7 * DAY,
  loginFailureWindowSeconds: 900,
  batchSize: 100,
  auditRetentionMs: 0,
  usageRetentionMs: 0,
}

for (const provider of providers) {
  t.test(`sign-in store on ${provider}`, async (t) => {
    const { store } = await createTestStore(t, provider)
    const user = await store.users.create({
      username: 'alice',
      passwordHash: await hashPassword('pw', 4),
      scopes: ['read'],
    })
    await store.clients.create({
      clientId: 'web',
      name: 'Web',
      secretHash: null,
      grantTypes: ['authorization_code'],
      scopes: ['read', 'write'],
      redirectUris: ['https://a.example/cb'],
      firstParty: true,
      allowedOrigins: ['https://a.example'],
    })
    const now = Date.now()

    t.test('clients keep their browser sign-in fields', async (t) => {
      t.match(await store.clients.findById(ANY_TENANT, 'web'), {
        redirectUris: ['https://a.example/cb'],
        postLogoutRedirectUris: [],
        firstParty: true,
        allowedOrigins: ['https://a.example'],
      })
      const updated = await store.clients.update(ANY_TENANT, 'web', {
        postLogoutRedirectUris: ['https://a.example/bye'],
        firstParty: false,
      })
      t.match(updated, {
        redirectUris: ['https://a.example/cb'],
        postLogoutRedirectUris: ['https://a.example/bye'],
        firstParty: false,
      })
    })

    t.test('a session is found by its hash while in force, and not once revoked or past an expiry', async (t) => {
      const session = await store.sessions.create(
        {
          idHash: 'h1',
          tenantId: DEFAULT_TENANT_ID,
          userId: user.id,
          authTime: new Date(now),
          amr: ['pwd'],
          idleExpiresAt: new Date(now + 1000),
          expiresAt: new Date(now + 5000),
        },
        new Date(now),
      )
      t.match(await store.sessions.findActiveByHash(ANY_TENANT, 'h1', new Date(now)), {
        id: session.id,
        userId: user.id,
        amr: ['pwd'],
      })
      t.equal(await store.sessions.findActiveByHash(ANY_TENANT, 'h1', new Date(now + 1000)), undefined, 'idle')
      await store.sessions.touch(ANY_TENANT, session.id, new Date(now + 10_000), new Date(now + 500))
      t.ok(
        await store.sessions.findActiveByHash(ANY_TENANT, 'h1', new Date(now + 1000)),
        'a use starts the idle time again',
      )
      t.equal(
        await store.sessions.findActiveByHash(ANY_TENANT, 'h1', new Date(now + 5000)),
        undefined,
        'never beyond the absolute expiry',
      )
      t.equal(await store.sessions.revoke(ANY_TENANT, session.id, new Date(now)), true)
      t.equal(await store.sessions.revoke(ANY_TENANT, session.id, new Date(now)), false)
      t.equal(await store.sessions.findActiveByHash(ANY_TENANT, 'h1', new Date(now + 600)), undefined)
    })

    t.test('a pending request is single use', async (t) => {
      const pending = await store.authorizationRequests.create(
        { idHash: 'r1', clientId: 'web', request: { scope: ['read'] }, expiresAt: new Date(now + 600_000) },
        new Date(now),
      )
      t.same((await store.authorizationRequests.findPendingByHash('r1', new Date(now)))?.request, { scope: ['read'] })
      t.equal(await store.authorizationRequests.complete(pending.id, new Date(now)), true)
      t.equal(await store.authorizationRequests.complete(pending.id, new Date(now)), false)
      t.equal(await store.authorizationRequests.findPendingByHash('r1', new Date(now)), undefined)
    })

    t.test('a code is redeemed once', async (t) => {
      await store.authorizationCodes.create(
        {
          tenantId: DEFAULT_TENANT_ID,
          codeHash: 'c1',
          clientId: 'web',
          userId: user.id,
          sessionId: null,
          redirectUri: 'https://a.example/cb',
          redirectUriSent: true,
          codeChallenge: 'x',
          scope: ['read'],
          audience: 'aud',
          nonce: 'n',
          authTime: new Date(now),
          expiresAt: new Date(now + 60_000),
        },
        new Date(now),
      )
      const redemptions = await Promise.all([
        store.authorizationCodes.redeem(ANY_TENANT, 'c1', () => ({ familyId: 'f1' }), new Date(now)),
        store.authorizationCodes.redeem(ANY_TENANT, 'c1', () => ({ familyId: 'f2' }), new Date(now)),
      ])
      t.same(redemptions.map((result) => result.outcome).sort(), ['redeemed', 'used'], 'of two at once, one wins')
      t.match(await store.authorizationCodes.findByHash(ANY_TENANT, 'c1'), {
        usedAt: Date,
        nonce: 'n',
        scope: ['read'],
      })
    })

    t.test('consent adds scopes, and starts again after a revocation', async (t) => {
      await store.consents.grant(DEFAULT_TENANT_ID, { userId: user.id, clientId: 'web', scopes: ['read'] })
      t.match(await store.consents.grant(DEFAULT_TENANT_ID, { userId: user.id, clientId: 'web', scopes: ['write'] }), {
        scopes: ['read', 'write'],
      })
      t.same(await store.consents.revoke(ANY_TENANT, user.id, 'web'), { families: 0 })
      t.equal(await store.consents.revoke(ANY_TENANT, user.id, 'web'), undefined, 'none in force: nothing to revoke')
      t.equal(await store.consents.findActive(ANY_TENANT, user.id, 'web'), undefined)
      t.match(await store.consents.grant(DEFAULT_TENANT_ID, { userId: user.id, clientId: 'web', scopes: ['write'] }), {
        scopes: ['write'],
      })
      t.equal((await store.consents.listActiveByUser(ANY_TENANT, user.id)).length, 1)
    })

    t.test('a session lists its refresh families in force', async (t) => {
      const session = await store.sessions.create({
        idHash: 'h2',
        tenantId: DEFAULT_TENANT_ID,
        userId: user.id,
        authTime: new Date(now),
        amr: ['pwd'],
        idleExpiresAt: new Date(now + DAY),
        expiresAt: new Date(now + DAY),
      })
      const { family } = await store.refreshTokens.createFamily({
        clientId: 'web',
        userId: user.id,
        scope: ['read'],
        audience: 'aud',
        absoluteExpiresAt: new Date(now + DAY),
        tokenHash: 'rt1',
        sessionId: session.id,
      })
      await store.refreshTokens.createFamily({
        clientId: 'web',
        userId: user.id,
        scope: ['read'],
        audience: 'aud',
        absoluteExpiresAt: new Date(now + DAY),
        tokenHash: 'rt2',
      })
      t.equal((await store.refreshTokens.findByHash(ANY_TENANT, 'rt1'))?.family.sessionId, session.id)
      t.same(await store.refreshTokens.listSessionFamilies(ANY_TENANT, session.id), [family.id])
      await store.refreshTokens.revokeFamily(ANY_TENANT, family.id, 'logout')
      t.same(await store.refreshTokens.listSessionFamilies(ANY_TENANT, session.id), [], 'only the ones in force')
    })

    t.test('the janitor deletes dead sessions, pending requests and codes, and keeps the live ones', async (t) => {
      const later = now + 30 * DAY
      await store.sessions.create(
        {
          idHash: 'live',
          tenantId: DEFAULT_TENANT_ID,
          userId: user.id,
          authTime: new Date(later),
          amr: [],
          idleExpiresAt: new Date(later + DAY),
          expiresAt: new Date(later + DAY),
        },
        new Date(later),
      )
      await store.authorizationRequests.create(
        { idHash: 'r-live', clientId: 'web', request: {}, expiresAt: new Date(later + 60_000) },
        new Date(later),
      )
      const result = await store.janitor.sweep(policy, { now: new Date(later), pauseMs: 0 })
      t.not(result, 'busy')
      if (result === 'busy') return
      t.match(result.deleted, { Session: 2, AuthorizationRequest: 1, AuthorizationCode: 1 })
      t.ok(await store.sessions.findActiveByHash(ANY_TENANT, 'live', new Date(later)))
      t.ok(await store.authorizationRequests.findPendingByHash('r-live', new Date(later)))
    })
  })
}
