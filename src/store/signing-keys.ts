// Signing keys: public JWK, AES-GCM-sealed private key, and the timestamps their state is derived from
// (src/keys/lifecycle.ts). Writes are compare-and-set: every change names the values it expects a row to
// still hold, and `generation` is unique, so instances that change the key set at the same moment cannot
// both win; the loser gets a 'conflict' StoreError, re-reads and decides again.
import type { PrismaClient } from './database.js'
import { StoreError, isUniqueViolation } from './errors.js'

/** The public members of a signing key's JWK: RSA (RS256, PS256), P-256 (ES256) or Ed25519 (EdDSA). */
export type PublicJwk =
  | { kty: 'RSA'; n: string; e: string }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string }
  | { kty: 'OKP'; crv: 'Ed25519'; x: string }

/** A JWS algorithm name (config.ts's SigningAlgorithm; the store imports nothing of ours). */
export type KeyAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA'

export interface SigningKeyRecord {
  kid: string
  generation: number
  alg: KeyAlgorithm
  /** The RSA modulus in bits; 256 for ES256 and EdDSA keys. */
  modulusLength: number
  publicJwk: PublicJwk
  /** Sealed PKCS #8 (src/keys/encryption.ts); null once wiped (revoked or long retired keys). */
  privateKeyEncrypted: string | null
  /** The state last written down (for audit, exactly once per transition); the truth comes from the timestamps. */
  recordedState: string
  createdAt: Date
  activatesAt: Date
  retiresAt: Date | null
  removesAt: Date | null
  revokedAt: Date | null
}

export interface NewSigningKey {
  kid: string
  generation: number
  alg: KeyAlgorithm
  modulusLength: number
  publicJwk: PublicJwk
  privateKeyEncrypted: string
  recordedState: string
  createdAt: Date
  activatesAt: Date
}

export interface SigningKeyUpdate {
  kid: string
  /** The values the row must still hold; if another writer changed them first, the whole change fails. */
  expect: { activatesAt?: Date; retiresAt?: Date | null; revokedAt?: null; recordedState?: string }
  set: {
    activatesAt?: Date
    retiresAt?: Date | null
    removesAt?: Date | null
    revokedAt?: Date
    recordedState?: string
    wipePrivateKey?: boolean
  }
}

/** One atomic change of the key set. */
export interface SigningKeyChange {
  insert?: NewSigningKey
  updates: SigningKeyUpdate[]
}

interface SigningKeyRow {
  kid: string
  generation: number
  alg: string
  modulusLength: number
  publicJwk: string
  privateKeyEncrypted: string
  state: string
  createdAt: Date
  activatesAt: Date
  retiresAt: Date | null
  removesAt: Date | null
  revokedAt: Date | null
}

const toRecord = (row: SigningKeyRow): SigningKeyRecord => ({
  kid: row.kid,
  generation: row.generation,
  alg: row.alg as KeyAlgorithm,
  modulusLength: row.modulusLength,
  publicJwk: JSON.parse(row.publicJwk) as PublicJwk,
  privateKeyEncrypted: row.privateKeyEncrypted === '' ? null : row.privateKeyEncrypted,
  recordedState: row.state,
  createdAt: row.createdAt,
  activatesAt: row.activatesAt,
  retiresAt: row.retiresAt,
  removesAt: row.removesAt,
  revokedAt: row.revokedAt,
})

/** Only the public members, whatever else the object carries. */
function publicMembers(jwk: PublicJwk): PublicJwk {
  switch (jwk.kty) {
    case 'RSA':
      return { kty: jwk.kty, n: jwk.n, e: jwk.e }
    case 'EC':
      return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }
    case 'OKP':
      return { kty: jwk.kty, crv: jwk.crv, x: jwk.x }
  }
}

const CONFLICT = 'the signing keys were changed by another writer; re-read and retry'

export function createSigningKeyStore(prisma: PrismaClient) {
  return {
    /** Every key, oldest generation first (a handful of rows: one per rotation). */
    async list(): Promise<SigningKeyRecord[]> {
      const rows = await prisma.signingKey.findMany({ orderBy: { generation: 'asc' } })
      return rows.map(toRecord)
    },

    async count(): Promise<number> {
      return prisma.signingKey.count()
    },

    /** Applies the change atomically, or throws StoreError 'conflict' and changes nothing. */
    async apply(change: SigningKeyChange): Promise<void> {
      try {
        await prisma.$transaction(async (tx) => {
          if (change.insert) {
            const key = change.insert
            await tx.signingKey.create({
              data: {
                kid: key.kid,
                generation: key.generation,
                alg: key.alg,
                modulusLength: key.modulusLength,
                publicJwk: JSON.stringify(publicMembers(key.publicJwk)),
                privateKeyEncrypted: key.privateKeyEncrypted,
                state: key.recordedState,
                createdAt: key.createdAt,
                activatesAt: key.activatesAt,
              },
            })
          }
          for (const { kid, expect, set } of change.updates) {
            const { count } = await tx.signingKey.updateMany({
              where: {
                kid,
                ...(expect.activatesAt === undefined ? {} : { activatesAt: expect.activatesAt }),
                ...(expect.retiresAt === undefined ? {} : { retiresAt: expect.retiresAt }),
                ...(expect.revokedAt === undefined ? {} : { revokedAt: null }),
                ...(expect.recordedState === undefined ? {} : { state: expect.recordedState }),
              },
              data: {
                ...(set.activatesAt === undefined ? {} : { activatesAt: set.activatesAt }),
                ...(set.retiresAt === undefined ? {} : { retiresAt: set.retiresAt }),
                ...(set.removesAt === undefined ? {} : { removesAt: set.removesAt }),
                ...(set.revokedAt === undefined ? {} : { revokedAt: set.revokedAt }),
                ...(set.recordedState === undefined ? {} : { state: set.recordedState }),
                ...(set.wipePrivateKey ? { privateKeyEncrypted: '' } : {}),
              },
            })
            if (count !== 1) throw new StoreError('conflict', CONFLICT)
          }
        })
      } catch (err) {
        if (isUniqueViolation(err)) throw new StoreError('conflict', CONFLICT)
        throw err
      }
    },
  }
}

export type SigningKeyStore = ReturnType<typeof createSigningKeyStore>
