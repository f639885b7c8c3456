// The conventional environment variables, read into a strategy (reading a .env file is the app's business).
import { ConfigurationError } from './errors.js'
import type { AuthStrategy } from './strategy.js'
import { accessKey, clientCredentials, keyPair, tokenExchange } from './strategies/index.js'
import type { PrivateKeyInput } from './strategies/assertion.js'

export type Environment = Readonly<Record<string, string | undefined>>

/**
 * The private key of PORTCULLIS_PRIVATE_KEY: a JWK (JSON text, as `access-keys create --generate-key-pair` prints
 * `private_key_jwk`) or PKCS #8 PEM, whose line breaks may be written `\n` (one line, as .env files and CI
 * secrets often hold it).
 */
function privateKeyFrom(text: string): PrivateKeyInput {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as PrivateKeyInput
    } catch {
      throw new ConfigurationError('PORTCULLIS_PRIVATE_KEY is not valid JSON (a JWK) nor PEM')
    }
  }
  return trimmed.replace(/\\n/g, '\n')
}

/**
 * PORTCULLIS_ACCESS_KEY alone: the access key (PORTCULLIS_ACCESS_KEY_HEADER=x-api-key to send it that way);
 * with PORTCULLIS_URL, PORTCULLIS_CLIENT_ID and PORTCULLIS_CLIENT_SECRET too: traded for JWTs.
 * PORTCULLIS_KEY_ID and PORTCULLIS_PRIVATE_KEY, with PORTCULLIS_URL and PORTCULLIS_CLIENT_ID (and
 * PORTCULLIS_CLIENT_SECRET for a confidential client): a key-pair access key (keyPair; PORTCULLIS_KEY_ALGORITHM
 * names a PEM key's algorithm, ES256 by default).
 * PORTCULLIS_URL, PORTCULLIS_CLIENT_ID, PORTCULLIS_CLIENT_SECRET: client credentials (PORTCULLIS_SCOPE optional).
 *
 * @example
 * const api = createFetch(fromEnv())
 */
export function fromEnv(
  env: Environment = (globalThis as { process?: { env: Environment } }).process?.env ?? {},
): AuthStrategy {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name])
  const required = (name: string, why: string) => {
    const found = value(name)
    if (found === undefined) throw new ConfigurationError(`${name} is not set (${why})`)
    return found
  }
  const key = value('PORTCULLIS_ACCESS_KEY')
  const scope = value('PORTCULLIS_SCOPE')
  const keyId = value('PORTCULLIS_KEY_ID')
  if (keyId !== undefined || value('PORTCULLIS_PRIVATE_KEY') !== undefined) {
    if (key !== undefined)
      throw new ConfigurationError(
        'set PORTCULLIS_ACCESS_KEY (a secret access key) or PORTCULLIS_KEY_ID and PORTCULLIS_PRIVATE_KEY (a key pair), not both',
      )
    const why = 'needed for a key-pair access key'
    const secret = value('PORTCULLIS_CLIENT_SECRET')
    const algorithm = value('PORTCULLIS_KEY_ALGORITHM')
    return keyPair({
      issuer: required('PORTCULLIS_URL', why),
      clientId: required('PORTCULLIS_CLIENT_ID', why),
      keyId: required('PORTCULLIS_KEY_ID', why),
      privateKey: privateKeyFrom(required('PORTCULLIS_PRIVATE_KEY', why)),
      ...(secret === undefined ? {} : { clientSecret: secret }),
      ...(algorithm === undefined ? {} : { algorithm }),
      ...(scope === undefined ? {} : { scope }),
    })
  }
  if (key !== undefined && value('PORTCULLIS_CLIENT_ID') === undefined) {
    const header = value('PORTCULLIS_ACCESS_KEY_HEADER')?.toLowerCase()
    if (header !== undefined && header !== 'authorization' && header !== 'x-api-key')
      throw new ConfigurationError('PORTCULLIS_ACCESS_KEY_HEADER must be authorization or x-api-key')
    return accessKey({ key, ...(header === undefined ? {} : { header }) })
  }
  const why =
    key === undefined
      ? 'needed for client credentials; or set PORTCULLIS_ACCESS_KEY'
      : 'needed to exchange PORTCULLIS_ACCESS_KEY'
  const issuer = required('PORTCULLIS_URL', why)
  const clientId = required('PORTCULLIS_CLIENT_ID', why)
  const clientSecret = required('PORTCULLIS_CLIENT_SECRET', why)
  const common = { issuer, clientId, clientSecret, ...(scope === undefined ? {} : { scope }) }
  return key === undefined ? clientCredentials(common) : tokenExchange({ ...common, accessKey: key })
}
