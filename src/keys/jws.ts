// JWS Compact Serialization (RFC 7515 §7.1) of our tokens with the active key of their algorithm.
//
// RS256 and PS256 go through jose, whose signing runs on libuv's thread pool: an RSA-2048 signature costs
// ~300 µs of CPU, which would otherwise stop the event loop. ES256 and EdDSA are signed here with node:crypto,
// synchronously: their signature costs ~40–60 µs of CPU, less than the thread pool's hand-off costs through
// WebCrypto (~120–150 µs of CPU per token through jose, measured), so the event loop comes out ahead.
// ES256 signatures are R || S (RFC 7518 §3.4: ieee-p1363, not DER); EdDSA is Ed25519 over the signing input
// (RFC 8037 §3.1).
import { sign } from 'node:crypto'
import { CompactSign } from 'jose'
import type { SigningKeyHandle } from './keyring.js'

/** The signed compact JWS of `payload` (JSON text) with header {alg, typ, kid}. */
export async function signCompact(key: SigningKeyHandle, typ: string, payload: string): Promise<string> {
  if (key.alg === 'RS256' || key.alg === 'PS256') {
    return new CompactSign(Buffer.from(payload))
      .setProtectedHeader({ alg: key.alg, typ, kid: key.kid })
      .sign(key.privateKey)
  }
  const header = Buffer.from(JSON.stringify({ alg: key.alg, typ, kid: key.kid })).toString('base64url')
  const input = `${header}.${Buffer.from(payload).toString('base64url')}`
  const signature =
    key.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(null, Buffer.from(input), key.privateKey)
  return `${input}.${signature.toString('base64url')}`
}
