// The server: config → database → migrations → keys → buildApp → listen; a graceful close on signals.
import { randomBytes } from 'node:crypto'
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { createEphemeralKeyring } from './keys/keyring.js'
import { createStore, openDatabase } from './store/index.js'

async function start(config: Readonly<Config>): Promise<void> {
  const db = await openDatabase(config.databaseUrl, { migrate: true })
  const store = createStore(db)
  const keyring = await createEphemeralKeyring({ modulusLength: config.signingKeySize, maxAge: config.jwksMaxAge })
  // PLACEHOLDER until the signing-keys work lands: the master key comes from KEYS_MASTER_KEY or keys/master.key.
  const masterKey = config.keysMasterKey ?? randomBytes(32)
  const app = await buildApp({ config, store, keyring, masterKey })

  let closing = false
  const close = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight')
    const forced = setTimeout(() => {
      app.log.error('requests still in flight after 10 s; exiting')
      process.exit(1)
    }, 10_000)
    forced.unref()
    try {
      await app.close() // stops listening, waits for in-flight requests, runs onClose hooks
      keyring.close()
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
  const message = err instanceof ConfigError ? `configuration error: ${err.message}` : `cannot start: ${err instanceof Error ? err.message : String(err)}`
  process.stderr.write(`portcullis: ${message}\n`)
  process.exit(1)
}
