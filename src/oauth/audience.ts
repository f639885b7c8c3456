// Which audiences (RFC 8707 resources) a client may have tokens for: one registered in the configuration
// (AUDIENCES, DEFAULT_AUDIENCE), within the client's own list when it has one. Checked for a new login's
// `resource` and again at every refresh, so a narrowed configuration or client applies to logins made before.
import type { Config } from '../config.js'
import type { Client } from '../store/clients.js'
import { invalidTarget } from '../errors.js'

export function checkAudience(
  audience: string,
  client: Pick<Client, 'audiences'>,
  config: Pick<Config, 'audiences'>,
): void {
  if (!config.audiences.includes(audience))
    throw invalidTarget(`resource ${JSON.stringify(audience.slice(0, 128))} is not a registered audience`)
  if (client.audiences.length > 0 && !client.audiences.includes(audience)) {
    throw invalidTarget(`this client may not request tokens for ${JSON.stringify(audience.slice(0, 128))}`)
  }
}
