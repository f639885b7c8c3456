// The revoked JWT ids this app instance refuses (RFC 7009 §2.1), held in memory so that introspection and
// Bearer authentication answer "is this jti revoked?" without a database query.
//
// - At start, every unexpired revoked jti is read from the database.
// - A revocation through this instance's /oauth/revoke is added at once.
// - Every REVOCATION_SYNC_INTERVAL seconds, the rows recorded since the last read (less SYNC_OVERLAP_MS, which
//   covers writes still committing and instance clocks that differ by up to that much) are read and added:
//   a revocation through another instance takes effect here within REVOCATION_SYNC_INTERVAL (plus the time
//   of one query). While the database cannot be read, the list stays as it was and the failure is reported.
// - An entry is dropped once its token has expired (its expiry already includes the clock-skew allowance).
// - Beside the jtis, a cutoff per user (userRevocationId): disabling, deleting or re-passwording a user ends
//   every login they had and refuses every access token of theirs issued until then (manage/users.ts). And a
//   cutoff per user and client (consentRevocationId): revoking a consent does the same for the tokens that
//   client holds for that user (manage/consents.ts).
//
// The list is as large as the number of revoked tokens that have not expired yet: revocation is by the client
// the token was issued to, and each entry lives at most ACCESS_TOKEN_TTL + CLOCK_SKEW.
import { randomUUID } from 'node:crypto'
import type { Config } from '../config.js'
import { idTime } from '../store/ids.js'
import type { RevokedJti, RevokedTokenStore } from '../store/revoked-tokens.js'
import { type Every, everyInterval } from '../ops/every.js'

export const SYNC_OVERLAP_MS = 5_000

/** The claims of an access token that revocation looks at (RFC 9068 §2.2: all but `sid` are always there). */
export interface RevocableClaims {
  jti: string
  sub?: unknown
  iat?: unknown
  sid?: unknown
  client_id?: unknown
}

interface UserCutoff {
  /** The user's tokens issued (and logins started) at or before this time (ms) are refused… */
  at: number
  /** …until this time (ms), when the last of them has expired. */
  expiresAt: number
}

const USER_PREFIX = 'user:'
const CONSENT_PREFIX = 'consent:'
const isCutoff = (jti: string) => jti.startsWith(USER_PREFIX) || jti.startsWith(CONSENT_PREFIX)

export interface RevocationList {
  /** True when the JWT with this jti was revoked (and has not expired yet). */
  isRevoked(jti: string): boolean
  /** True when the token was revoked: by its jti, with the grant (`sid`) it was issued from, or with its user (`sub`). */
  revokes(claims: RevocableClaims): boolean
  /**
   * This list's name for the rows it adds itself (`add`): a revocation written with it (the store's revoke) is
   * skipped when the list reads the rows recorded since its last read, since it holds them already.
   */
  readonly writer: string
  /** Records a revocation made by this instance (already written to the database, with `writer`). */
  add(jti: string, expiresAt: Date): void
  /** Records a user cutoff made by this instance (already written to the database: manage/users.ts). */
  cutOffUser(userId: string, at: Date, expiresAt: Date): void
  /** Records a user-and-client cutoff made by this instance (written to the database: manage/consents.ts). */
  cutOffConsent(userId: string, clientId: string, at: Date, expiresAt: Date): void
  /**
   * Reads the revocations recorded since the last read; the timer and change notifications call it. Resolves
   * once a read that began after the call has ended: a call during a read waits for it, then shares the one
   * read queued behind it (a change announced meanwhile may have committed after the first read began).
   */
  sync(): Promise<void>
  /** How many revoked, unexpired jtis and user cutoffs are held. */
  size(): number
  /** Stops the timer and waits for a read in progress. */
  close(): Promise<void>
}

/**
 * One list per app instance (created in buildApp), never a module singleton. Resolves once the unexpired
 * revocations have been read.
 *
 * @example
 * const revocations = await createRevocationList({ store, now: Date.now, syncIntervalSeconds: 5 })
 * if (revocations.revokes(claims)) return INACTIVE
 */
export async function createRevocationList(deps: {
  store: { revokedTokens: Pick<RevokedTokenStore, 'listActive' | 'listRecordedSince'> }
  now: () => number
  syncIntervalSeconds: number
  /**
   * How long (ms) this instance's access tokens live, clock skew included: a user cutoff read from the
   * database is held at least that long after it was recorded, whatever lifetime its writer gave it (the CLI
   * run with another ACCESS_TOKEN_TTL than the servers' must not let their tokens back in early).
   */
  accessTokenLifetimeMs?: number
  onError?: (err: unknown) => void
  /** The sync timer (default: setInterval); tests pass one they advance by hand. */
  every?: Every
}): Promise<RevocationList> {
  const { store, now } = deps
  const lifetime = deps.accessTokenLifetimeMs ?? 0
  /** jti → when its token expires (ms). */
  const revoked = new Map<string, number>()
  /** userRevocationId or consentRevocationId → the cutoff of the access tokens it names. */
  const cutoffs = new Map<string, UserCutoff>()
  const writer = randomUUID()
  let readFrom = now() - SYNC_OVERLAP_MS
  let syncing: Promise<void> | undefined
  /** The read that begins once the one in progress ends, shared by every call made meanwhile. */
  let queued: Promise<void> | undefined
  let closed = false

  function cutOff(id: string, at: number, expiresAt: number): void {
    const known = cutoffs.get(id)
    if (!known || known.at < at) cutoffs.set(id, { at, expiresAt })
  }

  function addAll(rows: RevokedJti[]): void {
    for (const row of rows) {
      if (isCutoff(row.jti)) {
        const at = row.createdAt.getTime()
        cutOff(row.jti, at, Math.max(row.expiresAt.getTime(), at + lifetime))
      } else revoked.set(row.jti, row.expiresAt.getTime())
    }
  }

  function dropExpired(at: number): void {
    for (const [jti, expiresAt] of revoked) if (expiresAt <= at) revoked.delete(jti)
    for (const [userId, cutoff] of cutoffs) if (cutoff.expiresAt <= at) cutoffs.delete(userId)
  }

  async function readRecent(): Promise<void> {
    const at = now()
    const rows = await store.revokedTokens.listRecordedSince(new Date(readFrom), new Date(at), writer)
    if (closed) return
    addAll(rows)
    dropExpired(at)
    readFrom = at - SYNC_OVERLAP_MS
  }

  function sync(): Promise<void> {
    if (!syncing) {
      syncing = readRecent().finally(() => {
        syncing = undefined
      })
      return syncing
    }
    queued ??= syncing
      .catch(() => undefined)
      .then(() => {
        queued = undefined
        return sync()
      })
    return queued
  }

  addAll(await store.revokedTokens.listActive(new Date(now())))

  function isRevoked(jti: string): boolean {
    const expiresAt = revoked.get(jti)
    return expiresAt !== undefined && expiresAt > now()
  }

  /**
   * A token of a user with a cutoff is refused when it was issued from a login started at or before it (the
   * login's id, `sid`, is a UUIDv7 stamped to the millisecond), or, without a login (token exchange), issued
   * at or before it (`iat`, in whole seconds: a token of the cutoff's own second is refused). A login started
   * after the cutoff (after a re-enable or with the new password) works at once.
   */
  function cutOffByUser(claims: RevocableClaims): boolean {
    if (typeof claims.sub !== 'string') return false
    return (
      cutOffBy(claims, cutoffs.get(userRevocationId(claims.sub))) ||
      (typeof claims.client_id === 'string' &&
        cutOffBy(claims, cutoffs.get(consentRevocationId(claims.sub, claims.client_id))))
    )
  }

  function cutOffBy(claims: RevocableClaims, cutoff: UserCutoff | undefined): boolean {
    if (!cutoff || cutoff.expiresAt <= now()) return false
    const loginStarted = typeof claims.sid === 'string' ? idTime(claims.sid) : undefined
    if (loginStarted !== undefined) return loginStarted <= cutoff.at
    return typeof claims.iat !== 'number' || claims.iat * 1000 <= cutoff.at
  }

  const stopTimer = (deps.every ?? everyInterval)(deps.syncIntervalSeconds * 1000, () => {
    sync().catch((err: unknown) => closed || deps.onError?.(err))
  })

  return {
    writer,
    isRevoked,

    revokes(claims) {
      return (
        isRevoked(claims.jti) ||
        (typeof claims.sid === 'string' && isRevoked(grantRevocationId(claims.sid))) ||
        cutOffByUser(claims)
      )
    },

    add(jti, expiresAt) {
      if (expiresAt.getTime() > now()) revoked.set(jti, expiresAt.getTime())
    },

    cutOffUser(userId, at, expiresAt) {
      if (expiresAt.getTime() > now()) cutOff(userRevocationId(userId), at.getTime(), expiresAt.getTime())
    },

    cutOffConsent(userId, clientId, at, expiresAt) {
      if (expiresAt.getTime() > now()) cutOff(consentRevocationId(userId, clientId), at.getTime(), expiresAt.getTime())
    },

    sync,

    size: () => revoked.size + cutoffs.size,

    async close() {
      closed = true
      stopTimer()
      await syncing?.catch(() => undefined)
    },
  }
}

/**
 * The revocation entry of a whole grant (a refresh-token family): access tokens issued by the password and
 * refresh_token grants carry the family's id as `sid`. A jti is a UUID, so the two never collide.
 */
export const grantRevocationId = (familyId: string) => `grant:${familyId}`

/**
 * Revokes every access token issued from the grant `familyId` (RFC 7009 §2.1: revoking a refresh token
 * SHOULD invalidate the access tokens of the same grant). Each of them expires within ACCESS_TOKEN_TTL of
 * now, so the entry is kept that long, plus the clock-skew allowance.
 */
export async function revokeGrantAccessTokens(
  deps: {
    store: { revokedTokens: Pick<RevokedTokenStore, 'revoke'> }
    /** The list that adds it; with its `writer`, its own next read skips the row (the CLI has no list). */
    revocations: Pick<RevocationList, 'add'> & Partial<Pick<RevocationList, 'writer'>>
    config: Pick<Config, 'accessTokenTtl' | 'clockSkew'>
  },
  familyId: string,
  now: number,
): Promise<void> {
  const id = grantRevocationId(familyId)
  const expiresAt = new Date(now + (deps.config.accessTokenTtl + deps.config.clockSkew) * 1000)
  await deps.store.revokedTokens.revoke(id, expiresAt, new Date(now), deps.revocations.writer ?? null)
  deps.revocations.add(id, expiresAt)
}

/** The revocation entry of a user's access tokens (a cutoff: see revokes). A jti is a UUID: no collision. */
export const userRevocationId = (userId: string) => `${USER_PREFIX}${userId}`

/**
 * The revocation entry of the access tokens a client holds for a user (a cutoff, like the user's): a revoked
 * consent. A user id is a UUID (no colon), so the client id is everything after the second colon.
 */
export const consentRevocationId = (userId: string, clientId: string) => `${CONSENT_PREFIX}${userId}:${clientId}`

/**
 * The cutoff that ends a user's access tokens at `now`: RFC 9700 §4.14 (a change to the user's
 * authorization ends the tokens issued under it) and RFC 7009 §2.1. Each such token expires within
 * ACCESS_TOKEN_TTL of now, so the entry is kept that long, plus the clock-skew allowance. The store records it
 * in the same transaction as the change that calls for it (store/users.ts).
 */
export function userAccessTokenCutoff(
  config: Pick<Config, 'accessTokenTtl' | 'clockSkew'>,
  userId: string,
  now: number,
): { jti: string; expiresAt: Date } {
  return { jti: userRevocationId(userId), expiresAt: new Date(now + (config.accessTokenTtl + config.clockSkew) * 1000) }
}

/** The cutoff that ends the access tokens `clientId` holds for `userId` at `now` (a revoked consent). */
export function consentAccessTokenCutoff(
  config: Pick<Config, 'accessTokenTtl' | 'clockSkew'>,
  userId: string,
  clientId: string,
  now: number,
): { jti: string; expiresAt: Date } {
  return {
    jti: consentRevocationId(userId, clientId),
    expiresAt: new Date(now + (config.accessTokenTtl + config.clockSkew) * 1000),
  }
}
