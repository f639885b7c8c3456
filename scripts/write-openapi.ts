// `npm run openapi`: writes openapi.yaml from the route schemas, the one source of truth (src/routes/docs.ts).
// The app is built exactly as the server builds it, on a throwaway SQLite database, and asked for its
// document; nothing in the document depends on the configuration. `--check` only compares, exiting 1 when
// the committed file is stale (test/project/openapi.test.ts does the same).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { createKeyring } from '../src/keys/keyring.ts'
import { createStore, openDatabase } from '../src/store/index.ts'

export const OPENAPI_PATH = resolve(import.meta.dirname, '..', 'openapi.yaml')

/** The OpenAPI document of the service, as YAML. */
export async function renderOpenApi(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-openapi-'))
  try {
    const config = loadConfig(
      { DATABASE_URL: `file:${join(dir, 'openapi.db')}`, KEYS_DIR: dir, LOG_LEVEL: 'silent' },
      { envFile: false },
    )
    const store = createStore(await openDatabase(config.databaseUrl, { migrate: true }))
    const masterKey = randomBytes(32)
    const keyring = await createKeyring({ config, store, masterKey, autoRefresh: false })
    const app = await buildApp({ config, store, keyring, masterKey, logger: false })
    try {
      await app.ready()
      return app.swagger({ yaml: true })
    } finally {
      await app.close()
      keyring.close()
      await store.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The admin client's types (packages/client/src/admin/openapi.ts), generated from the document by openapi-typescript. */
export const ADMIN_TYPES_PATH = resolve(import.meta.dirname, '..', 'packages/client/src/admin/openapi.ts')

export async function renderAdminTypes(yaml: string): Promise<string> {
  const { default: openapiTS, astToString } = await import('openapi-typescript')
  const header = '// Generated from openapi.yaml by `npm run openapi` (openapi-typescript): do not edit.\n'
  return header + astToString(await openapiTS(yaml))
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const yaml = await renderOpenApi()
  const types = await renderAdminTypes(yaml)
  if (process.argv.includes('--check')) {
    const committed = readFileSync(OPENAPI_PATH, 'utf8')
    if (committed !== yaml) {
      console.error('openapi.yaml is out of date with the route schemas: run `npm run openapi`')
      process.exit(1)
    }
    if (readFileSync(ADMIN_TYPES_PATH, 'utf8') !== types) {
      console.error('packages/client/src/admin/openapi.ts is out of date with openapi.yaml: run `npm run openapi`')
      process.exit(1)
    }
    console.log('openapi.yaml and the admin client types are up to date')
  } else {
    writeFileSync(OPENAPI_PATH, yaml)
    writeFileSync(ADMIN_TYPES_PATH, types)
    console.log(`wrote ${OPENAPI_PATH} and ${ADMIN_TYPES_PATH}`)
  }
}
