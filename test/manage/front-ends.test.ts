// The CLI and the admin API apply the same rules and record the same audit events (src/manage/): each case goes
// through both front ends, on one database (the CLI through its entry function in this process:
// test/support/run-cli.ts).
import { userInfo } from 'node:os'
import t from 'tap'
import { GRANT_TYPES } from '../../src/oauth/grants/index.ts'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { build, providers, tempDir } from '../support/helper.ts'
import { failure, runCli, type CliResult } from '../support/run-cli.ts'
import { ANY_TENANT } from '../../src/store/index.ts'

t.setTimeout(600_000)

const API = 'https://api.example'
const CLI_ACTOR = `cli:${userInfo().username}`

interface Detail {
  field: string
  message: string
}

/** The CLI's one line for the admin API's details: each problem by the option that gave its field. */
const cliLine = (details: Detail[]) =>
  details.map(({ field, message }) => `--${field.split('.')[0]!.replace(/_/g, '-')}: ${message}`).join('; ')

for (const provider of providers) {
  t.test(`the CLI and the admin API on ${provider}`, async (t) => {
    const ctx = await build(t, { provider, env: { AUDIENCES: API } })
    const admin = client(ctx.app, await adminHeaders(ctx))
    const cwd = tempDir(t)
    const cli = (args: string[], stdin = '') =>
      runCli(args, { cwd, stdin, env: { DATABASE_URL: ctx.databaseUrl, ISSUER: ctx.config.issuer, AUDIENCES: API } })
    /** Several CLI runs, three at a time (the machine has other work to do). */
    const cliRuns = async (runs: [args: string[], stdin?: string][]): Promise<CliResult[]> => {
      const results: CliResult[] = []
      for (let i = 0; i < runs.length; i += 3)
        results.push(...(await Promise.all(runs.slice(i, i + 3).map(([args, stdin]) => cli(args, stdin)))))
      return results
    }
    const auditOf = async (type: string) =>
      (await admin.get(`/admin/v1/audit?type=${type}`)).json().items as {
        actor: string
        subject: string
        ip: string | null
        details: Record<string, unknown>
      }[]

    t.test(
      'a client and a user made with the CLI appear in GET /admin/v1/audit, by cli:<OS user>, with the admin API’s fields',
      async (t) => {
        const created = await cli([
          'clients',
          'create',
          '--name',
          'Batch',
          '--grant-types',
          'client_credentials',
          '--scopes',
          'read',
          '--json',
        ])
        t.equal(created.code, 0, created.stderr)
        const { client_id: clientId } = JSON.parse(created.stdout) as { client_id: string }
        const user = await cli(
          ['users', 'create', '--username', 'carol', '--password-stdin', '--scopes', 'read', '--json'],
          'a long enough password\n',
        )
        t.equal(user.code, 0, user.stderr)
        const { id: userId } = JSON.parse(user.stdout) as { id: string }
        // One after the other: enabling is a change only after disabling.
        for (const [args, stdin] of [
          [['users', 'disable', 'carol']],
          [['users', 'enable', 'carol']],
          [['users', 'set-password', 'carol', '--password-stdin'], 'another long password'],
          [['clients', 'delete', clientId]],
        ] as [string[], string?][]) {
          const result = await cli(args, stdin)
          t.equal(result.code, 0, result.stderr)
        }

        const byCli = { actor: CLI_ACTOR, ip: null }
        t.match(await auditOf('client.created'), [
          {
            ...byCli,
            subject: clientId,
            details: { name: 'Batch', public: false, grant_types: ['client_credentials'], scopes: ['read'] },
          },
        ])
        t.match(await auditOf('user.created'), [
          { ...byCli, subject: userId, details: { username: 'carol', scopes: ['read'] } },
        ])
        t.match(await auditOf('user.disabled'), [{ ...byCli, subject: userId, details: { username: 'carol' } }])
        t.match(await auditOf('user.enabled'), [{ ...byCli, subject: userId, details: { username: 'carol' } }])
        t.match(await auditOf('user.password_set'), [{ ...byCli, subject: userId }])
        t.match(await auditOf('client.deleted'), [{ ...byCli, subject: clientId }])

        // The same changes through the admin API record the same details, and the caller's client besides.
        const viaApi = (
          await admin.post('/admin/v1/clients', {
            name: 'Batch',
            grant_types: ['client_credentials'],
            scopes: ['read'],
          })
        ).json()
        const apiUser = (
          await admin.post('/admin/v1/users', {
            username: 'dave',
            password: 'a long enough password',
            scopes: ['read'],
          })
        ).json()
        const [apiClientEvent, cliClientEvent] = await auditOf('client.created')
        t.same(apiClientEvent!.subject, viaApi.client_id)
        t.same(apiClientEvent!.details, { ...cliClientEvent!.details, client_id: 'operator' })
        const [apiUserEvent, cliUserEvent] = await auditOf('user.created')
        t.same(apiUserEvent!.subject, apiUser.id)
        t.same(apiUserEvent!.details, { ...cliUserEvent!.details, username: 'dave', client_id: 'operator' })
      },
    )

    t.test('a username with an invisible format character is refused by both front ends', async (t) => {
      const usernames = ['zero\u200bwidth', '\u202eevil', 'word\u2060joiner', 'soft\u00adhyphen']
      const results = await cliRuns(
        usernames.map((username) => [
          ['users', 'create', '--username', username, '--password-stdin'],
          'a long enough password',
        ]),
      )
      for (const [i, username] of usernames.entries()) {
        const response = await admin.post('/admin/v1/users', { username, password: 'a long enough password' })
        const details = [{ field: 'username', message: 'must not contain control or format characters' }]
        t.same(
          [response.statusCode, response.json()],
          [
            400,
            {
              error: 'invalid_request',
              error_description: 'username: must not contain control or format characters',
              details,
            },
          ],
          JSON.stringify(username),
        )
        t.same(results[i], failure(cliLine(details)), JSON.stringify(username))
      }
      t.equal(await ctx.db.prisma.user.count({ where: { username: { in: usernames } } }), 0)
    })

    t.test(
      'every grant type of GRANT_TYPES is accepted by both front ends; another is refused by both alike',
      async (t) => {
        const results = await cliRuns(
          GRANT_TYPES.map((grantType) => [
            ['clients', 'create', '--name', `cli ${grantType}`, '--grant-types', grantType, '--json'],
          ]),
        )
        for (const [i, grantType] of GRANT_TYPES.entries()) {
          t.equal(results[i]!.code, 0, `CLI: ${grantType} ${results[i]!.stderr}`)
          const stored = await ctx.store.clients.findById(
            ANY_TENANT,
            (JSON.parse(results[i]!.stdout) as { client_id: string }).client_id,
          )
          t.same(stored?.grantTypes, [grantType])
          const response = await admin.post('/admin/v1/clients', { name: `api ${grantType}`, grant_types: [grantType] })
          t.equal(response.statusCode, 201, `admin API: ${grantType}`)
          t.same(response.json().grant_types, [grantType])
        }
        const refused = await admin.post('/admin/v1/clients', { name: 'x', grant_types: ['implicit'] })
        t.equal(refused.statusCode, 400)
        t.same(refused.json().details, [
          { field: 'grant_types.0', message: `unknown grant type "implicit" (valid: ${GRANT_TYPES.join(', ')})` },
        ])
        t.same(
          await cli(['clients', 'create', '--name', 'x', '--grant-types', 'implicit']),
          failure(cliLine(refused.json().details)),
        )
      },
    )

    t.test('the same invalid client is refused by both front ends with the same rules', async (t) => {
      const response = await admin.post('/admin/v1/clients', {
        name: 'x',
        grant_types: ['client_credentials'],
        scopes: ['read'],
        audiences: ['https://nowhere.example'],
        public: true,
      })
      t.equal(response.statusCode, 400)
      const { details } = response.json() as { details: Detail[] }
      t.same(
        details.map((detail) => detail.field),
        ['grant_types', 'audiences.0'],
      )
      const result = await cli([
        'clients',
        'create',
        '--name',
        'x',
        '--grant-types',
        'client_credentials',
        '--scopes',
        'read',
        '--audiences',
        'https://nowhere.example',
        '--public',
      ])
      t.same(result, failure(cliLine(details)))
      t.equal(await ctx.db.prisma.client.count({ where: { name: 'x' } }), 0)
    })
  })
}
