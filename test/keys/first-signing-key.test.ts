// The first start on a new database: the server generates the first signing keys while it loads (src/server.ts,
// generateFirstSigningKeys: the RSA ones one after another), and the key manager uses those keys instead of
// generating others (src/keys/key-manager.ts).
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { createKeyring } from '../../src/keys/keyring.ts'
import { generateFirstSigningKeys, generateSigningKey, type GeneratedKey } from '../../src/keys/key-material.ts'
import type { SigningAlgorithm } from '../../src/config.ts'
import { isNewDatabase } from '../../src/store/database-url.ts'
import { createDatabaseUrl, createTestStore, providers, tempDir, testConfig } from '../support/helper.ts'

for (const provider of providers) {
  t.test(`the key generated beforehand becomes the first signing key (${provider})`, async (t) => {
    const { store, databaseUrl } = await createTestStore(t, provider)
    const config = testConfig({ DATABASE_URL: databaseUrl, KEYS_DIR: tempDir(t) })
    const pregenerated = generateSigningKey(config.signingAlgorithms[0]!, config.signingKeySize)
    const keyring = await createKeyring({ config, store, masterKey: randomBytes(32), pregenerated, autoRefresh: false })
    t.teardown(() => keyring.close())
    const keys = await keyring.manager.list()
    t.equal(keys.length, 1, 'one key')
    t.equal(keys[0]!.kid, (await pregenerated).kid, 'the one generated beforehand')
    t.equal(keyring.signingKey().kid, keys[0]!.kid, 'and it signs')

    const rotated = await keyring.manager.rotate({ immediate: true })
    t.not(rotated.key.kid, keys[0]!.kid, 'a later rotation generates a key of its own')
  })
}

t.test('with several algorithms, each gets the key generated beforehand for it', async (t) => {
  const { store, databaseUrl } = await createTestStore(t)
  const config = testConfig({
    DATABASE_URL: databaseUrl,
    KEYS_DIR: tempDir(t),
    SIGNING_ALGORITHMS: 'RS256,ES256,EdDSA',
  })
  // Listed in another order than SIGNING_ALGORITHMS, one of them failed: that one is generated anew.
  const pregenerated = [
    generateSigningKey('EdDSA', config.signingKeySize),
    Promise.reject(new Error('no entropy')),
    generateSigningKey('RS256', config.signingKeySize),
  ]
  const keyring = await createKeyring({ config, store, masterKey: randomBytes(32), pregenerated, autoRefresh: false })
  t.teardown(() => keyring.close())
  const keys = await keyring.manager.list()
  t.same(keys.map((key) => key.alg).sort(), ['ES256', 'EdDSA', 'RS256'], 'one key per algorithm')
  t.equal(keyring.signingKey('RS256').kid, (await pregenerated[2]!).kid, 'RS256: the one generated beforehand')
  t.equal(keyring.signingKey('EdDSA').kid, (await pregenerated[0]!).kid, 'EdDSA: the one generated beforehand')
  t.ok(keyring.signingKey('ES256').kid, 'ES256: generated when needed')
  const rotated = await keyring.manager.rotate({ immediate: true, alg: 'EdDSA' })
  t.not(rotated.key.kid, (await pregenerated[0]!).kid, 'a key generated beforehand is used once')
})

t.test('a key generation that failed beforehand is done again', async (t) => {
  const { store, databaseUrl } = await createTestStore(t)
  const config = testConfig({ DATABASE_URL: databaseUrl, KEYS_DIR: tempDir(t) })
  const keyring = await createKeyring({
    config,
    store,
    masterKey: randomBytes(32),
    pregenerated: Promise.reject(new Error('no entropy')),
    autoRefresh: false,
  })
  t.teardown(() => keyring.close())
  const keys = await keyring.manager.list()
  t.equal(keys.length, 1, 'the first key exists anyway')
  t.equal(keys[0]!.state, 'active')
})

t.test('a database is new when its SQLite file does not exist yet', async (t) => {
  const url = await createDatabaseUrl(t)
  t.equal(isNewDatabase(url), true, 'before the first start')
  const { databaseUrl } = await createTestStore(t)
  t.equal(isNewDatabase(databaseUrl), false, 'once opened')
  t.equal(
    isNewDatabase('postgresql://postgres@127.0.0.1:5432/test'),
    false,
    'PostgreSQL: never assumed new (the key is generated when needed)',
  )
})

t.test('the first keys: the RSA ones one after another, the others at once, a failure holding up none', async (t) => {
  const started: string[] = []
  const pending = new Map<SigningAlgorithm, { resolve(key: GeneratedKey): void; reject(err: Error): void }>()
  const generate = (alg: SigningAlgorithm, modulusLength: number) => {
    started.push(`${alg}/${modulusLength}`)
    return new Promise<GeneratedKey>((resolve, reject) => pending.set(alg, { resolve, reject }))
  }
  const key = (alg: SigningAlgorithm) => ({ kid: alg, alg }) as GeneratedKey
  const turn = () => new Promise((resolve) => setImmediate(resolve))
  const keys = generateFirstSigningKeys(['RS256', 'ES256', 'PS256', 'EdDSA'], 3072, generate)
  t.equal(keys.length, 4, 'one per algorithm, in their order')
  await turn()
  t.same(started, ['RS256/3072', 'ES256/3072', 'EdDSA/3072'], 'PS256 waits for RS256; the others do not')
  pending.get('RS256')!.reject(new Error('no entropy'))
  await turn()
  t.same(started.at(-1), 'PS256/3072', 'PS256 starts once RS256 is done, even when it failed')
  pending.get('PS256')!.resolve(key('PS256'))
  pending.get('ES256')!.resolve(key('ES256'))
  pending.get('EdDSA')!.resolve(key('EdDSA'))
  await t.rejects(keys[0]!, /no entropy/, "RS256's failure is its own")
  t.same(await Promise.all(keys.slice(1)), [key('ES256'), key('PS256'), key('EdDSA')])
})
