// client_credentials with a DPoP proof (RFC 9449 §5): each request carries a fresh proof (its own jti, checked
// and recorded in the replay cache), all made before the measurement from one ES256 key, so the load
// generator signs nothing while it runs. The token is DPoP-bound (cnf.jkt). Against the sign reference, which
// parses the same form body and signs the same kind of JWT without the proof.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { form, type RequestSpec } from '../lib/load.ts'
import { BENCH_ISSUER, expectOk, httpContender, tokenQueue, type Scenario } from './types.ts'

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** `count` proofs for POST htu, each with its own jti, made now (node:crypto, synchronous: ~40 µs each). */
export function makeProofs(count: number, htu: string): string[] {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' })
  const header = segment({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })
  const iat = Math.floor(Date.now() / 1000)
  const proofs: string[] = []
  for (let i = 0; i < count; i++) {
    const input = `${header}.${segment({ jti: randomUUID(), htm: 'POST', htu, iat })}`
    const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    proofs.push(`${input}.${signature.toString('base64url')}`)
  }
  return proofs
}

export const clientCredentialsDpop: Scenario = {
  name: 'client_credentials_dpop',
  summary:
    'POST /oauth/token grant_type=client_credentials, client_secret_basic, a fresh DPoP proof per request (RFC 9449 §5): a DPoP-bound token',
  async plan(ctx) {
    const made = makeProofs(ctx.settings.quick ? 20_000 : 120_000, `${BENCH_ISSUER}/oauth/token`)
    const proofs = tokenQueue(made)
    // The reference gets the same headers, made the same way (it ignores the proof): only the server's work differs.
    let shown = 0
    const body = form({ grant_type: 'client_credentials', scope: 'read' })
    const request: RequestSpec = {
      method: 'POST',
      path: '/oauth/token',
      headers: { authorization: ctx.fixtures.service.authorization },
      body,
      nextHeaders: () => ({ dpop: proofs.take() }),
    }
    const probe = await expectOk(ctx.portcullis.url, {
      ...request,
      headers: { ...request.headers, dpop: proofs.take() },
    })
    if ((JSON.parse(probe) as { token_type: string }).token_type !== 'DPoP')
      throw new Error(`client_credentials with a DPoP proof answered ${probe}`)
    const before = proofs.stats()
    return {
      contenders: [
        httpContender('portcullis', 'subject', ctx.portcullis, request, ctx.settings.connections),
        httpContender(
          'sign',
          'reference',
          ctx.refs.sign,
          {
            method: 'POST',
            path: '/token',
            headers: request.headers!,
            body,
            nextHeaders: () => ({ dpop: made[shown++ % made.length]! }),
          },
          ctx.settings.connections,
        ),
      ],
      targets: [{ kind: 'ratio', of: 'sign', min: 0.6 }],
      notes: () => {
        const stats = proofs.since(before)
        return [
          `DPoP proofs: ${stats.minted} made beforehand, ${stats.taken} presented${stats.repeats ? `, ${stats.repeats} presented twice (the pool ran out: each refused as a replay, counted as an error)` : ', none presented twice'}`,
        ]
      },
    }
  },
}
