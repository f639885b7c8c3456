// Prisma's CLI needs a native schema engine that it downloads from outside the npm registry; this
// module drives the WebAssembly build of the same engine (@prisma/schema-engine-wasm) instead, so
// migrations are created and applied on machines that reach only the npm registry.
import { readFile, readdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils'
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm'
import { atomicScripts } from './interrupted-migrations.js'

export type Provider = 'sqlite' | 'postgresql'

/** `prisma/` of the package, found the same way from `src/store/migrations` and `dist/store/migrations`. */
export const prismaDir = fileURLToPath(new URL('../../../prisma/', import.meta.url))

export function providerFolder(provider: Provider): string {
  return join(prismaDir, provider === 'postgresql' ? 'postgres' : 'sqlite')
}

// Node's WebAssembly global; its types live in TypeScript's DOM lib, which this project does not load.
const wasmRuntime = (
  globalThis as unknown as {
    WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }> }
  }
).WebAssembly

type EngineModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg')
let engineModule: Promise<EngineModule> | undefined
const engineTimers = new Set<NodeJS.Timeout>()

// The wasm-bindgen module is bundler-style: Node cannot import its .wasm, so it is instantiated here.
async function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg')
    const wasmPath = createRequire(import.meta.url)
      .resolve('@prisma/schema-engine-wasm/schema_engine_bg')
      .replace(/\.js$/, '.wasm')
    // The engine leaves timers (lock time-outs) running after it is done; they are tracked so that
    // withSchemaEngine can clear them, instead of keeping a finished process alive for seconds.
    const imports: Record<string, unknown> = { ...bindings }
    for (const name of Object.keys(imports).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
      imports[name] = (callback: () => void, ms: number) => {
        const timer = setTimeout(() => {
          engineTimers.delete(timer)
          callback()
        }, ms >>> 0)
        engineTimers.add(timer)
        return timer
      }
    }
    const { instance } = await wasmRuntime.instantiate(await readFile(wasmPath), { './schema_engine_bg.js': imports })
    bindings.__wbg_set_wasm(instance.exports)
    ;(instance.exports as { __wbindgen_start: () => void }).__wbindgen_start()
    return bindings
  })()
  return engineModule
}

export async function readMigrations(provider: Provider): Promise<MigrationList> {
  const baseDir = join(providerFolder(provider), 'migrations')
  const names = (await readdir(baseDir, { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(join(baseDir, name, 'migration.sql'), 'utf8') },
      },
    })),
  )
  const lockPath = join(baseDir, 'migration_lock.toml')
  const lockContent = await readFile(lockPath, 'utf8').catch(() => null)
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  }
}

export async function withSchemaEngine<T>(
  provider: Provider,
  adapter: SqlMigrationAwareDriverAdapterFactory,
  run: (engine: SchemaEngine, schema: { path: string; content: string }) => Promise<T>,
): Promise<T> {
  const bindings = await loadEngineModule()
  const schemaPath = join(providerFolder(provider), 'schema.prisma')
  const content = await readFile(schemaPath, 'utf8')
  // The engine connects through the factory but never closes what it opened: an open SQLite
  // connection would keep the file locked, an open pg pool would keep its advisory lock and the process.
  const opened: { dispose(): Promise<void> }[] = []
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    connect: async () => {
      const connection = await adapter.connect()
      opened.push(connection)
      return atomicScripts(connection)
    },
    connectToShadowDb: async () => {
      const connection = await adapter.connectToShadowDb()
      opened.push(connection)
      return connection
    },
  }
  const engine = await bindings.SchemaEngine.new(
    { datamodels: [[schemaPath, content]] },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(tracked),
  )
  try {
    return await run(engine as unknown as SchemaEngine, { path: schemaPath, content })
  } finally {
    engine.free()
    await Promise.all(opened.map((connection) => connection.dispose()))
    for (const timer of engineTimers) clearTimeout(timer)
    engineTimers.clear()
  }
}

export const noFilters = { externalTables: [], externalEnums: [] }
