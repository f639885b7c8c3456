// The server: config → first signing keys → database → migrations → keys → buildApp → listen; a graceful close
// on signals. Started by main.ts.
import { ConfigError, loadConfig, type Config } from './config.js'
import { generateFirstSigningKeys, type GeneratedKey } from './keys/key-material.js'
import { isNewDatabase } from './store/database-url.js'

/**
 * A new database needs a first signing key per configured algorithm: they are made while the rest of the server
 * loads (most of a start), instead of after it (keys/key-material.ts generateFirstSigningKeys).
 */
function firstSigningKeys(config: Readonly<Config>): Promise<GeneratedKey>[] | undefined {
  if (!isNewDatabase(config.databaseUrl)) return undefined
  const keys = generateFirstSigningKeys(config.signingAlgorithms, config.signingKeySize)
  for (const key of keys) key.catch(() => undefined) // a failure is the key manager's to handle (it generates again)
  return keys
}

async function start(config: Readonly<Config>): Promise<void> {
  const pregenerated = firstSigningKeys(config)
  const [
    { buildApp },
    { createKeyring },
    { loadMasterKey },
    { createDeferredLogger },
    { createChangeFeed, createStore, openDatabase },
  ] = await Promise.all([
    import('./app.js'),
    import('./keys/keyring.js'),
    import('./keys/master-key.js'),
    import('./ops/deferred-logger.js'),
    import('./store/index.js'),
  ])
  const db = await openDatabase(config.databaseUrl, {
    migrate: true,
    timeoutMs: config.databaseTimeout * 1000,
    poolSize: config.databasePoolSize,
  })
  const store = createStore(db)
  // A missing or wrong master key for existing keys stops here (MasterKeyError), before any key is made.
  const master = await loadMasterKey(config, store)
  const keyringLog = createDeferredLogger()
  const changes = createChangeFeed(db, { log: keyringLog })
  const keyring = await createKeyring({
    config,
    store,
    masterKey: master.key,
    masterKeySource: master.source,
    log: keyringLog,
    changes,
    ...(pregenerated ? { pregenerated } : {}),
  })
  const masterKey = master.key
  // consoleClient: the web console signs in as this server's own first-party client (/console).
  const app = await buildApp({ config, store, keyring, masterKey, changes, consoleClient: true })
  keyringLog.attach(app.log)
  if (master.created)
    app.log.warn({ path: master.source }, 'generated the master key: back it up together with the database')
  for (const file of db.tightenedFiles ?? []) {
    app.log.warn(
      { path: file.path, previousMode: file.previousMode },
      'the database file was open to other users: made it 0600 (it holds password hashes; check who could read it)',
    )
  }

  let closing = false
  const close = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight')
    const forced = setTimeout(() => {
      app.log.error(
        { shutdownTimeout: config.shutdownTimeout },
        `requests still in flight after SHUTDOWN_TIMEOUT (${config.shutdownTimeout} s); exiting`,
      )
      process.exit(1)
    }, config.shutdownTimeout * 1000)
    forced.unref()
    try {
      await app.close() // stops listening, waits for in-flight requests, runs onClose hooks
      keyring.close()
      await changes.close()
      await store.close()
      process.exit(0)
    } catch (err) {
      app.log.error({ err }, 'error during shutdown')
      process.exit(1)
    }
  }
  process.once('SIGTERM', () => void close('SIGTERM'))
  process.once('SIGINT', () => void close('SIGINT'))

  await app.listen({ host: config.host, port: config.port })
}

try {
  await start(loadConfig())
} catch (err) {
  // One line, no stack: the operator needs to know which setting or resource is wrong.
  const message =
    err instanceof ConfigError
      ? `configuration error: ${err.message}`
      : `cannot start: ${(err instanceof Error ? err.message : String(err)).trim().split('\n')[0]}`
  process.stderr.write(`portcullis: ${message}\n`)
  process.exit(1)
}
