// Access tokens an attacker can make: each is refused by every verifier of ours (introspection, the admin API,
// /v1/me), whatever claims it carries. Shared by test/security/forged-tokens.test.ts (one by one) and test/fuzz/fuzz.test.ts
// (as Authorization headers). Claims are those a real admin token would have, so only the forgery is wrong.
import { createHmac, createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import type { Keyring } from '../../src/keys/keyring.ts'
import type { Config } from '../../src/config.ts'

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** header.payload signed with HMAC-SHA256 under `secret`: the "alg confusion" forgery. */
function hs256(header: object, payload: object, secret: Buffer | string): string {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

/** header.payload signed RS256 by `privateKey` (ours or a foreign one). */
function rs256(header: object, payload: object, privateKey: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`
}

export interface ForgeryContext {
  keyring: Keyring
  config: Pick<Config, 'issuer' | 'defaultAudience' | 'clockSkew'>
}

/** The claims of a token that would be accepted if it were signed by us. */
export function goodClaims(
  ctx: ForgeryContext,
  options: { sub?: string; scope?: string; now?: number } = {},
): Record<string, unknown> {
  const iat = Math.floor((options.now ?? Date.now()) / 1000)
  return {
    client_id: 'service',
    scope: options.scope ?? 'admin introspect keys:write',
    iss: ctx.config.issuer,
    sub: options.sub ?? 'client:service',
    aud: ctx.config.defaultAudience,
    iat,
    exp: iat + 600,
    jti: randomUUID(),
  }
}

/** A correctly signed token of ours with `claims` (the control: what each forgery imitates). */
export function ourToken(
  ctx: ForgeryContext,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const { kid, privateKey } = ctx.keyring.signingKey()
  return rs256({ alg: 'RS256', typ: 'at+jwt', kid, ...header }, claims, privateKey)
}

/**
 * Every kind of forged or invalid access token, by name. `claims` defaults to goodClaims(ctx): a validly
 * signed token with those claims is accepted (see ourToken), so each of these fails for its forgery alone.
 */
export function forgedTokens(
  ctx: ForgeryContext,
  claims: Record<string, unknown> = goodClaims(ctx),
): Record<string, string> {
  const { kid } = ctx.keyring.signingKey()
  const publicKey = ctx.keyring.verificationKey(kid)!
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string
  const jwk = publicKey.export({ format: 'jwk' })
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const header = { alg: 'RS256', typ: 'at+jwt', kid }
  const seconds = Math.floor(Date.now() / 1000)
  const beyondSkew = ctx.config.clockSkew + 120
  const valid = ourToken(ctx, claims)
  const [validHeader, validPayload, validSignature] = valid.split('.') as [string, string, string]
  return {
    'alg none, no signature': `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`,
    'alg none, our signature kept': `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${validPayload}.${validSignature}`,
    'alg "None"': `${b64({ alg: 'None', typ: 'at+jwt', kid })}.${b64(claims)}.`,
    'HS256 keyed with our public key as PEM': hs256({ ...header, alg: 'HS256' }, claims, pem),
    'HS256 keyed with our public key as PEM, no trailing newline': hs256(
      { ...header, alg: 'HS256' },
      claims,
      pem.trimEnd(),
    ),
    'HS256 keyed with our public JWK as JSON': hs256({ ...header, alg: 'HS256' }, claims, JSON.stringify(jwk)),
    'HS256 keyed with the bytes of our modulus': hs256(
      { ...header, alg: 'HS256' },
      claims,
      Buffer.from(jwk.n!, 'base64url'),
    ),
    'RS256 by our key, another issuer': ourToken(ctx, { ...claims, iss: 'https://elsewhere.example' }),
    'RS256 by our key, no issuer': ourToken(ctx, { ...claims, iss: undefined }),
    'RS256 by a foreign key claiming our kid': rs256(header, claims, foreign),
    'RS256 by a foreign key, unknown kid': rs256({ ...header, kid: 'not-a-key-of-ours' }, claims, foreign),
    'RS256 by our key, unknown kid': ourToken(ctx, claims, { kid: 'not-a-key-of-ours' }),
    'RS256 by our key, no kid': ourToken(ctx, claims, { kid: undefined }),
    'expired beyond the clock skew': ourToken(ctx, { ...claims, iat: seconds - 3600, exp: seconds - beyondSkew }),
    'not valid before a time beyond the clock skew': ourToken(ctx, { ...claims, nbf: seconds + beyondSkew }),
    'typ JWT instead of at+jwt (RFC 9068 section 2.1)': ourToken(ctx, claims, { typ: 'JWT' }),
    'no typ': ourToken(ctx, claims, { typ: undefined }),
    'our signature over another payload': `${validHeader}.${b64({ ...claims, scope: 'admin admin' })}.${validSignature}`,
    'signature truncated': `${validHeader}.${validPayload}.${validSignature.slice(0, -4)}`,
    'signature dropped': `${validHeader}.${validPayload}.`,
    'two segments': `${validHeader}.${validPayload}`,
    'four segments': `${valid}.${validSignature}`,
    'header not JSON': `${b64('{"alg":"RS256",')}.${validPayload}.${validSignature}`,
  }
}
