// A listening server whose ISSUER is its own address, for tests that talk to it as real clients do
// (OAuth libraries compare the discovered issuer with the URL they were given).
import { createServer, type AddressInfo, type Server } from 'node:net'
import { build, type Test, type TestContext } from './helper.ts'
import type { Provider } from '../../src/store/migrations/schema-engine.ts'

/**
 * A listening socket on a port the system picks, kept open: the app is built for its address and then listens on
 * that very socket (a port found free and closed again could be taken by a parallel test in between).
 */
async function reservePort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

export interface Listening extends TestContext {
  /** `http://127.0.0.1:<port>`, also the configured ISSUER. */
  baseUrl: string
}

/** The whole service listening on 127.0.0.1, its issuer set to that address; closed when the test ends. */
export async function listen(
  t: Test,
  options: { provider?: Provider; env?: Record<string, string> } = {},
): Promise<Listening> {
  const reserved = await reservePort()
  const { port } = reserved.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}`
  const context = await build(t, { ...options, env: { ISSUER: baseUrl, ...options.env } })
  // Node's listen() takes over the socket's handle (net.Server#listen({ handle })); closing the app closes it.
  await context.app.listen({ host: '127.0.0.1', handle: (reserved as unknown as { _handle: object })._handle } as {
    host: string
  })
  if ((context.app.server.address() as AddressInfo).port !== port)
    throw new Error('the app did not listen on the reserved socket')
  return { ...context, baseUrl }
}
