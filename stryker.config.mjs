// Mutation testing of the protocol core (StrykerJS, tap runner). Not part of CI: `npm run mutate` runs it by
// module group (scripts/mutate.mjs picks the group through MUTATE_GROUP); docs/mutation.md has the scores.
//
// Each group mutates a few source files and runs only the test files that exercise them, on SQLite only (no
// TEST_DATABASE_URL), so a mutant costs a few test-file runs. The tap runner runs each test file as its own
// `node` process and reports coverage per file: a mutant runs only the files of its group that reach it, the
// fastest first, and stops at the first failure.
//
// Runs are incremental: docs/mutation/<group>.json keeps each mutant's result with the source and tests it was
// decided against, so a later run re-tests only the mutants whose code or tests changed. Those files are
// committed: a full run of a group takes from minutes to hours on two cores, and nobody should pay it twice.

import { groups } from './scripts/mutation-groups.mjs'

const name = process.env.MUTATE_GROUP ?? ''
const group = groups[name]
if (!group) throw new Error(`MUTATE_GROUP must be one of: ${Object.keys(groups).join(', ')} (got ${JSON.stringify(name)})`)

const concurrency = Number(process.env.MUTATE_CONCURRENCY ?? 2)
// MUTATE_TIMEOUT_MS: a longer allowance when the run shares the machine at a low priority (`nice`), so that a
// starved test file is not counted as a timed-out (detected) mutant.
const timeoutMS = Number(process.env.MUTATE_TIMEOUT_MS ?? 60_000)

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'tap',
  tap: {
    testFiles: group.tests,
    // The same loader and export condition as .taprc; the hook records which mutants each file reaches.
    nodeArgs: ['--import=tsx', '--conditions=portcullis-source', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  mutate: group.mutate,
  coverageAnalysis: 'perTest',
  concurrency,
  // A test file starts an app and migrates a fresh SQLite database: seconds each on a loaded machine.
  timeoutMS,
  timeoutFactor: 3,
  dryRunTimeoutMinutes: 15,
  incremental: true,
  incrementalFile: `docs/mutation/${name}.json`,
  tempDirName: '.stryker-tmp',
  // What a test file needs: sources, tests, Prisma schema and migrations, packages (their TypeScript sources).
  ignorePatterns: ['/bench/results', '/coverage', '/.tap', '/.scratch', '/reports', '/docs', '/web', '/dist'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 90, low: 85, break: null },
  cleanTempDir: true,
}
