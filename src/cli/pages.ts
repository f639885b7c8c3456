import type { Page } from '../store/index.js'

/** Every item of a cursor-paged store list, fetched a page at a time. */
export async function collectPages<T>(
  list: (options: { limit: number; after?: string }) => Promise<Page<T>>,
  limit = 200,
): Promise<T[]> {
  const items: T[] = []
  let after: string | null | undefined
  do {
    const page = await list(after ? { limit, after } : { limit })
    items.push(...page.items)
    after = page.nextCursor
  } while (after)
  return items
}
