// Signing keys' private parts at rest: AES-256-GCM (NIST SP 800-38D) under a key derived from the master
// key, with the kid as additional authenticated data so that a ciphertext copied onto another row does
// not decrypt. Stored as base64url(iv).base64url(tag).base64url(ciphertext).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const IV_BYTES = 12
const TAG_BYTES = 16

/** Thrown when a ciphertext does not authenticate: a wrong master key, or a tampered row. */
export class DecryptionError extends Error {
  override name = 'DecryptionError'
}

// The master key also derives other server keys (HKDF with other labels); this one is for signing keys only.
function encryptionKey(masterKey: Buffer): Buffer {
  if (masterKey.length !== 32) throw new TypeError('the master key must be 32 bytes')
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'portcullis signing-key encryption v1', 32))
}

/**
 * Encrypts a private key (PKCS #8 DER) for the row of `kid`.
 *
 * @example
 * const sealed = encryptPrivateKey(masterKey, kid, privateKey.export({ type: 'pkcs8', format: 'der' }))
 */
export function encryptPrivateKey(masterKey: Buffer, kid: string, plaintext: Buffer): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(masterKey), iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(kid, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.')
}

/** The plaintext of `encryptPrivateKey`; throws DecryptionError unless it authenticates for this kid. */
export function decryptPrivateKey(masterKey: Buffer, kid: string, sealed: string): Buffer {
  const parts = sealed.split('.')
  const [iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, 'base64url'))
  if (parts.length !== 3 || iv!.length !== IV_BYTES || tag!.length !== TAG_BYTES || ciphertext!.length === 0) {
    throw new DecryptionError(`the private key of ${kid} is not in the encrypted format`)
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey(masterKey), iv!, { authTagLength: TAG_BYTES })
    decipher.setAAD(Buffer.from(kid, 'utf8'))
    decipher.setAuthTag(tag!)
    return Buffer.concat([decipher.update(ciphertext!), decipher.final()])
  } catch {
    throw new DecryptionError(`the private key of ${kid} does not decrypt with this master key`)
  }
}
