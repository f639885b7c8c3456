// The master key and private keys at rest (issue 4): keys/master.key generated with mode 0600 on the first
// start, a missing or wrong key stops the start without making new keys, and the database never holds a
// private key in the clear.
import { createPrivateKey, randomBytes } from 'node:crypto'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { decryptPrivateKey } from '../../src/keys/encryption.ts'
import { createKeyManager } from '../../src/keys/key-manager.ts'
import { createKeyring } from '../../src/keys/keyring.ts'
import { loadMasterKey, MasterKeyError } from '../../src/keys/master-key.ts'
import { createStore, openDatabase } from '../../src/store/index.ts'
import { build, createTestStore, providers, tempDir, testConfig } from '../support/helper.ts'
import { startServer, type Exited, type RunningServer } from '../support/signing-keys-fixtures.ts'

const isRunning = (server: RunningServer | Exited): server is RunningServer => 'url' in server

async function keyCount(databaseUrl: string): Promise<number> {
  const store = createStore(await openDatabase(databaseUrl))
  try {
    return await store.signingKeys.count()
  } finally {
    await store.close()
  }
}

t.test('the server with the embedded default master key', async (t) => {
  const cwd = tempDir(t)
  const env = { DATABASE_URL: 'file:./data/portcullis.db' }
  const databaseUrl = `file:${join(cwd, 'data/portcullis.db')}`
  const keyFile = join(cwd, 'keys', 'master.key')
  let kid = ''

  t.test('the first start generates keys/master.key with mode 0600 and makes the first key active', async (t) => {
    const server = await startServer(t, { cwd, env })
    if (!isRunning(server)) {
      t.fail(`the server did not start: ${server.stderr}`)
      return
    }
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }
    t.equal(jwks.keys.length, 1)
    kid = jwks.keys[0]!.kid
    t.equal(statSync(keyFile).mode & 0o777, 0o600)
    t.equal(statSync(join(cwd, 'keys')).mode & 0o777, 0o700)
    t.equal(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').length, 32)
    const { code, stdout } = await server.stop()
    t.equal(code, 0, 'SIGTERM closes the server, its keyring timer included')
    t.match(stdout, '"msg":"generated the master key: back it up together with the database"')
    t.match(stdout, `"kid":"${kid}"`)
    t.notMatch(stdout, /PRIVATE KEY|"d":"/, 'no private member in the logs')
  })

  t.test('the next start reuses the master key and the key', async (t) => {
    const before = readFileSync(keyFile, 'utf8')
    const server = await startServer(t, { cwd, env })
    if (!isRunning(server)) {
      t.fail(`the server did not start: ${server.stderr}`)
      return
    }
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }
    t.same(
      jwks.keys.map((key) => key.kid),
      [kid],
    )
    t.equal(readFileSync(keyFile, 'utf8'), before)
    t.equal((await server.stop()).code, 0)
  })

  t.test('a missing master key for existing keys stops the start with one line, and makes nothing', async (t) => {
    const backup = join(cwd, 'master.key.backup')
    copyFileSync(keyFile, backup)
    rmSync(keyFile)
    const exited = (await startServer(t, { cwd, env })) as Exited
    t.equal(exited.code, 1)
    t.equal(
      exited.stderr,
      `portcullis: cannot start: KEYS_MASTER_KEY is not set and ${keyFile} does not exist, but the database holds 1 signing key(s) sealed under a master key: restore it from your backup (no new keys were made)\n`,
    )
    t.notOk(existsSync(keyFile), 'no new master key was written')
    t.equal(await keyCount(databaseUrl), 1, 'no new signing key was made')
    copyFileSync(backup, keyFile)
    chmodSync(keyFile, 0o600)
  })

  t.test('a wrong master key stops the start with one line, and makes nothing', async (t) => {
    const exited = (await startServer(t, {
      cwd,
      env: { ...env, KEYS_MASTER_KEY: randomBytes(32).toString('base64') },
    })) as Exited
    t.equal(exited.code, 1)
    t.equal(
      exited.stderr,
      `portcullis: cannot start: the master key (KEYS_MASTER_KEY) does not decrypt signing key ${kid}: it is not the key these signing keys were sealed with; restore the right one (no new keys were made)\n`,
    )
    t.equal(await keyCount(databaseUrl), 1)

    const original = readFileSync(keyFile)
    writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`)
    const fromFile = (await startServer(t, { cwd, env })) as Exited
    t.equal(fromFile.code, 1)
    t.equal(
      fromFile.stderr,
      `portcullis: cannot start: the master key (${keyFile}) does not decrypt signing key ${kid}: it is not the key these signing keys were sealed with; restore the right one (no new keys were made)\n`,
    )
    writeFileSync(keyFile, original)
    t.equal(await keyCount(databaseUrl), 1)
  })
})

t.test('loadMasterKey', async (t) => {
  const emptyStore = { signingKeys: { count: async () => 0 } }

  t.test('KEYS_MASTER_KEY wins and no file is written', async (t) => {
    const keysDir = tempDir(t)
    const config = testConfig({ KEYS_DIR: keysDir, KEYS_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') })
    const master = await loadMasterKey(config, emptyStore)
    t.same(master, { key: Buffer.alloc(32, 1), source: 'KEYS_MASTER_KEY', created: false })
    t.notOk(existsSync(join(keysDir, 'master.key')))
  })

  t.test('starts racing on an empty folder write one master key, whole, and leave nothing else', async (t) => {
    const config = testConfig({ KEYS_DIR: tempDir(t) })
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadMasterKey(config, emptyStore)))
    t.equal(loaded.filter((master) => master.created).length, 1, 'one of them created it')
    t.ok(
      loaded.every((master) => master.key.equals(loaded[0]!.key)),
      'all use the same key',
    )
    t.same(readdirSync(config.keysDir), ['master.key'], 'no temporary file is left')
    t.equal(statSync(join(config.keysDir, 'master.key')).mode & 0o777, 0o600)
  })

  t.test('a master.key that others can read is refused', async (t) => {
    const config = testConfig({ KEYS_DIR: tempDir(t) })
    const path = join(config.keysDir, 'master.key')
    t.equal((await loadMasterKey(config, emptyStore)).created, true)
    chmodSync(path, 0o644)
    await t.rejects(
      loadMasterKey(config, emptyStore),
      new MasterKeyError(`${path} is readable by other users (mode 0644): run chmod 600 ${path}`),
    )
  })

  t.test('a master.key that is not 32 bytes of base64 is refused', async (t) => {
    const config = testConfig({ KEYS_DIR: tempDir(t) })
    const path = join(config.keysDir, 'master.key')
    for (const content of ['not base64 at all!\n', `${randomBytes(16).toString('base64')}\n`, '']) {
      writeFileSync(path, content, { mode: 0o600 })
      await t.rejects(
        loadMasterKey(config, emptyStore),
        new MasterKeyError(`${path} does not hold a 32-byte base64 master key`),
        JSON.stringify(content),
      )
    }
  })
})

for (const provider of providers) {
  t.test(`private keys at rest on ${provider}`, async (t) => {
    t.test('the database holds no plaintext private key', async (t) => {
      const { db, keyring, masterKey, databaseUrl } = await build(t, { provider })
      await keyring.manager.rotate()
      const rows = await db.prisma.signingKey.findMany()
      t.equal(rows.length, 2)
      const dump = JSON.stringify(rows)
      const files =
        provider === 'sqlite'
          ? ['', '-wal']
              .map((suffix) => `${databaseUrl.slice('file:'.length)}${suffix}`)
              .filter(existsSync)
              .map((path) => readFileSync(path))
          : []
      for (const row of rows) {
        const pkcs8 = decryptPrivateKey(masterKey, row.kid, row.privateKeyEncrypted)
        t.ok(pkcs8.length > 1000, `the sealed key of ${row.kid} opens to its PKCS #8 (the control)`)
        const jwk = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' })
        const secrets = [jwk.d!, jwk.p!, jwk.q!, jwk.dp!, jwk.dq!, jwk.qi!]
        for (const secret of secrets) {
          const bytes = Buffer.from(secret, 'base64url')
          for (const text of [secret, bytes.toString('base64'), bytes.toString('hex')])
            t.notOk(dump.includes(text.slice(8, 72)), 'no private member in the row, in any encoding')
          for (const file of files)
            t.equal(file.indexOf(bytes.subarray(8, 72)), -1, 'nor anywhere in the database files')
        }
        t.notOk(/PRIVATE KEY/.test(dump))
        // 201 is a multiple of 3, so the slice's base64 is also a substring of the whole key's base64.
        const slice = pkcs8.subarray(201, 264)
        for (const text of [slice.toString('base64'), slice.toString('base64url'), slice.toString('hex')])
          t.notOk(dump.includes(text), 'no PKCS #8 in the row, in any encoding')
        for (const file of files) t.equal(file.indexOf(slice), -1)
        t.match(row.privateKeyEncrypted, /^[\w-]{16}\.[\w-]{22}\.[\w-]+$/, 'stored as iv.tag.ciphertext')
      }
    })

    t.test('a sealed key moved onto another row, or altered, does not open: the start fails', async (t) => {
      const { db, store, keyring, masterKey, config } = await build(t, { provider })
      await keyring.manager.rotate()
      const [a, b] = await db.prisma.signingKey.findMany({ orderBy: { generation: 'asc' } })
      await db.prisma.signingKey.update({
        where: { kid: a!.kid },
        data: { privateKeyEncrypted: b!.privateKeyEncrypted },
      })
      await t.rejects(createKeyring({ config, store, masterKey, autoRefresh: false }), {
        name: 'MasterKeyError',
        message: new RegExp(`does not decrypt signing key ${a!.kid}:`),
      })

      const [iv, tag, data] = a!.privateKeyEncrypted.split('.')
      const flipped = Buffer.from(data!, 'base64url')
      flipped[10]! ^= 1
      await db.prisma.signingKey.update({
        where: { kid: a!.kid },
        data: { privateKeyEncrypted: [iv, tag, flipped.toString('base64url')].join('.') },
      })
      await t.rejects(createKeyring({ config, store, masterKey, autoRefresh: false }), { name: 'MasterKeyError' })
      t.equal(await store.signingKeys.count(), 2, 'and no key was made')
    })

    t.test('rotating with another master key is refused and makes no key', async (t) => {
      const { store, config } = await createTestStore(t, provider).then(async ({ store, databaseUrl }) => ({
        store,
        config: testConfig({ DATABASE_URL: databaseUrl }),
      }))
      const keyring = await createKeyring({ config, store, masterKey: Buffer.alloc(32, 1), autoRefresh: false })
      t.teardown(() => keyring.close())
      const other = createKeyManager({
        config,
        store,
        masterKey: { key: Buffer.alloc(32, 2), source: 'KEYS_MASTER_KEY' },
      })
      const attempts: Array<() => Promise<unknown>> = [
        () => other.rotate(),
        () => other.rotate({ immediate: true }),
        () => other.revoke(keyring.signingKey().kid),
      ]
      for (const attempt of attempts) {
        await t.rejects(attempt(), {
          name: 'MasterKeyError',
          message: `the master key (KEYS_MASTER_KEY) does not decrypt signing key ${keyring.signingKey().kid}: it is not the key these signing keys were sealed with; restore the right one (no new keys were made)`,
        })
      }
      t.equal(await store.signingKeys.count(), 1)
    })
  })
}
