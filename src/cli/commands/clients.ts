// `portcullis clients create|list|delete`: OAuth clients (RFC 6749 §2). The secret is generated here
// (256 bits), shown once, and stored only as its SHA-256.
import { randomSecret, sha256 } from '../../security/secrets.js'
import { newId } from '../../store/ids.js'
import type { Client } from '../../store/clients.js'
import { StoreError } from '../../store/index.js'
import { expectPositionals, requireString, scopeList, spaceList } from '../args.js'
import { CliError, type Command } from '../command.js'
import { dateText, listText, table } from '../format.js'
import { collectPages } from '../pages.js'

export const GRANT_TYPES = ['password', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'] as const

const GRANT_TYPE_ALIASES: Record<string, string> = { 'token-exchange': 'urn:ietf:params:oauth:grant-type:token-exchange' }

/** Grant types, comma- or space-separated; `token-exchange` is accepted for the RFC 8693 URN. */
function parseGrantTypes(value: string): string[] {
  const grantTypes = [...new Set(value.split(/[\s,]+/).filter(Boolean).map((name) => GRANT_TYPE_ALIASES[name] ?? name))]
  if (grantTypes.length === 0) throw new CliError('--grant-types is required')
  const unknown = grantTypes.find((name) => !(GRANT_TYPES as readonly string[]).includes(name))
  if (unknown !== undefined) throw new CliError(`unknown grant type "${unknown}" (valid: ${GRANT_TYPES.join(', ')})`)
  return grantTypes
}

/** A client as lists show it: never a secret or a hash. */
function clientView(client: Client) {
  return {
    client_id: client.clientId,
    name: client.name,
    public: client.isPublic,
    grant_types: client.grantTypes,
    scopes: client.scopes,
    audiences: client.audiences,
    created_at: client.createdAt.toISOString(),
  }
}

const create: Command = {
  name: 'clients create',
  summary: 'Register a client; prints its client_id and, once, its secret',
  usage: '--name NAME --grant-types password,refresh_token,client_credentials --scopes "a b" [--audiences "URI …"] [--public]',
  options: { name: { type: 'string' }, 'grant-types': { type: 'string' }, scopes: { type: 'string' }, audiences: { type: 'string' }, public: { type: 'boolean' } },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const name = requireString(values, 'name')
    if (name.length > 200) throw new CliError('--name must have at most 200 characters')
    const grantTypes = parseGrantTypes(requireString(values, 'grant-types'))
    const scopes = scopeList(values.scopes)
    const audiences = spaceList(values.audiences)
    const isPublic = values.public === true
    // RFC 6749 §4.4: the client credentials grant is the client authenticating as itself.
    if (isPublic && grantTypes.includes('client_credentials')) throw new CliError('a public client cannot use client_credentials: it has no secret to authenticate with')
    const unregistered = audiences.find((audience) => !ctx.config.audiences.includes(audience))
    if (unregistered !== undefined) {
      throw new CliError(`--audiences: "${unregistered}" is not a registered audience (registered: ${ctx.config.audiences.join(', ')}; add it to AUDIENCES)`)
    }
    const unadvertised = ctx.config.scopes.length ? scopes.filter((scope) => !ctx.config.scopes.includes(scope)) : []
    if (unadvertised.length) ctx.io.warn(`scopes not listed in SCOPES: ${unadvertised.join(' ')}`)
    if (grantTypes.includes('refresh_token') && !grantTypes.some((type) => type === 'password' || type.startsWith('urn:'))) {
      ctx.io.warn('refresh_token without password or token exchange never issues a refresh token')
    }

    const secret = isPublic ? null : randomSecret()
    const store = await ctx.store()
    const client = await store.clients.create({ clientId: newId(), name, secretHash: secret === null ? null : sha256(secret), grantTypes, scopes, audiences })
    ctx.io.print(
      [
        `client "${client.name}" created (${isPublic ? 'public' : 'confidential'})`,
        `  client_id:     ${client.clientId}`,
        ...(secret === null ? [] : [`  client_secret: ${secret}`, 'The secret is shown only this once: store it now.']),
      ].join('\n'),
    )
    return secret === null ? { client_id: client.clientId } : { client_id: client.clientId, client_secret: secret }
  },
}

const list: Command = {
  name: 'clients list',
  summary: 'List clients (secrets are never shown)',
  usage: '',
  options: {},
  async run(ctx, { positionals }) {
    expectPositionals(positionals, [])
    const store = await ctx.store()
    const clients = (await collectPages((options) => store.clients.list(options))).map(clientView)
    ctx.io.print(
      table(
        ['CLIENT_ID', 'NAME', 'TYPE', 'GRANT TYPES', 'SCOPES', 'AUDIENCES', 'CREATED'],
        clients.map((client) => [
          client.client_id,
          client.name,
          client.public ? 'public' : 'confidential',
          listText(client.grant_types),
          listText(client.scopes),
          listText(client.audiences),
          dateText(new Date(client.created_at)),
        ]),
      ),
    )
    return clients
  },
}

const remove: Command = {
  name: 'clients delete',
  summary: 'Delete a client and the refresh tokens issued to it',
  usage: 'CLIENT_ID',
  options: {},
  async run(ctx, { positionals }) {
    const [clientId] = expectPositionals(positionals, ['CLIENT_ID'])
    const store = await ctx.store()
    try {
      await store.clients.delete(clientId!)
    } catch (err) {
      if (err instanceof StoreError && err.code === 'not_found') throw new CliError(`no client with id "${clientId}"`)
      throw err
    }
    ctx.io.print(`client ${clientId} deleted, with the refresh tokens issued to it`)
    return { client_id: clientId, deleted: true }
  },
}

export const clientCommands: readonly Command[] = [create, list, remove]
