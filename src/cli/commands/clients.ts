// `portcullis clients create|list|delete`: OAuth clients (RFC 6749 §2), through manage/clients.ts with the
// admin API's rules and audit events. The secret is generated there (256 bits), shown once, and stored only as
// its SHA-256.
import { createClient, deleteClient } from '../../manage/clients.js'
import { clientView } from '../../manage/views.js'
import { OAuthError } from '../../errors.js'
import type { Client } from '../../store/clients.js'
import { expectPositionals, requireString, spaceList } from '../args.js'
import { CliError, type Command } from '../command.js'
import { dateText, listText, table } from '../format.js'
import { collectPages } from '../pages.js'

const GRANT_TYPE_ALIASES: Record<string, string> = {
  'token-exchange': 'urn:ietf:params:oauth:grant-type:token-exchange',
}

/** Grant types, comma- or space-separated; `token-exchange` is accepted for the RFC 8693 URN. */
function parseGrantTypes(value: string): string[] {
  return [
    ...new Set(
      value
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((name) => GRANT_TYPE_ALIASES[name] ?? name),
    ),
  ]
}

/** A client as lists show it (the admin API's view without its update facts): never a secret or a hash. */
function listedClient(client: Client) {
  const {
    client_id,
    name,
    public: isPublic,
    grant_types,
    scopes,
    audiences,
    created_at,
  } = clientView(client, Date.now())
  return { client_id, name, public: isPublic, grant_types, scopes, audiences, created_at }
}

const create: Command = {
  name: 'clients create',
  summary: 'Register a client; prints its client_id and, once, its secret',
  usage:
    '--name NAME --grant-types authorization_code,password,refresh_token,client_credentials,urn:ietf:params:oauth:grant-type:jwt-bearer --scopes "a b" [--audiences "URI …"] [--public]' +
    ' [--redirect-uris "URI …"] [--post-logout-redirect-uris "URI …"] [--first-party] [--allowed-origins "ORIGIN …"]' +
    ' [--dpop-bound-access-tokens] [--access-token-signing-alg RS256|PS256|ES256|EdDSA]',
  options: {
    name: { type: 'string' },
    'grant-types': { type: 'string' },
    scopes: { type: 'string' },
    audiences: { type: 'string' },
    public: { type: 'boolean' },
    'redirect-uris': { type: 'string' },
    'post-logout-redirect-uris': { type: 'string' },
    'first-party': { type: 'boolean' },
    'allowed-origins': { type: 'string' },
    'access-token-signing-alg': { type: 'string' },
    'dpop-bound-access-tokens': { type: 'boolean' },
  },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const request = {
      name: requireString(values, 'name'),
      grantTypes: parseGrantTypes(requireString(values, 'grant-types')),
      scopes: spaceList(values.scopes),
      audiences: spaceList(values.audiences),
      isPublic: values.public === true,
      redirectUris: spaceList(values['redirect-uris']),
      postLogoutRedirectUris: spaceList(values['post-logout-redirect-uris']),
      firstParty: values['first-party'] === true,
      allowedOrigins: spaceList(values['allowed-origins']),
      ...(typeof values['access-token-signing-alg'] === 'string'
        ? { accessTokenSigningAlg: values['access-token-signing-alg'].trim() }
        : {}),
      dpopBoundAccessTokens: values['dpop-bound-access-tokens'] === true,
    }
    const { client, secret, warnings } = await createClient(await ctx.deps(), request, ctx.by)
    for (const warning of warnings) ctx.io.warn(warning)
    ctx.io.print(
      [
        `client "${client.name}" created (${request.isPublic ? 'public' : 'confidential'})`,
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
    const clients = (await collectPages((options) => store.clients.list(options))).map(listedClient)
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
    try {
      await deleteClient(await ctx.deps(), clientId!, ctx.by)
    } catch (err) {
      if (err instanceof OAuthError && err.error === 'not_found') throw new CliError(`no client with id "${clientId}"`)
      throw err
    }
    ctx.io.print(`client ${clientId} deleted, with the refresh tokens issued to it`)
    return { client_id: clientId, deleted: true }
  },
}

export const clientCommands: readonly Command[] = [create, list, remove]
