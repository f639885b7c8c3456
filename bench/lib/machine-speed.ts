// How fast this machine is right now, as one number beside the ratios: RSA-2048 signatures per second on one
// core (node:crypto, synchronous, 0.5 s). The ratios compare contenders within one run, but which target is
// hard depends on the hour: on a shared VM the same code measured ~3,400 signatures/s in a quiet hour and
// ~1,200 in a slow one, and a slow RSA signature hides what a request does besides signing (bench/README.md).
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'

let key: KeyObject | undefined

/** RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second on this thread, over `ms` milliseconds. */
export function rsaSignaturesPerSecond(ms = 500): number {
  key ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const data = Buffer.alloc(256, 1)
  const start = performance.now()
  let count = 0
  while (performance.now() - start < ms) {
    sign('sha256', data, key)
    count++
  }
  return Math.round((count * 1000) / (performance.now() - start))
}
