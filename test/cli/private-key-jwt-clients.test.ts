// Registering private_key_jwt clients through the CLI (clients create --auth-method private_key_jwt, clients
// set-keys): public keys from a JWK Set, a JWK or a PEM file, never a private key, one of --jwks-file and
// --jwks-uri; file names relative to the command's working directory. Through the CLI's entry function in this
// process (test/support/run-cli.ts; commands.test.ts runs `clients create` in a child process too). Through the
// admin API: test/admin/private-key-jwt-clients.test.ts.
import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { build, tempDir } from '../support/helper.ts'
import { clientKey, jwksOf, signAssertion, withAssertion } from '../support/private-key-jwt-fixtures.ts'
import { runCli } from '../support/run-cli.ts'
import { tokenRequest } from '../support/token-fixtures.ts'

const CC = { grant_type: 'client_credentials', scope: 'read' }

t.test('the CLI: clients create --auth-method private_key_jwt and clients set-keys', async (t) => {
  const ctx = await build(t)
  const dir = tempDir(t)
  const cli = (args: string[]) =>
    runCli(args, { cwd: dir, env: { DATABASE_URL: ctx.databaseUrl, ISSUER: ctx.config.issuer } })
  const first = await clientKey('RS256', 'first')
  const second = await clientKey('EdDSA', 'second')
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwksOf(first)))
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  writeFileSync(join(dir, 'public.pem'), pem.publicKey.export({ type: 'spki', format: 'pem' }))
  writeFileSync(join(dir, 'private.pem'), pem.privateKey.export({ type: 'pkcs8', format: 'pem' }))
  writeFileSync(join(dir, 'second.jwk'), JSON.stringify(second.jwk))
  const base = ['clients', 'create', '--name', 'Signer', '--grant-types', 'client_credentials', '--scopes', 'read']

  const created = await cli([...base, '--auth-method', 'private_key_jwt', '--jwks-file', 'jwks.json', '--json'])
  t.equal(created.code, 0, created.stderr)
  const { client_id: clientId, ...rest } = JSON.parse(created.stdout)
  t.same(rest, {}, 'no secret is printed')
  const use = async (key: typeof first) =>
    (await tokenRequest(ctx.app, { ...CC, ...withAssertion(await signAssertion(key, clientId)) })).statusCode
  t.equal(await use(first), 200)
  t.equal(await use(second), 401)

  const rotated = await cli(['clients', 'set-keys', clientId, '--jwks-file', 'second.jwk'])
  t.equal(rotated.code, 0, rotated.stderr)
  t.equal(rotated.stdout, `client ${clientId}: keys replaced (1 key(s) from second.jwk)\n`)
  // The app learns of the change through the change feed (or CLIENT_CACHE_TTL at the latest).
  let accepted = false
  for (const deadline = Date.now() + 10_000; !accepted && Date.now() < deadline; ) {
    accepted = (await use(second)) === 200
    if (!accepted) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.ok(accepted, 'the new key, once the CLI has replaced the set')

  const fromPem = await cli([...base, '--auth-method', 'private_key_jwt', '--jwks-file', 'public.pem', '--json'])
  t.equal(fromPem.code, 0, fromPem.stderr)
  const leaked = await cli([...base, '--auth-method', 'private_key_jwt', '--jwks-file', 'private.pem'])
  t.same(leaked, {
    code: 1,
    stdout: '',
    stderr: 'portcullis: --jwks-file: this is a private key; give the public key only (it never leaves the client)\n',
  })
  const both = await cli([
    ...base,
    '--auth-method',
    'private_key_jwt',
    '--jwks-file',
    'jwks.json',
    '--jwks-uri',
    'https://k.example/',
  ])
  t.equal(both.stderr, 'portcullis: give --jwks-file or --jwks-uri, not both\n')
  const uri = await cli([
    ...base,
    '--auth-method',
    'private_key_jwt',
    '--jwks-uri',
    'https://keys.example/jwks.json',
    '--json',
  ])
  t.equal(uri.code, 0, uri.stderr)
  const bad = await cli([...base, '--auth-method', 'client_secret_jwt'])
  t.equal(
    bad.stderr,
    'portcullis: --auth-method must be one of client_secret_basic, client_secret_post, private_key_jwt, none\n',
  )
})
