// The APIs the console calls: the admin API and /v1/me through the typed client generated from openapi.yaml, the
// usage figures (not in the generated client yet) through the SDK's authenticated fetch. Errors come back as the
// server's one JSON shape; `problem` turns them into a sentence for the page.
import { createFetch } from '@portcullis/client'
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

export interface Api {
  admin: AdminClient
  /** GET of a usage path (`/admin/v1/usage`, `/admin/v1/access-keys/{id}/usage`, `/v1/me/access-keys/{id}/usage`). */
  usage(path: string, query: { from?: string; to?: string; granularity?: 'hour' | 'day' }): Promise<Usage>
}

export function createApi(session: Session): Api {
  const admin = createAdminClient({ baseUrl: session.issuer, strategy: session.strategy })
  const authenticated = createFetch(session.strategy, { throwOnAuthErrors: false })
  return {
    admin,
    async usage(path, query) {
      const url = new URL(session.issuer + path)
      for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value)
      const response = await authenticated(url)
      const body = (await response.json().catch(() => ({}))) as Usage & ErrorBody
      if (!response.ok) throw new Error(problem(body))
      return body
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
