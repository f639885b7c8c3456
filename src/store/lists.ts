// Scopes, grant types and audiences are stored space-separated (RFC 6749 §3.3's own format).
export function toList(value: string): string[] {
  return value.split(' ').filter(Boolean)
}

export function fromList(values: readonly string[]): string {
  return [...new Set(values)].join(' ')
}

export interface Page<T> {
  items: T[]
  /** Pass as `after` to get the next page; null on the last page. */
  nextCursor: string | null
}

export interface PageOptions {
  after?: string | undefined
  limit: number
}

/** Turns `limit + 1` rows into a page: the extra row only tells whether there is a next page. */
export function toPage<Row, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
  cursorOf: (row: Row) => string,
): Page<T> {
  const items = rows.slice(0, limit)
  return { items: items.map(map), nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]!) : null }
}
