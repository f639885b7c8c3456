// RFC 7523 §3 assertions signed with WebCrypto: the private key of a key-pair access key as a JWK, a CryptoKey or
// PKCS #8 PEM, for the algorithms Portcullis registers key pairs with.
import type { CryptoKey, JWK } from 'oauth4webapi'
import { ConfigurationError } from '../errors.js'

export type PrivateKeyInput = JWK | CryptoKey | string
type ImportParams = Parameters<typeof crypto.subtle.importKey>[2]
type SignParams = Parameters<typeof crypto.subtle.sign>[0]

const ALGORITHMS: Record<string, { import: ImportParams; sign: SignParams }> = {
  ES256: {
    import: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
  },
  RS256: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
  PS256: { import: { name: 'RSA-PSS', hash: 'SHA-256' }, sign: { name: 'RSA-PSS', saltLength: 32 } },
  EdDSA: { import: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
}

/** The JWS algorithm of a CryptoKey (undefined when it is none of ours). */
function algorithmOf(key: CryptoKey): string | undefined {
  const algorithm = key.algorithm as { name: string; namedCurve?: string }
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256') return 'ES256'
  if (algorithm.name === 'RSASSA-PKCS1-v1_5') return 'RS256'
  if (algorithm.name === 'RSA-PSS') return 'PS256'
  if (algorithm.name === 'Ed25519') return 'EdDSA'
  return undefined
}

export interface Signer {
  alg: string
  key: CryptoKey
}

/** RFC 7468 §10: the label of a PKCS #8 private key's PEM armour. */
const PKCS8_LABEL = 'PRIVATE KEY'
const pemArmour = (edge: 'BEGIN' | 'END') => `-----${edge} ${PKCS8_LABEL}-----`

/** Imports the private key once; `alg` is required only for PEM (a JWK names its own, as a CryptoKey does). */
export async function importSigner(input: PrivateKeyInput, alg: string | undefined): Promise<Signer> {
  if (typeof input === 'string') {
    const algorithm = alg ?? 'ES256'
    const params = ALGORITHMS[algorithm]
    if (!params)
      throw new ConfigurationError(`keyPair: algorithm ${algorithm} is not one of ${Object.keys(ALGORITHMS)}`)
    const pem = input.trim()
    const [begin, end] = [pemArmour('BEGIN'), pemArmour('END')]
    const body = pem.slice(begin.length, pem.length - end.length).replace(/\s/g, '')
    if (!pem.startsWith(begin) || !pem.endsWith(end) || !/^[A-Za-z0-9+/=]+$/.test(body))
      throw new ConfigurationError(`keyPair: privateKey is not a PKCS #8 PEM (one "${PKCS8_LABEL}" block)`)
    const der = Uint8Array.from(atob(body), (c) => c.charCodeAt(0))
    try {
      return { alg: algorithm, key: await crypto.subtle.importKey('pkcs8', der, params.import, false, ['sign']) }
    } catch (error) {
      throw Object.assign(new ConfigurationError(`keyPair: the PEM private key is not a ${algorithm} key`), {
        cause: error,
      })
    }
  }
  if (isCryptoKey(input)) {
    const algorithm = alg ?? algorithmOf(input)
    if (!algorithm || !ALGORITHMS[algorithm] || input.type !== 'private')
      throw new ConfigurationError('keyPair: privateKey is not a private ES256, RS256, PS256 or EdDSA key')
    return { alg: algorithm, key: input }
  }
  const {
    alg: named,
    key_ops: _ops,
    ext: _ext,
    use: _use,
    ...jwk
  } = input as JWK & { key_ops?: string[]; ext?: boolean; use?: string }
  const algorithm =
    alg ??
    named ??
    (jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'EdDSA' : 'RS256')
  const params = ALGORITHMS[algorithm]
  if (!params) throw new ConfigurationError(`keyPair: algorithm ${algorithm} is not one of ${Object.keys(ALGORITHMS)}`)
  if (jwk.d === undefined) throw new ConfigurationError('keyPair: privateKey is a public JWK (it has no "d")')
  try {
    return { alg: algorithm, key: await crypto.subtle.importKey('jwk', jwk, params.import, false, ['sign']) }
  } catch (error) {
    throw Object.assign(new ConfigurationError(`keyPair: the JWK private key is not a ${algorithm} key`), {
      cause: error,
    })
  }
}

const isCryptoKey = (value: unknown): value is CryptoKey =>
  typeof value === 'object' && value !== null && 'algorithm' in value && 'type' in value && 'usages' in value

const b64u = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
const encode = (value: unknown) => b64u(new TextEncoder().encode(JSON.stringify(value)))

/** A compact JWS over `claims`, the header naming `alg` and `kid`. */
export async function signJwt(signer: Signer, kid: string, claims: Record<string, unknown>): Promise<string> {
  const input = `${encode({ alg: signer.alg, typ: 'JWT', kid })}.${encode(claims)}`
  const signature = await crypto.subtle.sign(ALGORITHMS[signer.alg]!.sign, signer.key, new TextEncoder().encode(input))
  return `${input}.${b64u(new Uint8Array(signature))}`
}
