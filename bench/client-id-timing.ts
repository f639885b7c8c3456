// Does the time of a refused client authentication tell whether a client_id exists? Times token requests
// refused with 401 invalid_client, one at a time over a kept-alive connection to a listening server: a known
// client_id with a wrong secret against an unknown client_id, interleaved, and reports the median and p90 of
// each and the server's event-loop time per request. Not part of `npm run bench`; run it by hand:
//   npx tsx bench/client-id-timing.ts [requests per kind, default 2000] [DATABASE_URL, default a temp SQLite file]
import { randomBytes } from 'node:crypto'
import { Agent, request } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { createKeyring } from '../src/keys/keyring.ts'
import { sha256 } from '../src/security/secrets.ts'
import { createStore, openDatabase } from '../src/store/index.ts'

const perKind = Number(process.argv[2] ?? 2000)
const dir = mkdtempSync(join(tmpdir(), 'portcullis-client-timing-'))
const databaseUrl = process.argv[3] ?? `file:${join(dir, 'timing.db')}`
const config = loadConfig(
  {
    DATABASE_URL: databaseUrl,
    KEYS_DIR: dir,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_CLIENT: '0',
    JANITOR_INTERVAL: '0',
    PORT: '0',
  },
  { envFile: false },
)
const store = createStore(await openDatabase(databaseUrl, { migrate: true }))
const masterKey = randomBytes(32)
const keyring = await createKeyring({ config, store, masterKey })
const app = await buildApp({ config, store, keyring, masterKey, logger: false })
await app.listen({ host: '127.0.0.1', port: 0 })
const port = (app.server.address() as { port: number }).port
const knownId = `known-${randomBytes(4).toString('hex')}`
await store.clients.create({
  clientId: knownId,
  name: 'known',
  secretHash: sha256(randomBytes(32).toString('hex')),
  grantTypes: ['client_credentials'],
  scopes: ['read'],
})

const agent = new Agent({ keepAlive: true, maxSockets: 1 })
const body = 'grant_type=client_credentials&scope=read'
const basic = (clientId: string) =>
  `Basic ${Buffer.from(`${clientId}:wrong-secret-${randomBytes(8).toString('hex')}`).toString('base64')}`

function tokenRequest(clientId: string): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/oauth/token',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          authorization: basic(clientId),
        },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve({ ms: performance.now() - started, status: response.statusCode ?? 0 }))
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
type Kind = 'known' | 'unknown'
const samples: Record<Kind, number[]> = { known: [], unknown: [] }
const loopMs: Record<Kind, number> = { known: 0, unknown: 0 }

// Warm-up: schemas compiled, connections and statements prepared, the known client cached.
for (let i = 0; i < 200; i++) await tokenRequest(i % 2 ? knownId : `warm-${i}`)
for (let i = 0; i < perKind * 2; i++) {
  const kind: Kind = i % 2 ? 'known' : 'unknown'
  // A fresh unknown id every time, as a prober's would be.
  const clientId = kind === 'known' ? knownId : `probe-${randomBytes(6).toString('hex')}`
  const before = performance.eventLoopUtilization()
  const { ms, status } = await tokenRequest(clientId)
  if (status !== 401) throw new Error(`expected 401, got ${status}`)
  loopMs[kind] += performance.eventLoopUtilization(before).active
  samples[kind].push(ms)
}

for (const kind of ['known', 'unknown'] as const) {
  const sorted = samples[kind].sort((a, b) => a - b)
  console.log(
    `${kind.padEnd(7)} client_id: median ${quantile(sorted, 0.5).toFixed(3)} ms, p90 ${quantile(sorted, 0.9).toFixed(3)} ms, p99 ${quantile(sorted, 0.99).toFixed(3)} ms, event loop ${(loopMs[kind] / perKind).toFixed(3)} ms per request (${perKind} requests, ${config.databaseProvider})`,
  )
}
agent.destroy()
await app.close()
keyring.close()
await store.close()
rmSync(dir, { recursive: true, force: true })
