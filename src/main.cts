// The entry point: the process set up for throughput and a small, steady footprint, then the server
// (server.ts). CommonJS on purpose: an ES module entry is read through libuv's thread pool, which fixes the
// pool's size before the module's first line runs; this file runs first. A setting the operator gives
// (UV_THREADPOOL_SIZE in the environment, node options in NODE_OPTIONS or on the command line) wins.
import v8 = require('node:v8')
import cpus = require('./cpus.cjs')

// jose signs on libuv's thread pool (4 threads by default). On a machine with fewer CPUs than that, the
// extra signing threads only take turns with the event loop that feeds them: one thread per CPU gave 14 %
// more tokens/s on 2 CPUs (bench/README.md). At least 2, so that a slow DNS lookup or file read never stops
// the signing; at most 16.
process.env.UV_THREADPOOL_SIZE ??= String(Math.min(16, Math.max(2, cpus.availableCpus())))

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
  if (!given.includes(name)) v8.setFlagsFromString(flag)
}

// The settings above must be in place before Prisma compiles its WebAssembly query compiler.
void import('./server.js')
