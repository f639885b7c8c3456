// The contract of a CLI command: src/cli/run.ts lists them and dispatches on the first words.
import type { ParseArgsConfig } from 'node:util'
import type { Config } from '../config.js'
import type { ChangedBy, ManageDeps } from '../manage/changes.js'
import type { UserDeps } from '../manage/users.js'
import type { Store } from '../store/index.js'

export interface CliIo {
  /** Standard input, whole (for --password-stdin). */
  readStdin(): Promise<string>
  /** Human-readable output (ignored with --json). */
  print(text: string): void
  /** Warnings go to stderr, also with --json. */
  warn(text: string): void
  /** A file named on the command line (a relative name is in the working directory), as UTF-8 text. */
  readFile(path: string): string
}

export interface CliContext {
  config: Readonly<Config>
  /** Opens the migrated store on first use; closed by run.ts. */
  store(): Promise<Store>
  /** What manage/ operations need: the store (opened), the configuration, the clock, bcrypt at BCRYPT_COST. */
  deps(): Promise<ManageDeps & Pick<UserDeps, 'passwords'>>
  /** Who the audit log records for a change made here: `cli:<OS user name>`, in the --tenant's tenant. */
  by: ChangedBy
  /** The tenant of --tenant (id or slug; default: the default tenant): every command acts in it. */
  tenantId: string
  json: boolean
  io: CliIo
}

export interface Command {
  /** The words that select it, e.g. `clients create`. */
  name: string
  summary: string
  /** Arguments after the name, for the help text, e.g. `--name N --grant-types LIST [--public]`. */
  usage: string
  options: NonNullable<ParseArgsConfig['options']>
  /**
   * Returns the machine-readable result (printed as JSON with --json); prints its human-readable form
   * through io.print otherwise. Throws CliError for a user mistake (exit 1 with its message).
   */
  run(
    ctx: CliContext,
    args: { values: Record<string, string | boolean | undefined>; positionals: string[] },
  ): Promise<unknown>
}

export class CliError extends Error {
  override name = 'CliError'
}
