// Prisma's errors never leave the store: they become one of these, with a stable code.
export type StoreErrorCode = 'conflict' | 'not_found'

export class StoreError extends Error {
  override name = 'StoreError'
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message)
  }
}

function prismaCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

export function isUniqueViolation(err: unknown): boolean {
  return prismaCode(err) === 'P2002'
}

export function isNotFound(err: unknown): boolean {
  return prismaCode(err) === 'P2025'
}

/** Runs a write and translates unique violations and missing rows into StoreErrors. */
export async function translate<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (isUniqueViolation(err)) throw new StoreError('conflict', `${what} already exists`)
    if (isNotFound(err)) throw new StoreError('not_found', `${what} not found`)
    throw err
  }
}
