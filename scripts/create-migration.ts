// `npm run db:migration -- NAME`: writes the next migration for SQLite and PostgreSQL from a change to
// prisma/models.prisma. The WebAssembly schema engine diffs the schema as of the last migration
// (migrations/schema.snapshot.prisma, written with every migration) against the current one; a
// datamodel-to-datamodel diff needs no shadow database, so this works with no database at all.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { noFilters, providerFolder, withSchemaEngine } from '../src/store/migrations/schema-engine.ts'

const name = process.argv[2]
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- NAME   (lower-case letters, digits and _)')
  process.exit(1)
}
execFileSync(process.execPath, ['scripts/prisma.mjs', 'schemas'], { stdio: 'inherit' })
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)

for (const provider of ['sqlite', 'postgresql'] as const) {
  const migrations = join(providerFolder(provider), 'migrations')
  const snapshotPath = join(migrations, 'schema.snapshot.prisma')
  const previous = existsSync(snapshotPath) ? readFileSync(snapshotPath, 'utf8') : undefined
  // The adapter is required by the engine's constructor; nothing connects through it for this diff.
  const sql = await withSchemaEngine(provider, new PrismaBetterSqlite3({ url: ':memory:' }), async (engine, schema) => {
    const from =
      previous === undefined
        ? { tag: 'empty' }
        : { tag: 'schemaDatamodel', files: [{ path: snapshotPath, content: previous }] }
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: null,
      filters: noFilters,
    } as never)
    return { text: result.stdout ?? '', schema: schema.content }
  })
  if (!/\b(CREATE|ALTER|DROP)\b/i.test(sql.text)) {
    console.log(`${provider}: no change`)
    continue
  }
  const dir = join(migrations, `${stamp}_${name}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'migration.sql'), sql.text)
  writeFileSync(snapshotPath, sql.schema)
  const lock = join(migrations, 'migration_lock.toml')
  if (!existsSync(lock))
    writeFileSync(lock, `# Written by scripts/create-migration.ts; do not edit.\nprovider = "${provider}"\n`)
  console.log(`${provider}: wrote ${dir}/migration.sql`)
}
