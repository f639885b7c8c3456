// The requests of one event-loop turn written together (src/store/turn-batch.ts), and with maxInFlight the
// ones arriving while batches are in flight sent together once one finishes.
import t from 'tap'
import { createTurnBatch, firstOfEachKey, ItemFailure } from '../../src/store/turn-batch.ts'

/** A flush whose batches stay in flight until released, one by one. */
function controlledFlush() {
  const batches: number[][] = []
  const releases: (() => void)[] = []
  const flush = (inputs: number[]) => {
    batches.push(inputs)
    return new Promise<(number | ItemFailure)[]>((resolve) => {
      releases.push(() => resolve(inputs.map((n) => (n < 0 ? new ItemFailure(new Error(`bad ${n}`)) : n * 10))))
    })
  }
  return { flush, batches, release: () => releases.shift()?.() }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test('one turn, one batch; each input gets its own answer or failure', async (t) => {
  const { flush, batches, release } = controlledFlush()
  const batch = createTurnBatch(flush)
  const answers = [batch.add(1), batch.add(-2), batch.add(3)].map((p) => p.then(String, (err: Error) => err.message))
  await turn()
  t.same(batches, [[1, -2, 3]])
  release()
  t.same(await Promise.all(answers), ['10', 'bad -2', '30'])
})

t.test('without a cap, every turn sends its own batch at once', async (t) => {
  const { flush, batches, release } = controlledFlush()
  const batch = createTurnBatch(flush)
  const first = batch.add(1)
  await turn()
  const second = batch.add(2)
  await turn()
  t.same(batches, [[1], [2]], 'the second batch left while the first was in flight')
  release()
  release()
  t.same(await Promise.all([first, second]), [10, 20])
})

t.test('with maxInFlight, the inputs that find the cap reached leave together when a batch finishes', async (t) => {
  const { flush, batches, release } = controlledFlush()
  const batch = createTurnBatch(flush, { maxInFlight: 1 })
  const answers = [batch.add(1)]
  await turn()
  answers.push(batch.add(2))
  await turn()
  answers.push(batch.add(3))
  await turn()
  t.same(batches, [[1]], 'waiting while one batch is in flight')
  release()
  await turn()
  await turn()
  t.same(batches, [[1], [2, 3]], 'the waiting inputs sent as one batch')
  release()
  t.same(await Promise.all(answers), [10, 20, 30])
})

t.test('with maxInFlight, a failed batch lets the next one go and fails only its own inputs', async (t) => {
  let calls = 0
  const batch = createTurnBatch<number, number>(
    async (inputs) => {
      calls++
      if (calls === 1) throw new Error('connection lost')
      return inputs
    },
    { maxInFlight: 1 },
  )
  const first = t.rejects(batch.add(1), /connection lost/)
  const second = t.rejects(batch.add(2), /connection lost/)
  await turn()
  const third = batch.add(3)
  await first
  await second
  t.equal(await third, 3, 'the next batch is sent and answered')
})

t.test('firstOfEachKey keeps the first input of each key, in order, and tells the later ones apart', async (t) => {
  const inputs = [
    { key: 'a', n: 1 },
    { key: 'b', n: 2 },
    { key: 'a', n: 3 },
    { key: 'c', n: 4 },
    { key: 'b', n: 5 },
  ]
  const first = firstOfEachKey(inputs, (input) => input.key)
  t.same(
    [...first.values()].map((input) => input.n),
    [1, 2, 4],
  )
  t.same(
    inputs.map((input) => first.get(input.key) === input),
    [true, true, false, true, false],
  )
  t.equal(firstOfEachKey([], (input: string) => input).size, 0)
})
