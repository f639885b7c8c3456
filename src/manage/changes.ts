// Who makes a change, and the audit event every change through manage/ records. The admin API passes its caller
// (`user:<id>`, `client:<id>`, `access_key:<id>`, with the request's IP); the CLI passes `cli:<OS user name>`.
import type { Config } from '../config.js'
import type { AuditType } from '../store/audit.js'
import { DEFAULT_TENANT_ID, type Store } from '../store/index.js'

/** Who is acting, from where; `details` (e.g. the client of a JWT) go into every event the change records. */
export interface ChangedBy {
  actor: string | null
  /**
   * The tenant the change is made in: every object it names must be that tenant's (another tenant's is not
   * found), and the audit event is recorded in it. Default: the default tenant (the CLI without --tenant).
   */
  tenantId?: string
  ip?: string | null
  details?: Record<string, unknown>
}

/** What every manage/ operation needs: the store, the configuration, the clock. */
export interface ManageDeps {
  store: Store
  config: Readonly<Config>
  now: () => number
}

/** Records one change; details never hold a secret. */
export async function recordChange(
  deps: { store: Pick<Store, 'audit'> },
  by: ChangedBy,
  change: { type: AuditType; subject: string | null; details?: Record<string, unknown>; at: number },
): Promise<void> {
  await deps.store.audit.record(
    {
      // A change made with no tenant named (an operator's, the CLI's default) is the default tenant's.
      tenantId: by.tenantId ?? DEFAULT_TENANT_ID,
      type: change.type,
      actor: by.actor,
      subject: change.subject,
      ip: by.ip ?? null,
      details: { ...by.details, ...change.details },
    },
    new Date(change.at),
  )
}
