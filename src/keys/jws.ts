// JWS Compact Serialization (RFC 7515 §7.1) of our tokens with the active key of their algorithm.
//
// Signed with node:crypto's callback form of sign(), which runs the signature on libuv's thread pool (an
// RSA-2048 signature costs ~300 µs of CPU that must not stop the event loop) without WebCrypto's per-call
// argument normalisation on the event loop, which jose's sign goes through (measured: ~20 % of the event loop's
// samples of an ES256 client_credentials request). Signing ES256 or EdDSA synchronously on the event loop was
// measured too: the same CPU in all, ~40 µs more of the event loop's per token.
// RS256: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3); PS256: RSASSA-PSS with SHA-256, MGF1 and a 32-byte salt
// (§3.5); ES256: ECDSA P-256 with SHA-256, the signature as R || S (§3.4, not DER); EdDSA: Ed25519 (RFC 8037 §3.1).
import { constants, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto'
import type { SigningKeyHandle } from './keyring.js'

function signingInput(key: SigningKeyHandle): { digest: string | null; key: KeyObject | SignKeyObjectInput } {
  switch (key.alg) {
    case 'RS256':
      return { digest: 'sha256', key: key.privateKey }
    case 'PS256':
      return {
        digest: 'sha256',
        key: { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      }
    case 'ES256':
      return { digest: 'sha256', key: { key: key.privateKey, dsaEncoding: 'ieee-p1363' } }
    case 'EdDSA':
      return { digest: null, key: key.privateKey }
  }
}

/** The signed compact JWS of `payload` (JSON text) with header {alg, typ, kid}. */
export function signCompact(key: SigningKeyHandle, typ: string, payload: string): Promise<string> {
  const header = Buffer.from(JSON.stringify({ alg: key.alg, typ, kid: key.kid })).toString('base64url')
  const input = `${header}.${Buffer.from(payload).toString('base64url')}`
  const how = signingInput(key)
  return new Promise((resolve, reject) => {
    sign(how.digest, Buffer.from(input), how.key, (err, signature) => {
      if (err) reject(err)
      else resolve(`${input}.${signature.toString('base64url')}`)
    })
  })
}
