// The SQLite database holds password hashes, client and key hashes and sealed signing keys: it is the owner's
// alone, like the master key (keys/master-key.ts). A new data folder is made 0700 and a new database file 0600
// before SQLite opens it (SQLite would make it 0644 under the usual umask 022); SQLite gives the -wal, -shm
// and -journal files it creates the main file's mode. An existing folder is left as it is (it may be the
// working directory or a shared volume), but existing database files with bits for the group or others are
// tightened to 0600 at open, and reported so that the server can warn that they were exposed.
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

export const SQLITE_COMPANION_SUFFIXES = ['-wal', '-shm', '-journal'] as const

/** A file found open to the group or others, and its mode before it was tightened. */
export interface TightenedFile {
  path: string
  /** Octal, e.g. "0644". */
  previousMode: string
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Creates the folder (0700) and the database file (0600) when missing, and tightens the existing database
 * files to 0600. A file not ours to chmod fails with an error that says what to run.
 *
 * @example
 * const tightened = secureSqliteFiles('/srv/portcullis/data/portcullis.db') // [] on a fresh start
 */
export function secureSqliteFiles(file: string): TightenedFile[] {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  closeSync(openSync(file, 'a', 0o600))
  if (process.platform === 'win32') return []
  const tightened: TightenedFile[] = []
  for (const path of [file, ...SQLITE_COMPANION_SUFFIXES.map((suffix) => `${file}${suffix}`)]) {
    const mode = modeOf(path)
    if (mode === undefined || (mode & 0o077) === 0) continue
    const previousMode = mode.toString(8).padStart(4, '0')
    try {
      chmodSync(path, 0o600)
    } catch (err) {
      throw new Error(
        `${path} is open to other users (mode ${previousMode}) and could not be made 0600 (${(err as NodeJS.ErrnoException).code}): run chmod 600 ${path}`,
        { cause: err },
      )
    }
    tightened.push({ path, previousMode })
  }
  return tightened
}
