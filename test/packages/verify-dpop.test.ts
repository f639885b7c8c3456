// DPoP-bound tokens (RFC 9449) at @portcullis/verify: a token with `cnf.jkt` is accepted as `Authorization: DPoP`
// with a fresh proof of that key for this request, and refused as a Bearer token, with a replayed proof, a proof
// for another method, URL or token, or a proof of another key. The tokens are signed by the server's own keyring
// (Portcullis issues bound tokens on a branch of its own).
import { randomUUID } from 'node:crypto'
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose'
import t from 'tap'
import { createVerifier, DPOP_ALGORITHMS, VerificationError } from '../../packages/verify/src/index.ts'
import { signAccessToken } from '../../src/keys/access-token.ts'
import { SECRET, startPortcullis } from '../support/sdk-fixtures.ts'
import { providers } from '../support/helper.ts'

// On SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set, like the rest of the suite.
for (const provider of providers) {
  t.test(`on ${provider}`, async (t) => {
    const server = await startPortcullis(t, {}, provider)
    const issuer = server.baseUrl
    const verifier = createVerifier({
      issuer,
      audience: issuer,
      introspection: { clientId: 'gateway', clientSecret: SECRET },
    })
    const API = 'https://api.example/objects'

    const holder = await generateKeyPair('ES256')
    const other = await generateKeyPair('ES256')
    const publicJwk = await exportJWK(holder.publicKey)
    const jkt = await calculateJwkThumbprint(publicJwk, 'sha256')

    const boundToken = async (thumbprint = jkt) =>
      (
        await signAccessToken(
          server.keyring,
          { issuer, ttl: 300 },
          {
            sub: 'client:service',
            aud: issuer,
            clientId: 'service',
            scope: 'read',
            extra: { cnf: { jkt: thumbprint } },
          },
        )
      ).token

    const ath = async (token: string) =>
      base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))))

    async function proof(
      token: string,
      options: { method?: string; url?: string; key?: typeof holder; jti?: string; ath?: string } = {},
    ) {
      const key = options.key ?? holder
      return new SignJWT({
        htm: options.method ?? 'GET',
        htu: options.url ?? API,
        ath: options.ath ?? (await ath(token)),
        jti: options.jti ?? randomUUID(),
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(key.publicKey) })
        .setIssuedAt()
        .sign(key.privateKey)
    }

    const request = (token: string, dpop: string | undefined, init: { method?: string; url?: string } = {}) =>
      new Request(init.url ?? `${API}?page=2`, {
        method: init.method ?? 'GET',
        headers: { authorization: `DPoP ${token}`, ...(dpop === undefined ? {} : { dpop }) },
      })

    async function refusal(input: Request | { headers: Record<string, string> }) {
      try {
        await verifier.verify(input)
        return 'accepted'
      } catch (error) {
        if (!(error instanceof VerificationError)) throw error
        return { status: error.status, wwwAuthenticate: error.wwwAuthenticate }
      }
    }

    const dpopChallenge = (error: string, description: string) => ({
      status: 401,
      wwwAuthenticate: `DPoP algs="${DPOP_ALGORITHMS.join(' ')}", error="${error}", error_description="${description}"`,
    })

    t.test('a bound token with a proof of its key for this request is accepted', async (t) => {
      const token = await boundToken()
      const auth = await verifier.verify(request(token, await proof(token)))
      t.equal(auth.subject, 'client:service')
      t.same(auth.claims.cnf, { jkt })
      // A Node request: the path is resolved against the Host header.
      const node = {
        method: 'GET',
        url: '/objects',
        headers: {
          host: 'api.example',
          authorization: `DPoP ${token}`,
          dpop: await proof(token, { url: 'http://api.example/objects' }),
        },
      }
      t.equal((await verifier.verify(node)).subject, 'client:service')
    })

    t.test('a bound token is refused as a Bearer token, and an unbound one as a DPoP token', async (t) => {
      const token = await boundToken()
      t.same(await refusal({ headers: { authorization: `Bearer ${token}` } }), {
        status: 401,
        wwwAuthenticate:
          'Bearer error="invalid_token", error_description="the token is bound to a key (cnf): present it with DPoP"',
      })
      const unbound = (
        await signAccessToken(
          server.keyring,
          { issuer, ttl: 300 },
          { sub: 'client:service', aud: issuer, clientId: 'service', scope: 'read' },
        )
      ).token
      t.same(
        await refusal(request(unbound, await proof(unbound))),
        dpopChallenge('invalid_token', 'the token is not bound to a key: present it as Bearer'),
      )
    })

    t.test('each bad proof is refused with invalid_dpop_proof or invalid_token and the DPoP challenge', async (t) => {
      const token = await boundToken()
      const replayed = await proof(token)
      t.equal(await refusal(request(token, replayed)), 'accepted', 'the first use of the proof')
      t.same(
        await refusal(request(token, replayed)),
        dpopChallenge('invalid_dpop_proof', 'the DPoP proof was used already'),
      )
      t.same(
        await refusal(request(token, undefined)),
        dpopChallenge('invalid_dpop_proof', 'send exactly one DPoP proof header'),
      )
      t.same(
        await refusal(request(token, await proof(token, { method: 'POST' }))),
        dpopChallenge('invalid_dpop_proof', 'the DPoP proof is for another method'),
      )
      t.same(
        await refusal(request(token, await proof(token, { url: 'https://api.example/other' }))),
        dpopChallenge('invalid_dpop_proof', 'the DPoP proof is for another URL'),
      )
      t.same(
        await refusal(request(token, await proof(token, { ath: await ath('another token') }))),
        dpopChallenge('invalid_dpop_proof', 'the DPoP proof is for another access token'),
      )
      t.same(
        await refusal(request(token, await proof(token, { key: other }))),
        dpopChallenge('invalid_token', 'the DPoP proof is signed by another key than the token is bound to'),
      )
      const stolen = await boundToken(await calculateJwkThumbprint(await exportJWK(other.publicKey), 'sha256'))
      t.same(
        await refusal(request(stolen, await proof(stolen))),
        dpopChallenge('invalid_token', 'the DPoP proof is signed by another key than the token is bound to'),
        'a token bound to another key, with a proof of ours',
      )
    })
  })
}
