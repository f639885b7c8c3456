// User passwords are chosen by people, so they are stored as bcrypt hashes (./bcrypt.ts: native, or bcryptjs).
// The token endpoint verifies them off the main thread (password-hasher.ts); one-off hashing (CLI, admin API)
// uses this.
import { bcrypt } from './bcrypt.js'

/** bcrypt caps its input at 72 bytes; longer passwords are refused rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost)
}

/** The cost a bcrypt hash was made with ($2b$10$… → 10). */
export function bcryptCost(hash: string): number | undefined {
  const match = /^\$2[abxy]?\$(\d{2})\$/.exec(hash)
  return match ? Number(match[1]) : undefined
}
