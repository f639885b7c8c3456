#!/usr/bin/env node
// Development tooling for the Prisma store, runnable offline (only the npm registry is reachable).
//
//   node scripts/prisma.mjs schemas            write prisma/{sqlite,postgres}/schema.prisma from prisma/models.prisma
//   node scripts/prisma.mjs generate           schemas + `prisma generate` for both providers
//
// Prisma's CLI downloads a native schema engine before every command; `generate` does not need it, so
// PRISMA_SCHEMA_ENGINE_BINARY points at an existing file to skip the download. Migrations are created by
// scripts/create-migration.ts with the WebAssembly schema engine instead (src/store/migrations/schema-engine.ts).
// Plain JavaScript because it runs at `npm ci` (postinstall), before anything is compiled.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const providers = /** @type {const} */ (['sqlite', 'postgresql'])
const folderOf = (provider) => (provider === 'postgresql' ? 'postgres' : 'sqlite')

function schemaText(provider) {
  const models = readFileSync(join(root, 'prisma/models.prisma'), 'utf8')
  return `// GENERATED from prisma/models.prisma by \`npm run db:schemas\`; do not edit.
datasource db {
  provider = "${provider}"
}

generator client {
  provider            = "prisma-client"
  output              = "../../src/store/generated/${folderOf(provider)}"
  moduleFormat        = "esm"
  importFileExtension = "js"
  runtime             = "nodejs"
  compilerBuild       = "small"
}

${models}`
}

function writeSchemas() {
  for (const provider of providers) {
    const dir = join(root, 'prisma', folderOf(provider))
    mkdirSync(dir, { recursive: true })
    const path = join(dir, 'schema.prisma')
    // Unchanged files keep their modification time, so nothing downstream looks stale.
    if (!existsSync(path) || readFileSync(path, 'utf8') !== schemaText(provider))
      writeFileSync(path, schemaText(provider))
  }
}

// What the generated clients depend on. `npx portcullis` in the checkout installs the project into npm's
// cache and so runs postinstall again: regenerating identical clients would make dist/ look stale and
// recompile it, so generation is skipped when this stamp has not changed.
function generatorStamp() {
  const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version
  return createHash('sha256')
    .update(JSON.stringify([providers.map(schemaText), version('prisma'), version('@prisma/client')]))
    .digest('hex')
}

function generate() {
  writeSchemas()
  const stampPath = join(root, 'src/store/generated/.stamp')
  const stamp = generatorStamp()
  const generated = providers.every((provider) =>
    existsSync(join(root, 'src/store/generated', folderOf(provider), 'client.ts')),
  )
  if (generated && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp) return
  const prismaBin = join(root, 'node_modules/prisma/build/index.js')
  for (const provider of providers) {
    execFileSync(process.execPath, [prismaBin, 'generate', '--schema', `prisma/${folderOf(provider)}/schema.prisma`], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
      },
    })
  }
  writeFileSync(stampPath, stamp)
}

const [command] = process.argv.slice(2)
try {
  if (command === 'schemas') writeSchemas()
  else if (command === 'generate') generate()
  else throw new Error('usage: node scripts/prisma.mjs schemas|generate')
} catch (err) {
  console.error(`prisma: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
}
