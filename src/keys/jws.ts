// JWS Compact Serialization (RFC 7515 §7.1) of our tokens with the active key of their algorithm, through jose
// (WebCrypto: the signature itself runs on libuv's thread pool, whatever the algorithm).
//
// Measured with `npm run bench` (2026-12-05): signing ES256 and EdDSA synchronously with node:crypto on the event
// loop instead cost the same CPU per token in all (~185 µs and ~160 µs per request) but ~40 µs more of the event
// loop's, which is what bounds one process's throughput; so every algorithm goes through jose.
import { CompactSign } from 'jose'
import type { SigningKeyHandle } from './keyring.js'

/** The signed compact JWS of `payload` (JSON text) with header {alg, typ, kid}. */
export function signCompact(key: SigningKeyHandle, typ: string, payload: string): Promise<string> {
  return new CompactSign(Buffer.from(payload))
    .setProtectedHeader({ alg: key.alg, typ, kid: key.kid })
    .sign(key.privateKey)
}
