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
//
// The list is as large as the number of revoked tokens that have not expired yet: revocation is by the client
// the token was issued to, and each entry lives at most ACCESS_TOKEN_TTL + CLOCK_SKEW.
import type { Config } from '../config.js'
import type { RevokedJti, RevokedTokenStore } from '../store/revoked-tokens.js'

export const SYNC_OVERLAP_MS = 5_000

export interface RevocationList {
  /** True when the JWT with this jti was revoked (and has not expired yet). */
  isRevoked(jti: string): boolean
  /** True when the token was revoked, by its jti or with the grant (`sid`) it was issued from. */
  revokes(claims: { jti: string; sid?: unknown }): boolean
  /** Records a revocation made by this instance (already written to the database). */
  add(jti: string, expiresAt: Date): void
  /** Reads the revocations recorded since the last read; the timer calls it. */
  sync(): Promise<void>
  /** How many revoked, unexpired jtis are held. */
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
  onError?: (err: unknown) => void
}): Promise<RevocationList> {
  const { store, now } = deps
  /** jti → when its token expires (ms). */
  const revoked = new Map<string, number>()
  let readFrom = now() - SYNC_OVERLAP_MS
  let syncing: Promise<void> | undefined
  let closed = false

  function addAll(rows: RevokedJti[]): void {
    for (const row of rows) revoked.set(row.jti, row.expiresAt.getTime())
  }

  function dropExpired(at: number): void {
    for (const [jti, expiresAt] of revoked) if (expiresAt <= at) revoked.delete(jti)
  }

  async function readRecent(): Promise<void> {
    const at = now()
    const rows = await store.revokedTokens.listRecordedSince(new Date(readFrom), new Date(at))
    if (closed) return
    addAll(rows)
    dropExpired(at)
    readFrom = at - SYNC_OVERLAP_MS
  }

  function sync(): Promise<void> {
    syncing ??= readRecent().finally(() => {
      syncing = undefined
    })
    return syncing
  }

  addAll(await store.revokedTokens.listActive(new Date(now())))

  function isRevoked(jti: string): boolean {
    const expiresAt = revoked.get(jti)
    return expiresAt !== undefined && expiresAt > now()
  }

  const timer = setInterval(() => {
    sync().catch((err: unknown) => closed || deps.onError?.(err))
  }, deps.syncIntervalSeconds * 1000).unref()

  return {
    isRevoked,

    revokes(claims) {
      return isRevoked(claims.jti) || (typeof claims.sid === 'string' && isRevoked(grantRevocationId(claims.sid)))
    },

    add(jti, expiresAt) {
      if (expiresAt.getTime() > now()) revoked.set(jti, expiresAt.getTime())
    },

    sync,

    size: () => revoked.size,

    async close() {
      closed = true
      clearInterval(timer)
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
  deps: { store: { revokedTokens: Pick<RevokedTokenStore, 'revoke'> }; revocations: Pick<RevocationList, 'add'>; config: Pick<Config, 'accessTokenTtl' | 'clockSkew'> },
  familyId: string,
  now: number,
): Promise<void> {
  const id = grantRevocationId(familyId)
  const expiresAt = new Date(now + (deps.config.accessTokenTtl + deps.config.clockSkew) * 1000)
  await deps.store.revokedTokens.revoke(id, expiresAt, new Date(now))
  deps.revocations.add(id, expiresAt)
}
