// 50 parallel refreshes with the same token (RFC 9700 §4.14, "two tabs, a retry after a timeout"):
// never two different successors. With a grace window every request gets the same successor; without one,
// exactly one request succeeds. Either way the successor works and the family survives.
import t from 'tap'
import { build, providers } from '../support/helper.ts'
import { seed, tokenRequest } from '../support/token-fixtures.ts'

const PARALLEL = 50

for (const provider of providers) {
  for (const grace of [10, 0]) {
    t.test(
      `${PARALLEL} parallel refreshes on ${provider}, grace ${grace}s: one distinct successor, and it works`,
      async (t) => {
        const { app, store, db } = await build(t, { provider, env: { REFRESH_TOKEN_REUSE_GRACE: String(grace) } })
        const { service, alice } = await seed(store)
        const auth = { authorization: service.auth }
        const login = await tokenRequest(
          app,
          { grant_type: 'password', username: alice.username, password: alice.password },
          auth,
        )
        const parent = login.json().refresh_token as string

        const responses = await Promise.all(
          Array.from({ length: PARALLEL }, () =>
            tokenRequest(app, { grant_type: 'refresh_token', refresh_token: parent }, auth),
          ),
        )
        t.equal(responses.length, PARALLEL)
        t.same(
          responses.filter((res) => res.statusCode >= 500),
          [],
          'no server errors',
        )
        const successes = responses.filter((res) => res.statusCode === 200)
        const distinct = new Set(successes.map((res) => res.json().refresh_token as string))
        t.equal(distinct.size, 1, 'exactly one distinct successor')
        if (grace > 0) {
          t.equal(successes.length, PARALLEL, 'every request within the grace window gets it')
        } else {
          t.equal(successes.length, 1, 'exactly one request succeeds')
          for (const res of responses.filter((res) => res.statusCode !== 200)) {
            t.same(res.json(), {
              error: 'invalid_grant',
              error_description: 'the refresh token has just been used by another request',
            })
          }
        }
        t.equal(await db.prisma.refreshToken.count(), 2, 'the parent and one successor, nothing more')
        t.equal(
          await db.prisma.refreshFamily.count({ where: { revokedAt: { not: null } } }),
          0,
          'the family is not revoked',
        )

        const [successor] = distinct
        const next = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: successor! }, auth)
        t.equal(next.statusCode, 200, 'the successor works')
      },
    )
  }
}
