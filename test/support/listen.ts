// A listening server whose ISSUER is its own address, for tests that talk to it as real clients do
// (OAuth libraries compare the discovered issuer with the URL they were given).
import { createServer } from 'node:net'
import { build, type Test, type TestContext } from './helper.ts'
import type { Provider } from '../../src/store/migrations/schema-engine.ts'

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export interface Listening extends TestContext {
  /** `http://127.0.0.1:<port>`, also the configured ISSUER. */
  baseUrl: string
}

/** The whole service listening on 127.0.0.1, its issuer set to that address; closed when the test ends. */
export async function listen(t: Test, options: { provider?: Provider; env?: Record<string, string> } = {}): Promise<Listening> {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const context = await build(t, { ...options, env: { ISSUER: baseUrl, ...options.env } })
  await context.app.listen({ host: '127.0.0.1', port })
  return { ...context, baseUrl }
}
