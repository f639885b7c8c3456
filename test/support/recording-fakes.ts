// Fakes of store parts that several unit files hand to the code under test (the password grant, the login page's
// check, the refresh_token grant). Each call is appended to the test's one ordered log, so that a test asserts the
// whole sequence of what the code asked for.
import type { Failure, Reservation, ReserveResult, ThrottlePolicy } from '../../src/store/login-throttle.ts'

export type CallLog = unknown[][]

/** The login throttle (store/login-throttle.ts); `fails(name)` throws where a test wants that call to fail. */
export function recordingLoginThrottle(
  calls: CallLog,
  options: {
    /** What reserving each key answers (default: admitted). */
    reserve?: Record<string, ReserveResult>
    /** What a failure of each key answers (default: one failure, no lock). */
    failures?: Record<string, Failure>
    reservation: (key: string) => Reservation
  },
  fails: (name: 'reserve' | 'release') => Promise<void>,
) {
  return {
    async reserve(key: string, policy: ThrottlePolicy, at: Date): Promise<ReserveResult> {
      calls.push(['throttle.reserve', key, policy, at])
      await fails('reserve')
      return options.reserve?.[key] ?? { outcome: 'admitted', reservation: options.reservation(key) }
    },
    async release(held: Reservation, at: Date) {
      calls.push(['throttle.release', held, at])
      await fails('release')
    },
    async fail(held: Reservation, policy: ThrottlePolicy, at: Date): Promise<Failure> {
      calls.push(['throttle.fail', held, policy, at])
      return options.failures?.[held.key] ?? { failures: 1, lockedUntil: undefined }
    },
    async forget(held: Reservation, at: Date) {
      calls.push(['throttle.forget', held, at])
    },
  }
}

/** The login waiters (oauth/login-waiters.ts): nobody ever waits. */
export function recordingLoginWaiters(calls: CallLog) {
  return {
    wake(...args: unknown[]) {
      calls.push(['loginWaiters.wake', ...args])
    },
    async wait(...args: unknown[]) {
      calls.push(['loginWaiters.wait', ...args])
    },
    waiting: () => 0,
  }
}

/** A tenant's workspaces and memberships (store/tenants.ts), as the `workspace` parameter reads them. */
export function recordingWorkspaces(
  calls: CallLog,
  options: {
    /** Workspace ids by tenant, then by id or slug. */
    workspaces?: Record<string, Record<string, string>>
    /** The role's scopes by `tenant/user/workspace`. */
    roles?: Record<string, string[]>
  },
) {
  return {
    workspaces: {
      async find(tenantId: string, idOrSlug: string) {
        calls.push(['workspaces.find', tenantId, idOrSlug])
        const id = options.workspaces?.[tenantId]?.[idOrSlug]
        return id === undefined ? undefined : { id, tenantId, slug: idOrSlug, name: idOrSlug, createdAt: new Date(0) }
      },
    },
    memberships: {
      async find(tenantId: string, userId: string, workspaceId: string) {
        calls.push(['memberships.find', tenantId, userId, workspaceId])
        const scopes = options.roles?.[`${tenantId}/${userId}/${workspaceId}`]
        return scopes && { id: 'm-1', userId, workspaceId, role: { id: 'r-1', tenantId, name: 'role', scopes } }
      },
    },
  }
}
