// `portcullis signing-keys list|rotate|revoke`: the signing keys of every algorithm of SIGNING_ALGORITHMS
// (src/keys/), `--alg` choosing one. Running servers notice a change within KEYRING_REFRESH_INTERVAL. Only
// public facts are shown: never a private member.
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../config.js'
import { createKeyManager } from '../../keys/key-manager.js'
import { loadMasterKey } from '../../keys/master-key.js'
import { listSigningKeys, revokeSigningKey, rotateSigningKeys } from '../../manage/signing-keys.js'
import { signingKeyView } from '../../manage/views.js'
import { expectPositionals } from '../args.js'
import { CliError, type CliContext, type Command } from '../command.js'
import { dateText, table } from '../format.js'

const optionalDate = (date: Date | null): string => (date ? dateText(date) : '-')

async function manager(ctx: CliContext) {
  const store = await ctx.store()
  return createKeyManager({ config: ctx.config, store, masterKey: () => loadMasterKey(ctx.config, store) })
}

function algName(value: string): SigningAlgorithm {
  const alg = value.trim() as SigningAlgorithm
  if (!SIGNING_ALGORITHMS.includes(alg))
    throw new CliError(
      `--alg: unknown algorithm ${JSON.stringify(value)} (use one of ${SIGNING_ALGORITHMS.join(', ')})`,
    )
  return alg
}

/** `--alg` for a change: one of SIGNING_ALGORITHMS as configured; undefined when not given. */
function algOption(ctx: CliContext, value: string | boolean | undefined): SigningAlgorithm | undefined {
  if (typeof value !== 'string') return undefined
  const alg = algName(value)
  if (!ctx.config.signingAlgorithms.includes(alg))
    throw new CliError(`--alg: ${alg} is not in SIGNING_ALGORITHMS (${ctx.config.signingAlgorithms.join(', ')})`)
  return alg
}

const noticed = (ctx: CliContext) =>
  `running servers pick this up within a second (${ctx.config.keyringRefreshInterval}s at most)`

const list: Command = {
  name: 'signing-keys list',
  summary: 'List the signing keys and their states (next, active, retired, removed, revoked); --alg: one algorithm’s',
  usage: '[--alg RS256|PS256|ES256|EdDSA]',
  options: { alg: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const alg = typeof values.alg === 'string' ? algName(values.alg) : undefined
    const keys = await listSigningKeys(await manager(ctx), alg === undefined ? {} : { alg })
    // The ALG column once there is more than one algorithm: a deployment that sets nothing sees what it always saw.
    const algs = ctx.config.signingAlgorithms.length > 1 || keys.some((key) => key.alg !== 'RS256')
    ctx.io.print(
      table(
        ['KID', ...(algs ? ['ALG'] : []), 'STATE', 'BITS', 'CREATED', 'ACTIVATES', 'RETIRES', 'REMOVES'],
        keys.map((key) => [
          key.kid,
          ...(algs ? [key.alg] : []),
          key.state,
          String(key.modulusLength),
          dateText(key.createdAt),
          dateText(key.activatesAt),
          optionalDate(key.retiresAt),
          key.revokedAt ? `${dateText(key.revokedAt)} (revoked)` : optionalDate(key.removesAt),
        ]),
      ),
    )
    return keys.map(signingKeyView)
  },
}

const rotate: Command = {
  name: 'signing-keys rotate',
  summary:
    'Start a rotation of one algorithm’s key (--alg, default the first of SIGNING_ALGORITHMS): a new key, published now, signing after the pre-publication delay (--now: at once)',
  usage: '[--alg RS256|PS256|ES256|EdDSA] [--now]',
  options: { now: { type: 'boolean' }, alg: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const immediate = values.now === true
    const alg = algOption(ctx, values.alg)
    const result = await rotateSigningKeys(await manager(ctx), { immediate, alg }, ctx.by)
    const { key, previous } = result
    if (!result.changed) {
      ctx.io.print(
        `a rotation is already under way: ${key.kid} signs from ${dateText(key.activatesAt)} (use --now to switch at once)`,
      )
    } else if (!previous) {
      ctx.io.print(`${key.kid} created: there was no key, so it signs from now on`)
    } else if (immediate) {
      ctx.io.print(
        [
          `${key.kid} signs from now on`,
          `${previous.kid} is retired: it stays in the JWKS until ${optionalDate(previous.removesAt)} so its tokens still verify`,
          noticed(ctx),
        ].join('\n'),
      )
    } else {
      ctx.io.print(
        [
          `${key.kid} is published now and signs from ${dateText(key.activatesAt)}`,
          `${previous.kid} signs until then, and stays in the JWKS until ${optionalDate(previous.removesAt)}`,
        ].join('\n'),
      )
    }
    if (result.cacheWarning) ctx.io.warn(result.cacheWarning)
    return {
      changed: result.changed,
      immediate,
      key: signingKeyView(key),
      previous: previous ? signingKeyView(previous) : null,
      warning: result.cacheWarning,
    }
  },
}

const revoke: Command = {
  name: 'signing-keys revoke',
  summary: 'Revoke a key: out of the JWKS at once and never used again; if it was signing, another key takes over',
  usage: 'KID',
  options: {},
  async run(ctx, { positionals }) {
    const [kid] = expectPositionals(positionals, ['KID'])
    const { key, successor } = await revokeSigningKey(await manager(ctx), kid!, ctx.by)
    ctx.io.print(
      [
        `${key.kid} is revoked and removed from the JWKS`,
        ...(successor ? [`${successor.kid} signs from now on`] : []),
        noticed(ctx),
      ].join('\n'),
    )
    ctx.io.warn(
      `tokens signed by ${key.kid} no longer verify here; resource servers may still accept them until their cached JWKS expires (max-age ${ctx.config.jwksMaxAge}s)`,
    )
    return { key: signingKeyView(key), successor: successor ? signingKeyView(successor) : null }
  },
}

export const signingKeyCommands: readonly Command[] = [list, rotate, revoke]
