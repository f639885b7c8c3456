// DATABASE_POOL_SIZE bounds the PostgreSQL connections one instance opens, however many requests wait.
import t from 'tap'
import pg from 'pg'
import { loadConfig } from '../../src/config.ts'
import { openDatabase } from '../../src/store/index.ts'
import { createDatabaseUrl } from '../support/helper.ts'

t.test(
  'no more connections than the pool size, however many queries wait (postgresql)',
  { skip: !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL is not set' },
  async (t) => {
    const url = await createDatabaseUrl(t, 'postgresql')
    // DATABASE_POOL_SIZE from an environment, through the config, as server.ts and the CLI open the database.
    const config = loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '2' }, { envFile: false })
    t.equal(loadConfig({ DATABASE_URL: url }, { envFile: false }).databasePoolSize, 10, 'the default is 10')
    const db = await openDatabase(config.databaseUrl, { migrate: true, poolSize: config.databasePoolSize })
    t.teardown(() => db.close())
    const name = new URL(url).pathname.slice(1)
    const observer = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
    await observer.connect()
    t.teardown(() => observer.end())
    const connections = async () =>
      Number((await observer.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0].n)

    // Ten slow queries at once: the pool opens connections for them up to its size and queues the rest; it keeps
    // the connections it opened (idle) afterwards, where pg_stat_activity counts them.
    const started = performance.now()
    await Promise.all(Array.from({ length: 10 }, () => db.prisma.$queryRaw`SELECT 1 AS one FROM pg_sleep(0.2)`))
    const elapsed = performance.now() - started
    const open = await connections()
    t.equal(open, 2, `two connections were opened, no more (saw ${open})`)
    t.ok(elapsed >= 900, `the queries waited their turn: five rounds of 0.2 s (took ${Math.round(elapsed)} ms)`)
  },
)

t.test(
  'statement_timeout is DATABASE_TIMEOUT on every connection from its start (postgresql)',
  { skip: !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL is not set' },
  async (t) => {
    const url = await createDatabaseUrl(t, 'postgresql')
    const config = loadConfig({ DATABASE_URL: url, DATABASE_TIMEOUT: '3', DATABASE_POOL_SIZE: '2' }, { envFile: false })
    const db = await openDatabase(config.databaseUrl, {
      migrate: true,
      timeoutMs: config.databaseTimeout * 1000,
      poolSize: config.databasePoolSize,
    })
    t.teardown(() => db.close())
    // Two connections at once (each query holds one), both set before their first statement.
    const settings = await Promise.all(
      [0, 1].map(
        () =>
          db.prisma.$queryRaw<
            { statement_timeout: string }[]
          >`SELECT current_setting('statement_timeout') AS statement_timeout FROM pg_sleep(0.1)`,
      ),
    )
    t.same(
      settings.map((rows) => rows[0]!.statement_timeout),
      ['3s', '3s'],
    )
  },
)
