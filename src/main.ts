// The entry point: V8 set up for a small, steady footprint, then the server (server.ts). The settings must be
// in place before Prisma compiles its WebAssembly query compiler, hence the import after them. A setting the
// operator gives node (NODE_OPTIONS or the command line) wins over the one here.
import { setFlagsFromString } from 'node:v8'

const FOOTPRINT_FLAGS = [
  // Prisma's query compiler (WebAssembly) stays on V8's baseline tier: its query plans are cached, so the
  // optimising tier would only cost compile work at start and ~10 MB of code.
  '--liftoff-only',
  // The old generation grows by 10 % of what survived the last full collection, where V8 would otherwise let
  // it grow up to 4×: under load the heap stays close to what the server really holds, for a few more
  // (short) collections.
  '--heap-growing-percent=10',
]

const given = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`
for (const flag of FOOTPRINT_FLAGS) {
  const name = flag.replace(/^--(no-)?/, '').split('=')[0]!
  if (!given.includes(name)) setFlagsFromString(flag)
}

await import('./server.js')
