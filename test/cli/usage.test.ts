// `portcullis access-keys usage` and `portcullis clients usage` end to end (the CLI's entry function in this
// process, the first table in a child process: test/support/run-cli.ts says what each way shows), reading counts
// written through the store (the counting itself: test/ops/usage.test.ts).
import t from 'tap'
import { sha256 } from '../../src/security/secrets.ts'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { createDatabaseUrl, providers, tempDir } from '../support/helper.ts'
import { failure, runCli, spawnCli } from '../support/run-cli.ts'

const HOUR = 3_600_000

for (const provider of providers) {
  t.test(`usage commands on ${provider}`, async (t) => {
    const url = await createDatabaseUrl(t, provider)
    const cwd = tempDir(t)
    const cli = (args: string[]) => runCli(args, { cwd, env: { DATABASE_URL: url } })
    const spawned = (args: string[]) => spawnCli(args, { cwd, env: { DATABASE_URL: url } })
    const store = createStore(await openDatabase(url, { migrate: true }))
    t.teardown(() => store.close())
    await store.clients.create({
      clientId: 'machine',
      name: 'Machine',
      secretHash: sha256('machine-secret-with-plenty-of-entropy-0123456789'),
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
    const key = await store.accessKeys.create({
      id: '000000000keyusage',
      prefix: 'pcl',
      secretHash: sha256('x'),
      name: 'ci',
      scopes: ['read'],
    })
    const thisHour = new Date(Date.now() - (Date.now() % HOUR))
    const hoursAgo = (n: number) => new Date(thisHour.getTime() - n * HOUR)
    const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z')
    await store.usage.add([
      { subjectType: 'client', subjectId: 'machine', hour: hoursAgo(2), kind: 'token.client_credentials', count: 5 },
      { subjectType: 'client', subjectId: 'machine', hour: thisHour, kind: 'token.client_credentials', count: 12 },
      { subjectType: 'client', subjectId: 'machine', hour: thisHour, kind: 'refused', count: 2 },
      { subjectType: 'client', subjectId: 'machine', hour: hoursAgo(72), kind: 'throttled', count: 1 },
      { subjectType: 'access_key', subjectId: key.id, hour: thisHour, kind: 'api', count: 3 },
    ])

    t.test('a table of the last 24 hours: one row per hour counted, one column per kind, the totals', async (t) => {
      const result = await spawned(['clients', 'usage', 'machine'])
      t.equal(result.code, 0, result.stderr)
      // The header names the period (the last 24 hours as of the run); the rows do not move with it.
      const [header, ...rows] = result.stdout.split('\n')
      t.match(header, /^client machine, \d{4}-\d\d-\d\dT\d\d:00:00Z to \d{4}-\d\d-\d\dT\d\d:00:00Z, by hour:$/)
      t.same(rows, [
        'START                 token.client_credentials  refused  TOTAL',
        `${iso(hoursAgo(2))}  5                         0        5`,
        `${iso(thisHour)}  12                        2        14`,
        'total                 17                        2        19',
        '',
      ])
    })

    t.test('--since and --granularity day; --json prints the admin API answer', async (t) => {
      const result = await cli(['clients', 'usage', 'machine', '--since', '7d', '--granularity', 'day', '--json'])
      t.equal(result.code, 0, result.stderr)
      const view = JSON.parse(result.stdout)
      t.equal(view.granularity, 'day')
      t.same(view.totals, { 'token.client_credentials': 17, refused: 2, throttled: 1 })
      const day = `${thisHour.toISOString().slice(0, 10)}T00:00:00.000Z`
      t.ok(
        view.buckets.some((bucket: { start: string }) => bucket.start === day),
        'a bucket per day',
      )
      const keyUsage = await cli(['access-keys', 'usage', key.id, '--json'])
      t.same(JSON.parse(keyUsage.stdout).totals, { api: 3 })
    })

    t.test('unknown ids and bad options are one line each', async (t) => {
      t.same(await cli(['access-keys', 'usage', 'nope']), failure('no access key with id "nope"'))
      t.same(await cli(['clients', 'usage', 'nope']), failure('no client with client_id "nope"'))
      t.same(
        await cli(['clients', 'usage', 'machine', '--since', '2y']),
        failure('--since must be a duration from 1s to 366d, e.g. 12h or 7d'),
      )
      t.same(
        await cli(['clients', 'usage', 'machine', '--granularity', 'week']),
        failure('--granularity must be hour or day'),
      )
    })
  })
}
