// The CLI's argument helpers, without a process: which dash-led arguments are values (src/cli/args.ts).
import { parseArgs } from 'node:util'
import t from 'tap'
import { dashLedValuesLast } from '../../src/cli/args.ts'

const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  now: { type: 'boolean' },
} as const
const parse = (args: string[]) =>
  parseArgs({ args: dashLedValuesLast(args, options), options, allowPositionals: true, strict: true })

t.test('a value that starts with one dash is a positional, wherever it stands', async (t) => {
  t.same(parse(['-cwIgWp', '--json']), { values: { __proto__: null, json: true }, positionals: ['-cwIgWp'] })
  t.same(parse(['--json', '-cwIgWp']).positionals, ['-cwIgWp'])
  t.same(parse(['--', '-cwIgWp']).positionals, ['-cwIgWp'], 'an operator\'s own "--" still works')
  t.same(parse(['-x', '--', 'second']).positionals, ['-x', 'second'])
})

t.test('options stay options, and arguments without a dash are untouched', async (t) => {
  t.same(dashLedValuesLast(['--json', 'kid', '--now'], options), ['--json', 'kid', '--now'])
  t.same(parse(['-h']).values, { __proto__: null, help: true }, 'a declared short option')
  t.same(parse(['--name=-dash', 'kid']), { values: { __proto__: null, name: '-dash' }, positionals: ['kid'] })
  t.same(dashLedValuesLast(['-'], options), ['-'], 'a lone dash is left to parseArgs')
})

t.test(
  'a dash-led value right after an option that takes one is left to parseArgs, which asks for --name=-value',
  async (t) => {
    t.same(dashLedValuesLast(['--name', '-dash'], options), ['--name', '-dash'])
    t.throws(() => parse(['--name', '-dash']), /--name=-XYZ/)
  },
)

t.test('an unknown long option is still refused', async (t) => {
  t.throws(() => parse(['--nope']), /Unknown option '--nope'/)
})
