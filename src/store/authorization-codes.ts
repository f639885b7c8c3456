// Authorization codes (RFC 6749 §4.1.2, RFC 9700 §4.5): stored as the SHA-256 of the 256-bit code, single
// use, bound to the client, the redirect URI, the PKCE challenge, the scope, the audience, the nonce and the
// session. Redemption is a conditional update (`usedAt IS NULL`): of concurrent redemptions exactly one wins.
import type { PrismaClient } from './database.js'
import { newId } from './ids.js'
import { fromList, toList } from './lists.js'

export interface AuthorizationCode {
  id: string
  clientId: string
  userId: string
  sessionId: string | null
  redirectUri: string
  /** Whether redirect_uri was sent to /oauth/authorize (then the token request must repeat it). */
  redirectUriSent: boolean
  /** BASE64URL(SHA256(code_verifier)) (RFC 7636 §4.2, S256 only). */
  codeChallenge: string
  scope: string[]
  audience: string
  nonce: string | null
  authTime: Date
  expiresAt: Date
  usedAt: Date | null
  /** The login the redemption started (its refresh family id and the access tokens' `sid`). */
  familyId: string | null
  /** RFC 9449 §10: the JWK thumbprint of the authorization request's dpop_jkt; the redemption must prove it. */
  dpopJkt: string | null
  createdAt: Date
}

export type NewAuthorizationCode = Omit<AuthorizationCode, 'id' | 'usedAt' | 'familyId' | 'createdAt' | 'dpopJkt'> & {
  codeHash: string
  dpopJkt?: string | null
}

type Row = Omit<AuthorizationCode, 'scope'> & { scope: string; codeHash: string }

const toCode = ({ codeHash: _, ...row }: Row): AuthorizationCode => ({ ...row, scope: toList(row.scope) })

export function createAuthorizationCodeStore(prisma: PrismaClient) {
  return {
    async create(input: NewAuthorizationCode, now = new Date()): Promise<AuthorizationCode> {
      const row = await prisma.authorizationCode.create({
        data: { id: newId(now.getTime()), ...input, scope: fromList(input.scope), createdAt: now },
      })
      return toCode(row)
    },

    /** The code with this hash in any state (used, expired), so that a replay can be told apart; undefined when unknown. */
    async findByHash(codeHash: string): Promise<AuthorizationCode | undefined> {
      const row = await prisma.authorizationCode.findUnique({ where: { codeHash } })
      return row ? toCode(row) : undefined
    },

    /** Marks the code used by the login `familyId`; false when another redemption won. */
    async redeem(id: string, familyId: string, now = new Date()): Promise<boolean> {
      const { count } = await prisma.authorizationCode.updateMany({
        where: { id, usedAt: null },
        data: { usedAt: now, familyId },
      })
      return count === 1
    },
  }
}

export type AuthorizationCodeStore = ReturnType<typeof createAuthorizationCodeStore>
