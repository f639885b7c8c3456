// node-postgres and Prisma's adapter for it are loaded with the first PostgreSQL database opened (pg-driver.ts):
// a server on SQLite never loads them, which its cold start would pay for. Checked in a fresh process, since this
// one has loaded them already (the test helper creates PostgreSQL databases).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { createDatabaseUrl, tempDir } from '../support/helper.ts'

const ROOT = join(import.meta.dirname, '../..')

/** The node-postgres modules loaded after importing the app and opening `url`, in a process of their own. */
function pgModulesAfterOpening(url: string): number {
  const script = `
    import { createRequire } from 'node:module'
    await import('./src/app.ts')
    const { openDatabase, createStore } = await import('./src/store/index.ts')
    const db = await openDatabase(${JSON.stringify(url)}, { migrate: true })
    await createStore(db).ping()
    await db.close()
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    console.log(loaded.filter((path) => /node_modules\\/(pg|pg-pool|pg-protocol|@prisma\\/adapter-pg)\\//.test(path)).length)`
  const run = spawnSync(process.execPath, ['--import=tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  })
  if (run.status !== 0) throw new Error(run.stderr)
  return Number(run.stdout.trim().split('\n').at(-1))
}

t.test('a server on SQLite never loads node-postgres', async (t) => {
  t.equal(pgModulesAfterOpening(`file:${join(tempDir(t), 'p.db')}`), 0)
})

t.test(
  'a server on PostgreSQL loads it when it opens the database',
  { skip: !process.env.TEST_DATABASE_URL },
  async (t) => {
    t.ok(pgModulesAfterOpening(await createDatabaseUrl(t, 'postgresql')) > 0)
  },
)
