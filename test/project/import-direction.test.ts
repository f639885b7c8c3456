// The layering of src/ (README, Architecture), enforced: every relative import of every module under src/ (static
// `import`/`export … from`, `import()`, `require`, `import('…')` types; type-only imports count too) must go to its
// own layer or to one its layer may import. Top to bottom: main.cts → server.ts → app.ts → services.ts → the edges
// (routes/, cli/) → pages/ → manage/ → oauth/ → security/ → keys/ → ops/ → store/; http/ (Fastify's plumbing) sits beside
// them, under app.ts, services.ts and routes/, and above ops/ and store/. errors.ts, config.ts and cpus.cts are
// leaves anyone may import. Nothing below imports above, so nothing imports app.ts or server.ts but the one file
// above each. Prisma (its packages and the generated client) stays inside store/, and packages/ talk HTTP to the
// server: they import nothing from src/. The rules are the tables below; a new folder must be added to LAYERS.
import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

const ROOT = resolve(import.meta.dirname, '../..')
const SRC = join(ROOT, 'src')
const GENERATED = 'store/generated/'

type Layer =
  | 'main'
  | 'server'
  | 'app'
  | 'services'
  | 'routes'
  | 'cli'
  | 'pages'
  | 'http'
  | 'manage'
  | 'oauth'
  | 'security'
  | 'keys'
  | 'ops'
  | 'store'
  | 'config'
  | 'cpus'
  | 'errors'

interface LayerRule {
  layer: Layer
  /** Paths under src/: a file, or a folder ending in `/`. */
  paths: string[]
  /** The other layers it may import (its own is always allowed, and so are LEAVES). */
  mayImport: Layer[]
}

/** Top to bottom: a layer's mayImport may name only layers after it (checked below), so there is no cycle. */
const LAYERS: LayerRule[] = [
  { layer: 'main', paths: ['main.cts'], mayImport: ['server'] },
  { layer: 'server', paths: ['server.ts'], mayImport: ['app', 'services', 'keys', 'ops', 'store'] },
  {
    layer: 'app',
    paths: ['app.ts'],
    mayImport: ['services', 'routes', 'pages', 'http', 'manage', 'oauth', 'security', 'keys', 'ops', 'store'],
  },
  {
    layer: 'services',
    paths: ['services.ts'],
    mayImport: ['http', 'manage', 'oauth', 'security', 'keys', 'ops', 'store'],
  },
  {
    layer: 'routes',
    paths: ['routes/'],
    mayImport: ['pages', 'http', 'manage', 'oauth', 'security', 'keys', 'ops', 'store'],
  },
  // A separate edge: what the CLI shares with the admin API lives in manage/, not in routes/.
  { layer: 'cli', paths: ['cli/'], mayImport: ['manage', 'oauth', 'security', 'keys', 'ops', 'store'] },
  // The server-rendered pages (templates, CSRF, security headers): rendering only, no flow and no store.
  { layer: 'pages', paths: ['pages/'], mayImport: [] },
  // Server plumbing (pre-routing answers, error handler, logging, draining): no protocol, no keys, no secrets.
  { layer: 'http', paths: ['http/'], mayImport: ['ops', 'store'] },
  { layer: 'manage', paths: ['manage/'], mayImport: ['oauth', 'security', 'keys', 'ops', 'store'] },
  { layer: 'oauth', paths: ['oauth/'], mayImport: ['security', 'keys', 'ops', 'store'] },
  { layer: 'security', paths: ['security/'], mayImport: ['keys', 'ops', 'store'] },
  { layer: 'keys', paths: ['keys/'], mayImport: ['ops', 'store'] },
  { layer: 'ops', paths: ['ops/'], mayImport: ['store'] },
  { layer: 'store', paths: ['store/'], mayImport: [] },
  // The leaves. cpus.cts is CommonJS without dependencies so that main.cts can size libuv's pool before anything.
  { layer: 'config', paths: ['config.ts'], mayImport: ['cpus', 'errors'] },
  { layer: 'cpus', paths: ['cpus.cts'], mayImport: [] },
  { layer: 'errors', paths: ['errors.ts'], mayImport: [] },
]

/** Anyone may import these. */
const LEAVES: Layer[] = ['config', 'cpus', 'errors']

/**
 * Layers whose types anyone below may import with `import type` (erased at build time, so no run-time edge and
 * no cycle): Services is the contract routes and grants receive. `import { type X }` does not count: under
 * verbatimModuleSyntax it leaves `import {} from '…'`, which loads the module.
 */
const TYPES_FOR_ALL_BELOW: Layer[] = ['services']

/** Deliberate imports the tables do not allow, each with its reason: `from -> to` (paths under src/). */
const EXCEPTIONS: Record<string, string> = {}

/**
 * Imports that break the layering today and are to be moved (the fix is said for each). Reported as TODO, not as
 * failures; one that is gone fails, so that it is removed from here.
 */
const KNOWN_VIOLATIONS: Record<string, string> = {}

interface Import {
  file: string
  specifier: string
  typeOnly: boolean
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && `${relative(SRC, path)}/` !== GENERATED) yield* sourceFiles(path)
    } else if (/\.[cm]?[jt]sx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path
  }
}

/** Every module specifier the file names, through the TypeScript parser (a grep would miss or invent some). */
function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: Import[] = []
  const add = (specifier: ts.Node | undefined, typeOnly: boolean) => {
    if (specifier && ts.isStringLiteralLike(specifier)) found.push({ file, specifier: specifier.text, typeOnly })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false)
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly)
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true)
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      add(node.arguments[0], false)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** The source file a relative specifier names (NodeNext: `./x.js` is `./x.ts`), as a path under src/. */
function target(file: string, specifier: string): string {
  const path = relative(SRC, resolve(dirname(file), specifier))
  return path
    .replace(/\.js$/, '.ts')
    .replace(/\.cjs$/, '.cts')
    .replace(/\.mjs$/, '.mts')
}

function layerOf(path: string): Layer | undefined {
  return LAYERS.find((rule) => rule.paths.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p)))?.layer
}

const rules = new Map(LAYERS.map((rule) => [rule.layer, rule]))
const rank = new Map(LAYERS.map((rule, index) => [rule.layer, index]))
/** A leaf may import only what its row names; any other layer, its row and the leaves. */
const allowed = (layer: Layer) => [...rules.get(layer)!.mayImport, ...(LEAVES.includes(layer) ? [] : LEAVES)]

/** Why `from` may not import `to`, or undefined if it may. */
function violation(from: string, to: string, typeOnly: boolean): string | undefined {
  const source = layerOf(from)
  const destination = layerOf(to)
  if (!source) return `${from} belongs to no layer: add its folder to LAYERS`
  if (to.startsWith('..')) return `it reaches outside src/ (${to})`
  if (to.startsWith(GENERATED) && source !== 'store') return 'only store/ uses the generated Prisma client'
  if (!destination) return `${to} belongs to no layer: add its folder to LAYERS`
  if (destination === source || allowed(source).includes(destination)) return undefined
  const below = rank.get(destination)! > rank.get(source)!
  if (typeOnly && TYPES_FOR_ALL_BELOW.includes(destination) && !below) return undefined
  const may = allowed(source).map((layer) => rules.get(layer)!.paths.join(', '))
  const upward = below ? '' : `${to} is not below ${from} (nothing imports upward); `
  return `${upward}${rules.get(source)!.paths.join(', ')} may import only ${may.join(', ') || 'nothing of ours'}`
}

/** Prisma's packages: only store/ may name them. */
const PRISMA = /^(@prisma\/|prisma$|prisma\/)/

const srcImports: Import[] = []
for (const file of sourceFiles(SRC)) srcImports.push(...importsOf(file, readFileSync(file, 'utf8')))

t.test('the layer tables point downward only, and every layer named exists', async (t) => {
  for (const rule of LAYERS) {
    for (const layer of rule.mayImport) {
      t.ok(rank.has(layer), `${rule.layer} names ${layer}, a layer`)
      t.ok(rank.get(layer)! > rank.get(rule.layer)!, `${rule.layer} may import ${layer}, which is below it`)
    }
  }
  for (const leaf of LEAVES) t.ok(rank.get(leaf)! >= rank.get('store')!, `${leaf} is a leaf, below store/`)
})

t.test('every module under src/ imports only its own layer, lower ones and the leaves', async (t) => {
  const imports = srcImports
  t.ok(imports.length > 200, `${imports.length} imports read`)
  const seen = new Set<string>()
  for (const { file, specifier, typeOnly } of imports) {
    if (!specifier.startsWith('.')) continue
    const from = relative(SRC, file)
    const to = target(file, specifier)
    const edge = `${from} -> ${to}`
    const problem = violation(from, to, typeOnly)
    if (problem === undefined || EXCEPTIONS[edge] !== undefined) continue
    const message = `src/${from} imports '${specifier}' (src/${to}): ${problem}`
    if (KNOWN_VIOLATIONS[edge] !== undefined) {
      seen.add(edge)
      t.fail(message, { todo: KNOWN_VIOLATIONS[edge] })
    } else t.fail(message)
  }
  for (const edge of Object.keys(KNOWN_VIOLATIONS)) {
    if (!seen.has(edge)) t.fail(`${edge} is fixed (or gone): remove it from KNOWN_VIOLATIONS`)
  }
  for (const edge of Object.keys(EXCEPTIONS)) {
    const [from, to] = edge.split(' -> ') as [string, string]
    if (
      !imports.some(
        (i) => relative(SRC, i.file) === from && i.specifier.startsWith('.') && target(i.file, i.specifier) === to,
      )
    ) {
      t.fail(`${edge} is no longer imported: remove it from EXCEPTIONS`)
    }
  }
})

t.test('Prisma (its packages and the generated client) is used only inside store/', async (t) => {
  for (const { file, specifier } of srcImports) {
    const from = relative(SRC, file)
    if (from.startsWith('store/')) continue
    if (PRISMA.test(specifier)) t.fail(`src/${from} imports '${specifier}': only store/ uses Prisma`)
    if (specifier.startsWith('.') && target(file, specifier).startsWith(GENERATED)) {
      t.fail(`src/${from} imports '${specifier}': only store/ uses the generated Prisma client`)
    }
  }
})

t.test('packages/ import nothing from src/ (they talk HTTP to the server)', async (t) => {
  const packages = join(ROOT, 'packages')
  if (!existsSync(packages)) {
    t.pass('no packages/ yet')
    return
  }
  const files = [...sourceFiles(packages)].filter((file) => !file.split('/').includes('dist'))
  t.ok(files.length >= 10, `${files.length} modules of packages/ read`)
  for (const file of files) {
    for (const { specifier } of importsOf(file, readFileSync(file, 'utf8'))) {
      const reaches = specifier.startsWith('.') && !relative(SRC, resolve(dirname(file), specifier)).startsWith('..')
      if (reaches || /^portcullis(\/|$)/.test(specifier)) {
        t.fail(`${relative(ROOT, file)} imports '${specifier}': packages/ may not import src/`)
      }
    }
  }
})

t.test('the rules catch what they are for', async (t) => {
  t.match(
    violation('store/clients.ts', 'routes/oauth.ts', false),
    /nothing imports upward/,
    'a store module importing a route',
  )
  t.match(violation('oauth/scope.ts', 'app.ts', true), /not below/, 'app.ts, even for a type')
  t.match(violation('routes/oauth.ts', 'server.ts', false), /not below/, 'server.ts')
  t.match(violation('app.ts', 'main.cts', false), /not below/, 'main.cts')
  t.match(
    violation('cli/main.ts', 'routes/admin/views.ts', false),
    /cli\/ may import only/,
    'one edge importing another',
  )
  t.match(violation('keys/keyring.ts', 'security/secrets.ts', false), /not below/, 'keys/ importing security/')
  t.match(violation('errors.ts', 'config.ts', false), /may import only nothing of ours/, 'errors.ts is a leaf')
  t.match(violation('routes/oauth.ts', 'services.ts', false), /not below/, 'services.ts at run time, from below')
  t.equal(violation('routes/oauth.ts', 'services.ts', true), undefined, 'services.ts as `import type`')
  t.match(violation('oauth/grants/password.ts', 'store/generated/sqlite/client.ts', true), /only store\//)
  t.match(violation('billing/plans.ts', 'store/users.ts', false), /belongs to no layer/, 'a folder not in LAYERS')
  t.equal(violation('routes/me.ts', 'routes/admin/views.ts', false), undefined, 'within a layer')
  t.equal(violation('store/users.ts', 'errors.ts', false), undefined, 'a leaf')
  const parsed = importsOf(
    'src/x.ts',
    [
      "import type { A } from './a.js'",
      "import { type B } from './b.js'",
      "export { C } from './c.js'",
      "const d = await import('./d.js')",
      "type E = import('./e.js').E",
      "import f = require('./f.cjs')",
    ].join('\n'),
  )
  t.same(
    parsed.map(({ specifier, typeOnly }) => `${specifier}${typeOnly ? ' (type)' : ''}`),
    ['./a.js (type)', './b.js', './c.js', './d.js', './e.js (type)', './f.cjs'],
    'static, re-exported, dynamic, type-position and require imports are all read',
  )
})
