// Every regular expression in src/ is checked for catastrophic backtracking (ReDoS) by recheck, which proves a
// pattern safe or finds an attack string. V8's engine backtracks, so a pattern with overlapping quantifiers (the
// old `Authorization: Bearer` pattern: 200-400 ms for one 16 KB header) lets one unauthenticated request stall
// the event loop. Found here: regex literals (through the TypeScript parser, not a grep), JSON Schema `pattern`
// strings (Ajv compiles them with the `u` flag and runs them on request input), and `RegExp(...)` calls (or
// match/matchAll/search given anything but a literal), which must be listed in DYNAMIC_PATTERNS with what they
// build, so that a pattern made at run time is checked too.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { check } from 'recheck'
import { ACCESS_KEY_PATTERN } from '../../src/security/access-keys.ts'

interface Pattern {
  where: string
  source: string
  flags: string
}

const SRC = join(import.meta.dirname, '../..', 'src')

// recheck runs its native binary when its package for this platform is installed (about 3.5 s here for every
// pattern), else Java (over 190 s here, past tap's timeout), else a pure-JS worker (about 17 s): skip Java.
function recheckBackend(): string {
  const os = ({ linux: 'linux', darwin: 'macos', win32: 'windows' } as Record<string, string>)[process.platform]
  try {
    createRequire(import.meta.url).resolve(`recheck-${os}-${process.arch}/package.json`)
    return 'native'
  } catch {
    return 'worker'
  }
}
process.env.RECHECK_BACKEND ??= recheckBackend()

const STRING_TO_PATTERN = new Set(['match', 'matchAll', 'search'])

/** `RegExp(...)` calls (and match/matchAll/search on a pattern not written in place) by file and call text, with the expressions they build. */
const DYNAMIC_PATTERNS: Record<string, RegExp[]> = {
  'security/access-keys.ts: newRegExp(`^${ACCESS_KEY_PREFIX}_([0-9A-Za-z]{${ID_TIME_LENGTH+ID_RANDOM_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})$`)':
    [ACCESS_KEY_PATTERN],
}

/** The expression's text without its layout (the formatter may wrap it), the key of DYNAMIC_PATTERNS. */
const compact = (text: string) => text.replace(/\s+/g, '').replace(/,\)$/, ')')

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    // The Prisma client is generated, not ours, and never sees request input through a pattern of its own.
    if (entry.isDirectory() && entry.name !== 'generated') yield* sourceFiles(path)
    else if (entry.isFile() && /\.[cm]?tsx?$/.test(entry.name)) yield path
  }
}

function stringConstants(file: ts.SourceFile): Map<string, string> {
  const constants = new Map<string, string>()
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      ts.isStringLiteralLike(node.initializer)
    ) {
      constants.set(node.name.text, node.initializer.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return constants
}

function findPatterns(): { patterns: Pattern[]; unchecked: string[] } {
  const patterns: Pattern[] = []
  const unchecked: string[] = []
  for (const path of sourceFiles(SRC)) {
    const name = relative(SRC, path)
    const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
    const constants = stringConstants(file)
    const where = (node: ts.Node) => `${name}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = (node as ts.RegularExpressionLiteral).text
        const end = text.lastIndexOf('/')
        patterns.push({ where: where(node), source: text.slice(1, end), flags: text.slice(end + 1) })
      } else if (
        (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'RegExp'
      ) {
        const built = DYNAMIC_PATTERNS[`${name}: ${compact(node.getText(file))}`]
        if (built)
          patterns.push(...built.map((regex) => ({ where: where(node), source: regex.source, flags: regex.flags })))
        else unchecked.push(`${where(node)} ${node.getText(file)}`)
      } else if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        STRING_TO_PATTERN.has(node.expression.name.text) &&
        node.arguments[0]
      ) {
        // String.prototype.match/matchAll/search compile a string argument into a pattern.
        const argument = node.arguments[0]
        if (ts.isStringLiteralLike(argument)) patterns.push({ where: where(node), source: argument.text, flags: '' })
        else if (argument.kind !== ts.SyntaxKind.RegularExpressionLiteral) {
          const built = DYNAMIC_PATTERNS[`${name}: ${compact(node.getText(file))}`]
          if (built)
            patterns.push(...built.map((regex) => ({ where: where(node), source: regex.source, flags: regex.flags })))
          else unchecked.push(`${where(node)} ${node.getText(file)}`)
        }
      } else if (ts.isPropertyAssignment(node) && node.name.getText(file) === 'pattern') {
        const value = ts.isStringLiteralLike(node.initializer)
          ? node.initializer.text
          : ts.isIdentifier(node.initializer)
            ? constants.get(node.initializer.text)
            : undefined
        if (value === undefined) unchecked.push(`${where(node)} ${node.getText(file)}`)
        else patterns.push({ where: where(node), source: value, flags: 'u' })
      }
      ts.forEachChild(node, visit)
    }
    visit(file)
  }
  return { patterns, unchecked }
}

t.test('every regular expression in src/ is safe from catastrophic backtracking', async (t) => {
  const { patterns, unchecked } = findPatterns()
  t.same(unchecked, [], 'every pattern built at run time is listed in DYNAMIC_PATTERNS with what it builds')
  t.ok(patterns.length >= 60, `the search found the patterns (${patterns.length})`)
  t.ok(
    patterns.some((pattern) => pattern.where.startsWith('security/bearer.ts')),
    'the Authorization pattern is among them',
  )
  const verdicts = await Promise.all(
    patterns.map(async (pattern) => ({
      pattern,
      diagnostics: await check(pattern.source, pattern.flags, { timeout: 20_000 }),
    })),
  )
  const unsafe = verdicts
    .filter(({ diagnostics }) => diagnostics.status !== 'safe')
    .map(({ pattern, diagnostics }) => ({
      where: pattern.where,
      pattern: `/${pattern.source}/${pattern.flags}`,
      status: diagnostics.status,
      ...(diagnostics.status === 'vulnerable'
        ? { complexity: diagnostics.complexity.summary, attack: diagnostics.attack.pattern }
        : {}),
      ...(diagnostics.status === 'unknown' ? { error: diagnostics.error } : {}),
    }))
  t.same(unsafe, [], 'recheck proves every pattern safe')
})
