// `portcullis access-keys create|list|revoke`: scoped keys for scripts and services. The key is printed
// once, at creation; only the hash of its secret is stored. A key-pair key (--public-key-file, or
// --generate-key-pair whose private key is printed once) has no secret: only its public key is stored. Running
// servers stop accepting a revoked key within ACCESS_KEY_CACHE_TTL seconds.
import { OAuthError } from '../../errors.js'
import { createAccessKey, revokeAccessKey } from '../../manage/access-keys.js'
import { issuedAccessKeyView, accessKeyView as keyView } from '../../manage/views.js'
import {
  KEY_PAIR_ALGORITHMS,
  publicJwkFromText,
  PublicKeyError,
  type KeyPairAlgorithm,
} from '../../security/access-key-pairs.js'
import type { AccessKeyCredential } from '../../security/access-key-lifecycle.js'
import { expectPositionals, requireString, scopeList } from '../args.js'
import { CliError, type CliContext, type CliIo, type Command } from '../command.js'
import { dateText, listText, table } from '../format.js'
import { collectPages } from '../pages.js'
import { accessKeyUsageCommand } from '../usage.js'

function parseExpiresIn(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw new CliError('--expires-in must be a whole number of seconds')
  return Number(value)
}

function parseAlg(value: string | boolean | undefined): KeyPairAlgorithm | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !(KEY_PAIR_ALGORITHMS as readonly string[]).includes(value))
    throw new CliError(`--alg must be one of ${KEY_PAIR_ALGORITHMS.join(', ')}`)
  return value as KeyPairAlgorithm
}

/** --public-key-file (a JWK or PEM public key, detected) or --generate-key-pair; a secret key otherwise. */
function credentialOf(io: CliIo, values: Record<string, string | boolean | undefined>): AccessKeyCredential {
  const file = values['public-key-file']
  const generate = values['generate-key-pair'] === true
  const alg = parseAlg(values.alg)
  if (file !== undefined && generate) throw new CliError('use --public-key-file or --generate-key-pair, not both')
  if (file !== undefined) {
    if (typeof file !== 'string' || file === '') throw new CliError('--public-key-file needs a file name')
    let text: string
    try {
      text = io.readFile(file)
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
    }
    try {
      return { kind: 'public_key', jwk: publicJwkFromText(text), alg }
    } catch (err) {
      if (err instanceof PublicKeyError) throw new CliError(`${file}: ${err.message}`)
      throw err
    }
  }
  if (generate) return { kind: 'generate_key_pair', alg }
  if (alg !== undefined) throw new CliError('--alg goes with --public-key-file or --generate-key-pair')
  return { kind: 'secret' }
}

async function findOwner(ctx: CliContext, username: string | boolean | undefined) {
  if (username === undefined) return null
  if (typeof username !== 'string' || username.trim() === '') throw new CliError('--user needs a username or user id')
  const user = await (await ctx.store()).users.findByIdOrUsername(ctx.tenantId, username.trim())
  if (!user) throw new CliError(`no user with id or username "${username.trim()}"`)
  return user
}

const create: Command = {
  name: 'access-keys create',
  summary:
    'Create an access key (for --user, within that user’s scopes); prints the key, or a generated private key, once',
  usage:
    '--name NAME --scopes "a b" [--user USERNAME] [--expires-in SECONDS] [--public-key-file FILE | --generate-key-pair] [--alg ES256|RS256|PS256|EdDSA] [--workspace W] [--tenant S]',
  options: {
    name: { type: 'string' },
    scopes: { type: 'string' },
    user: { type: 'string' },
    'expires-in': { type: 'string' },
    'public-key-file': { type: 'string' },
    'generate-key-pair': { type: 'boolean' },
    alg: { type: 'string' },
    workspace: { type: 'string' },
  },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const name = requireString(values, 'name')
    const scopes = scopeList(values.scopes)
    if (scopes.length === 0) throw new CliError('--scopes is required: a key without scopes can do nothing')
    const expiresIn = parseExpiresIn(values['expires-in'])
    const credential = credentialOf(ctx.io, values)
    const owner = await findOwner(ctx, values.user)
    const issued = await createAccessKey(
      await ctx.deps(),
      {
        name,
        scopes,
        userId: owner?.id ?? null,
        expiresIn,
        credential,
        ...(typeof values.workspace === 'string' ? { workspace: values.workspace } : {}),
      },
      ctx.by,
    )
    const { accessKey, key, privateKey } = issued
    const lines = [
      `access key "${accessKey.name}" created (${owner ? `for user "${owner.username}"` : 'service key'})`,
      `  id:  ${accessKey.id}`,
    ]
    if (key !== undefined) lines.push(`  key: ${key}`, 'The key is shown only this once: store it now.')
    else {
      lines.push(
        `  kind: key pair (${accessKey.publicKeyAlg}), public key thumbprint ${accessKey.publicKeyThumbprint}`,
        `  sign JWT bearer assertions with iss = sub = ${accessKey.id}`,
      )
    }
    if (privateKey) {
      lines.push(
        'private key (JWK):',
        JSON.stringify(privateKey.jwk),
        'private key (PEM):',
        privateKey.pem.trimEnd(),
        'The private key is shown only this once and is not stored: keep it now.',
      )
    }
    ctx.io.print(lines.join('\n'))
    return issuedAccessKeyView(issued, Date.now())
  },
}

const list: Command = {
  name: 'access-keys list',
  summary: 'List access keys (keys and secrets are never shown)',
  usage: '[--user USERNAME]',
  options: { user: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const owner = await findOwner(ctx, values.user)
    const store = await ctx.store()
    const now = Date.now()
    const keys = (
      await collectPages((options) =>
        store.accessKeys.list(ctx.tenantId, { ...options, ...(owner ? { userId: owner.id } : {}) }),
      )
    ).map((key) => keyView(key, now))
    ctx.io.print(
      table(
        ['ID', 'NAME', 'KIND', 'OWNER', 'SCOPES', 'STATUS', 'EXPIRES', 'LAST USED'],
        keys.map((key) => [
          key.id,
          key.name,
          key.kind === 'key_pair' ? `key pair ${key.public_key_alg} ${key.public_key_thumbprint}` : 'secret',
          key.user_id ?? '(service)',
          listText(key.scopes),
          key.status,
          key.expires_at ? dateText(new Date(key.expires_at)) : '-',
          key.last_used_at ? dateText(new Date(key.last_used_at)) : '-',
        ]),
      ),
    )
    return keys
  },
}

const revoke: Command = {
  name: 'access-keys revoke',
  summary: 'Revoke an access key (running servers refuse it within a second, ACCESS_KEY_CACHE_TTL seconds at most)',
  usage: 'ID',
  options: {},
  async run(ctx, { positionals }) {
    const [id] = expectPositionals(positionals, ['ID'])
    const now = Date.now()
    try {
      const { accessKey: key, descendants } = await revokeAccessKey(await ctx.deps(), id!, ctx.by)
      const cascade =
        descendants.length === 0
          ? ''
          : ` with the ${descendants.length} key${descendants.length === 1 ? '' : 's'} created from it`
      ctx.io.print(
        `access key ${key.id} ("${key.name}") is revoked${cascade}; running servers refuse it within a second (${ctx.config.accessKeyCacheTtl}s at most)`,
      )
      return keyView(key, now)
    } catch (err) {
      if (err instanceof OAuthError && err.error === 'not_found') throw new CliError(`no access key with id "${id}"`)
      throw err
    }
  },
}

export const accessKeyCommands: readonly Command[] = [create, list, revoke, accessKeyUsageCommand]
