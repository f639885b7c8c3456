// The rules a name, a username, a password or a scope list must follow, the same for the admin API and the CLI.
// Each returns the problems found, one per field (`field` in the admin API's wire names), empty when valid.
import type { ErrorDetail } from '../errors.js'
import { MAX_PASSWORD_BYTES } from '../security/passwords.js'

export const MAX_NAME_LENGTH = 200
export const MIN_PASSWORD_LENGTH = 8

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/
const CONTROL = /\p{Cc}/u
// A username is what people type and read back: control characters and invisible format characters (zero-width
// space U+200B, bidirectional overrides U+202E, …) would let two usernames look the same.
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u

/** A display name (client, access key): not blank, at most 200 characters, no control character. */
export function nameProblems(field: string, value: string): ErrorDetail[] {
  if (value.trim() === '') return [{ field, message: 'must not be blank' }]
  if ([...value].length > MAX_NAME_LENGTH)
    return [{ field, message: `must have at most ${MAX_NAME_LENGTH} characters` }]
  if (CONTROL.test(value)) return [{ field, message: 'must not contain control characters' }]
  return []
}

/** A username: a name without control or format characters. */
export function usernameProblems(username: string): ErrorDetail[] {
  const problems = nameProblems('username', username)
  if (problems.length === 0 && CONTROL_OR_FORMAT.test(username))
    return [{ field: 'username', message: 'must not contain control or format characters' }]
  return problems
}

// An address as people write it (no display name, no comments): one @, something on both sides, no spaces or
// control characters; 254 characters at most (RFC 5321 §4.5.3.1.3). Whether it is theirs is email_verified's.
const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u
export const MAX_EMAIL_LENGTH = 254

/** The OpenID Connect claims of a user (Core §5.1): an email address and a display name, each optional (null clears). */
export function profileProblems(profile: {
  email?: string | null | undefined
  name?: string | null | undefined
}): ErrorDetail[] {
  const problems: ErrorDetail[] = []
  const { email, name } = profile
  if (typeof email === 'string' && (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email))) {
    problems.push({
      field: 'email',
      message: `must be an email address (local@domain, at most ${MAX_EMAIL_LENGTH} characters)`,
    })
  }
  if (typeof name === 'string') problems.push(...nameProblems('name', name))
  return problems
}

/** A password: at least 8 characters, at most bcrypt's 72 bytes in UTF-8. */
export function passwordProblems(password: string): ErrorDetail[] {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    return [{ field: 'password', message: `must have at least ${MIN_PASSWORD_LENGTH} characters` }]
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES)
    return [{ field: 'password', message: `must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8` }]
  return []
}

/** Scope tokens (RFC 6749 §3.3): the first one that is not, by its index. */
export function scopeProblems(scopes: readonly string[], field = 'scopes'): ErrorDetail[] {
  const i = scopes.findIndex((scope) => !SCOPE_TOKEN.test(scope))
  if (i === -1) return []
  return [
    {
      field: `${field}.${i}`,
      message: `${JSON.stringify(scopes[i])} is not a valid scope (printable ASCII without space, " or \\, RFC 6749 §3.3)`,
    },
  ]
}

/** Scopes the server does not advertise (SCOPES): allowed, but worth a warning to whoever grants them. */
export function unadvertisedScopes(advertised: readonly string[], scopes: readonly string[]): string[] {
  return advertised.length ? scopes.filter((scope) => !advertised.includes(scope)) : []
}
