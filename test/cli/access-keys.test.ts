// `portcullis access-keys create|list|revoke` end to end: the CLI's entry function in this process, and the first
// create in a child process (the real entry point; test/support/run-cli.ts says what each way shows).
import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { createAccessKeyVerifier } from '../../src/security/access-keys.ts'
import { createStore, openDatabase, ANY_TENANT } from '../../src/store/index.ts'
import { createDatabaseUrl, providers, tempDir, testConfig } from '../support/helper.ts'
import { failure, runCli, spawnCli } from '../support/run-cli.ts'

for (const provider of providers) {
  t.test(`access-keys commands on ${provider}`, async (t) => {
    const url = await createDatabaseUrl(t, provider)
    const cwd = tempDir(t)
    const cli = (args: string[]) => runCli(args, { cwd, env: { DATABASE_URL: url } })
    const spawned = (args: string[]) => spawnCli(args, { cwd, env: { DATABASE_URL: url } })

    const store = createStore(await openDatabase(url, { migrate: true }))
    t.teardown(() => store.close())
    const ivy = await store.users.create({ username: 'ivy', passwordHash: 'x', scopes: ['read', 'write'] })
    const verifier = createAccessKeyVerifier({
      store,
      config: testConfig({ ACCESS_KEY_CACHE_TTL: '0' }),
      now: Date.now,
    })
    t.teardown(() => verifier.close())

    t.test('create --json prints the id and the key once; the key verifies', async (t) => {
      const result = await spawned([
        'access-keys',
        'create',
        '--name',
        'backup',
        '--scopes',
        'read write',
        '--user',
        'ivy',
        '--expires-in',
        '3600',
        '--json',
      ])
      t.equal(result.code, 0, result.stderr)
      const created = JSON.parse(result.stdout)
      t.match(created, {
        id: /^[0-9a-z]{9}[0-9A-Za-z]{7}$/,
        key: /^pcl_/,
        name: 'backup',
        user_id: ivy.id,
        scopes: ['read', 'write'],
        status: 'active',
      })
      t.equal(Date.parse(created.expires_at) - Date.parse(created.created_at), 3600_000)
      t.match(await verifier.verify(created.key), { ok: true, sub: ivy.id, scopes: ['read', 'write'] })
      const audit = await store.audit.list(ANY_TENANT, { limit: 10, type: 'access_key.created' })
      t.match(audit.items[0], { actor: 'cli', subject: created.id })

      const listed = await cli(['access-keys', 'list', '--json'])
      t.equal(listed.code, 0)
      t.notOk(listed.stdout.includes(created.key.split('_')[2]), 'the list never shows the secret')
      t.match(JSON.parse(listed.stdout), [{ id: created.id, name: 'backup', status: 'active' }])
      const text = await cli(['access-keys', 'list', '--user', 'ivy'])
      t.match(text.stdout, /^ID\s+NAME\s+KIND\s+OWNER\s+SCOPES\s+STATUS/)
      t.notOk(text.stdout.includes(created.key.split('_')[2]))

      const revoked = await cli(['access-keys', 'revoke', created.id])
      t.equal(revoked.code, 0, revoked.stderr)
      t.match(revoked.stdout, `access key ${created.id} ("backup") is revoked`)
      t.match(await verifier.verify(created.key), { ok: false, reason: 'revoked' })
    })

    if (provider === 'sqlite')
      t.test('a service key has no owner and prints human-readable output', async (t) => {
        const result = await cli(['access-keys', 'create', '--name', 'ci', '--scopes', 'deploy'])
        t.equal(result.code, 0, result.stderr)
        t.match(
          result.stdout,
          /access key "ci" created \(service key\)\n {2}id: {2}\S+\n {2}key: pcl_\S+\nThe key is shown only this once/,
        )
      })

    // Output and argument mistakes do not depend on the database: checked once, on SQLite (each run spawns a process).
    if (provider === 'sqlite')
      t.test('mistakes are one line and exit 1', async (t) => {
        t.same(await cli(['access-keys', 'create', '--scopes', 'read']), failure('--name is required'))
        t.same(
          await cli(['access-keys', 'create', '--name', 'x', '--scopes', 'read admin', '--user', 'ivy']),
          failure('--scopes: the user does not hold "admin"'),
        )
        t.same(
          await cli(['access-keys', 'create', '--name', 'x', '--scopes', 'read', '--user', 'nobody']),
          failure('no user with id or username "nobody"'),
        )
        t.same(
          await cli(['access-keys', 'create', '--name', 'x', '--scopes', 'read', '--expires-in', '0']),
          failure('--expires-in: must be a whole number of seconds from 1 to 315360000'),
        )
        t.same(await cli(['access-keys', 'revoke', 'nope']), failure('no access key with id "nope"'))
        const files = tempDir(t)
        const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        const privatePem = join(files, 'private.pem')
        writeFileSync(privatePem, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }))
        const shortRsa = join(files, 'short.jwk')
        writeFileSync(
          shortRsa,
          JSON.stringify(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })),
        )
        const keyPair = ['access-keys', 'create', '--name', 'x', '--scopes', 'read']
        t.same(
          await cli([...keyPair, '--public-key-file', privatePem]),
          failure(`${privatePem}: this is a private key: give the public key only (the private key stays with you)`),
        )
        t.same(
          await cli([...keyPair, '--public-key-file', shortRsa]),
          failure('--public-key-file: an RSA key must have at least 2048 bits'),
        )
        t.same(
          await cli([...keyPair, '--public-key-file', join(files, 'missing.pem')]),
          failure(`cannot read ${join(files, 'missing.pem')}: ENOENT`),
        )
        t.same(
          await cli([...keyPair, '--public-key-file', shortRsa, '--generate-key-pair']),
          failure('use --public-key-file or --generate-key-pair, not both'),
        )
        t.same(
          await cli([...keyPair, '--alg', 'ES256']),
          failure('--alg goes with --public-key-file or --generate-key-pair'),
        )
        t.same(
          await cli([...keyPair, '--generate-key-pair', '--alg', 'HS256']),
          failure('--alg must be one of ES256, RS256, PS256, EdDSA'),
        )
      })

    t.test(
      'a key-pair key from a PEM or JWK public key file, or generated: no secret, listed with its thumbprint',
      async (t) => {
        const files = tempDir(t)
        const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        const jwk = pair.publicKey.export({ format: 'jwk' })
        const thumbprint = await calculateJwkThumbprint(jwk as JWK, 'sha256')
        const pemFile = join(files, 'key.pem')
        writeFileSync(pemFile, pair.publicKey.export({ format: 'pem', type: 'spki' }))
        const jwkFile = join(files, 'key.jwk')
        writeFileSync(jwkFile, JSON.stringify({ keys: [jwk] }))
        for (const file of [pemFile, jwkFile]) {
          const result = await cli([
            'access-keys',
            'create',
            '--name',
            'signer',
            '--scopes',
            'read',
            '--user',
            'ivy',
            '--public-key-file',
            file,
            '--json',
          ])
          t.equal(result.code, 0, result.stderr)
          const created = JSON.parse(result.stdout)
          t.match(created, {
            kind: 'key_pair',
            public_key_thumbprint: thumbprint,
            public_key_alg: 'ES256',
            user_id: ivy.id,
          })
          t.notOk('key' in created || 'private_key_pem' in created, 'no secret, no private key')
          t.match(await verifier.resolveKeyPair(created.id), {
            ok: true,
            sub: ivy.id,
            publicKey: { x: jwk.x, alg: 'ES256' },
          })
        }
        const generated = await cli([
          'access-keys',
          'create',
          '--name',
          'gen',
          '--scopes',
          'deploy',
          '--generate-key-pair',
          '--alg',
          'EdDSA',
        ])
        t.equal(generated.code, 0, generated.stderr)
        t.match(generated.stdout, /kind: key pair \(EdDSA\), public key thumbprint \S{43}\n/)
        t.match(
          generated.stdout,
          /private key \(JWK\):\n\{"crv":"Ed25519",.*"d":"[^"]+".*\}\nprivate key \(PEM\):\n-----BEGIN PRIVATE KEY-----\n/,
        )
        t.match(generated.stdout, /The private key is shown only this once and is not stored/)
        const listed = await cli(['access-keys', 'list'])
        const signers = JSON.parse((await cli(['access-keys', 'list', '--json'])).stdout).filter(
          (key: { name: string }) => key.name === 'signer',
        )
        t.equal(signers.length, 2)
        for (const signer of signers) {
          const line = listed.stdout.split('\n').find((row) => row.startsWith(`${signer.id} `))
          t.match(line, `key pair ES256 ${thumbprint}`, 'the list shows the kind, alg and thumbprint')
        }
        t.notOk(listed.stdout.includes('PRIVATE'), 'the list shows no private key')
      },
    )
  })
}
