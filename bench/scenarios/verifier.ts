// An API behind Portcullis verifying a JWT per request with @portcullis/verify, against the same route with no
// verification (the ceiling) and with the hand-rolled jose.jwtVerify + createRemoteJWKSet. Each resource server is
// its own process (bench/references/resource-server.ts); the token is a client_credentials token of Portcullis,
// the same one on every request, as a client holding a token for its lifetime sends it.
import { benchScript, repoRoot } from '../lib/build.ts'
import { form, type RequestSpec } from '../lib/load.ts'
import { freePort, type ServerProcess, startServer } from '../lib/processes.ts'
import { expectOk, httpContender, type Scenario } from './types.ts'

async function resourceServer(mode: string, issuer: string, audience: string, jwksUri: string): Promise<ServerProcess> {
  const port = await freePort()
  const { command, args } = benchScript('references/resource-server.ts', [
    '--port',
    String(port),
    '--mode',
    mode,
    '--issuer',
    issuer,
    '--audience',
    audience,
    '--jwks-uri',
    jwksUri,
  ])
  return startServer({ name: `resource-server (${mode})`, command, args, port, cwd: repoRoot, readyPath: '/ready' })
}

export const verifier: Scenario = {
  name: 'verifier',
  summary: 'GET /objects of an API verifying a Portcullis JWT with @portcullis/verify',
  async plan(ctx) {
    const issued = await expectOk(ctx.portcullis.url, {
      method: 'POST',
      path: '/oauth/token',
      headers: { authorization: ctx.fixtures.service.authorization },
      body: form({ grant_type: 'client_credentials', scope: 'read' }),
    })
    const token = (JSON.parse(issued) as { access_token: string }).access_token
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string; aud: string }
    const audience = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud
    const servers = await Promise.all(
      ['verifier', 'none', 'jose'].map((mode) =>
        resourceServer(mode, claims.iss, audience!, `${ctx.portcullis.url}/.well-known/jwks.json`),
      ),
    )
    const [subject, none, jose] = servers as [ServerProcess, ServerProcess, ServerProcess]
    const request: RequestSpec = { method: 'GET', path: '/objects', headers: { authorization: `Bearer ${token}` } }
    // Each must accept the token (a 401 would measure the refusal path).
    for (const server of servers) await expectOk(server.url, request)
    const connections = ctx.settings.connections
    return {
      contenders: [
        httpContender('verifier', 'subject', subject, request, connections),
        httpContender('no-verification', 'reference', none, request, connections),
        httpContender('hand-rolled-jose', 'reference', jose, request, connections),
      ],
      targets: [
        { kind: 'ratio', of: 'no-verification', min: 0.8 },
        { kind: 'ratio', of: 'hand-rolled-jose', min: 1.0 },
      ],
      stop: async () => {
        for (const server of servers) await server.stop()
      },
    }
  },
}
