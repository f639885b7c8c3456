// GET /admin/v1/audit filtered by actor (the console's audit page): exactly the actor given, combined with the
// other filters; bad input is a 400 in the one error shape.
import t from 'tap'
import { adminHeaders, client } from '../support/admin-fixtures.ts'
import { build, providers } from '../support/helper.ts'
import { DEFAULT_TENANT_ID } from '../../src/store/index.ts'

for (const provider of providers) {
  t.test(`the audit log by actor on ${provider}`, async (t) => {
    const ctx = await build(t, { provider })
    const admin = client(ctx.app, await adminHeaders(ctx))
    // A second apart, so that "newest first" has one answer (events of one millisecond may list in any order).
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second))
    await ctx.store.audit.record(
      { tenantId: DEFAULT_TENANT_ID, type: 'user.created', actor: 'cli:ops', subject: 'u1' },
      at(1),
    )
    await ctx.store.audit.record(
      { tenantId: DEFAULT_TENANT_ID, type: 'user.disabled', actor: 'user:alice', subject: 'u1' },
      at(2),
    )
    await ctx.store.audit.record(
      { tenantId: DEFAULT_TENANT_ID, type: 'user.created', actor: 'user:alice', subject: 'u2' },
      at(3),
    )
    await ctx.store.audit.record(
      { tenantId: DEFAULT_TENANT_ID, type: 'user.created', actor: 'user:alice-2', subject: 'u3' },
      at(4),
    )
    const subjects = async (query: string) => {
      const response = await admin.get(`/admin/v1/audit?${query}`)
      t.equal(response.statusCode, 200, query)
      return (response.json().items as { subject: string; actor: string }[]).map((item) => item.subject)
    }
    t.same(await subjects('actor=user%3Aalice'), ['u2', 'u1'], 'exactly this actor, newest first (not a prefix)')
    t.same(await subjects('actor=user%3Aalice&type=user.created'), ['u2'], 'with the type')
    t.same(await subjects('actor=user%3Aalice&limit=1'), ['u2'], 'paged')
    t.same(await subjects('actor=cli%3Aops&until=2025-12-31T00%3A00%3A00Z'), [], 'with the time range')
    t.same(await subjects('actor=nobody'), [], 'an unknown actor: nothing')

    const empty = await admin.get('/admin/v1/audit?actor=')
    t.equal(empty.statusCode, 400)
    t.match(empty.json(), { error: 'invalid_request' })
    const long = await admin.get(`/admin/v1/audit?actor=${'a'.repeat(301)}`)
    t.equal(long.statusCode, 400)
    t.match(long.json(), { error: 'invalid_request' })
  })
}
