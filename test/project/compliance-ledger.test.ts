// Keeps docs/compliance.md honest: every test it cites exists (the file, and a subtest of that name), and
// every row has a status and, unless it is not met or not applicable, a test. That each cited test also ran
// and passed is checked after the suite (scripts/ledger-results.ts, run by `npm test`), from tap's saved results.
// docs/testing.md, which names the test holding each of the suite's promises, is held to the same: its tests exist.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ledgerOutcomes, outcomeOf } from '../../scripts/ledger-results.ts'

const root = resolve(import.meta.dirname, '../..')
const ledger = readFileSync(resolve(root, 'docs/compliance.md'), 'utf8')
const STATUSES = ['met', 'partly', 'untested', 'not met', 'n/a']
const CITATION = /`(test\/[\w./-]+\.ts)` › `([^`]+)`/g

interface Row {
  id: string
  status: string
  evidence: string
}

const rows: Row[] = ledger
  .split('\n')
  .filter((line) => /^\| (\d{4}|oidc)-/.test(line))
  .map((line) => {
    const cells = line.split(' | ').map((cell) => cell.replace(/^\| ?| ?\|$/g, '').trim())
    return { id: cells[0]!, status: cells[3]!, evidence: cells.slice(4).join(' | ') }
  })

/** A subtest of that name: a t.test( line, or a named case of a table-driven test, holds the string. */
function namesSubtest(source: string, name: string): boolean {
  const lines = source.split('\n')
  // The formatter may put a long name on the line after `t.test(`.
  const opens = (line: string | undefined) => line?.trimEnd().endsWith('t.test(') === true
  return lines.some(
    (line, i) => line.includes(name) && (line.includes('t.test(') || opens(lines[i - 1]) || /\bname: ['"`]/.test(line)),
  )
}

t.test('the ledger has rows for every specification it promises', async (t) => {
  for (const prefix of [
    '6749-2.3',
    '6749-3.2',
    '6749-4.3',
    '6749-4.4',
    '6749-5.',
    '6749-6-',
    '6749-10.',
    '6750-3',
    '7009-',
    '7662-',
    '7523-2.2',
    '7523-3',
    'oidc-9-',
    '8414-',
    '9068-',
    '7517-',
    '8693-',
    '9700-2.4',
    '9700-4.14',
  ]) {
    t.ok(
      rows.some((row) => row.id.startsWith(prefix)),
      `rows for ${prefix}`,
    )
  }
  t.equal(new Set(rows.map((row) => row.id)).size, rows.length, 'row ids are unique')
})

t.test('every row has a status, and a test unless it is not met or not applicable', async (t) => {
  for (const row of rows) {
    t.ok(STATUSES.includes(row.status), `${row.id}: status "${row.status}" is one of ${STATUSES.join(', ')}`)
    const cited = [...row.evidence.matchAll(CITATION)].length
    if (row.status === 'met' || row.status === 'partly') t.ok(cited > 0, `${row.id} names a test`)
    else t.ok(row.evidence.replace(CITATION, '').trim().length > 20, `${row.id} says why`)
  }
})

t.test('every test the ledger names exists', async (t) => {
  const citations = [...ledger.matchAll(CITATION)]
  t.ok(citations.length > 100, `${citations.length} citations`)
  const sources = new Map<string, string | undefined>()
  for (const [, file, name] of citations) {
    if (!sources.has(file!))
      sources.set(file!, existsSync(resolve(root, file!)) ? readFileSync(resolve(root, file!), 'utf8') : undefined)
    const source = sources.get(file!)
    if (source === undefined) {
      t.fail(`${file} does not exist`)
      continue
    }
    t.ok(namesSubtest(source, name!), `${file} has a subtest "${name}"`)
  }
})

t.test('the after-run check (scripts/ledger-results.ts) counts only a subtest that ran and passed', async (t) => {
  const tap = [
    '# Subtest: token endpoint',
    '    # Subtest: a sqlite server does it',
    '        ok 1 - a sqlite server does it',
    '    ok 1 - a sqlite server does it # time=12ms',
    '    ok 2 - only on postgresql # SKIP TEST_DATABASE_URL is not set',
    '    # Subtest: broken',
    '        not ok 1 - should be equal',
    '    not ok 3 - broken # time=3ms',
    'ok 1 - token endpoint # time=20ms',
  ].join('\n')
  t.equal(outcomeOf(tap, 'server does it'), 'passed', 'a part of the name, as cited for names built in a loop')
  t.equal(outcomeOf(tap, 'only on postgresql'), 'skipped')
  t.equal(outcomeOf(tap, 'broken'), 'failed')
  t.equal(outcomeOf(tap, 'never written'), 'absent')
  const outcomes = ledgerOutcomes('`test/a.test.ts` › `broken`; `test/b.test.ts` › `x`', (file) =>
    file === 'test/a.test.ts' ? tap : undefined,
  )
  t.same(
    outcomes.map(({ outcome }) => outcome),
    ['failed', 'absent'],
    'a file with no saved result did not run',
  )
})

t.test('every test docs/testing.md names exists (its status of each testing promise cites them)', async (t) => {
  const doc = readFileSync(resolve(root, 'docs/testing.md'), 'utf8')
  let count = 0
  for (const [, file, chain] of doc.matchAll(/`(test\/[\w./-]+\.test\.ts)`((?:,? › `[^`]+`)+)/g)) {
    const source = existsSync(resolve(root, file!)) ? readFileSync(resolve(root, file!), 'utf8') : undefined
    if (source === undefined) {
      t.fail(`${file} does not exist`)
      continue
    }
    for (const [, name] of chain!.matchAll(/› `([^`]+)`/g)) {
      count++
      // A placeholder (<provider>, <n>, …) stands for an interpolated part: the longest literal part is looked for.
      const literal = name!
        .split(/<[a-z]+>|…/)
        .sort((a, b) => b.length - a.length)[0]!
        .trim()
      t.ok(namesSubtest(source, literal), `${file} has a subtest "${name}"`)
    }
  }
  t.ok(count > 40, `${count} citations`)
})
