// Builds the web console (web/console) into dist/console: one minified ES module bundle (Preact, the client SDK,
// the typed admin client) and one stylesheet, both under content-hashed names, and index.html naming them. Run by
// `npm run build`, by `npm start` when the build is missing or older than the sources, and by the tests that need it.
// Prints the gzip size of what the browser loads before the console is usable (index.html, script, stylesheet).
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const SOURCE = join(root, 'web/console')
export const OUT = join(root, 'dist/console')
/** The budget checked in CI: gzip bytes of everything loaded before first use. */
export const BUDGET_BYTES = 150 * 1024

const hashed = (stem, extension, body) =>
  `${stem}-${createHash('sha256').update(body).digest('base64url').slice(0, 10)}.${extension}`

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Whether dist/console is missing or older than web/console or the client package. */
export function consoleIsStale() {
  try {
    const built = statSync(join(OUT, 'index.html')).mtimeMs
    return built < Math.max(newestMtime(SOURCE), newestMtime(join(root, 'packages/client/src')))
  } catch {
    return true
  }
}

/** @portcullis/client from this checkout's TypeScript sources (its dist/ is not built in a checkout). */
const clientSource = {
  name: 'portcullis-client-source',
  setup(build) {
    build.onResolve({ filter: /^@portcullis\/client(\/admin)?$/ }, (args) => ({
      path: join(root, 'packages/client/src', args.path.endsWith('/admin') ? 'admin/index.ts' : 'index.ts'),
    }))
  },
}

/** Writes a file whole or not at all (a test process may read it while another builds). */
function writeAtomically(path, body) {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, body)
  renameSync(temporary, path)
}

/**
 * Builds dist/console. `clean`: empties it first (`npm run build`); without, old assets stay beside the new ones,
 * so that test processes building at once never take a file from under each other.
 */
export async function buildConsole({ clean = true } = {}) {
  const esbuild = await import('esbuild')
  const result = await esbuild.build({
    entryPoints: [join(SOURCE, 'src/main.tsx')],
    bundle: true,
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    write: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    conditions: ['portcullis-source'],
    legalComments: 'none',
    logLevel: 'warning',
    tsconfig: join(SOURCE, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [clientSource],
  })
  const script = result.outputFiles[0].contents
  const styles = readFileSync(join(SOURCE, 'src/styles.css'))
  const css = (
    await esbuild.transform(styles.toString(), { loader: 'css', minify: true, target: ['chrome110', 'safari16'] })
  ).code
  const scriptName = hashed('app', 'js', script)
  const stylesName = hashed('app', 'css', css)
  const html = readFileSync(join(SOURCE, 'index.html'), 'utf8')
    .replace('%SCRIPT%', `/console/assets/${scriptName}`)
    .replace('%STYLES%', `/console/assets/${stylesName}`)
  if (clean) rmSync(OUT, { recursive: true, force: true })
  mkdirSync(join(OUT, 'assets'), { recursive: true })
  writeAtomically(join(OUT, 'assets', scriptName), script)
  writeAtomically(join(OUT, 'assets', stylesName), css)
  writeAtomically(join(OUT, 'index.html'), html)
  const gzipBytes = [script, Buffer.from(css), Buffer.from(html)].reduce((sum, body) => sum + gzipSync(body).length, 0)
  return { gzipBytes, scriptBytes: script.length, files: [scriptName, stylesName, 'index.html'] }
}

/** Builds the console unless dist/console is up to date (tests, `npm start`). */
export async function ensureConsoleBuilt() {
  if (consoleIsStale()) await buildConsole({ clean: false })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { gzipBytes } = await buildConsole()
  const line = `console: ${(gzipBytes / 1024).toFixed(1)} kB gzip before first use (budget ${BUDGET_BYTES / 1024} kB)`
  process.stdout.write(`${line}\n`)
  if (gzipBytes > BUDGET_BYTES) {
    process.stderr.write('console: over the size budget\n')
    process.exit(1)
  }
}
