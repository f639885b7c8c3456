// `portcullis migrate`: applies the committed migrations of the configured database (the server does the
// same at start; this is for deployments that migrate in a separate step).
import { openDatabase } from '../../store/index.js'
import { expectPositionals } from '../args.js'
import { CliError, type Command } from '../command.js'

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations (the server also applies them at start)',
  usage: '',
  options: {},
  async run(ctx, { positionals }) {
    expectPositionals(positionals, [])
    const { config } = ctx
    let db
    try {
      db = await openDatabase(config.databaseUrl, { migrate: true })
    } catch (err) {
      const message = err instanceof Error ? err.message.trim().split('\n')[0] : String(err)
      throw new CliError(`cannot migrate the ${config.databaseProvider === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database: ${message}`)
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
