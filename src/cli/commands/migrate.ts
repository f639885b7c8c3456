// `portcullis migrate`: applies the committed migrations of the configured database (the server does the
// same at start; this is for deployments that migrate in a separate step).
import { isSqliteBusy, openDatabase } from '../../store/index.js'
import { expectPositionals } from '../args.js'
import { CliError, type Command } from '../command.js'

/** One line about a database that cannot be opened or migrated. */
export function databaseProblem(provider: 'sqlite' | 'postgresql', doing: string, err: unknown): CliError {
  const message = (err instanceof Error ? err.message : String(err)).trim().split('\n')[0]!
  // SQLite refuses the migration lock while another process (a running server) holds the file.
  if (provider === 'sqlite' && isSqliteBusy(message)) {
    return new CliError(`cannot ${doing} the SQLite database: it is busy (stop the server to apply new migrations)`)
  }
  return new CliError(`cannot ${doing} the ${provider === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database: ${message}`)
}

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations (the server also applies them at start)',
  usage: '',
  options: {},
  async run(ctx, { positionals }) {
    expectPositionals(positionals, [])
    const { config } = ctx
    let db: Awaited<ReturnType<typeof openDatabase>>
    try {
      db = await openDatabase(config.databaseUrl, { migrate: true })
    } catch (err) {
      throw databaseProblem(config.databaseProvider, 'migrate', err)
    }
    const applied = [...db.migrationsApplied]
    await db.close()
    ctx.io.print(
      applied.length === 0
        ? `the ${config.databaseProvider} database is up to date`
        : `applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to the ${config.databaseProvider} database:\n${applied.map((name) => `  ${name}`).join('\n')}`,
    )
    return { provider: config.databaseProvider, applied }
  },
}
