// `portcullis clients create|list|set-keys|delete`: OAuth clients (RFC 6749 §2), through manage/clients.ts with
// the admin API's rules and audit events. The secret is generated there (256 bits), shown once, and stored only
// as its SHA-256. A private_key_jwt client (RFC 7523 §2.2) gets no secret: it registers public keys, from a
// file (a JWK Set, one JWK, or a PEM public key) or a jwks_uri; `set-keys` replaces them (key rotation).
import { createPublicKey } from 'node:crypto'
import { AUTH_METHODS, createClient, deleteClient, updateClient, type AuthMethod } from '../../manage/clients.js'
import { clientView } from '../../manage/views.js'
import { OAuthError } from '../../errors.js'
import type { Client } from '../../store/clients.js'
import { expectPositionals, requireString, spaceList } from '../args.js'
import { CliError, type CliIo, type Command } from '../command.js'
import { dateText, listText, table } from '../format.js'
import { collectPages } from '../pages.js'
import { clientUsageCommand } from '../usage.js'

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

/** The JWK Set in a file: a JWK Set, a single JWK, or a PEM public key (SPKI), as the key tools write them. */
function readJwksFile(io: CliIo, path: string): unknown {
  let text: string
  try {
    text = io.readFile(path)
  } catch (err) {
    throw new CliError(`--jwks-file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
  if (text.includes('-----BEGIN')) {
    if (text.includes('PRIVATE KEY'))
      throw new CliError('--jwks-file: this is a private key; give the public key only (it never leaves the client)')
    try {
      return { keys: [createPublicKey(text).export({ format: 'jwk' })] }
    } catch (err) {
      throw new CliError(`--jwks-file: not a PEM public key: ${(err as Error).message}`)
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new CliError('--jwks-file: not JSON (a JWK Set or a JWK) nor a PEM public key')
  }
  const isJwk = typeof parsed === 'object' && parsed !== null && 'kty' in parsed
  return isJwk ? { keys: [parsed] } : parsed
}

/** --jwks-file or --jwks-uri (one of them), as manage/clients.ts takes them. */
function keyOptions(io: CliIo, values: Record<string, string | boolean | undefined>) {
  const file = values['jwks-file']
  const uri = values['jwks-uri']
  if (typeof file === 'string' && typeof uri === 'string')
    throw new CliError('give --jwks-file or --jwks-uri, not both')
  return {
    ...(typeof file === 'string' ? { jwks: readJwksFile(io, file) } : {}),
    ...(typeof uri === 'string' ? { jwksUri: uri } : {}),
    ...(values['token-endpoint-audience'] === true ? { tokenEndpointAudience: true } : {}),
  }
}

function authMethodOption(value: string | boolean | undefined): AuthMethod | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !(AUTH_METHODS as readonly string[]).includes(value))
    throw new CliError(`--auth-method must be one of ${AUTH_METHODS.join(', ')}`)
  return value as AuthMethod
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
    ' [--dpop-bound-access-tokens] [--access-token-signing-alg RS256|PS256|ES256|EdDSA]' +
    ' [--id-token-signed-response-alg RS256|PS256|ES256|EdDSA]' +
    ' [--auth-method private_key_jwt (--jwks-file FILE | --jwks-uri URL) [--token-endpoint-audience]]',
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
    'id-token-signed-response-alg': { type: 'string' },
    'dpop-bound-access-tokens': { type: 'boolean' },
    'auth-method': { type: 'string' },
    'jwks-file': { type: 'string' },
    'jwks-uri': { type: 'string' },
    'token-endpoint-audience': { type: 'boolean' },
  },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const authMethod = authMethodOption(values['auth-method'])
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
      ...(typeof values['id-token-signed-response-alg'] === 'string'
        ? { idTokenSignedResponseAlg: values['id-token-signed-response-alg'].trim() }
        : {}),
      dpopBoundAccessTokens: values['dpop-bound-access-tokens'] === true,
      ...(authMethod ? { authMethod } : {}),
      ...keyOptions(ctx.io, values),
    }
    const { client, secret, warnings } = await createClient(await ctx.deps(), request, ctx.by)
    for (const warning of warnings) ctx.io.warn(warning)
    const kind = client.isPublic ? 'public' : secret === null ? 'confidential, private_key_jwt' : 'confidential'
    ctx.io.print(
      [
        `client "${client.name}" created (${kind})`,
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
    const clients = (await collectPages((options) => store.clients.list(ctx.tenantId, options))).map(listedClient)
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

const setKeys: Command = {
  name: 'clients set-keys',
  summary:
    'Replace the public keys of a private_key_jwt client (key rotation: list the old and new keys until the client has moved)',
  usage: 'CLIENT_ID (--jwks-file FILE | --jwks-uri URL) [--token-endpoint-audience | --issuer-audience-only]',
  options: {
    'jwks-file': { type: 'string' },
    'jwks-uri': { type: 'string' },
    'token-endpoint-audience': { type: 'boolean' },
    'issuer-audience-only': { type: 'boolean' },
  },
  async run(ctx, { values, positionals }) {
    const [clientId] = expectPositionals(positionals, ['CLIENT_ID'])
    const keys = keyOptions(ctx.io, values)
    if (keys.jwks === undefined && keys.jwksUri === undefined)
      throw new CliError('--jwks-file or --jwks-uri is required')
    if (values['token-endpoint-audience'] === true && values['issuer-audience-only'] === true)
      throw new CliError('give --token-endpoint-audience or --issuer-audience-only, not both')
    const changes = { ...keys, ...(values['issuer-audience-only'] === true ? { tokenEndpointAudience: false } : {}) }
    try {
      await updateClient(await ctx.deps(), clientId!, changes, ctx.by)
    } catch (err) {
      if (err instanceof OAuthError && err.error === 'not_found') throw new CliError(`no client with id "${clientId}"`)
      throw err
    }
    const what =
      keys.jwksUri ?? `${(keys.jwks as { keys?: unknown[] }).keys?.length ?? 0} key(s) from ${values['jwks-file']}`
    ctx.io.print(`client ${clientId}: keys replaced (${what})`)
    return { client_id: clientId, ...(keys.jwksUri ? { jwks_uri: keys.jwksUri } : { jwks: keys.jwks }) }
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

export const clientCommands: readonly Command[] = [create, list, setKeys, remove, clientUsageCommand]
