// The APIs the console calls: the admin API, /v1/me and the usage figures, through the typed client generated from
// openapi.yaml, authenticated by the sign-in's strategy (the SDK refreshes the token). Errors come back as the
// server's one JSON shape; `problem` turns them into a sentence for the page.
import { type AdminClient, createAdminClient } from '@portcullis/client/admin'
import type { Session } from './auth.ts'

export type { AdminClient }

export interface UsageBucket {
  start: string
  counts: Record<string, number>
}
export interface Usage {
  from: string
  to: string
  granularity: 'hour' | 'day'
  buckets: UsageBucket[]
  totals: Record<string, number>
}

/** Whose usage: everything, one access key (an operator's view or the owner's), one client. */
export type UsageOf = { all: true } | { accessKey: string; mine: boolean } | { client: string }

export interface Api {
  admin: AdminClient
  usage(of: UsageOf, query: { from?: string; to?: string; granularity?: 'hour' | 'day' }): Promise<Usage>
}

export function createApi(session: Session): Api {
  const admin = createAdminClient({ baseUrl: session.issuer, strategy: session.strategy })
  return {
    admin,
    usage(of, query): Promise<Usage> {
      if ('all' in of) return unwrap(admin.GET('/admin/v1/usage', { params: { query } }))
      if ('client' in of)
        return unwrap(
          admin.GET('/admin/v1/clients/{clientId}/usage', { params: { path: { clientId: of.client }, query } }),
        )
      const path = { id: of.accessKey }
      return of.mine
        ? unwrap(admin.GET('/v1/me/access-keys/{id}/usage', { params: { path, query } }))
        : unwrap(admin.GET('/admin/v1/access-keys/{id}/usage', { params: { path, query } }))
    },
  }
}

interface ErrorBody {
  error?: string
  error_description?: string
  details?: { field?: string; message?: string }[]
}

/** One sentence from an error answer of the API. */
export function problem(error: unknown): string {
  const body = error as ErrorBody | undefined
  if (body && typeof body === 'object' && ('error' in body || 'error_description' in body)) {
    const details = (body.details ?? []).map((detail) => `${detail.field ?? ''} ${detail.message ?? ''}`.trim())
    return [body.error_description ?? body.error, ...details].filter(Boolean).join('; ')
  }
  return error instanceof Error ? error.message : 'the request failed'
}

/** The data of an openapi-fetch answer, or an Error carrying the API's sentence. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (error !== undefined || !response.ok) throw new Error(problem(error) || `HTTP ${response.status}`)
  return data as T
}
