// Secrets we generate (client secrets, refresh tokens, access keys) carry 256 bits of entropy, so a
// single SHA-256 is enough to store them: nobody can guess the preimage, and a lookup by hash stays one
// indexed query. bcrypt is only for passwords that people choose (see password-hasher.ts).
import { hash, timingSafeEqual } from 'node:crypto'
import { randomBytesPooled } from '../store/ids.js'

/** 32 random bytes, base64url (43 characters). */
export function randomSecret(bytes = 32): string {
  return randomBytesPooled(bytes).toString('base64url')
}

/** SHA-256, base64url (43 characters). One-shot: it runs on every authenticated request. */
export function sha256(value: string): string {
  return hash('sha256', value, 'base64url')
}

/**
 * Compares two strings in time independent of where they differ. Only their lengths can show in the timing,
 * and what is compared here are digests of a fixed length (sha256() above).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  if (left.length !== right.length) {
    timingSafeEqual(left, left)
    return false
  }
  return timingSafeEqual(left, right)
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** Random base62 string; `length` 43 gives ≥ 256 bits. Rejection sampling keeps it unbiased. */
export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytesPooled(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62]
    }
  }
  return out
}
