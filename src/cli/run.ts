// The `portcullis` command-line tool, as a function of its process (arguments, environment, working directory,
// standard streams): src/cli/main.ts, the entry point bin/portcullis.js runs compiled, calls it with the real ones;
// the CLI tests call it in-process too.
// Dispatch: the leading words select a command from `commands`; util.parseArgs reads its options.
// Every command takes --json and --help. Exit code 0 on success, 1 with one line on stderr otherwise:
// operators see what was wrong, never a stack trace.
import { userInfo } from 'node:os'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, type Config } from '../config.js'
import { OAuthError, type ErrorDetail } from '../errors.js'
import type { ChangedBy } from '../manage/changes.js'
import { hashPassword } from '../security/passwords.js'
import {
  createStore,
  DEFAULT_TENANT_ID,
  DEFAULT_TENANT_SLUG,
  openDatabase,
  StoreError,
  type Store,
} from '../store/index.js'
import { tenancyCommands } from './commands/tenants.js'
import { dashLedValuesLast } from './args.js'
import { CliError, type CliContext, type CliIo, type Command } from './command.js'
import { accessKeyCommands } from './commands/access-keys.js'
import { clientCommands } from './commands/clients.js'
import { janitorCommand } from './commands/janitor.js'
import { databaseProblem, migrateCommand } from './commands/migrate.js'
import { sessionCommands } from './commands/sessions.js'
import { signingKeyCommands } from './commands/signing-keys.js'
import { userCommands } from './commands/users.js'

/** Every command, in the order `portcullis --help` lists them. A new command module adds its commands here. */
const commands: readonly Command[] = [
  migrateCommand,
  ...clientCommands,
  ...userCommands,
  ...sessionCommands,
  ...signingKeyCommands,
  ...accessKeyCommands,
  ...tenancyCommands,
  janitorCommand,
]

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  tenant: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

/** What the CLI sees of its process: main.ts passes the real ones. */
export interface CliProcess {
  /** The arguments after `portcullis`. */
  argv: readonly string[]
  env: Readonly<Record<string, string | undefined>>
  /** The working directory: where ./.env and the files named by relative paths are read from. */
  cwd: string
  /** Standard input, whole. */
  readStdin(): Promise<string>
  stdout(text: string): void
  stderr(text: string): void
}

function processIo(proc: CliProcess): CliIo {
  return {
    readStdin: () => proc.readStdin(),
    print: (text) => proc.stdout(`${text}\n`),
    warn: (text) => proc.stderr(`portcullis: warning: ${text}\n`),
    readFile: (path) => readFileSync(resolve(proc.cwd, path), 'utf8'),
  }
}

function helpText(): string {
  const width = Math.max(...commands.map((command) => command.name.length))
  return [
    'Usage: portcullis <command> [options] [--json]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Every command takes --json (machine-readable output) and --help (its options).',
    'Configuration comes from the environment and ./.env, as for the server (DATABASE_URL, BCRYPT_COST…).',
  ].join('\n')
}

function commandHelp(command: Command): string {
  return [
    `Usage: portcullis ${command.name}${command.usage ? ` ${command.usage}` : ''} [--json]`,
    '',
    command.summary,
  ].join('\n')
}

/** The command named by the longest run of leading words, and the arguments after its name. */
function selectCommand(argv: readonly string[]): { command: Command; rest: string[] } | { words: string[] } {
  const leadingFlags = argv.findIndex((arg) => !arg.startsWith('-'))
  const start = leadingFlags === -1 ? argv.length : leadingFlags
  const words: string[] = []
  for (let i = start; i < argv.length && !argv[i]!.startsWith('-'); i++) words.push(argv[i]!)
  const matches = commands
    .filter((command) => {
      const name = command.name.split(' ')
      return name.length <= words.length && name.every((word, i) => words[i] === word)
    })
    .sort((a, b) => b.name.length - a.name.length)
  const command = matches[0]
  if (!command) return { words }
  const nameLength = command.name.split(' ').length
  return { command, rest: [...argv.slice(0, start), ...argv.slice(start + nameLength)] }
}

function unknownCommand(words: string[]): CliError {
  if (words.length === 0) return new CliError('missing command (see portcullis --help)')
  const group = commands.filter((command) => command.name.startsWith(`${words[0]} `))
  if (group.length > 0 && words.length === 1) {
    return new CliError(
      `${words[0]} needs a subcommand: ${group.map((command) => command.name.slice(words[0]!.length + 1)).join(', ')} (see portcullis --help)`,
    )
  }
  return new CliError(`unknown command "${words.join(' ')}" (see portcullis --help)`)
}

function parseCommandArgs(command: Command, rest: string[]) {
  const options = { ...command.options, ...GLOBAL_OPTIONS }
  try {
    return parseArgs({ args: dashLedValuesLast(rest, options), options, allowPositionals: true, strict: true })
  } catch (err) {
    // parseArgs explains in several sentences; the first one names the problem.
    const first = err instanceof Error ? err.message.split(/\.\s/)[0]!.replace(/\.$/, '') : String(err)
    throw new CliError(`${first.charAt(0).toLowerCase()}${first.slice(1)} (see portcullis ${command.name} --help)`)
  }
}

/**
 * The audit actor of a change made with the CLI: `cli:` and the OS user running it (a uid without a passwd
 * entry, as in some containers, is named by its number).
 */
function cliActor(): ChangedBy {
  try {
    return { actor: `cli:${userInfo().username}` }
  } catch {
    return { actor: `cli:uid-${process.getuid?.() ?? 'unknown'}` }
  }
}

const OPTION_OF_FIELD: Record<string, string> = { user_id: '--user', public_key: '--public-key-file' }

/** A rule's problem as the CLI names it: by the option that gave the field (`user_id` came from --user). */
function problemText({ field, message }: ErrorDetail): string {
  const base = field.split('.')[0]!
  if (base === 'password') return `the password ${message}`
  const option = OPTION_OF_FIELD[base] ?? `--${base.replace(/_/g, '-')}`
  return `${option}: ${message}`
}

/** One line for the operator: our own errors as they are, anything else by its first line. */
function describe(err: unknown): string {
  if (err instanceof ConfigError) return `configuration error: ${err.message}`
  if (err instanceof OAuthError) return err.details ? err.details.map(problemText).join('; ') : err.message
  if (err instanceof CliError || err instanceof StoreError) return err.message
  const message = err instanceof Error ? err.message : String(err)
  return message.trim().split('\n')[0] || 'unexpected error'
}

async function openStore(config: Readonly<Config>): Promise<Store> {
  try {
    return createStore(
      await openDatabase(config.databaseUrl, {
        migrate: true,
        timeoutMs: config.databaseTimeout * 1000,
        poolSize: config.databasePoolSize,
      }),
    )
  } catch (err) {
    throw databaseProblem(config.databaseProvider, 'open', err)
  }
}

async function run(argv: readonly string[], io: CliIo, proc: CliProcess): Promise<number> {
  if (
    argv.length === 0 ||
    (argv.every((arg) => arg.startsWith('-')) && argv.some((arg) => arg === '--help' || arg === '-h'))
  ) {
    if (argv.length === 0) {
      proc.stderr(`${helpText()}\n`)
      return 1
    }
    io.print(helpText())
    return 0
  }
  const selected = selectCommand(argv)
  if (!('command' in selected)) throw unknownCommand(selected.words)
  const { command, rest } = selected
  const { values, positionals } = parseCommandArgs(command, rest)
  if (values.help) {
    io.print(commandHelp(command))
    return 0
  }

  const json = values.json === true
  let store: Store | undefined
  const config = loadConfig(proc.env, { envFile: resolve(proc.cwd, '.env') })
  // --tenant (id or slug): every command acts in that tenant; without it, the default tenant.
  const tenantName = typeof values.tenant === 'string' ? values.tenant : undefined
  let tenantId = DEFAULT_TENANT_ID
  if (tenantName !== undefined && tenantName !== DEFAULT_TENANT_SLUG && tenantName !== DEFAULT_TENANT_ID) {
    store = await openStore(config)
    const tenant = await store.tenants.find(tenantName)
    if (!tenant) {
      await store.close()
      throw new CliError(`no tenant with id or slug "${tenantName}"`)
    }
    tenantId = tenant.id
  }
  const ctx: CliContext = {
    config,
    json,
    io: json ? { ...io, print: () => undefined } : io,
    store: async () => (store ??= await openStore(config)),
    deps: async () => ({
      store: await ctx.store(),
      config,
      now: Date.now,
      passwords: { hash: (password) => hashPassword(password, config.bcryptCost) },
    }),
    by: { ...cliActor(), tenantId },
    tenantId,
  }
  try {
    const result = await command.run(ctx, {
      values: values as Record<string, string | boolean | undefined>,
      positionals,
    })
    if (json) io.print(JSON.stringify(result, null, 2))
    return 0
  } finally {
    await store?.close()
  }
}

/** Runs `portcullis …argv` to completion: the exit code (0, or 1 after one line on stderr). */
export async function runCli(proc: CliProcess): Promise<number> {
  try {
    return await run(proc.argv, processIo(proc), proc)
  } catch (err) {
    proc.stderr(`portcullis: ${describe(err)}\n`)
    return 1
  }
}
