// Record ids are UUIDv7 (RFC 9562) that sort in creation order, within one millisecond too: cursors page by them.
import t from 'tap'
import { newId } from '../../src/store/ids.ts'

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('ids made one after the other sort in that order, in the same millisecond too', async (t) => {
  const ids = Array.from({ length: 10_000 }, () => newId())
  t.ok(
    ids.every((id) => UUIDV7.test(id)),
    'each is a UUIDv7 (version 7, variant 10)',
  )
  t.same([...ids].sort(), ids, 'sorted order is creation order')
  t.equal(new Set(ids).size, ids.length, 'all distinct')
})

t.test('more than 4,096 ids in one millisecond still sort in order, borrowing the next millisecond', async (t) => {
  const now = Date.now() + 60_000
  const ids = Array.from({ length: 6000 }, () => newId(now))
  t.same([...ids].sort(), ids)
  t.equal(new Set(ids).size, ids.length)
  const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16)
  t.equal(msOf(ids[0]!), now)
  t.equal(msOf(ids.at(-1)!), now + 1)
})

t.test('a backdated id carries its own time', async (t) => {
  const past = Date.UTC(2020, 0, 1)
  const id = newId(past)
  t.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), past)
  t.ok(id < newId(), 'and sorts before the ids made now')
})
