// A day in production, compressed: 80 % cheap calls (JWKS and JWT introspection, half each), 15 %
// refresh-token rotations and 5 % password logins, each at a fixed rate, all at once. The figure that
// matters is the p99 of the cheap calls while bcrypt keeps both cores busy.
//
// The total rate is sized from this machine's bcrypt speed: password logins arrive at 1.5 × what one
// thread can compare, i.e. they keep the worker pool nearly saturated, and everything else scales from them.
import { form, load, type Measurement, type RequestSpec } from '../lib/load.ts'
import type { Contender } from '../lib/rounds.ts'
import { bcryptBaseline, PASSWORD_CONNECTIONS, passwordRequest } from './password.ts'
import { expectOk, SkipScenario, withCpu, type Scenario } from './types.ts'

const SHARES = { cheap: 0.8, refresh: 0.15, password: 0.05 }

export const mixed: Scenario = {
  name: 'mixed',
  summary: '80 % JWKS/introspection, 15 % refresh, 5 % password at fixed rates; p99 of the cheap calls',
  pools: { refreshTokens: true },
  async plan(ctx) {
    const queue = ctx.pools.refreshTokens
    if (queue.stats().minted === 0)
      throw new SkipScenario('no refresh-token pool (the password grant did not mint any)')
    const issued = await expectOk(ctx.portcullis.url, {
      method: 'POST',
      path: '/oauth/token',
      headers: { authorization: ctx.fixtures.service.authorization },
      body: form({ grant_type: 'client_credentials', scope: 'read' }),
    })
    const introspection: RequestSpec = {
      method: 'POST',
      path: '/oauth/introspect',
      headers: { authorization: ctx.fixtures.introspector.authorization },
      body: form({ token: (JSON.parse(issued) as { access_token: string }).access_token }),
    }
    await expectOk(ctx.portcullis.url, introspection)
    const login = passwordRequest(ctx)
    await expectOk(ctx.portcullis.url, login)
    const refresh: RequestSpec = {
      method: 'POST',
      path: '/oauth/token',
      headers: { authorization: ctx.fixtures.app.authorization },
      nextBody: () => form({ grant_type: 'refresh_token', refresh_token: queue.take() }),
      onResponse: (status, body) => {
        if (status === 200) queue.recycle((JSON.parse(body) as { refresh_token: string }).refresh_token)
      },
    }

    const bcryptPerSecond = (await bcryptBaseline(ctx.settings.bcryptCost, 2)).rps
    const passwordRate = Math.max(1, Math.round(bcryptPerSecond * 1.5))
    const total = passwordRate / SHARES.password
    const rates = {
      cheap: Math.round(total * SHARES.cheap),
      refresh: Math.round(total * SHARES.refresh),
      password: passwordRate,
    }
    const before = queue.stats()
    const url = ctx.portcullis.url

    const everything: Contender = {
      name: 'portcullis',
      role: 'subject',
      run: (duration) =>
        withCpu(ctx.portcullis, async () => {
          const [cheap, rotations, logins] = await Promise.all([
            loadCheap(
              url,
              [{ method: 'GET', path: '/.well-known/jwks.json' }, introspection],
              8,
              duration,
              rates.cheap,
            ),
            load({ baseUrl: url, request: refresh, connections: 4, duration, rate: rates.refresh }),
            load({ baseUrl: url, request: login, connections: PASSWORD_CONNECTIONS, duration, rate: rates.password }),
          ])
          return {
            rps: cheap.rps + rotations.rps + logins.rps,
            p50: cheap.p50,
            p99: cheap.p99,
            requests: cheap.requests + rotations.requests + logins.requests,
            seconds: duration,
            errors: cheap.errors + rotations.errors + logins.errors,
            statusCodes: {},
            extra: {
              cheapRps: cheap.rps,
              cheapP99: cheap.p99,
              refreshRps: rotations.rps,
              refreshP99: rotations.p99,
              passwordRps: logins.rps,
              passwordP99: logins.p99,
            },
          }
        }),
    }
    return {
      contenders: [everything],
      targets: [],
      notes: ([measured]) => {
        const stats = queue.since(before)
        const got = (key: string) => (measured?.extra[key] ?? NaN).toFixed(key.endsWith('Rps') ? 1 : 0)
        return [
          `mixed: offered ${rates.cheap}/s cheap + ${rates.refresh}/s refresh + ${rates.password}/s password (bcryptjs ×1 = ${bcryptPerSecond.toFixed(1)}/s); ` +
            `served ${got('cheapRps')}/s cheap (p99 ${got('cheapP99')} ms), ${got('refreshRps')}/s refresh (p99 ${got('refreshP99')} ms), ${got('passwordRps')}/s password (p99 ${got('passwordP99')} ms); ` +
            `the table's p50/p99 are the cheap calls'`,
          `mixed refresh pool: ${stats.taken} presented, ${stats.recycled} successors recycled, ${stats.repeats} presented twice`,
        ]
      },
    }
  },
}

/** The cheap calls: JWKS and introspection, half the rate and connections each, combined. */
async function loadCheap(
  baseUrl: string,
  requests: [RequestSpec, RequestSpec],
  connections: number,
  duration: number,
  rate: number,
) {
  const [a, b] = (await Promise.all(
    requests.map((request) => load({ baseUrl, request, connections: connections / 2, duration, rate: rate / 2 })),
  )) as [Measurement, Measurement]
  const total = a.requests + b.requests || 1
  return {
    rps: a.rps + b.rps,
    // Percentiles do not add: p99 is the worse of the two, p50 the request-weighted mean.
    p50: (a.requests * a.p50 + b.requests * b.p50) / total,
    p99: Math.max(a.p99, b.p99),
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
  }
}
