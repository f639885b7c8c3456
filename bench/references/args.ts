// Command-line arguments shared by the reference servers: `--port N` and their own options.
import { parseArgs } from 'node:util'

export function referenceArgs(extra: Record<string, { type: 'string' }> = {}): {
  port: number
  values: Record<string, string | undefined>
} {
  const { values } = parseArgs({ options: { port: { type: 'string' }, ...extra }, strict: true })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port <= 0) throw new Error('--port N is required')
  return { port, values: values as Record<string, string | undefined> }
}

/** Exits normally on SIGTERM/SIGINT (so `node --cpu-prof` writes its profile) after `close`. */
export function exitOnSignal(close: () => unknown): void {
  const exit = () => void Promise.resolve(close()).finally(() => process.exit(0))
  process.once('SIGTERM', exit)
  process.once('SIGINT', exit)
}
