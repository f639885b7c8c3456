// Redeeming an authorization code through the store: the read, the grant's decision and the write (the code's
// mark, the login's refresh family and first token) all or nothing, once, on every path: SQLite's direct
// connection, node-postgres, and Prisma (SQLite while the direct connection is busy).
import t from 'tap'
import { hashPassword } from '../../src/security/passwords.ts'
import { createAuthorizationCodeStore } from '../../src/store/authorization-codes/index.ts'
import { countStatements, createTestStore, providers } from '../support/helper.ts'
import { DEFAULT_TENANT_ID, ANY_TENANT } from '../../src/store/index.ts'

const DAY = 86_400_000

for (const provider of providers) {
  t.test(`authorization code redemption on ${provider}`, async (t) => {
    const { store, db } = await createTestStore(t, provider)
    const user = await store.users.create({
      username: 'alice',
      passwordHash: await hashPassword('pw', 4),
      scopes: ['read'],
    })
    await store.clients.create({
      clientId: 'web',
      name: 'Web',
      secretHash: null,
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['read', 'write'],
      redirectUris: ['https://a.example/cb'],
    })
    const now = Date.now()

    const newCode = (codeHash: string, sessionId: string | null = null, dpopJkt: string | null = null) =>
      store.authorizationCodes.create(
        {
          tenantId: DEFAULT_TENANT_ID,
          codeHash,
          clientId: 'web',
          userId: user.id,
          sessionId,
          redirectUri: 'https://a.example/cb',
          redirectUriSent: true,
          codeChallenge: 'x',
          scope: ['read'],
          audience: 'aud',
          nonce: 'n',
          dpopJkt,
          authTime: new Date(now),
          expiresAt: new Date(now + 60_000),
        },
        new Date(now),
      )
    const withFamily = (familyId: string, tokenHash: string) => () => ({
      familyId,
      refresh: {
        scope: ['read'],
        audience: 'aud',
        absoluteExpiresAt: new Date(now + DAY),
        tokenExpiresAt: new Date(now + 3_600_000),
        tokenHash,
        dpopJkt: 'jkt-1',
      },
    })

    // Every path: the direct connection's (SQLite) or node-postgres's, and Prisma's (SQLite while the direct
    // connection is busy), through a store built over Prisma alone.
    const paths = [
      { name: 'the store', codes: () => store.authorizationCodes },
      ...(provider === 'sqlite' ? [{ name: 'Prisma', codes: () => createAuthorizationCodeStore(db.prisma) }] : []),
    ]
    for (const path of paths) {
      t.test(`a code is redeemed once, with its login's refresh family (${path.name})`, async (t) => {
        const codes = path.codes()
        await newCode(`c1-${path.name}`)
        const results = await Promise.all([
          codes.redeem(ANY_TENANT, `c1-${path.name}`, withFamily(`f1-${path.name}`, `r1-${path.name}`), new Date(now)),
          codes.redeem(ANY_TENANT, `c1-${path.name}`, withFamily(`f2-${path.name}`, `r2-${path.name}`), new Date(now)),
        ])
        const won = results.find((result) => result.outcome === 'redeemed')
        const lost = results.find((result) => result.outcome === 'used')
        t.ok(won && lost, 'of two at once, one wins and the other reads the code used')
        if (won?.outcome !== 'redeemed' || lost?.outcome !== 'used') return
        t.match(won.found, {
          code: { nonce: 'n', scope: ['read'], usedAt: null },
          user: { id: user.id, disabled: false, scopes: ['read'] },
        })
        t.equal(lost.code.familyId, won.redemption.familyId, 'the loser names the login to revoke')
        const winner = won.redemption.familyId.slice(1, 2)
        const record = await store.refreshTokens.findByHash(ANY_TENANT, `r${winner}-${path.name}`)
        t.match(record, {
          family: {
            id: won.redemption.familyId,
            clientId: 'web',
            userId: user.id,
            scope: ['read'],
            audience: 'aud',
            sessionId: null,
            dpopJkt: 'jkt-1',
          },
          token: { parentId: null, usedAt: null, expiresAt: new Date(now + 3_600_000) },
        })
        const loser = winner === '1' ? '2' : '1'
        t.equal(
          await store.refreshTokens.findByHash(ANY_TENANT, `r${loser}-${path.name}`),
          undefined,
          "the loser's family was not written",
        )
        t.match(await store.authorizationCodes.findByHash(ANY_TENANT, `c1-${path.name}`), {
          usedAt: new Date(now),
          familyId: won.redemption.familyId,
        })
        t.same(await codes.redeem(ANY_TENANT, 'nothing', withFamily('f3', 'r3'), new Date(now)), { outcome: 'unknown' })
      })

      t.test(`a refused redemption leaves the code unused (${path.name})`, async (t) => {
        const codes = path.codes()
        await newCode(`c2-${path.name}`)
        await t.rejects(
          codes.redeem(
            ANY_TENANT,
            `c2-${path.name}`,
            () => {
              throw new Error('refused')
            },
            new Date(now),
          ),
          { message: 'refused' },
        )
        t.match(await store.authorizationCodes.findByHash(ANY_TENANT, `c2-${path.name}`), {
          usedAt: null,
          familyId: null,
        })
        const result = await codes.redeem(
          ANY_TENANT,
          `c2-${path.name}`,
          () => ({ familyId: `f4-${path.name}` }),
          new Date(now),
        )
        t.match(result, { outcome: 'redeemed', redemption: { familyId: `f4-${path.name}` } })
      })
    }

    t.test("a redemption reads the code's dpop_jkt and its session's authentication methods", async (t) => {
      const session = await store.sessions.create({
        idHash: 'h-amr',
        tenantId: DEFAULT_TENANT_ID,
        userId: user.id,
        authTime: new Date(now),
        amr: ['pwd', 'otp'],
        idleExpiresAt: new Date(now + DAY),
        expiresAt: new Date(now + DAY),
      })
      await newCode('c3', session.id, 'jkt-3')
      let seen: unknown
      await store.authorizationCodes.redeem(
        ANY_TENANT,
        'c3',
        (found) => {
          seen = found
          return { familyId: 'f5' }
        },
        new Date(now),
      )
      t.match(seen, {
        code: { sessionId: session.id, dpopJkt: 'jkt-3' },
        session: { amr: ['pwd', 'otp'] },
        user: { id: user.id },
      })
    })

    if (provider === 'postgresql') {
      t.test(
        'on PostgreSQL the reads and writes of one turn are one statement each; a row at fault fails alone',
        async (t) => {
          for (const n of [1, 2, 3, 4]) await newCode(`turn-${n}`)
          // A token hash already stored: the family's first token collides with it (a unique violation).
          await store.refreshTokens.createFamily({
            clientId: 'web',
            userId: user.id,
            scope: ['read'],
            audience: 'aud',
            absoluteExpiresAt: new Date(now + DAY),
            tokenHash: 'taken',
          })
          const reads = countStatements(t, db.pool!, /FROM "AuthorizationCode" AS c/)
          const writes = countStatements(t, db.pool!, /UPDATE "AuthorizationCode"/)
          const results = await Promise.allSettled([
            store.authorizationCodes.redeem(ANY_TENANT, 'turn-1', withFamily('tf-1', 'tr-1'), new Date(now)),
            store.authorizationCodes.redeem(ANY_TENANT, 'turn-2', withFamily('tf-2', 'tr-2'), new Date(now)),
            store.authorizationCodes.redeem(ANY_TENANT, 'turn-3', withFamily('tf-3', 'taken'), new Date(now)),
            store.authorizationCodes.redeem(ANY_TENANT, 'turn-4', () => ({ familyId: 'tf-4' }), new Date(now)),
            store.authorizationCodes.redeem(ANY_TENANT, 'turn-9', withFamily('tf-9', 'tr-9'), new Date(now)),
          ])
          t.equal(reads.length, 1, 'five reads, one statement')
          t.equal(writes.length, 1 + 4, 'four writes, one statement, then each alone')
          t.match(
            results.map((result) => (result.status === 'fulfilled' ? result.value.outcome : 'rejected')),
            ['redeemed', 'redeemed', 'rejected', 'redeemed', 'unknown'],
            'each redemption is decided alone',
          )
          t.match(
            results[2],
            { status: 'rejected', reason: { code: '23505' } },
            'the colliding one fails with its own error',
          )
          for (const n of [1, 2]) {
            t.match(await store.refreshTokens.findByHash(ANY_TENANT, `tr-${n}`), {
              family: {
                id: `tf-${n}`,
                clientId: 'web',
                userId: user.id,
                tenantId: DEFAULT_TENANT_ID,
                dpopJkt: 'jkt-1',
              },
              token: { parentId: null, usedAt: null },
            })
            t.match(await store.authorizationCodes.findByHash(ANY_TENANT, `turn-${n}`), { familyId: `tf-${n}` })
          }
          t.match(
            await store.authorizationCodes.findByHash(ANY_TENANT, 'turn-3'),
            { usedAt: null, familyId: null },
            'the failed one left its code unused',
          )
          t.match(await store.authorizationCodes.findByHash(ANY_TENANT, 'turn-4'), { familyId: 'tf-4' })
          t.equal(
            await db.prisma.refreshFamily.count({ where: { id: 'tf-4' } }),
            0,
            'a redemption without a refresh token writes no family',
          )
        },
      )
    }
  })
}
