// Fixtures for private_key_jwt client authentication (RFC 7523 §2.2): key pairs, assertions signed as a client
// would sign them, clients registered through the store with their public keys.
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import type { Store } from '../../src/store/index.ts'

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
export const ISSUER = 'http://portcullis.test'
/** What every refused client authentication answers, whatever the reason. */
export const REFUSED = { error: 'invalid_client', error_description: 'client authentication failed' }

export type KeyAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA'

export interface ClientKey {
  alg: KeyAlg
  kid: string
  privateKey: CryptoKey
  /** The public JWK, with its kid and alg, as the client registers it. */
  jwk: JWK
}

export async function clientKey(alg: KeyAlg = 'RS256', kid: string = `${alg}-${randomUUID()}`): Promise<ClientKey> {
  const pair = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg, { extractable: true })
  return { alg, kid, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg } }
}

export const jwksOf = (...keys: ClientKey[]) => ({ keys: keys.map((key) => key.jwk) })

/**
 * An assertion of `clientId`, valid for a minute; `claims` overrides (undefined leaves a claim out), `header`
 * overrides the protected header.
 */
export async function signAssertion(
  key: ClientKey,
  clientId: string,
  claims: JWTPayload = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const payload = Object.fromEntries(
    Object.entries({
      iss: clientId,
      sub: clientId,
      aud: ISSUER,
      exp: now + 60,
      iat: now,
      jti: randomUUID(),
      ...claims,
    }).filter(([, value]) => value !== undefined),
  )
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey)
}

/** The body parameters of client authentication with `assertion` (plus `extra`). */
export const withAssertion = (assertion: string, extra: Record<string, string> = {}): Record<string, string> => ({
  client_assertion_type: ASSERTION_TYPE,
  client_assertion: assertion,
  ...extra,
})

/** A private_key_jwt client for client_credentials (scope read), registered through the store. */
export async function registerKeyClient(
  store: Store,
  clientId: string,
  keys: { jwks?: { keys: JWK[] }; jwksUri?: string; tokenEndpointAudience?: boolean },
) {
  return store.clients.create({
    clientId,
    name: clientId,
    secretHash: null,
    grantTypes: ['client_credentials'],
    scopes: ['read'],
    jwks: keys.jwks ?? null,
    jwksUri: keys.jwksUri ?? null,
    tokenEndpointAudience: keys.tokenEndpointAudience ?? false,
  })
}

/** A logger that keeps its JSON lines in memory, for a test to read what an app logged. */
export function memoryLogger(): { logger: FastifyBaseLogger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  return {
    logger: Fastify({ logger: { level: 'info', stream } }).log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}
