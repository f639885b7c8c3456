// The server: config → database → migrations → keys → buildApp → listen; a graceful close on signals. Started by main.ts.
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { createKeyring } from './keys/keyring.js'
import { loadMasterKey } from './keys/master-key.js'
import { generateSigningKey } from './keys/key-material.js'
import { createDeferredLogger } from './ops/deferred-logger.js'
import { createChangeFeed, createStore, isNewDatabase, openDatabase } from './store/index.js'

async function start(config: Readonly<Config>): Promise<void> {
  // A new database needs a first signing key per configured algorithm: generate them on libuv's thread pool,
  // side by side, while the migrations run (one after another, the RSA ones alone took longer than those).
  const pregenerated = isNewDatabase(config.databaseUrl)
    ? config.signingAlgorithms.map((alg) => generateSigningKey(alg, config.signingKeySize))
    : undefined
  for (const key of pregenerated ?? []) key.catch(() => undefined) // a failure is the key manager's to handle (it generates again)
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
