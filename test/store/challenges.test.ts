// Delegated login and consent challenges through the store: answered once, verifier used once, nothing after
// their expiry, and swept by the janitor then; on SQLite and PostgreSQL.
import t from 'tap'
import { createTestStore, providers } from '../support/helper.ts'

const policy = {
  retentionMs: 0,
  loginFailureWindowSeconds: 900,
  batchSize: 100,
  auditRetentionMs: 0,
  usageRetentionMs: 0,
}

for (const provider of providers) {
  t.test(`challenge store on ${provider}`, async (t) => {
    const { store } = await createTestStore(t, provider)
    const now = Date.now()
    const base = {
      kind: 'login' as const,
      browserHash: 'b',
      requestId: 'r',
      clientId: 'web',
      scope: ['read'],
      expiresAt: new Date(now + 600_000),
    }

    t.test('a challenge is answered once and its verifier used once', async (t) => {
      const created = await store.challenges.create({ ...base, challengeHash: 'c1' }, new Date(now))
      t.match(await store.challenges.findByChallengeHash('login', 'c1'), {
        id: created.id,
        answer: null,
        scope: ['read'],
        sessionId: null,
      })
      t.equal(
        await store.challenges.findByChallengeHash('consent', 'c1'),
        undefined,
        'a login challenge is no consent challenge',
      )
      t.equal(await store.challenges.answer(created.id, { accepted: true }, 'v1', new Date(now)), true)
      t.equal(
        await store.challenges.answer(created.id, { accepted: false }, 'v2', new Date(now)),
        false,
        'answered once',
      )
      t.match(await store.challenges.findAnsweredByVerifierHash('login', 'v1', new Date(now)), {
        id: created.id,
        answer: { accepted: true },
      })
      t.equal(await store.challenges.findAnsweredByVerifierHash('login', 'v2', new Date(now)), undefined)
      t.equal(await store.challenges.use(created.id, new Date(now)), true)
      t.equal(await store.challenges.use(created.id, new Date(now)), false, 'used once')
      t.equal(await store.challenges.findAnsweredByVerifierHash('login', 'v1', new Date(now)), undefined)
    })

    t.test('nothing is answered or used past the expiry, and the janitor sweeps it', async (t) => {
      const created = await store.challenges.create({ ...base, challengeHash: 'c2' }, new Date(now))
      const late = new Date(now + 600_000)
      t.equal(await store.challenges.answer(created.id, { accepted: true }, 'v3', late), false)
      const live = await store.challenges.create(
        { ...base, challengeHash: 'c3', expiresAt: new Date(now + 1_200_000) },
        new Date(now),
      )
      const result = await store.janitor.sweep(policy, { now: new Date(now + 600_001), pauseMs: 0 })
      t.not(result, 'busy')
      if (result === 'busy') return
      t.equal(result.deleted.Challenge, 2, 'the expired ones (this and the one answered above)')
      t.equal(await store.challenges.findByChallengeHash('login', 'c2'), undefined)
      t.match(await store.challenges.findByChallengeHash('login', 'c3'), { id: live.id })
    })
  })
}
