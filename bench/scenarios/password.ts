// The password grant (RFC 6749 §4.3) is bcrypt-bound by design. Its ceiling is bcryptjs itself: the
// target is ≥ 1.6 × the compares per second of one thread at the same cost (the worker pool must use
// both cores), while the JWKS, fetched at a steady rate during the storm, keeps answering in < 50 ms at p99.
import { benchScript } from '../lib/build.ts'
import { form, load, type Measurement, type RequestSpec } from '../lib/load.ts'
import { runCommand } from '../lib/processes.ts'
import type { Contender } from '../lib/rounds.ts'
import { expectOk, withCpu, type BenchContext, type Scenario } from './types.ts'

/** Password logins in flight at once: a few per bcrypt worker, so the pool never idles. */
export const PASSWORD_CONNECTIONS = 8
/** The JWKS probe during the storm: a steady rate, as resource servers refreshing their key cache would. */
const JWKS_PROBE_RATE = 200
const JWKS_PROBE_CONNECTIONS = 4

export function passwordRequest(ctx: BenchContext): RequestSpec {
  const { app, user } = ctx.fixtures
  return {
    method: 'POST',
    path: '/oauth/token',
    headers: { authorization: app.authorization },
    body: form({ grant_type: 'password', username: user.username, password: user.password, scope: 'read' }),
  }
}

/** bcryptjs compares per second on one thread at `cost`, in a process of its own. */
export async function bcryptBaseline(cost: number, seconds: number): Promise<Measurement> {
  const { command, args } = benchScript('bcrypt-baseline.ts', ['--cost', String(cost), '--seconds', String(seconds)])
  const { compares, perSecond } = JSON.parse(await runCommand(command, args)) as { compares: number; perSecond: number }
  return {
    rps: perSecond,
    p50: 1000 / perSecond,
    p99: 1000 / perSecond,
    requests: compares,
    errors: 0,
    statusCodes: {},
  }
}

export const password: Scenario = {
  name: 'password',
  summary: `POST /oauth/token grant_type=password (bcrypt), ${PASSWORD_CONNECTIONS} logins in flight, JWKS fetched at ${JWKS_PROBE_RATE}/s meanwhile`,
  async plan(ctx) {
    const request = passwordRequest(ctx)
    await expectOk(ctx.portcullis.url, request)
    const jwksProbe: RequestSpec = { method: 'GET', path: '/.well-known/jwks.json' }
    const storm: Contender = {
      name: 'portcullis',
      role: 'subject',
      // CPU per login includes the JWKS probe's small share (and the bcrypt worker threads).
      run: (duration) =>
        withCpu(ctx.portcullis, async () => {
          const [logins, probe] = await Promise.all([
            load({ baseUrl: ctx.portcullis.url, request, connections: PASSWORD_CONNECTIONS, duration }),
            load({
              baseUrl: ctx.portcullis.url,
              request: jwksProbe,
              connections: JWKS_PROBE_CONNECTIONS,
              duration,
              rate: JWKS_PROBE_RATE,
            }),
          ])
          return { ...logins, extra: { jwksP50: probe.p50, jwksP99: probe.p99, jwksErrors: probe.errors } }
        }),
    }
    const baseline: Contender = {
      name: 'bcryptjs ×1',
      role: 'reference',
      run: (duration) => bcryptBaseline(ctx.settings.bcryptCost, duration),
    }
    return {
      contenders: [storm, baseline],
      targets: [
        { kind: 'ratio', of: 'bcryptjs ×1', min: 1.6 },
        { kind: 'max', metric: 'jwksP99', max: 50, unit: 'ms', label: 'JWKS p99 during the storm' },
      ],
    }
  },
}
