// Introspection (RFC 7662) and revocation (RFC 7009), against the form-parsing ceiling (**form**: the
// same form body parsed by a bare route answering a static JSON).
import { form, type RequestSpec } from '../lib/load.ts'
import { probeSpread, spreadNotes, spreadReferences, spreadRequest } from '../tenants.ts'
import { expectOk, httpContender, SkipScenario, type BenchContext, type Plan, type Scenario } from './types.ts'

function formContender(ctx: BenchContext, request: RequestSpec) {
  return httpContender('form', 'reference', ctx.refs.form, { ...request, path: '/form' }, ctx.settings.connections)
}

async function introspectionPlan(ctx: BenchContext, token: string): Promise<Plan> {
  const request: RequestSpec = {
    method: 'POST',
    path: '/oauth/introspect',
    headers: { authorization: ctx.fixtures.introspector.authorization },
    body: form({ token }),
  }
  const answer = await expectOk(ctx.portcullis.url, request)
  // An inactive answer is the cheap path: measuring it would flatter the endpoint.
  if ((JSON.parse(answer) as { active?: boolean }).active !== true)
    throw new SkipScenario(`the benchmark token introspects as inactive: ${answer.slice(0, 200)}`)
  return {
    contenders: [
      httpContender('portcullis', 'subject', ctx.portcullis, request, ctx.settings.connections),
      formContender(ctx, request),
    ],
    targets: [{ kind: 'ratio', of: 'form', min: 0.4 }],
  }
}

export const introspectJwt: Scenario = {
  name: 'introspect-jwt',
  summary: 'POST /oauth/introspect of one of our JWT access tokens, by a client holding the introspect scope',
  async plan(ctx) {
    const issued = await expectOk(ctx.portcullis.url, {
      method: 'POST',
      path: '/oauth/token',
      headers: { authorization: ctx.fixtures.service.authorization },
      body: form({ grant_type: 'client_credentials', scope: 'read' }),
    })
    return introspectionPlan(ctx, (JSON.parse(issued) as { access_token: string }).access_token)
  },
}

export const introspectAccessKey: Scenario = {
  name: 'introspect-access-key',
  summary: 'POST /oauth/introspect of an access key (pcl_…), by a client holding the introspect scope',
  async plan(ctx) {
    if (!ctx.fixtures.accessKey) throw new SkipScenario(`no access key: ${ctx.fixtures.missing.join('; ')}`)
    const spread = ctx.fixtures.tenantKeys
    if (!spread) return introspectionPlan(ctx, ctx.fixtures.accessKey)
    // Keys of 1,000 tenants in turn (bench/tenants.ts), introspected by the default tenant's introspector (it sees every tenant's).
    const headers = { authorization: ctx.fixtures.introspector.authorization }
    const body = (key: string) => form({ token: key })
    const request: RequestSpec = { ...spreadRequest(spread, '/oauth/introspect', body, false), headers }
    const single: RequestSpec = {
      method: 'POST',
      path: '/oauth/introspect',
      headers,
      body: body(ctx.fixtures.accessKey),
    }
    await probeSpread(ctx, spread, '/oauth/introspect', body, false)
    await probeSpread(ctx, spread.control, '/oauth/introspect', body, false)
    return {
      contenders: [
        httpContender('portcullis', 'subject', ctx.portcullis, request, ctx.settings.connections),
        ...spreadReferences(
          ctx,
          spread,
          (keys, pattern) => ({ ...spreadRequest(keys, '/oauth/introspect', body, false, pattern), headers }),
          single,
        ),
        formContender(ctx, single),
      ],
      targets: [{ kind: 'ratio', of: 'form', min: 0.4 }],
      notes: (contenders) => spreadNotes('introspect-access-key', contenders),
    }
  },
}

export const revoke: Scenario = {
  name: 'revoke',
  summary: 'POST /oauth/revoke of a distinct, valid JWT access token per request (its jti is recorded until exp)',
  pools: { accessTokens: true },
  async plan(ctx) {
    const queue = ctx.pools.accessTokens
    if (queue.stats().minted < 2) throw new SkipScenario('no access-token pool (client_credentials did not mint any)')
    const headers = { authorization: ctx.fixtures.service.authorization }
    const request: RequestSpec = {
      method: 'POST',
      path: '/oauth/revoke',
      headers,
      nextBody: () => form({ token: queue.take(), token_type_hint: 'access_token' }),
    }
    const before = queue.stats()
    const probeBody = form({ token: queue.take(), token_type_hint: 'access_token' })
    await expectOk(ctx.portcullis.url, request, probeBody)
    return {
      contenders: [
        httpContender('portcullis', 'subject', ctx.portcullis, request, ctx.settings.connections),
        httpContender(
          'form',
          'reference',
          ctx.refs.form,
          { method: 'POST', path: '/form', headers, body: probeBody },
          ctx.settings.connections,
        ),
      ],
      // PostgreSQL's target (issue #24); the embedded default's revocation is measured beside it, without one.
      targets: ctx.settings.db === 'postgres' ? [{ kind: 'ratio', of: 'form', min: 0.3 }] : [],
      notes: () => {
        const stats = queue.since(before)
        return [
          `revocation pool: ${stats.minted} tokens minted, ${stats.taken} presented${stats.repeats ? `, ${stats.repeats} already revoked (pool exhausted)` : ''}`,
        ]
      },
      // An already-revoked token is refused before any write: re-revoking measures a cheaper path.
      invalid: () => {
        const { repeats } = queue.since(before)
        return repeats ? `the pool ran out, ${repeats} tokens presented twice` : undefined
      },
    }
  },
}
