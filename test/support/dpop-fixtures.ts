// DPoP proofs (RFC 9449 §4.2) made by hand with jose, each part replaceable, for the tests that break one
// check of §4.3 at a time.
import { createHash, randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'

export interface DpopKey {
  privateKey: CryptoKey
  publicKey: CryptoKey
  publicJwk: JWK
  /** RFC 7638 SHA-256 thumbprint of the public key: what cnf.jkt must be. */
  jkt: string
  alg: string
}

export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return { privateKey, publicKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256'), alg }
}

/** RFC 9449 §4.2: base64url(SHA-256(access token)), computed here independently of the server. */
export const ath = (accessToken: string) => createHash('sha256').update(accessToken, 'ascii').digest('base64url')

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * A proof for `htm` `htu`, signed with `key`. `header` and `claims` replace or add members (undefined
 * removes one); `signWith` signs with another key than the one in the header.
 */
export async function proof(
  key: DpopKey,
  options: {
    htm?: string
    htu: string
    header?: Record<string, unknown>
    claims?: Record<string, unknown>
    signWith?: DpopKey
    now?: number
  },
): Promise<string> {
  const header: Record<string, unknown> = { typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...options.header }
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: options.htm ?? 'POST',
    htu: options.htu,
    iat: Math.floor((options.now ?? Date.now()) / 1000),
    ...options.claims,
  }
  for (const object of [header, claims])
    for (const name of Object.keys(object)) if (object[name] === undefined) delete object[name]
  const input = `${segment(header)}.${segment(claims)}`
  const signer = options.signWith ?? key
  const algorithm =
    signer.alg === 'ES256'
      ? { name: 'ECDSA', hash: 'SHA-256' }
      : signer.alg === 'EdDSA' || signer.alg === 'Ed25519'
        ? { name: 'Ed25519' }
        : signer.alg === 'PS256'
          ? { name: 'RSA-PSS', saltLength: 32 }
          : { name: 'RSASSA-PKCS1-v1_5' }
  const signature = await crypto.subtle.sign(algorithm, signer.privateKey, Buffer.from(input))
  return `${input}.${Buffer.from(signature).toString('base64url')}`
}
