// Values on the direct SQLite connection (database.ts `sqlite()`), written and read as Prisma's own SQLite
// adapter does, so that rows written by one are read by the other unchanged.
export type Stored = string | number | bigint | null

/** Prisma's SQLite adapter stores DateTime as ISO 8601 text with a "+00:00" offset. */
export const toText = (date: Date): string => date.toISOString().replace('Z', '+00:00')

/** A stored DateTime: the adapter's text, a column default's "YYYY-MM-DD HH:MM:SS" (UTC), or milliseconds. */
export const toDate = (value: Stored): Date =>
  typeof value === 'number' || typeof value === 'bigint'
    ? new Date(Number(value))
    : new Date(/[Zz]|[+-]\d\d:\d\d$/.test(value!) ? value! : `${value!.replace(' ', 'T')}Z`)

export const toDateOrNull = (value: Stored): Date | null => (value === null ? null : toDate(value))

/** SQLITE_BUSY or SQLITE_LOCKED: Prisma's connection holds the write lock (the direct one never waits for it). */
export const isBusy = (err: unknown): boolean =>
  typeof err === 'object' &&
  err !== null &&
  'code' in err &&
  typeof err.code === 'string' &&
  /^SQLITE_(BUSY|LOCKED)/.test(err.code)
