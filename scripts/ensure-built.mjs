// `npm start` and the `portcullis` bin run the compiled JavaScript in dist/. This compiles it first
// when dist/ is missing or older than a source file, and builds the web console (dist/console) when it is missing
// or older than web/console, so `npm ci && npm start` needs nothing else.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

export function ensureBuilt() {
  const marker = join(root, 'dist/main.cjs')
  if (!existsSync(join(root, 'src'))) return // an installed package ships dist/ only
  if (existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(join(root, 'src'))) return
  process.stderr.write('portcullis: compiling TypeScript (npm run build)…\n')
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
    stdio: 'inherit',
  })
}

/** The console's bundle (scripts/build-console.mjs); a checkout only: the build needs the dev dependencies. */
export async function ensureConsoleBuilt() {
  if (!existsSync(join(root, 'web/console'))) return
  const { consoleIsStale, buildConsole } = await import('./build-console.mjs')
  if (!consoleIsStale()) return
  process.stderr.write('portcullis: building the web console (npm run build:console)…\n')
  await buildConsole()
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureBuilt()
  await ensureConsoleBuilt()
}
