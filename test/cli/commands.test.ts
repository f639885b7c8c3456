// The `portcullis` CLI end to end, on a temporary database: the CLI's entry function in this process, and in a child
// process (the real entry point, src/cli/main.ts) for migrate, a client's creation, a user's password read from a
// real standard input, an unreachable database and the help (test/support/run-cli.ts says what each way shows).
import bcrypt from 'bcryptjs'
import t from 'tap'
import { sha256 } from '../../src/security/secrets.ts'
import { createStore, openDatabase, type Store, ANY_TENANT } from '../../src/store/index.ts'
import { createDatabaseUrl, providers, tempDir, type Test } from '../support/helper.ts'
import { failure, runCli, spawnCli, type CliResult } from '../support/run-cli.ts'

// About a dozen processes, each loading TypeScript through tsx: more than tap's default timeout on a loaded machine.
t.setTimeout(600_000)

const GRANTS =
  'password, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:token-exchange, authorization_code, urn:ietf:params:oauth:grant-type:jwt-bearer'

/**
 * Runs `portcullis ...args` with its own working directory and environment (no .env of the checkout): in this
 * process, or in a child process with `{ process: true }`.
 */
function createCli(t: Test, env: Record<string, string>) {
  const cwd = tempDir(t)
  return (args: string[], options: { stdin?: string; env?: Record<string, string>; process?: boolean } = {}) =>
    (options.process ? spawnCli : runCli)(args, {
      cwd,
      stdin: options.stdin ?? '',
      env: { ISSUER: 'https://auth.example.com', AUDIENCES: 'https://api.example.com', ...env, ...options.env },
    })
}

async function openStore(t: Test, url: string): Promise<Store> {
  const store = createStore(await openDatabase(url))
  t.teardown(() => store.close())
  return store
}

for (const provider of providers) {
  t.test(`on ${provider}`, async (t) => {
    const url = await createDatabaseUrl(t, provider)
    const cli = createCli(t, { DATABASE_URL: url })

    t.test('migrate applies every migration to an empty database, then nothing', async (t) => {
      const first = await cli(['migrate', '--json'], { process: true })
      t.equal(first.code, 0, first.stderr)
      const result = JSON.parse(first.stdout) as { provider: string; applied: string[] }
      t.equal(result.provider, provider)
      t.ok(result.applied.length >= 1 && result.applied.every((name) => /^\d{14}_\w+$/.test(name)))
      t.same(await cli(['migrate'], { process: true }), {
        code: 0,
        stdout: `the ${provider} database is up to date\n`,
        stderr: '',
      })
    })

    t.test('clients: create takes the browser sign-in fields and --dpop-bound-access-tokens', async (t) => {
      const created = await cli([
        'clients',
        'create',
        '--name',
        'SPA',
        '--grant-types',
        'authorization_code',
        '--public',
        '--scopes',
        'read',
        '--redirect-uris',
        'https://spa.example/cb http://127.0.0.1/cb',
        '--post-logout-redirect-uris',
        'https://spa.example/',
        '--first-party',
        '--allowed-origins',
        'https://spa.example',
        '--dpop-bound-access-tokens',
        '--json',
      ])
      t.equal(created.code, 0, created.stderr)
      const store = await openStore(t, url)
      t.match(await store.clients.findById(ANY_TENANT, JSON.parse(created.stdout).client_id), {
        redirectUris: ['https://spa.example/cb', 'http://127.0.0.1/cb'],
        postLogoutRedirectUris: ['https://spa.example/'],
        firstParty: true,
        allowedOrigins: ['https://spa.example'],
        dpopBoundAccessTokens: true,
      })
      const refused = await cli([
        'clients',
        'create',
        '--name',
        'x',
        '--grant-types',
        'authorization_code',
        '--redirect-uris',
        'http://app.example/cb',
      ])
      t.equal(refused.code, 1)
      t.match(refused.stderr, /--redirect-uris: http is allowed only for a loopback IP literal/)
    })

    t.test('clients: create shows the secret once, list never shows it, delete removes', async (t) => {
      const created = await cli(
        [
          'clients',
          'create',
          '--name',
          'Web app',
          '--grant-types',
          'password,refresh_token',
          '--scopes',
          'read write',
          '--json',
        ],
        { process: true },
      )
      t.equal(created.code, 0, created.stderr)
      const {
        client_id: clientId,
        client_secret: secret,
        ...rest
      } = JSON.parse(created.stdout) as Record<string, string>
      t.same(rest, {}, 'only client_id and client_secret')
      t.match(secret, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url')

      const store = await openStore(t, url)
      const stored = await store.clients.findById(ANY_TENANT, clientId!)
      t.match(stored, {
        name: 'Web app',
        isPublic: false,
        grantTypes: ['password', 'refresh_token'],
        scopes: ['read', 'write'],
        audiences: [],
      })
      t.equal(stored!.secretHash, sha256(secret!), 'stored as its SHA-256, not the secret')

      const listed = await cli(['clients', 'list', '--json'])
      t.equal(listed.code, 0)
      const clients = JSON.parse(listed.stdout) as Record<string, unknown>[]
      t.same(
        clients.find((client) => client.client_id === clientId),
        {
          client_id: clientId,
          name: 'Web app',
          public: false,
          grant_types: ['password', 'refresh_token'],
          scopes: ['read', 'write'],
          audiences: [],
          created_at: stored!.createdAt.toISOString(),
        },
      )
      const human = await cli(['clients', 'list'])
      t.match(human.stdout, /^CLIENT_ID +NAME +TYPE +GRANT TYPES +SCOPES +AUDIENCES +CREATED\n/)
      t.match(
        human.stdout,
        new RegExp(`${clientId} +Web app +confidential +password refresh_token +read write +- +\\d{4}-`),
      )
      for (const output of [listed.stdout, human.stdout]) {
        t.notOk(output.includes(secret!) || output.includes(stored!.secretHash!), 'no secret or hash in lists')
      }

      const deleted = await cli(['clients', 'delete', clientId!, '--json'])
      t.same(JSON.parse(deleted.stdout), { client_id: clientId, deleted: true })
      t.same(await cli(['clients', 'delete', clientId!]), failure(`no client with id "${clientId}"`))
      t.notOk(
        (JSON.parse((await cli(['clients', 'list', '--json'])).stdout) as { client_id: string }[]).some(
          (client) => client.client_id === clientId,
        ),
      )
    })

    if (provider === 'postgresql') {
      // The store's behaviour on PostgreSQL is covered by the store tests; here the CLI's path through it.
      t.test('users: create from stdin, duplicates refused', async (t) => {
        const created = await cli(['users', 'create', '--username', 'alice', '--password-stdin', '--json'], {
          stdin: 'first-password\n',
          process: true,
        })
        t.equal(created.code, 0, created.stderr)
        t.equal(JSON.parse(created.stdout).username, 'alice')
        t.same(
          await cli(['users', 'create', '--username', 'alice', '--password-stdin'], { stdin: 'another-password' }),
          failure('user "alice" already exists'),
        )
      })
      return
    }

    t.test('users: create from stdin, duplicates refused, disable, enable, set-password', async (t) => {
      const created = await cli(
        ['users', 'create', '--username', 'alice', '--password-stdin', '--scopes', 'read', '--json'],
        { stdin: 'first-password\n', process: true },
      )
      t.equal(created.code, 0, created.stderr)
      const user = JSON.parse(created.stdout) as { id: string; username: string }
      t.same(Object.keys(user), ['id', 'username'])
      t.equal(user.username, 'alice')

      const store = await openStore(t, url)
      const stored = await store.users.findById(ANY_TENANT, user.id)
      t.ok(
        await bcrypt.compare('first-password', stored!.passwordHash),
        'the trailing newline is not part of the password',
      )
      t.match(stored, { scopes: ['read'], disabled: false })

      t.same(
        await cli(['users', 'create', '--username', 'alice', '--password-stdin'], { stdin: 'another-password' }),
        failure('user "alice" already exists'),
      )

      const listed = JSON.parse((await cli(['users', 'list', '--json'])).stdout) as Record<string, unknown>[]
      t.same(listed, [
        {
          id: user.id,
          username: 'alice',
          scopes: ['read'],
          disabled: false,
          created_at: stored!.createdAt.toISOString(),
        },
      ])
      t.notMatch((await cli(['users', 'list'])).stdout, stored!.passwordHash)

      t.same(JSON.parse((await cli(['users', 'disable', 'alice', '--json'])).stdout), {
        id: user.id,
        username: 'alice',
        disabled: true,
      })
      t.match((await cli(['users', 'list'])).stdout, new RegExp(`${user.id} +alice +read +disabled`))
      t.same(JSON.parse((await cli(['users', 'enable', user.id, '--json'])).stdout), {
        id: user.id,
        username: 'alice',
        disabled: false,
      })

      const replaced = await cli(['users', 'set-password', user.id, '--password-stdin'], {
        stdin: 'second-password\r\n',
      })
      t.same(replaced, {
        code: 0,
        stdout: `password of user "alice" (${user.id}) replaced; their refresh tokens and access tokens are revoked\n`,
        stderr: '',
      })
      const hash = (await store.users.findById(ANY_TENANT, user.id))!.passwordHash
      t.ok(await bcrypt.compare('second-password', hash))
      t.notOk(await bcrypt.compare('first-password', hash))

      t.same(await cli(['users', 'disable', 'nobody']), failure('no user with id or username "nobody"'))
      t.same(
        await cli(['users', 'set-password', 'nobody', '--password-stdin'], { stdin: 'third-password' }),
        failure('no user with id or username "nobody"'),
      )
    })

    t.test(
      'users: email and name (the OpenID Connect claims) at creation and by update; bad values refused',
      async (t) => {
        const created = await cli(
          [
            'users',
            'create',
            '--username',
            'olga',
            '--password-stdin',
            '--email',
            'olga@example.com',
            '--email-verified',
            'yes',
            '--name',
            'Olga K',
            '--json',
          ],
          { stdin: 'olga-password\n' },
        )
        t.equal(created.code, 0, created.stderr)
        const { id } = JSON.parse(created.stdout) as { id: string }
        const store = await openStore(t, url)
        t.match(await store.users.findById(ANY_TENANT, id), {
          email: 'olga@example.com',
          emailVerified: true,
          name: 'Olga K',
        })
        const updated = await cli([
          'users',
          'update',
          'olga',
          '--email',
          'o@example.org',
          '--email-verified',
          'no',
          '--name',
          '',
          '--json',
        ])
        t.equal(updated.code, 0, updated.stderr)
        t.same(JSON.parse(updated.stdout), {
          id,
          username: 'olga',
          email: 'o@example.org',
          email_verified: false,
          name: null,
        })
        t.match(await store.users.findById(ANY_TENANT, id), {
          email: 'o@example.org',
          emailVerified: false,
          name: null,
        })
        t.equal((await cli(['users', 'update', 'olga', '--email', 'not-an-address'])).code, 1)
        t.same(
          await cli(['users', 'update', 'olga', '--email-verified', 'maybe']),
          failure('--email-verified takes yes or no'),
        )
        t.same(
          await cli(['users', 'update', 'olga']),
          failure('nothing to change: give --email, --email-verified or --name'),
        )
      },
    )
  })
}

t.test('mistakes exit 1 with one clear line', async (t) => {
  const cli = createCli(t, { DATABASE_URL: await createDatabaseUrl(t) })
  const cases: [args: string[], line: string, stdin?: string][] = [
    [
      ['clients', 'create', '--name', 'x', '--grant-types', 'password,implicit'],
      `--grant-types: unknown grant type "implicit" (valid: ${GRANTS})`,
    ],
    [
      ['clients', 'create', '--name', 'x', '--grant-types', 'client_credentials', '--public'],
      '--grant-types: a public client cannot use client_credentials (it has no secret to authenticate with)',
    ],
    [['clients', 'create', '--grant-types', 'password'], '--name is required'],
    [['clients', 'create', '--name', 'x'], '--grant-types is required'],
    [
      ['clients', 'create', '--name', 'x', '--grant-types', 'password', '--scopes', 'read "quoted"'],
      '--scopes: "\\"quoted\\"" is not a valid scope (printable ASCII without space, " or \\, RFC 6749 §3.3)',
    ],
    [
      ['clients', 'create', '--name', 'x', '--grant-types', 'password', '--audiences', 'https://elsewhere.example.com'],
      '--audiences: "https://elsewhere.example.com" is not a registered audience (AUDIENCES); registered: https://auth.example.com, https://api.example.com',
    ],
    [
      ['clients', 'create', '--name', 'x', '--grant-types', 'password', '--bogus'],
      "unknown option '--bogus' (see portcullis clients create --help)",
    ],
    [['clients', 'delete'], 'missing CLIENT_ID'],
    [['clients', 'list', 'extra'], 'unexpected argument "extra"'],
    [
      ['users', 'create', '--username', 'bob'],
      '--password-stdin is required: pipe the password on standard input (never on the command line)',
      'a-password',
    ],
    [['users', 'create', '--username', 'bob', '--password-stdin'], 'the password on standard input is empty', ''],
    [
      ['users', 'create', '--username', 'bob', '--password-stdin'],
      'the password must have at least 8 characters',
      'short\n',
    ],
    [
      ['users', 'create', '--username', 'bob', '--password-stdin'],
      'the password must be at most 72 bytes in UTF-8',
      'p'.repeat(73),
    ],
    [['users', 'create', '--password-stdin'], '--username is required', 'a-password'],
    [['users', 'disable'], 'missing ID or USERNAME'],
    [['frobnicate'], 'unknown command "frobnicate" (see portcullis --help)'],
    [['clients'], 'clients needs a subcommand: create, list, set-keys, delete, usage (see portcullis --help)'],
    [['users', 'list'], 'configuration error: BCRYPT_COST: must be an integer from 4 to 15 (got "99")'],
  ]
  const results: CliResult[] = []
  // Three at a time: the machine running the tests has other work to do.
  for (let i = 0; i < cases.length; i += 3) {
    const batch = cases.slice(i, i + 3).map(([args, , stdin], j) =>
      cli(args, {
        ...(stdin === undefined ? {} : { stdin }),
        ...(i + j === cases.length - 1 ? { env: { BCRYPT_COST: '99' } } : {}),
      }),
    )
    results.push(...(await Promise.all(batch)))
  }
  for (const [i, [args, line]] of cases.entries())
    t.test(`portcullis ${args.join(' ')}`, async (t) => t.same(results[i]!, failure(line)))
  t.equal((await cli(['clients', 'list', '--json'])).stdout, '[]\n', 'nothing was created')
})

t.test('an unreachable database is one line, not a stack trace', async (t) => {
  const cli = createCli(t, { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/portcullis' })
  const result = await cli(['clients', 'list'], { process: true })
  t.equal(result.code, 1)
  t.match(result.stderr, /^portcullis: cannot open the PostgreSQL database: .*127\.0\.0\.1:1.*\n$/)
  t.equal(result.stderr.split('\n').length, 2)
})

t.test('public clients and token exchange', async (t) => {
  const cli = createCli(t, { DATABASE_URL: await createDatabaseUrl(t) })
  const created = await cli([
    'clients',
    'create',
    '--name',
    'CLI',
    '--public',
    '--grant-types',
    'password token-exchange',
    '--audiences',
    'https://api.example.com',
    '--json',
  ])
  t.equal(created.code, 0, created.stderr)
  const { client_id: clientId, ...rest } = JSON.parse(created.stdout) as Record<string, string>
  t.same(rest, {}, 'no secret for a public client')
  const [listed] = JSON.parse((await cli(['clients', 'list', '--json'])).stdout) as Record<string, unknown>[]
  t.match(listed, {
    client_id: clientId,
    public: true,
    grant_types: ['password', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    audiences: ['https://api.example.com'],
  })

  const human = await cli(['clients', 'create', '--name', 'Service', '--grant-types', 'client_credentials'])
  t.equal(human.code, 0)
  t.match(
    human.stdout,
    /^client "Service" created \(confidential\)\n {2}client_id: +\S+\n {2}client_secret: [A-Za-z0-9_-]{43}\nThe secret is shown only this once: store it now\.\n$/,
  )
})

t.test('warnings go to stderr and leave --json output parseable', async (t) => {
  const cli = createCli(t, { DATABASE_URL: await createDatabaseUrl(t), SCOPES: 'read write' })
  const result = await cli([
    'clients',
    'create',
    '--name',
    'x',
    '--grant-types',
    'refresh_token',
    '--scopes',
    'read admin',
    '--json',
  ])
  t.equal(result.code, 0)
  t.ok(JSON.parse(result.stdout).client_id)
  t.equal(
    result.stderr,
    'portcullis: warning: scopes not listed in SCOPES: admin\nportcullis: warning: refresh_token without password, authorization_code or token exchange never issues a refresh token\n',
  )
})

t.test('help', async (t) => {
  const cli = createCli(t, {})
  const help = await cli(['--help'], { process: true })
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: portcullis <command> \[options\] \[--json\]\n/)
  for (const name of [
    'migrate',
    'clients create',
    'clients list',
    'clients set-keys',
    'clients delete',
    'users create',
    'users list',
    'users disable',
    'users set-password',
  ]) {
    t.match(help.stdout, new RegExp(`\\n  ${name} +\\S`), name)
  }
  const commandHelp = await cli(['clients', 'create', '--help'], { process: true })
  t.equal(commandHelp.code, 0)
  t.match(commandHelp.stdout, /^Usage: portcullis clients create --name NAME --grant-types /)
  const none = await cli([], { process: true })
  t.equal(none.code, 1)
  t.match(none.stderr, /^Usage: portcullis/)
})
