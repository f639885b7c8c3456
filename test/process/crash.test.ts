// Crash recovery: the real server is killed with SIGKILL in the middle of a stream of token and admin
// requests, then started again on the same database with the same master key. Nothing it acknowledged is
// lost: every refresh token it returned still rotates (its successor too), every access key it returned
// still authenticates, every revocation it acknowledged holds, the signing keys are the same ones, access
// tokens issued before the crash still verify against the JWKS, and the database is consistent. Then the
// writes a crash can cut in two: a refresh-token replay's revocations, and a migration at the first start.
// SQLite always, PostgreSQL with TEST_DATABASE_URL.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { sha256 } from '../../src/security/secrets.ts'
import { openDatabase } from '../../src/store/index.ts'
import { build, createDatabaseUrl, providers } from '../support/helper.ts'
import {
  admin,
  adminToken,
  consistencyProblems,
  fetchJwks,
  kidsOf,
  leakedSecrets,
  machineToken,
  passwordLogin,
  postForm,
  postToken,
  refresh,
  rememberSecrets,
  rowsOf,
  seedDatabase,
  sleep,
  usedSecrets,
  verifies,
} from '../support/process-fixtures.ts'
import { spawnServer, startServer } from '../support/spawn-server.ts'
import { form, FORM, seed, tokenRequest } from '../support/token-fixtures.ts'

const ISSUER = 'http://portcullis.test'
const HOLD_AFTER_ROTATION = fileURLToPath(new URL('../support/hold-after-rotation.cjs', import.meta.url))
const HOLD_IN_MIGRATION = fileURLToPath(new URL('../support/hold-in-migration.cjs', import.meta.url))
const ACKNOWLEDGED_BEFORE_KILL = 120

interface Acknowledged {
  /** One per login: each token after the first is the acknowledged successor of the one before. */
  chains: string[][]
  accessTokens: string[]
  accessKeys: { id: string; key: string }[]
  /** Revoked (RFC 7009, or an access key through the admin API) with a success answer: they must stay revoked. */
  revokedAccessTokens: string[]
  revokedKeys: { id: string; key: string }[]
  count: number
}

for (const provider of providers) {
  t.test(`a ${provider} server killed with SIGKILL mid-stream loses nothing it acknowledged`, async (t) => {
    const databaseUrl = await createDatabaseUrl(t, provider)
    const env = {
      DATABASE_URL: databaseUrl,
      KEYS_MASTER_KEY: randomBytes(32).toString('base64'),
      ISSUER,
      // A rotation committed in the instant of the kill was never answered: the client retries it after the
      // restart and must get the same successor. A wide grace keeps that retry inside the window on a slow machine.
      REFRESH_TOKEN_REUSE_GRACE: '120',
      // Not what is under test here: the stream sends hundreds of token requests a second from one address.
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_PER_CLIENT: '0',
    }
    const seeded = await seedDatabase(databaseUrl, { migrate: true })
    const first = await startServer(t, env)
    const jwksBefore = await fetchJwks(first.url)
    const bearer = await adminToken(first.url, seeded)

    const acked: Acknowledged = {
      chains: [],
      accessTokens: [],
      accessKeys: [],
      revokedAccessTokens: [],
      revokedKeys: [],
      count: 0,
    }
    const unexpected: string[] = []
    let killed = false
    const ack = () => void acked.count++

    const logins = async () => {
      while (!killed) {
        const login = await passwordLogin(first.url, seeded)
        if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`)
        const chain = [login.body.refresh_token as string]
        acked.chains.push(chain)
        acked.accessTokens.push(login.body.access_token as string)
        ack()
        for (let i = 0; i < 4 && !killed; i++) {
          const rotated = await refresh(first.url, seeded, chain.at(-1)!)
          if (rotated.status !== 200) throw new Error(`refresh: ${rotated.status} ${JSON.stringify(rotated.body)}`)
          chain.push(rotated.body.refresh_token as string)
          acked.accessTokens.push(rotated.body.access_token as string)
          ack()
        }
      }
    }
    const machines = async () => {
      while (!killed) {
        const answer = await machineToken(first.url, seeded)
        if (answer.status !== 200)
          throw new Error(`client_credentials: ${answer.status} ${JSON.stringify(answer.body)}`)
        acked.accessTokens.push(answer.body.access_token as string)
        ack()
      }
    }
    const keys = async () => {
      while (!killed) {
        const created = await admin(
          first.url,
          'POST',
          '/access-keys',
          { bearer },
          { name: `key ${acked.accessKeys.length}`, scopes: ['admin'] },
        )
        if (created.status !== 201) throw new Error(`access key: ${created.status} ${JSON.stringify(created.body)}`)
        const key = { id: created.body.id as string, key: created.body.key as string }
        ack()
        if (acked.count % 4 !== 0) {
          acked.accessKeys.push(key)
          continue
        }
        const revoked = await admin(first.url, 'POST', `/access-keys/${key.id}/revoke`, { bearer })
        if (revoked.status !== 200)
          throw new Error(`access key revocation: ${revoked.status} ${JSON.stringify(revoked.body)}`)
        acked.revokedKeys.push(key)
      }
    }
    const revocations = async () => {
      while (!killed) {
        const issued = await postToken(
          first.url,
          { grant_type: 'client_credentials', scope: 'read' },
          seeded.service.auth,
        )
        if (issued.status !== 200)
          throw new Error(`client_credentials: ${issued.status} ${JSON.stringify(issued.body)}`)
        const revoked = await postForm(
          first.url,
          '/oauth/revoke',
          { token: issued.body.access_token as string },
          seeded.service.auth,
        )
        if (revoked.status !== 200) throw new Error(`revocation: ${revoked.status} ${revoked.text}`)
        acked.revokedAccessTokens.push(issued.body.access_token as string)
        ack()
      }
    }
    // A failure before the kill is a real one; after it, requests in flight fail with the connection.
    const worker = (run: () => Promise<void>) =>
      run().catch((err: unknown) => void (killed || unexpected.push(String(err))))
    const workers = Promise.all(
      [logins, logins, logins, logins, machines, machines, keys, keys, revocations].map(worker),
    )

    const streamStarted = Date.now()
    // Every kind of answer is in before the kill; requests of every kind are still in flight when it comes.
    const enough = () =>
      acked.count >= ACKNOWLEDGED_BEFORE_KILL &&
      acked.chains.filter((chain) => chain.length > 2).length >= 3 &&
      acked.revokedKeys.length >= 2 &&
      acked.revokedAccessTokens.length >= 3
    while (!enough() && unexpected.length === 0 && Date.now() - streamStarted < 20_000) await sleep(5)
    await sleep(1000)
    first.child.kill('SIGKILL')
    killed = true
    const exit = await first.exited
    await workers
    t.same(unexpected, [], 'every request before the kill was answered with success')
    t.same(exit, { code: null, signal: 'SIGKILL' }, 'the server was killed, not shut down')
    t.ok(acked.count >= ACKNOWLEDGED_BEFORE_KILL, `${acked.count} answers acknowledged before the kill`)
    t.ok(
      acked.chains.some((chain) => chain.length > 2) &&
        acked.revokedKeys.length > 0 &&
        acked.revokedAccessTokens.length > 0,
      'the stream rotated refresh tokens, created access keys and revoked some',
    )

    t.same(await consistencyProblems(databaseUrl), [], 'the database the kill left is consistent')
    // Rotations the kill cut off after their commit, before their answer: the retry below must get their successor.
    const used = new Set(
      (
        await rowsOf<{ tokenHash: string }>(
          databaseUrl,
          `SELECT "tokenHash" FROM "RefreshToken" WHERE "usedAt" IS NOT NULL`,
        )
      ).map((row) => row.tokenHash),
    )
    const unanswered = acked.chains.filter((chain) => used.has(sha256(chain.at(-1)!))).length
    t.comment(
      `${unanswered} of ${acked.chains.length} logins had a rotation committed but not answered when the process died`,
    )

    const second = await startServer(t, env)
    const jwksAfter = await fetchJwks(second.url)
    t.same(kidsOf(jwksAfter), kidsOf(jwksBefore), 'the same signing keys after the restart')

    const failedTokens = (
      await Promise.all(acked.accessTokens.map((token) => verifies(jwksAfter, token, ISSUER)))
    ).filter((ok) => !ok).length
    t.equal(
      failedTokens,
      0,
      `all ${acked.accessTokens.length} access tokens issued before the crash verify against the JWKS`,
    )

    const lostKeys: string[] = []
    for (const { id, key } of acked.accessKeys) {
      const answer = await admin(second.url, 'GET', `/access-keys/${id}`, { apiKey: key })
      if (answer.status !== 200 || answer.body.id !== id) lostKeys.push(`${id}: ${answer.status}`)
    }
    t.same(lostKeys, [], `all ${acked.accessKeys.length} access keys authenticate`)
    const revivedKeys: string[] = []
    for (const { id, key } of acked.revokedKeys) {
      const answer = await admin(second.url, 'GET', `/access-keys/${id}`, { apiKey: key })
      if (answer.status !== 401) revivedKeys.push(`${id}: ${answer.status}`)
    }
    t.same(revivedKeys, [], `all ${acked.revokedKeys.length} revoked access keys stay revoked`)
    const revived: string[] = []
    for (const token of acked.revokedAccessTokens) {
      const answer = await postForm(second.url, '/oauth/introspect', { token }, seeded.service.auth)
      if (answer.text !== '{"active":false}') revived.push(answer.text)
    }
    t.same(revived, [], `all ${acked.revokedAccessTokens.length} revoked access tokens stay revoked`)

    // The last acknowledged token of each login rotates (a rotation in flight at the kill is retried and gets
    // the same successor), and the successor rotates in turn: the login goes on.
    const lostLogins: string[] = []
    for (const chain of acked.chains) {
      const rotated = await refresh(second.url, seeded, chain.at(-1)!)
      const next =
        rotated.status === 200 ? await refresh(second.url, seeded, rotated.body.refresh_token as string) : rotated
      if (next.status !== 200)
        lostLogins.push(
          `after ${chain.length} tokens: ${rotated.status} then ${next.status} ${JSON.stringify(next.body)}`,
        )
    }
    t.same(lostLogins, [], `all ${acked.chains.length} logins go on`)

    t.same(await consistencyProblems(databaseUrl), [], 'and the database is still consistent')
    rememberSecrets(env.KEYS_MASTER_KEY)
    const logs = first.stdout() + first.stderr() + second.stdout() + second.stderr()
    t.same(
      leakedSecrets(logs, usedSecrets(seeded)),
      [],
      `none of the ${usedSecrets().length} secrets used is in either server's log`,
    )
  })
}

// The instant the mid-stream kill may or may not hit, made certain: a preloaded hook stops the server right after a
// rotation commits, before its answer. The client, which never got one, retries after the restart.
for (const provider of providers) {
  t.test(`a ${provider} rotation committed but never answered is answered when retried after a restart`, async (t) => {
    const databaseUrl = await createDatabaseUrl(t, provider)
    // The retry is answered within REFRESH_TOKEN_REUSE_GRACE of the rotation; a kill and a restart took more than
    // the default 10 s at load average 14, which made the retry a replay. The grace's own length is tested elsewhere.
    const env = {
      DATABASE_URL: databaseUrl,
      KEYS_MASTER_KEY: randomBytes(32).toString('base64'),
      ISSUER,
      REFRESH_TOKEN_REUSE_GRACE: '300',
    }
    const seeded = await seedDatabase(databaseUrl, { migrate: true })
    const first = await startServer(t, env, { nodeArgs: ['--require', HOLD_AFTER_ROTATION] })
    const login = await passwordLogin(first.url, seeded)
    t.equal(login.status, 200)
    const parent = login.body.refresh_token as string
    const unanswered = refresh(first.url, seeded, parent).then(
      () => 'answered',
      () => 'never answered',
    )
    const deadline = Date.now() + 20_000
    while (!first.stderr().includes('holding after a rotation committed') && Date.now() < deadline) await sleep(10)
    const successors = () =>
      rowsOf<{ n: number | string }>(
        databaseUrl,
        `SELECT COUNT(*) AS n FROM "RefreshToken" WHERE "parentId" = (SELECT "id" FROM "RefreshToken" WHERE "tokenHash" = '${sha256(parent)}')`,
      )
    t.same(
      (await successors()).map((row) => Number(row.n)),
      [1],
      'the rotation had committed',
    )
    first.child.kill('SIGKILL')
    await first.exited
    t.equal(await unanswered, 'never answered')

    const second = await startServer(t, env)
    const retried = await refresh(second.url, seeded, parent)
    t.equal(retried.status, 200, 'the retry is answered')
    t.same(
      (await successors()).map((row) => Number(row.n)),
      [1],
      'with the successor the rotation made, not a second one',
    )
    const next = await refresh(second.url, seeded, retried.body.refresh_token as string)
    t.equal(next.status, 200, 'and the login goes on')
    t.same(await consistencyProblems(databaseUrl), [])
  })
}

// A replay ends the login in two writes: its access tokens (one revocation entry for the grant) and its
// refresh tokens (the family). A crash or a lost database connection can come between them; the next
// presentation of the replayed token must still finish the job.
for (const interrupted of ['revokedTokens.revoke', 'refreshTokens.revokeFamily'] as const) {
  t.test(
    `a replay cut short at ${interrupted} still ends the login and its access tokens when presented again`,
    async (t) => {
      let clock = Date.now()
      const { app, store } = await build(t, { now: () => clock, env: { REFRESH_TOKEN_REUSE_GRACE: '10' } })
      const { service, alice } = await seed(store)
      const token = (params: Record<string, string>) => tokenRequest(app, params, { authorization: service.auth })
      const login = (
        await token({ grant_type: 'password', username: alice.username, password: alice.password })
      ).json() as { access_token: string; refresh_token: string }
      const successor = (await token({ grant_type: 'refresh_token', refresh_token: login.refresh_token })).json()
        .refresh_token as string
      clock += 11_000

      const [group, method] = interrupted.split('.') as ['revokedTokens', 'revoke'] | ['refreshTokens', 'revokeFamily']
      const target = store[group] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
      const original = target[method]!
      target[method] = async () => {
        throw new Error('connection lost')
      }
      t.equal(
        (await token({ grant_type: 'refresh_token', refresh_token: login.refresh_token })).statusCode,
        500,
        'the replay fails half-way',
      )
      target[method] = original

      const again = await token({ grant_type: 'refresh_token', refresh_token: login.refresh_token })
      t.equal(again.statusCode, 400, 'presented again: refused')
      t.same(
        (await token({ grant_type: 'refresh_token', refresh_token: successor })).json(),
        { error: 'invalid_grant', error_description: 'the refresh token has been revoked' },
        'the login is over',
      )
      const introspection = await app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        headers: { ...FORM, authorization: service.auth },
        payload: form({ token: login.access_token }),
      })
      t.same(introspection.json(), { active: false }, "and so are the login's access tokens")
    },
  )
}

// The engine records a migration as started, runs its script, then records it as finished: a kill in between
// left a row that stopped every later start ("migrate found failed migrations"), and, the adapters running a
// script one statement at a time, half a schema.
const migrationCount = (provider: string) =>
  readdirSync(new URL(`../../prisma/${provider === 'sqlite' ? 'sqlite' : 'postgres'}/migrations/`, import.meta.url), {
    withFileTypes: true,
  }).filter((entry) => entry.isDirectory()).length

for (const provider of providers) {
  t.test(`a ${provider} server killed during its first migration starts on the next try`, async (t) => {
    // The kill must land between a migration's "started" and "finished" records. PostgreSQL: polled from outside,
    // each try a new database, until a kill lands there (a window of milliseconds). SQLite's migration blocks
    // readers, so the process itself stops there: a preloaded hook holds it inside a migration's transaction.
    const TRIES = 10
    let caught: { databaseUrl: string; env: Record<string, string> } | undefined
    for (let attempt = 1; attempt <= TRIES && !caught; attempt++) {
      const databaseUrl = await createDatabaseUrl(t, provider)
      const env = { DATABASE_URL: databaseUrl, KEYS_MASTER_KEY: randomBytes(32).toString('base64') }
      const unfinished = () =>
        rowsOf(databaseUrl, `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL`).catch(() => [])
      const first =
        provider === 'sqlite'
          ? spawnServer(t, env, { nodeArgs: ['--require', HOLD_IN_MIGRATION] })
          : spawnServer(t, env)
      const deadline = Date.now() + 20_000
      let seen = false
      const held = async () => {
        await sleep(10)
        return first.stderr().includes('holding inside a migration')
      }
      while (!seen && Date.now() < deadline && first.child.exitCode === null)
        seen = provider === 'sqlite' ? await held() : (await unfinished()).length > 0
      first.child.kill('SIGKILL')
      await first.exited
      const left = (await unfinished()).length
      t.comment(`try ${attempt}: the kill left ${left} migration(s) unfinished`)
      if (provider === 'sqlite' && seen) {
        // A new SQLite file gets every migration in one transaction (store/migrations/sqlite-empty-database.ts):
        // killed inside it, the file keeps nothing, not even a started record.
        t.equal(left, 0, 'the kill inside the first migration left no migration recorded')
        caught = { databaseUrl, env }
      } else if (left > 0) caught = { databaseUrl, env }
    }
    if (!caught) {
      t.fail(`no kill in ${TRIES} tries landed inside a migration`)
      return
    }
    const { databaseUrl, env } = caught

    const second = await startServer(t, env)
    t.ok(second.url, 'the next start listens')
    const applied = await rowsOf<{ n: number | string }>(
      databaseUrl,
      `SELECT COUNT(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL GROUP BY migration_name`,
    )
    t.same(
      applied.map((row) => Number(row.n)),
      Array<number>(migrationCount(provider)).fill(1),
      'every migration applied once',
    )
    t.same(await consistencyProblems(databaseUrl), [])
  })

  t.test(`a ${provider} migration applied but not recorded as finished is recorded, not applied again`, async (t) => {
    const databaseUrl = await createDatabaseUrl(t, provider)
    await (await openDatabase(databaseUrl, { migrate: true })).close()
    // What a kill between the script's commit and the engine's bookkeeping leaves, for the latest migration that
    // changes the schema: the trial tells it applied by its objects. (A data-only migration has none, so it is
    // applied again: those are written to change nothing the second time, as consent-tenant-migration.test.ts
    // checks of its own.)
    const schemaChanges = readdirSync(
      new URL(`../../prisma/${provider === 'sqlite' ? 'sqlite' : 'postgres'}/migrations/`, import.meta.url),
      {
        withFileTypes: true,
      },
    )
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .filter((name) =>
        /\b(CREATE|ALTER|DROP)\b/i.test(
          readFileSync(
            new URL(
              `../../prisma/${provider === 'sqlite' ? 'sqlite' : 'postgres'}/migrations/${name}/migration.sql`,
              import.meta.url,
            ),
            'utf8',
          ).replace(/--.*$/gm, ''),
        ),
      )
      .sort()
    const last = { migration_name: schemaChanges.at(-1)! }
    await rowsOf(
      databaseUrl,
      `UPDATE _prisma_migrations SET finished_at = NULL, applied_steps_count = 0 WHERE migration_name = '${last!.migration_name}' RETURNING id`,
    )
    const db = await openDatabase(databaseUrl, { migrate: true })
    await db.close()
    t.same(db.migrationsApplied, [], 'nothing applied twice')
    const after = await rowsOf<{ finished: unknown; current: unknown }>(
      databaseUrl,
      `SELECT finished_at IS NOT NULL AS finished, rolled_back_at IS NULL AS current FROM _prisma_migrations WHERE migration_name = '${last!.migration_name}'`,
    )
    t.same(
      after.map((row) => [Boolean(row.finished), Boolean(row.current)]),
      [[true, true]],
      'recorded as finished',
    )
  })
}
