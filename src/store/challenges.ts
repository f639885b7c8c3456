// Delegated login and consent challenges (LOGIN_URL, CONSENT_URL): the challenge the team's login app answers
// through the admin API and the verifier the browser brings back, each stored as its SHA-256, each single use,
// both gone 10 minutes after /oauth/authorize asked (the pending request's own expiry).
import type { PrismaClient } from './database.js'
import { newId } from './ids.js'
import { fromList, toList } from './lists.js'

export type ChallengeKind = 'login' | 'consent'

export interface Challenge<Answer = unknown> {
  id: string
  kind: ChallengeKind
  /** SHA-256 of the binding cookie of the browser that started the request. */
  browserHash: string
  requestId: string
  clientId: string
  sessionId: string | null
  userId: string | null
  scope: string[]
  answer: Answer | null
  answeredAt: Date | null
  usedAt: Date | null
  expiresAt: Date
  createdAt: Date
}

type Row = Omit<Challenge, 'kind' | 'scope' | 'answer'> & {
  kind: string
  scope: string
  answer: string | null
  challengeHash: string
  verifierHash: string | null
}

const toChallenge = <Answer>({ challengeHash: _c, verifierHash: _v, ...row }: Row): Challenge<Answer> => ({
  ...row,
  kind: row.kind as ChallengeKind,
  scope: toList(row.scope),
  answer: row.answer === null ? null : (JSON.parse(row.answer) as Answer),
})

export function createChallengeStore(prisma: PrismaClient) {
  return {
    async create(
      input: {
        kind: ChallengeKind
        challengeHash: string
        browserHash: string
        requestId: string
        clientId: string
        sessionId?: string | null
        userId?: string | null
        scope: readonly string[]
        expiresAt: Date
      },
      now = new Date(),
    ): Promise<Challenge> {
      const row = await prisma.challenge.create({
        data: {
          id: newId(now.getTime()),
          ...input,
          sessionId: input.sessionId ?? null,
          userId: input.userId ?? null,
          scope: fromList(input.scope),
          createdAt: now,
        },
      })
      return toChallenge(row)
    },

    /** The challenge of this kind with this hash, answered or not, expired or not; undefined when unknown. */
    async findByChallengeHash<Answer>(
      kind: ChallengeKind,
      challengeHash: string,
    ): Promise<Challenge<Answer> | undefined> {
      const row = await prisma.challenge.findUnique({ where: { challengeHash } })
      return row && row.kind === kind ? toChallenge<Answer>(row) : undefined
    },

    /** Records the answer and the verifier's hash; false when it was already answered or has expired (single use). */
    async answer(id: string, answer: unknown, verifierHash: string, now = new Date()): Promise<boolean> {
      const { count } = await prisma.challenge.updateMany({
        where: { id, answeredAt: null, expiresAt: { gt: now } },
        data: { answer: JSON.stringify(answer), verifierHash, answeredAt: now },
      })
      return count === 1
    },

    /** The answered, unused, unexpired challenge of this kind whose verifier has this hash. */
    async findAnsweredByVerifierHash<Answer>(
      kind: ChallengeKind,
      verifierHash: string,
      now = new Date(),
    ): Promise<Challenge<Answer> | undefined> {
      const row = await prisma.challenge.findUnique({ where: { verifierHash } })
      if (!row || row.kind !== kind || row.usedAt || row.expiresAt <= now) return undefined
      return toChallenge<Answer>(row)
    },

    /** Marks the verifier used; false when another request used it first (single use). */
    async use(id: string, now = new Date()): Promise<boolean> {
      const { count } = await prisma.challenge.updateMany({
        where: { id, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      })
      return count === 1
    },
  }
}

export type ChallengeStore = ReturnType<typeof createChallengeStore>
