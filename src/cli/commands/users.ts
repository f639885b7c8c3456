// `portcullis users create|list|disable|enable|set-password`: the resource owners of the password grant,
// through manage/users.ts with the admin API's rules and audit events. Passwords come only from standard input
// and are stored as bcrypt hashes (BCRYPT_COST). Disabling and a new password end the user's logins and access
// tokens; running servers refuse those tokens from their next revocation sync (REVOCATION_SYNC_INTERVAL).
import {
  changeUser,
  createUser,
  disableUser,
  enableUser,
  setUserPassword,
  type ProfileChanges,
} from '../../manage/users.js'
import { userView } from '../../manage/views.js'
import type { User } from '../../store/users.js'
import { expectPositionals, readPassword, requireString, scopeList } from '../args.js'
import { CliError, type CliContext, type Command } from '../command.js'
import { dateText, listText, table } from '../format.js'
import { collectPages } from '../pages.js'

/** A user as lists show it (the admin API's view without its update time): never the password hash. */
function listedUser(user: User) {
  const { id, username, scopes, disabled, created_at } = userView(user)
  return { id, username, scopes, disabled, created_at }
}

/** The user named by id or username (the id wins), or a clear error. */
async function findUser(ctx: CliContext, idOrUsername: string): Promise<User> {
  const user = await (await ctx.store()).users.findByIdOrUsername(ctx.tenantId, idOrUsername)
  if (!user) throw new CliError(`no user with id or username "${idOrUsername}"`)
  return user
}

/** The OpenID Connect claims given as options: --email and --name ('' clears them), --email-verified yes|no. */
function profileOptions(values: Record<string, string | boolean | undefined>): ProfileChanges {
  const text = (name: string) =>
    typeof values[name] === 'string' ? (values[name] === '' ? null : (values[name] as string)) : undefined
  const verified = values['email-verified']
  if (verified !== undefined && verified !== 'yes' && verified !== 'no')
    throw new CliError('--email-verified takes yes or no')
  const email = text('email')
  const name = text('name')
  return {
    ...(email === undefined ? {} : { email }),
    ...(name === undefined ? {} : { name }),
    ...(verified === undefined ? {} : { emailVerified: verified === 'yes' }),
  }
}

const PROFILE_OPTIONS = {
  email: { type: 'string' },
  name: { type: 'string' },
  'email-verified': { type: 'string' },
} as const

const create: Command = {
  name: 'users create',
  summary: 'Create a user; the password is read from standard input',
  usage:
    '--username NAME --password-stdin [--scopes "a b"] [--email ADDRESS [--email-verified yes|no]] [--name "FULL NAME"]',
  options: {
    username: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    scopes: { type: 'string' },
    ...PROFILE_OPTIONS,
  },
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const username = requireString(values, 'username')
    const scopes = scopeList(values.scopes)
    const profile = profileOptions(values)
    const password = await readPassword(ctx.io, values)
    const { user, warnings } = await createUser(await ctx.deps(), { username, password, scopes, ...profile }, ctx.by)
    for (const warning of warnings) ctx.io.warn(warning)
    ctx.io.print(`user "${user.username}" created with id ${user.id}`)
    return { id: user.id, username: user.username }
  },
}

const list: Command = {
  name: 'users list',
  summary: 'List users (password hashes are never shown)',
  usage: '',
  options: {},
  async run(ctx, { positionals }) {
    expectPositionals(positionals, [])
    const store = await ctx.store()
    const users = (await collectPages((options) => store.users.list(ctx.tenantId, options))).map(listedUser)
    ctx.io.print(
      table(
        ['ID', 'USERNAME', 'SCOPES', 'STATE', 'CREATED'],
        users.map((user) => [
          user.id,
          user.username,
          listText(user.scopes),
          user.disabled ? 'disabled' : 'active',
          dateText(new Date(user.created_at)),
        ]),
      ),
    )
    return users
  },
}

const update: Command = {
  name: 'users update',
  summary:
    "Change a user's email address, email_verified or name (the OpenID Connect claims UserInfo answers); '' clears",
  usage: 'ID|USERNAME [--email ADDRESS] [--email-verified yes|no] [--name "FULL NAME"]',
  options: PROFILE_OPTIONS,
  async run(ctx, { values, positionals }) {
    const [idOrUsername] = expectPositionals(positionals, ['ID or USERNAME'])
    const profile = profileOptions(values)
    if (Object.keys(profile).length === 0)
      throw new CliError('nothing to change: give --email, --email-verified or --name')
    const user = await findUser(ctx, idOrUsername!)
    const changed = await changeUser(await ctx.deps(), user.id, profile, ctx.by)
    ctx.io.print(`user "${changed.username}" (${changed.id}) updated`)
    return {
      id: changed.id,
      username: changed.username,
      email: changed.email,
      email_verified: changed.emailVerified,
      name: changed.name,
    }
  },
}

const disable: Command = {
  name: 'users disable',
  summary: 'Disable a user: no new logins, and their refresh tokens and access tokens are revoked now',
  usage: 'ID|USERNAME',
  options: {},
  async run(ctx, { positionals }) {
    const [idOrUsername] = expectPositionals(positionals, ['ID or USERNAME'])
    const user = await findUser(ctx, idOrUsername!)
    await disableUser(await ctx.deps(), user.id, ctx.by)
    ctx.io.print(`user "${user.username}" (${user.id}) disabled; their refresh tokens and access tokens are revoked`)
    return { id: user.id, username: user.username, disabled: true }
  },
}

const enable: Command = {
  name: 'users enable',
  summary: 'Enable a disabled user again (revoked refresh tokens and access tokens stay revoked)',
  usage: 'ID|USERNAME',
  options: {},
  async run(ctx, { positionals }) {
    const [idOrUsername] = expectPositionals(positionals, ['ID or USERNAME'])
    const user = await findUser(ctx, idOrUsername!)
    await enableUser(await ctx.deps(), user.id, ctx.by)
    ctx.io.print(`user "${user.username}" (${user.id}) enabled`)
    return { id: user.id, username: user.username, disabled: false }
  },
}

const setPassword: Command = {
  name: 'users set-password',
  summary:
    "Replace a user's password with one read from standard input; their refresh tokens and access tokens are revoked",
  usage: 'ID|USERNAME --password-stdin',
  options: { 'password-stdin': { type: 'boolean' } },
  async run(ctx, { values, positionals }) {
    const [idOrUsername] = expectPositionals(positionals, ['ID or USERNAME'])
    const password = await readPassword(ctx.io, values)
    const user = await findUser(ctx, idOrUsername!)
    await setUserPassword(await ctx.deps(), user.id, password, ctx.by)
    ctx.io.print(
      `password of user "${user.username}" (${user.id}) replaced; their refresh tokens and access tokens are revoked`,
    )
    return { id: user.id, username: user.username }
  },
}

export const userCommands: readonly Command[] = [create, list, update, disable, enable, setPassword]
