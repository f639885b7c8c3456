// Checks that every test docs/compliance.md cites ran and passed in this run of the suite, not only that a
// subtest of that name exists (test/project/compliance-ledger.test.ts checks that much while the suite runs).
//
// tap writes each test file's whole TAP output to .tap/test-results/<file>.tap and never clears the folder, so
// `npm test` runs `tsx scripts/ledger-results.ts reset` before tap (results from an earlier run cannot count) and
// `tsx scripts/ledger-results.ts` after it. A citation is satisfied by an `ok N - <name…>` line of its file (the
// cited name may be part of the subtest's name, as for names built in a loop) that is not a `# SKIP` or `# TODO`;
// a `not ok` of that name fails it. A cited subtest skipped in this run (a PostgreSQL-only test without
// TEST_DATABASE_URL) is listed, and fails the check when TEST_DATABASE_URL is set.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
export const RESULTS_DIR = resolve(root, '.tap/test-results')
export const CITATION = /`(test\/[\w./-]+\.ts)` › `([^`]+)`/g

export type Outcome = 'passed' | 'failed' | 'skipped' | 'absent'

/** What the TAP output of one file says about the subtest whose name contains `name`. */
export function outcomeOf(tap: string, name: string): Outcome {
  let outcome: Outcome = 'absent'
  for (const line of tap.split('\n')) {
    const result = /^\s*(not ok|ok) \d+ - (.*)$/.exec(line)
    if (!result || !result[2]!.includes(name)) continue
    // Only the result line of a subtest (its name, then a directive or the time); an assertion whose message
    // happens to hold the name has neither.
    if (!/ # (time=|SKIP|TODO)/i.test(result[2]!)) continue
    if (result[1] === 'not ok') return 'failed'
    const skipped = / # (SKIP|TODO)\b/i.test(result[2]!)
    if (!skipped) outcome = 'passed'
    else if (outcome === 'absent') outcome = 'skipped'
  }
  return outcome
}

/** Every citation of the ledger with its outcome in the saved results. */
export function ledgerOutcomes(
  ledger: string,
  readResults: (file: string) => string | undefined,
): { file: string; name: string; outcome: Outcome }[] {
  const results = new Map<string, string | undefined>()
  return [...ledger.matchAll(CITATION)].map(([, file, name]) => {
    if (!results.has(file!)) results.set(file!, readResults(file!))
    const tap = results.get(file!)
    return { file: file!, name: name!, outcome: tap === undefined ? 'absent' : outcomeOf(tap, name!) }
  })
}

function main(): void {
  if (process.argv[2] === 'reset') {
    rmSync(RESULTS_DIR, { recursive: true, force: true })
    return
  }
  const ledger = readFileSync(resolve(root, 'docs/compliance.md'), 'utf8')
  const read = (file: string) =>
    existsSync(resolve(RESULTS_DIR, `${file}.tap`))
      ? readFileSync(resolve(RESULTS_DIR, `${file}.tap`), 'utf8')
      : undefined
  const outcomes = ledgerOutcomes(ledger, read)
  const strictSkips = Boolean(process.env.TEST_DATABASE_URL)
  const bad = outcomes.filter(
    ({ outcome }) => outcome === 'failed' || outcome === 'absent' || (strictSkips && outcome === 'skipped'),
  )
  const skipped = outcomes.filter(({ outcome }) => outcome === 'skipped')
  for (const { file, name } of skipped) console.log(`skipped in this run: ${file} › ${name}`)
  for (const { file, name, outcome } of bad)
    console.error(`docs/compliance.md cites ${file} › ${name}: ${outcome} in this run`)
  console.log(
    `compliance ledger: ${outcomes.length - bad.length - skipped.length} of ${outcomes.length} cited tests passed in this run, ${skipped.length} skipped`,
  )
  if (bad.length > 0) process.exitCode = 1
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main()
