// The SQLite database holds password hashes: its folder is made 0700 and its files 0600, under the usual umask
// 022 that would otherwise leave them world-readable; files found looser are tightened at open, with a warning.
import t from 'tap'
import { chmodSync, closeSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hashPassword } from '../../src/security/passwords.ts'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { tempDir } from '../support/helper.ts'
import { spawnServer } from '../support/spawn-server.ts'

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0')

t.before(() => {
  const previous = process.umask(0o022)
  t.teardown(() => process.umask(previous))
})

t.test('under umask 022 a new database gets a 0700 folder and 0600 files, its -wal and -shm included', async (t) => {
  const root = tempDir(t)
  const file = join(root, 'data', 'nested', 'portcullis.db')
  const db = await openDatabase(`file:${file}`, { migrate: true })
  const store = createStore(db)
  t.teardown(() => store.close())
  // A write through each connection, so that SQLite has made its write-ahead log and shared-memory index.
  await store.users.create({
    username: 'ada',
    passwordHash: await hashPassword('a long enough password', 4),
    scopes: [],
  })
  db.sqlite!().prepare('SELECT count(*) FROM "User"').get()
  t.same(db.tightenedFiles, [], 'nothing to tighten: made so')
  t.equal(mode(join(root, 'data')), '0700')
  t.equal(mode(join(root, 'data', 'nested')), '0700')
  t.equal(mode(file), '0600')
  t.equal(mode(`${file}-wal`), '0600', 'SQLite gives the log the main file’s mode')
  t.equal(mode(`${file}-shm`), '0600', 'and the shared-memory index')
  const loose = join(root, 'loose.txt')
  writeFileSync(loose, '')
  t.equal(mode(loose), '0644', 'the umask would have made it world-readable')
})

t.test(
  'existing database files open to others are tightened to 0600 at open and reported; an existing folder is left alone',
  async (t) => {
    const root = tempDir(t)
    const folder = join(root, 'shared')
    mkdirSync(folder, { mode: 0o755 })
    const file = join(folder, 'portcullis.db')
    const first = await openDatabase(`file:${file}`, { migrate: true })
    await first.close()
    closeSync(openSync(`${file}-wal`, 'a'))
    chmodSync(file, 0o644)
    chmodSync(`${file}-wal`, 0o664)
    const db = await openDatabase(`file:${file}`, { migrate: true })
    t.teardown(() => db.close())
    t.same(db.tightenedFiles, [
      { path: file, previousMode: '0644' },
      { path: `${file}-wal`, previousMode: '0664' },
    ])
    t.equal(mode(file), '0600')
    t.equal(mode(`${file}-wal`), '0600')
    t.equal(mode(folder), '0755', 'an existing folder may be shared: not changed')
  },
)

t.test('the server warns when it tightened the database file', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'portcullis.db')
  closeSync(openSync(file, 'a', 0o644))
  chmodSync(file, 0o644)
  const server = spawnServer(t, { DATABASE_URL: `file:${file}` })
  const line = JSON.parse(await server.waitForLine(/open to other users/))
  t.match(line, {
    level: 40,
    path: file,
    previousMode: '0644',
    msg: 'the database file was open to other users: made it 0600 (it holds password hashes; check who could read it)',
  })
  t.equal(mode(file), '0600')
})
