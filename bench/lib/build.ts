// The server under test is the compiled JavaScript, as in production. It is compiled into a private
// directory (not the shared dist/, which other work may be rewriting), laid out like the checkout so
// that paths relative to the code (../../prisma) and package resolution (node_modules) hold.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

export interface Build {
  /** Command and leading arguments that run a module of src/, named by its source file ('main.cts', 'cli/main.ts'). */
  node(source: string): { command: string; args: string[] }
  /** 'dist' (tsc output) or 'tsx' (sources through the tsx loader). */
  mode: 'dist' | 'tsx'
  remove(): void
}

export function prepareBuild(mode: 'dist' | 'tsx'): Build {
  if (mode === 'tsx') {
    const loader = import.meta.resolve('tsx')
    return {
      mode,
      node: (source) => ({ command: process.execPath, args: ['--import', loader, join(repoRoot, 'src', source)] }),
      remove: () => undefined,
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-build-'))
  // tsc emits even where another engineer's file does not type-check yet; only the emitted JavaScript matters here.
  try {
    execFileSync(
      process.execPath,
      [
        join(repoRoot, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(repoRoot, 'tsconfig.json'),
        '--outDir',
        join(dir, 'dist'),
      ],
      {
        stdio: 'pipe',
      },
    )
  } catch {
    // type errors elsewhere in the tree; the emitted files are still checked below by starting them
  }
  copyFileSync(join(repoRoot, 'package.json'), join(dir, 'package.json'))
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'))
  symlinkSync(join(repoRoot, 'prisma'), join(dir, 'prisma'))
  // The page templates and static files are read from src/pages/ beside dist/ (src/pages/assets.ts, as the Dockerfile lays them out).
  mkdirSync(join(dir, 'src'))
  symlinkSync(join(repoRoot, 'src', 'pages'), join(dir, 'src', 'pages'))
  return {
    mode,
    // tsc writes x.ts as x.js and x.cts as x.cjs.
    node: (source) => ({
      command: process.execPath,
      args: [join(dir, 'dist', source.replace(/\.ts$/, '.js').replace(/\.cts$/, '.cjs'))],
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Command and arguments that run one of the benchmark's own TypeScript scripts (references, baselines). */
export function benchScript(path: string, args: string[] = []): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--import', import.meta.resolve('tsx'), join(repoRoot, 'bench', path), ...args],
  }
}
