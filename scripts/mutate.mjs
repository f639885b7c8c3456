// `npm run mutate [-- group…]`: runs StrykerJS on each named module group of stryker.config.mjs in turn (all of
// them when none is named), SQLite only. `npm run mutate -- --list` prints the groups and what they mutate.
// MUTATE_CONCURRENCY (default 2) sets how many test processes run at once. Not part of CI (docs/mutation.md).
import { spawnSync } from 'node:child_process'

import { groups } from './mutation-groups.mjs'

const args = process.argv.slice(2)

if (args.includes('--list')) {
  for (const [name, group] of Object.entries(groups))
    console.log(`${name}\n  mutates: ${group.mutate.join(' ')}\n  tests:   ${group.tests.join(' ')}`)
  process.exit(0)
}

const unknown = args.filter((name) => !(name in groups))
if (unknown.length > 0) {
  console.error(`mutate: unknown group ${unknown.join(', ')}; groups: ${Object.keys(groups).join(', ')}`)
  process.exit(2)
}

const env = { ...process.env }
// Mutation runs are SQLite-only: a PostgreSQL URL in the environment would double every test file's cost.
delete env.TEST_DATABASE_URL
delete env.MUTATE_GROUP
// The test files run under plain `node`, not the tap CLI: .taprc's per-file timeout does not apply, and tap's
// default of 30 s per subtest is too short for an instrumented file on a loaded machine.
env.TAP_TIMEOUT ??= '360'

let failed = false
for (const name of args.length > 0 ? args : Object.keys(groups)) {
  console.log(`\nmutate: ${name}`)
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...env, MUTATE_GROUP: name },
  })
  if (run.status !== 0) {
    console.error(`mutate: ${name} failed (exit ${run.status ?? run.signal})`)
    failed = true
  }
}
process.exit(failed ? 1 : 0)
