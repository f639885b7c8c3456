// Ending sessions (src/oauth/authorize/logout.ts) as units, with a store that records every call and an injected
// clock: RP-initiated logout (RP-Initiated Logout 1.0 §2, §3) revokes the session, then ends each login made in it
// (its access tokens first, then its refresh family) and audits it; the post_logout_redirect_uri is returned only
// when it exactly equals one the client registered (§3, never an open redirect); a new login over a session
// either moves that session's logins (the same user, a re-authentication) or ends them (another user, RFC 9700
// §4.14). Through the routes: test/oauth/logout.test.ts, logout-hint.test.ts, session-replace.test.ts.
import t from 'tap'
import { endSession, matchPostLogoutRedirectUri, replaceSession } from '../../../src/oauth/authorize/logout.ts'
import type { Session } from '../../../src/store/sessions.ts'
import { clientRow } from '../../support/client-row.ts'

const NOW = 1_800_000_000_123
const AT = new Date(NOW)
/** When the revocation of a login's access tokens may be forgotten: their TTL and the clock skew from now. */
const REVOKED_UNTIL = new Date(NOW + (300 + 30) * 1000)

const session = (extra: Partial<Session> = {}): Session => ({
  id: 'session-1',
  tenantId: 'tenant-a',
  userId: 'user-1',
  authTime: new Date(NOW - 600_000),
  amr: ['pwd'],
  lastSeenAt: new Date(NOW - 60_000),
  idleExpiresAt: new Date(NOW + 3_600_000),
  expiresAt: new Date(NOW + 86_400_000),
  revokedAt: null,
  createdAt: new Date(NOW - 600_000),
  ...extra,
})

interface Options {
  /** The refresh families made in each session, by id. */
  families?: Record<string, string[]>
  /** What revoking a session answers: false when it already was (a concurrent logout). */
  revoked?: boolean
  /** What moving a session's families answers (how many moved). */
  moved?: number
}

function setup(options: Options = {}) {
  const calls: unknown[][] = []
  const deps = {
    config: { accessTokenTtl: 300, clockSkew: 30 },
    now: () => NOW,
    store: {
      sessions: {
        async revoke(tenantId: string, id: string, at: Date) {
          calls.push(['sessions.revoke', tenantId, id, at])
          return options.revoked ?? true
        },
      },
      refreshTokens: {
        async listSessionFamilies(tenantId: string, sessionId: string) {
          calls.push(['refreshTokens.listSessionFamilies', tenantId, sessionId])
          return options.families?.[sessionId] ?? []
        },
        async moveSessionFamilies(tenantId: string, from: string, to: string) {
          calls.push(['refreshTokens.moveSessionFamilies', tenantId, from, to])
          return options.moved ?? 0
        },
        async revokeFamily(scope: unknown, familyId: string, reason: string, at: Date) {
          calls.push(['refreshTokens.revokeFamily', scope, familyId, reason, at])
          return true
        },
      },
      revokedTokens: {
        async revoke(id: string, expiresAt: Date, at: Date) {
          calls.push(['revokedTokens.revoke', id, expiresAt, at])
        },
      },
      audit: {
        async record(event: unknown, at: Date) {
          calls.push(['audit.record', event, at])
        },
      },
    },
    revocations: {
      add(id: string, expiresAt: Date) {
        calls.push(['revocations.add', id, expiresAt])
      },
    },
  }
  return { deps: deps as never, calls }
}

/** Ending one login: its access tokens (the `grant:` entry, here and in the store), then its refresh family. */
const endedLogin = (tenantId: string, familyId: string, reason: string) => [
  ['revokedTokens.revoke', `grant:${familyId}`, REVOKED_UNTIL, AT],
  ['revocations.add', `grant:${familyId}`, REVOKED_UNTIL],
  ['refreshTokens.revokeFamily', tenantId, familyId, reason, AT],
]

t.test('a logout ends the session, then every login made in it', async (t) => {
  const { deps, calls } = setup({ families: { 'session-1': ['family-1', 'family-2'] } })
  t.equal(await endSession(deps, session(), { ip: '203.0.113.9', clientId: 'web' }), undefined)
  t.strictSame(calls, [
    ['sessions.revoke', 'tenant-a', 'session-1', AT],
    ['refreshTokens.listSessionFamilies', 'tenant-a', 'session-1'],
    ...endedLogin('tenant-a', 'family-1', 'logout'),
    ...endedLogin('tenant-a', 'family-2', 'logout'),
    [
      'audit.record',
      {
        tenantId: 'tenant-a',
        type: 'logout',
        actor: 'user:user-1',
        subject: 'session:session-1',
        ip: '203.0.113.9',
        details: { families: 2, clientId: 'web' },
      },
      AT,
    ],
  ])
})

t.test('a logout without a client, in a session with no login', async (t) => {
  const { deps, calls } = setup({ families: { 'session-1': ['family-1'] } })
  await endSession(deps, session({ id: 'session-2', userId: 'user-2', tenantId: 'tenant-b' }), { ip: '::1' })
  t.strictSame(calls, [
    ['sessions.revoke', 'tenant-b', 'session-2', AT],
    ['refreshTokens.listSessionFamilies', 'tenant-b', 'session-2'],
    [
      'audit.record',
      {
        tenantId: 'tenant-b',
        type: 'logout',
        actor: 'user:user-2',
        subject: 'session:session-2',
        ip: '::1',
        details: { families: 0 },
      },
      AT,
    ],
  ])

  for (const clientId of [undefined, '']) {
    const unnamed = setup()
    await endSession(unnamed.deps, session(), { ip: '::1', clientId })
    t.strictSame(
      unnamed.calls,
      [
        ['sessions.revoke', 'tenant-a', 'session-1', AT],
        ['refreshTokens.listSessionFamilies', 'tenant-a', 'session-1'],
        [
          'audit.record',
          {
            tenantId: 'tenant-a',
            type: 'logout',
            actor: 'user:user-1',
            subject: 'session:session-1',
            ip: '::1',
            details: { families: 0 },
          },
          AT,
        ],
      ],
      `client_id ${JSON.stringify(clientId)}: not audited`,
    )
  }
})

t.test('§3: the post-logout redirect URI only when it exactly equals a registered one', async (t) => {
  const client = clientRow({
    clientId: 'web',
    redirectUris: ['https://app.example/callback'],
    postLogoutRedirectUris: ['https://app.example/signed-out', 'https://app.example/bye?from=op'],
  })
  t.equal(matchPostLogoutRedirectUri(client, 'https://app.example/signed-out'), 'https://app.example/signed-out')
  t.equal(matchPostLogoutRedirectUri(client, 'https://app.example/bye?from=op'), 'https://app.example/bye?from=op')

  const refused: [string, string][] = [
    ['https://app.example/signed-out/', 'a trailing slash'],
    ['https://app.example/signed-ou', 'a prefix'],
    ['https://app.example/signed-out?x=1', 'another query'],
    ['https://app.example/bye', 'without its registered query'],
    ['https://app.example/signed-out#top', 'a fragment'],
    ['https://APP.example/signed-out', 'the host in another case'],
    ['https://app.example:443/signed-out', 'the default port written out'],
    ['http://app.example/signed-out', 'http'],
    ['https://app.example/callback', 'a redirect_uri that is not a post-logout one'],
    ['', 'an empty one'],
  ]
  for (const [uri, what] of refused) t.equal(matchPostLogoutRedirectUri(client, uri), undefined, what)

  t.equal(matchPostLogoutRedirectUri(client, undefined), undefined, 'none asked for')
  t.equal(matchPostLogoutRedirectUri(undefined, 'https://app.example/signed-out'), undefined, 'no client known')
  t.equal(matchPostLogoutRedirectUri(undefined, undefined), undefined)
  t.equal(
    matchPostLogoutRedirectUri(clientRow({ clientId: 'bare' }), 'https://app.example/signed-out'),
    undefined,
    'a client that registered none',
  )
})

t.test('a login over the same session: nothing to end', async (t) => {
  const { deps, calls } = setup({ families: { 'session-1': ['family-1'] } })
  t.equal(await replaceSession(deps, session(), session({ userId: 'user-2' }), { ip: '::1' }), undefined)
  t.strictSame(calls, [])
})

t.test("a re-authentication: the old session's logins move to the new one", async (t) => {
  const { deps, calls } = setup({ families: { 'session-1': ['family-1'] }, moved: 3 })
  await replaceSession(deps, session(), session({ id: 'session-2', tenantId: 'tenant-b' }), { ip: '203.0.113.9' })
  t.strictSame(calls, [
    ['sessions.revoke', 'tenant-a', 'session-1', AT],
    ['refreshTokens.moveSessionFamilies', 'tenant-a', 'session-1', 'session-2'],
    [
      'audit.record',
      {
        tenantId: 'tenant-a',
        type: 'session.ended',
        actor: 'user:user-1',
        subject: 'session:session-1',
        ip: '203.0.113.9',
        details: { reason: 'renewed', user_id: 'user-1', session_id: 'session-2', families_moved: 3 },
      },
      AT,
    ],
  ])

  const none = setup()
  await replaceSession(none.deps, session(), session({ id: 'session-2' }), { ip: '::1' })
  t.strictSame(none.calls, [
    ['sessions.revoke', 'tenant-a', 'session-1', AT],
    ['refreshTokens.moveSessionFamilies', 'tenant-a', 'session-1', 'session-2'],
    [
      'audit.record',
      {
        tenantId: 'tenant-a',
        type: 'session.ended',
        actor: 'user:user-1',
        subject: 'session:session-1',
        ip: '::1',
        details: { reason: 'renewed', user_id: 'user-1', session_id: 'session-2', families_moved: 0 },
      },
      AT,
    ],
  ])
})

t.test("another user's login: the old session's logins end (RFC 9700 §4.14)", async (t) => {
  const { deps, calls } = setup({ families: { 'session-1': ['family-1', 'family-2'], 'session-2': ['family-9'] } })
  await replaceSession(deps, session(), session({ id: 'session-2', userId: 'user-2', tenantId: 'tenant-b' }), {
    ip: '198.51.100.1',
  })
  t.strictSame(calls, [
    ['sessions.revoke', 'tenant-a', 'session-1', AT],
    ['refreshTokens.listSessionFamilies', 'tenant-a', 'session-1'],
    ...endedLogin('tenant-a', 'family-1', 'session_replaced'),
    ...endedLogin('tenant-a', 'family-2', 'session_replaced'),
    [
      'audit.record',
      {
        tenantId: 'tenant-a',
        type: 'session.ended',
        actor: 'user:user-2',
        subject: 'session:session-1',
        ip: '198.51.100.1',
        details: { reason: 'replaced', user_id: 'user-1', session_id: 'session-2', families: 2 },
      },
      AT,
    ],
  ])

  const none = setup()
  await replaceSession(none.deps, session(), session({ id: 'session-2', userId: 'user-2' }), { ip: '::1' })
  t.strictSame(none.calls, [
    ['sessions.revoke', 'tenant-a', 'session-1', AT],
    ['refreshTokens.listSessionFamilies', 'tenant-a', 'session-1'],
    [
      'audit.record',
      {
        tenantId: 'tenant-a',
        type: 'session.ended',
        actor: 'user:user-2',
        subject: 'session:session-1',
        ip: '::1',
        details: { reason: 'replaced', user_id: 'user-1', session_id: 'session-2', families: 0 },
      },
      AT,
    ],
  ])
})

t.test('a session another request already ended: nothing more', async (t) => {
  for (const userId of ['user-1', 'user-2']) {
    const { deps, calls } = setup({ families: { 'session-1': ['family-1'] }, revoked: false, moved: 1 })
    await replaceSession(deps, session(), session({ id: 'session-2', userId }), { ip: '::1' })
    t.strictSame(calls, [['sessions.revoke', 'tenant-a', 'session-1', AT]], `new session of ${userId}`)
  }
})
