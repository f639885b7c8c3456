// The bcrypt implementation: @node-rs/bcrypt (Rust, through N-API) where its binary for this platform is
// installed, bcryptjs (pure JavaScript) otherwise. Both read and write the same hashes ($2a$, $2b$, $2y$;
// UTF-8, cut at 72 bytes), so a database moves between them unchanged. The native one does a compare at
// cost 10 in ~⅘ of bcryptjs's time (docs/scaling.md): a quarter more logins per core. Its binary comes
// as an npm package per platform (Linux on x64 and arm64 with glibc or musl, macOS, Windows, FreeBSD, Android);
// on any other, bcryptjs takes its place and the server says so once at start.
import { createRequire } from 'node:module'

export interface Bcrypt {
  /** 'native' (@node-rs/bcrypt) or 'bcryptjs'. */
  readonly implementation: 'native' | 'bcryptjs'
  /** Why the native one is not used, when it is not. */
  readonly fallbackReason?: string
  compareSync(password: string, hash: string): boolean
  hashSync(password: string, cost: number): string
  /** Off the event loop where the implementation allows it (the native one runs on libuv's thread pool). */
  hash(password: string, cost: number): Promise<string>
}

interface NativeBcrypt {
  verifySync(password: string, hash: string): boolean
  hashSync(password: string, cost: number): string
  hash(password: string, cost: number): Promise<string>
}

const require = createRequire(import.meta.url)

function fromBcryptjs(fallbackReason: string): Bcrypt {
  // Loaded only when needed: each password thread would otherwise hold both.
  const bcryptjs = require('bcryptjs') as typeof import('bcryptjs')
  return {
    implementation: 'bcryptjs',
    fallbackReason,
    // A malformed stored hash is false, as with the native one (bcryptjs throws for an unknown revision such as
    // $2c$ or a cost outside 4–31).
    compareSync: (password, hash) => {
      try {
        return bcryptjs.compareSync(password, hash)
      } catch {
        return false
      }
    },
    hashSync: (password, cost) => bcryptjs.hashSync(password, cost),
    hash: (password, cost) => bcryptjs.hash(password, cost),
  }
}

/**
 * The native implementation when `load` returns it, bcryptjs when it throws (no binary for this platform).
 *
 * @example
 * const bcrypt = chooseBcrypt(() => require('@node-rs/bcrypt'))
 */
export function chooseBcrypt(load: () => unknown): Bcrypt {
  let native: NativeBcrypt
  try {
    native = load() as NativeBcrypt
  } catch (err) {
    return fromBcryptjs(err instanceof Error ? err.message.split('\n')[0]! : String(err))
  }
  return {
    implementation: 'native',
    // A malformed stored hash is false.
    compareSync: (password, hash) => native.verifySync(password, hash),
    hashSync: (password, cost) => native.hashSync(password, cost),
    hash: (password, cost) => native.hash(password, cost),
  }
}

export const bcrypt: Bcrypt = chooseBcrypt(() => require('@node-rs/bcrypt'))
