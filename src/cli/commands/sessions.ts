// `portcullis sessions list|end` and `portcullis consents list|revoke`: a user's browser sign-in sessions and
// remembered consents, through manage/sessions.ts and manage/consents.ts (the admin API's layer, its rules and
// audit events). Ending a session ends the refresh tokens issued in it; revoking a consent ends the refresh
// tokens the client holds for the user. Their access tokens are refused by running servers from their next
// revocation sync (REVOCATION_SYNC_INTERVAL).
import { OAuthError } from '../../errors.js'
import { listConsents, revokeConsent } from '../../manage/consents.js'
import { endSessionById, listSessions } from '../../manage/sessions.js'
import { consentView, sessionView } from '../../manage/views.js'
import type { User } from '../../store/users.js'
import { expectPositionals, requireString } from '../args.js'
import { CliError, type CliContext, type Command } from '../command.js'
import { dateText, listText, table } from '../format.js'
import { collectPages } from '../pages.js'

/** The user --user names by id or username (the id wins), or a clear error. */
async function userOption(ctx: CliContext, values: Record<string, string | boolean | undefined>): Promise<User> {
  const name = requireString(values, 'user').trim()
  const user = await (await ctx.store()).users.findByIdOrUsername(ctx.tenantId, name)
  if (!user) throw new CliError(`no user with id or username "${name}"`)
  return user
}

/** A manage/ not_found as the CLI says it. */
async function orNotFound<T>(run: () => Promise<T>, line: string): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof OAuthError && err.error === 'not_found') throw new CliError(line)
    throw err
  }
}

const USER_OPTION = { user: { type: 'string' } } as const

const listSessionsCommand: Command = {
  name: 'sessions list',
  summary: 'List a user’s browser sign-in sessions in force, newest first (never a cookie)',
  usage: '--user ID|USERNAME',
  options: USER_OPTION,
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const user = await userOption(ctx, values)
    const deps = await ctx.deps()
    const sessions = (
      await collectPages((options) => listSessions(deps, user.id, { ...options, tenantId: ctx.tenantId }))
    ).map(sessionView)
    ctx.io.print(
      table(
        ['ID', 'SIGNED IN', 'METHODS', 'LAST SEEN', 'EXPIRES'],
        sessions.map((session) => [
          session.id,
          dateText(new Date(session.auth_time)),
          listText(session.amr),
          dateText(new Date(session.last_seen_at)),
          dateText(new Date(session.idle_expires_at)),
        ]),
      ),
    )
    return sessions
  },
}

const endSessionCommand: Command = {
  name: 'sessions end',
  summary: 'End a sign-in session, with the refresh tokens and access tokens issued in it',
  usage: 'SESSION_ID',
  options: {},
  async run(ctx, { positionals }) {
    const [id] = expectPositionals(positionals, ['SESSION_ID'])
    const deps = await ctx.deps()
    const session = await orNotFound(() => endSessionById(deps, id!, ctx.by), `no session in force with id "${id}"`)
    ctx.io.print(
      `session ${session.id} of user ${session.userId} is ended, with the refresh tokens issued in it; running servers refuse its access tokens from their next revocation sync (${ctx.config.revocationSyncInterval}s)`,
    )
    return { ended: session.id, user_id: session.userId }
  },
}

const listConsentsCommand: Command = {
  name: 'consents list',
  summary: 'List what a user has allowed which client (remembered consents)',
  usage: '--user ID|USERNAME',
  options: USER_OPTION,
  async run(ctx, { values, positionals }) {
    expectPositionals(positionals, [])
    const user = await userOption(ctx, values)
    const deps = await ctx.deps()
    const consents = (
      await collectPages((options) => listConsents(deps, user.id, { ...options, tenantId: ctx.tenantId }))
    ).map(consentView)
    ctx.io.print(
      table(
        ['CLIENT', 'SCOPES', 'SINCE', 'UPDATED'],
        consents.map((consent) => [
          consent.client_id,
          listText(consent.scopes),
          dateText(new Date(consent.created_at)),
          dateText(new Date(consent.updated_at)),
        ]),
      ),
    )
    return consents
  },
}

const revokeConsentCommand: Command = {
  name: 'consents revoke',
  summary: 'Revoke a user’s consent to a client, with the refresh tokens and access tokens the client holds for them',
  usage: '--user ID|USERNAME CLIENT_ID',
  options: USER_OPTION,
  async run(ctx, { values, positionals }) {
    const [clientId] = expectPositionals(positionals, ['CLIENT_ID'])
    const user = await userOption(ctx, values)
    const deps = await ctx.deps()
    const { families } = await orNotFound(
      () => revokeConsent(deps, user.id, clientId!, ctx.by),
      `user "${user.username}" has no consent in force for client "${clientId}"`,
    )
    ctx.io.print(
      `the consent of user "${user.username}" to client "${clientId}" is revoked, with ${families} refresh-token famil${families === 1 ? 'y' : 'ies'}; running servers refuse the client's access tokens for this user from their next revocation sync (${ctx.config.revocationSyncInterval}s)`,
    )
    return { revoked: { user_id: user.id, client_id: clientId }, refresh_families_ended: families }
  },
}

export const sessionCommands: readonly Command[] = [
  listSessionsCommand,
  endSessionCommand,
  listConsentsCommand,
  revokeConsentCommand,
]
