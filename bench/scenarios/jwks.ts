// GET of the JWKS (RFC 7517) against a bare route serving the same precomputed body, node-oidc-provider's
// JWKS, and the bare HTTP ceiling (hello) for orientation.
import type { RequestSpec } from '../lib/load.ts'
import { expectOk, httpContender, type Scenario } from './types.ts'

export const jwks: Scenario = {
  name: 'jwks',
  summary: 'GET /.well-known/jwks.json',
  fixtures: false,
  async plan(ctx) {
    const request: RequestSpec = { method: 'GET', path: '/.well-known/jwks.json' }
    await expectOk(ctx.portcullis.url, request)
    const connections = ctx.settings.connections
    return {
      contenders: [
        httpContender('portcullis', 'subject', ctx.portcullis, request, connections),
        httpContender('jwks-body', 'reference', ctx.refs.jwksBody, { method: 'GET', path: '/jwks' }, connections),
        httpContender('oidc-provider', 'reference', ctx.refs.oidc, { method: 'GET', path: '/jwks' }, connections),
        httpContender('hello', 'reference', ctx.refs.hello, { method: 'GET', path: '/hello' }, connections),
      ],
      targets: [
        { kind: 'ratio', of: 'jwks-body', min: 0.9 },
        { kind: 'ratio', of: 'oidc-provider', min: 2 },
      ],
    }
  },
}
