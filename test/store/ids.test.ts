// Record ids are UUIDv7 (RFC 9562) that sort in creation order, within one millisecond too: cursors page by them.
import t from 'tap'
import { newId, randomBytesPooled } from '../../src/store/ids.ts'

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

t.test('pooled random bytes: each call its own bytes, across refills of the pool and for large sizes', async (t) => {
  // 3,000 × 32 bytes go through the 4 KiB pool ~23 times: a pool that handed out bytes again, or did not refill,
  // would repeat values here.
  const draws = Array.from({ length: 3000 }, () => randomBytesPooled(32))
  t.ok(
    draws.every((bytes) => bytes.length === 32),
    'the size asked for',
  )
  t.equal(new Set(draws.map((bytes) => bytes.toString('hex'))).size, draws.length, 'no two draws alike')
  t.notOk(
    draws.some((bytes) => bytes.every((byte) => byte === 0)),
    'no draw of wiped (zero) bytes',
  )
  const first = draws[0]!
  const copy = Buffer.from(first)
  draws[1]!.fill(0xff)
  randomBytesPooled(16)
  t.same(first, copy, 'a draw owns its memory: writing another, or drawing again, leaves it as it was')
  // Bytes spread over all values: 96,000 bytes, each value expected 375 times.
  const counts = new Array<number>(256).fill(0)
  for (const bytes of draws) for (const byte of bytes) counts[byte]! += 1
  t.ok(
    Math.min(...counts) > 250 && Math.max(...counts) < 500,
    `byte counts within 250–500 (${Math.min(...counts)}–${Math.max(...counts)})`,
  )
  const large = randomBytesPooled(10_000)
  t.equal(large.length, 10_000, 'a size beyond the pool is drawn directly')
  t.not(large.toString('hex'), randomBytesPooled(10_000).toString('hex'))
})
