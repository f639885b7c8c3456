// Prisma's own SQLite connection inside a write transaction, held until the test lets it commit: what the direct
// connection's statements meet as "busy" (store/direct-read.ts, direct-write.ts, refresh-tokens/sqlite.ts).
import type { PrismaClient } from '../../src/store/database.ts'

type Transaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0]

/** Resolves once `write` has run inside the transaction; `commit()` ends it and resolves once it has committed. */
export async function holdWriteTransaction(
  prisma: PrismaClient,
  write: (tx: Transaction) => Promise<unknown>,
): Promise<{ commit(): Promise<void> }> {
  let entered!: () => void
  const inside = new Promise<void>((resolve) => (entered = resolve))
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  const transaction = prisma.$transaction(
    async (tx) => {
      await write(tx)
      entered()
      await held
    },
    { timeout: 15_000 },
  )
  await Promise.race([inside, transaction])
  return {
    async commit() {
      release()
      await transaction
    },
  }
}
