// The conventional environment variables, read into a strategy (reading a .env file is the app's business).
import { ConfigurationError } from './errors.js'
import type { AuthStrategy } from './strategy.js'
import { accessKey, clientCredentials, tokenExchange } from './strategies/index.js'

export type Environment = Readonly<Record<string, string | undefined>>

/**
 * PORTCULLIS_ACCESS_KEY alone: the access key (PORTCULLIS_ACCESS_KEY_HEADER=x-api-key to send it that way);
 * with PORTCULLIS_URL, PORTCULLIS_CLIENT_ID and PORTCULLIS_CLIENT_SECRET too: traded for JWTs.
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
