// A TCP proxy in front of a real server (PostgreSQL), for outage tests that must never stop the server
// itself: `refuse()` closes the port and resets every open connection; `blackHole()` keeps accepting
// connections but nothing passes any more in either direction (a host that stops answering); `restore()`
// forwards again (connections held by the black hole are cut, as a long partition's would be).
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  port: number
  refuse(): Promise<void>
  blackHole(): void
  restore(): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: 'forward' | 'black-hole' | 'refuse' = 'forward'
  const open = new Set<Socket>()
  const track = (socket: Socket) => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
    socket.on('error', () => undefined)
  }

  const onConnection = (client: Socket) => {
    track(client)
    if (mode !== 'forward') {
      client.pause()
      return
    }
    const upstream = connect(target.port, target.host)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  }

  let server: Server = createServer(onConnection)
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve((server.address() as { port: number }).port)
      })
    })
  const port = await listen(0)
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()))
  const cutAll = () => {
    for (const socket of open) socket.resetAndDestroy()
  }

  return {
    port,
    async refuse() {
      mode = 'refuse'
      const closed = stopListening()
      cutAll()
      await closed
    },
    blackHole() {
      mode = 'black-hole'
      // Nothing is read any more, so nothing is forwarded: both ends wait for answers that never come.
      for (const socket of open) {
        socket.unpipe()
        socket.pause()
      }
    },
    async restore() {
      const wasRefusing = mode === 'refuse'
      mode = 'forward'
      cutAll()
      if (wasRefusing) {
        server = createServer(onConnection)
        await listen(port)
      }
    },
    async close() {
      cutAll()
      if (server.listening) await stopListening()
    },
  }
}
