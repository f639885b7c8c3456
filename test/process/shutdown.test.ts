// Graceful shutdown of the real server process: SIGTERM stops new connections, lets the request in
// flight finish, closes the database and exits 0.
import { connect, type Socket } from 'node:net'
import t from 'tap'
import { leakedSecrets } from '../support/process-fixtures.ts'
import { startServer } from '../support/spawn-server.ts'

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** The raw HTTP response on the socket, once the server has sent all of it. */
function response(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk.toString()
      const [head, body = ''] = text.split('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(head!)
      if (length && Buffer.byteLength(body) >= Number(length[1])) resolve(text)
    })
    socket.on('close', () => resolve(text))
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('SIGTERM finishes the request in flight, refuses new connections, then exits 0', async (t) => {
  const server = await startServer(t)

  // A token request whose body is still arriving when the signal comes: it is in flight.
  const body = 'grant_type=client_credentials&client_id=nobody&client_secret=wrong-secret-never-logged'
  const inFlight = await open(server.port)
  const answer = response(inFlight)
  inFlight.write(
    `POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`,
  )
  inFlight.write(body.slice(0, 20))
  await server.waitForLine(/incoming request/)

  server.child.kill('SIGTERM')
  await server.waitForLine(/shutting down/)
  // The listener closes a few ticks after the log line: polled with a deadline, not a fixed sleep.
  const refusedBy = Date.now() + 5000
  let refused: string | undefined
  while (!refused && Date.now() < refusedBy) {
    refused = await open(server.port).then(
      (socket) => void socket.destroy(),
      // A connection the kernel queued as the listener closed is reset, not refused: the next one is refused.
      (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : err.code),
    )
    if (!refused) await sleep(20)
  }
  t.equal(refused, 'ECONNREFUSED', 'no new connections once shutting down')
  t.equal(server.child.exitCode, null, 'still running while a request is in flight')

  inFlight.end(body.slice(20))
  const raw = await answer
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1])
  t.ok(status >= 400 && status < 500 && status !== 503, `the request was handled normally (HTTP ${status})`)
  t.match(raw.split('\r\n\r\n')[1], /^\{"error":"/, 'with its whole JSON body')

  t.same(await server.exited, { code: 0, signal: null })
  t.equal(server.stderr(), '', 'nothing on stderr')
  t.same(leakedSecrets(server.stdout(), ['wrong-secret-never-logged']), [], 'the client secret is not in the log')
})

t.test('an idle keep-alive connection does not hold the shutdown', async (t) => {
  const server = await startServer(t)
  const idle = await open(server.port)
  const answer = response(idle)
  idle.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n')
  t.match(await answer, /^HTTP\/1\.1 200/)

  const signalled = Date.now()
  server.child.kill('SIGTERM')
  t.same(await server.exited, { code: 0, signal: null })
  t.ok(Date.now() - signalled < 3000, `exited in ${Date.now() - signalled} ms`)
  idle.destroy()
})

t.test('SIGINT shuts down the same way', async (t) => {
  const server = await startServer(t)
  server.child.kill('SIGINT')
  t.same(await server.exited, { code: 0, signal: null })
  t.match(server.stdout(), '"signal":"SIGINT"')
})
