// The master key that seals the signing keys' private parts (and from which other server keys are derived).
// Production: KEYS_MASTER_KEY. Embedded default: keys/master.key, generated with mode 0600 on the first
// start. A start with keys in the database but no key, or the wrong one, fails: making new keys would
// orphan the old ones and break every token they signed.
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import type { Config } from '../config.js'
import type { SigningKeyRecord } from '../store/signing-keys.js'
import { DecryptionError, decryptPrivateKey } from './encryption.js'

/** A start-stopping problem with the master key; the message is one line for the operator. */
export class MasterKeyError extends Error {
  override name = 'MasterKeyError'
}

export interface MasterKey {
  key: Buffer
  /** Where it came from, for messages: `KEYS_MASTER_KEY` or the file's path. */
  source: string
  /** True when this call generated the file. */
  created: boolean
}

export const masterKeyPath = (config: Pick<Config, 'keysDir'>): string => join(config.keysDir, 'master.key')

/**
 * Returns the master key, generating keys/master.key only while the store holds no signing key.
 *
 * @example
 * const { key } = await loadMasterKey(config, store)
 */
export async function loadMasterKey(
  config: Pick<Config, 'keysDir' | 'keysMasterKey'>,
  store: { signingKeys: { count(): Promise<number> } },
): Promise<MasterKey> {
  if (config.keysMasterKey) return { key: config.keysMasterKey, source: 'KEYS_MASTER_KEY', created: false }
  const path = masterKeyPath(config)
  const existing = readMasterKeyFile(path)
  if (existing) return { key: existing, source: path, created: false }
  const count = await store.signingKeys.count()
  if (count > 0) {
    throw new MasterKeyError(
      `KEYS_MASTER_KEY is not set and ${path} does not exist, but the database holds ${count} signing key(s) sealed under a master key: restore it from your backup (no new keys were made)`,
    )
  }
  mkdirSync(config.keysDir, { recursive: true, mode: 0o700 })
  try {
    writeDurably(path, `${randomBytes(32).toString('base64')}\n`)
  } catch (err) {
    // Another process starting beside this one wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new MasterKeyError(`cannot write ${path}: ${(err as Error).message}`)
    return { key: readMasterKeyFile(path)!, source: path, created: false }
  }
  return { key: readMasterKeyFile(path)!, source: path, created: true }
}

/**
 * Creates `path` with `text`, whole or not at all, and on disk before it returns: written to a temporary file,
 * flushed, then linked into place (EEXIST when the file exists: the first writer wins), and the folder flushed.
 * A process starting beside this one never reads a half-written key, and a power cut right after the first
 * signing key is sealed under it cannot leave an empty file behind.
 */
function writeDurably(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const fd = openSync(temporary, 'wx', 0o600)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    chmodSync(temporary, 0o600)
    linkSync(temporary, path)
  } finally {
    unlinkSync(temporary)
  }
  const dir = openSync(dirname(path), 'r')
  try {
    fsyncSync(dir)
  } finally {
    closeSync(dir)
  }
}

function readMasterKeyFile(path: string): Buffer | undefined {
  let mode: number
  try {
    mode = statSync(path).mode
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new MasterKeyError(`cannot read ${path}: ${(err as Error).message}`)
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new MasterKeyError(
      `${path} is readable by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): run chmod 600 ${path}`,
    )
  }
  const text = readFileSync(path, 'utf8').trim()
  const key = Buffer.from(text, 'base64')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32)
    throw new MasterKeyError(`${path} does not hold a 32-byte base64 master key`)
  return key
}

/** Checks that the master key opens every sealed private key; throws MasterKeyError naming the first that does not. */
export function verifyMasterKey(key: Buffer, source: string, records: readonly SigningKeyRecord[]): void {
  for (const record of records) {
    if (!record.privateKeyEncrypted) continue
    try {
      decryptPrivateKey(key, record.kid, record.privateKeyEncrypted)
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err
      throw new MasterKeyError(
        `the master key (${source}) does not decrypt signing key ${record.kid}: it is not the key these signing keys were sealed with; restore the right one (no new keys were made)`,
      )
    }
  }
}
