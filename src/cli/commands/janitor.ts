// `portcullis janitor`: one sweep of the dead token rows now, with the server's settings (JANITOR_BATCH_SIZE,
// JANITOR_RETENTION): the same batches as the janitor inside the service, safe beside a running server.
import { janitorPolicy } from '../../ops/janitor-schedule.js'
import { JANITOR_TABLES } from '../../store/janitor.js'
import { expectPositionals } from '../args.js'
import { CliError, type Command } from '../command.js'
import { table } from '../format.js'

export const janitorCommand: Command = {
  name: 'janitor',
  summary: 'Delete the dead token rows now (what the server does every JANITOR_INTERVAL)',
  usage: '',
  options: {},
  async run(ctx, { positionals }) {
    expectPositionals(positionals, [])
    const store = await ctx.store()
    const result = await store.janitor.sweep(janitorPolicy(ctx.config), { now: new Date() })
    if (result === 'busy')
      throw new CliError('another instance is sweeping the database now; nothing was deleted (try again later)')
    const total = JANITOR_TABLES.reduce((sum, name) => sum + result.deleted[name], 0)
    ctx.io.print(
      [
        `deleted ${total} dead row${total === 1 ? '' : 's'} in ${result.durationMs} ms`,
        table(
          ['TABLE', 'DELETED', 'BATCHES'],
          JANITOR_TABLES.map((name) => [name, String(result.deleted[name]), String(result.batches[name])]),
        ),
      ].join('\n'),
    )
    return { deleted: result.deleted, batches: result.batches, duration_ms: result.durationMs }
  },
}
