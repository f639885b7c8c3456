// What the change feed (change-feed.ts) reports: the tables whose changes running instances must apply, and
// the small types its PostgreSQL and SQLite watchers share.

export type ChangeKind = 'accessKeys' | 'users' | 'clients' | 'signingKeys' | 'revokedTokens' | 'memberships'

/** The kind of each table, by the name the triggers send. */
export const CHANGE_TABLES: ReadonlyMap<string, ChangeKind> = new Map([
  ['AccessKey', 'accessKeys'],
  ['User', 'users'],
  ['Client', 'clients'],
  ['SigningKey', 'signingKeys'],
  ['RevokedToken', 'revokedTokens'],
  // A membership or a role changed: the scopes of access keys in workspaces.
  ['Membership', 'memberships'],
  ['Role', 'memberships'],
])

/** pino's signature (a Fastify logger fits). */
export interface ChangeFeedLogger {
  info(details: object, message: string): void
  error(details: object, message: string): void
}

/** A database being watched: `ready` once watching (or failed to start; it keeps trying). */
export interface Watch {
  ready: Promise<void>
  close(): Promise<void>
}

export type Notify = (kinds: readonly ChangeKind[]) => void

/** The first line of an error's message, for the log. */
export const reason = (err: unknown): string => (err instanceof Error ? err.message.split('\n')[0]! : String(err))
