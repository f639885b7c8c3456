#!/usr/bin/env node
// Development tooling for the Prisma store, runnable offline (only the npm registry is reachable).
//
//   node scripts/prisma.mjs schemas            write prisma/{sqlite,postgres}/schema.prisma from prisma/models.prisma
//   node scripts/prisma.mjs generate           schemas + `prisma generate` for both providers
//
// Prisma's CLI downloads a native schema engine before every command; `generate` does not need it, so
// PRISMA_SCHEMA_ENGINE_BINARY points at an existing file to skip the download. Migrations are created by
// scripts/create-migration.ts with the WebAssembly schema engine instead (src/store/schema-engine.ts).
// Plain JavaScript because it runs at `npm ci` (postinstall), before anything is compiled.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
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
}

${models}`
}

function writeSchemas() {
  for (const provider of providers) {
    const dir = join(root, 'prisma', folderOf(provider))
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'schema.prisma'), schemaText(provider))
  }
}

function generate() {
  writeSchemas()
  const prismaBin = join(root, 'node_modules/prisma/build/index.js')
  for (const provider of providers) {
    execFileSync(process.execPath, [prismaBin, 'generate', '--schema', `prisma/${folderOf(provider)}/schema.prisma`], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    })
  }
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
