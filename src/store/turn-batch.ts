// The requests of one turn of the event loop, sent to PostgreSQL together: what several concurrent requests
// ask for during one turn is collected, and at the turn's end (setImmediate) written or read by one statement
// of the caller's, so several requests share one round trip and, for a write, one commit. Batches are not
// serialised: one turn's batch may be sent while the previous one is in flight, on another pooled connection.

/** One item's own failure inside a batch that otherwise succeeded. */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}

interface Pending<In, Out> {
  input: In
  resolve: (output: Out) => void
  reject: (err: unknown) => void
}

/**
 * `flush` receives the inputs of one turn, in order, and answers each (same order), or an ItemFailure for one
 * that failed alone; a rejection fails the whole batch.
 *
 * @example
 * const reads = createTurnBatch<string, Row | undefined>(async (ids) => readAll(ids))
 * const row = await reads.add(id)
 */
export function createTurnBatch<In, Out>(
  flush: (inputs: In[]) => Promise<(Out | ItemFailure)[]>,
  options: { maxInFlight?: number } = {},
) {
  // With maxInFlight, a turn's inputs that find that many batches in flight wait for the first of them to
  // finish and leave together with what arrived meanwhile: under load, one commit for many requests instead
  // of one per turn (group commit), at the cost of waiting for at most one batch's round trip.
  const maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY
  let pending: Pending<In, Out>[] = []
  let scheduled = false
  let inFlight = 0

  function schedule(): void {
    if (scheduled || pending.length === 0 || inFlight >= maxInFlight) return
    scheduled = true
    setImmediate(() => {
      scheduled = false
      if (inFlight >= maxInFlight) return
      void send()
    })
  }

  async function send(): Promise<void> {
    const batch = pending
    pending = []
    inFlight++
    let outputs: (Out | ItemFailure)[]
    try {
      outputs = await flush(batch.map((item) => item.input))
    } catch (err) {
      for (const item of batch) item.reject(err)
      return
    } finally {
      inFlight--
      schedule()
    }
    batch.forEach((item, i) => {
      const output = outputs[i] as Out | ItemFailure
      if (output instanceof ItemFailure) item.reject(output.error)
      else item.resolve(output)
    })
  }

  return {
    add(input: In): Promise<Out> {
      return new Promise<Out>((resolve, reject) => {
        pending.push({ input, resolve, reject })
        schedule()
      })
    },
  }
}

/**
 * The first input of each key, in order. A batch statement touches a row once (ON CONFLICT and UPDATE … FROM
 * cannot change one row twice in a command): the first input of a key is sent, and the others learn from its
 * outcome (`firstOf.get(key(input)) === input` tells them apart).
 *
 * @example
 * const firstOf = firstOfEachKey(rotations, (row) => row.parentId)
 * await send([...firstOf.values()])
 */
export function firstOfEachKey<In>(inputs: readonly In[], key: (input: In) => string): Map<string, In> {
  const first = new Map<string, In>()
  for (const input of inputs) {
    const name = key(input)
    if (!first.has(name)) first.set(name, input)
  }
  return first
}

/**
 * True when PostgreSQL refused a statement because of the data of its rows: an integrity constraint (class
 * 23: a foreign key, a unique value), a data exception (class 22), or a conflict with another transaction it
 * was rolled back for (class 40: deadlock, serialization). The statement's implicit transaction was rolled
 * back, nothing of it was written, so its rows can be sent again one by one. Not for a connection lost or a
 * timeout: a commit may then have happened unseen, and sending again would not tell the truth.
 */
export function isRowError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined
  return typeof code === 'string' && /^(22|23|40)[0-9A-Z]{3}$/.test(code)
}

/**
 * Writes `inputs` with one statement (`write`, whose answers follow the inputs' order); should PostgreSQL
 * refuse it because of one row's data (isRowError), nothing of it was written, and each input is written
 * again alone, so that only the one at fault fails.
 */
export async function writeEachAloneOnRowError<In, Out>(
  inputs: In[],
  write: (inputs: In[]) => Promise<Out[]>,
): Promise<(Out | ItemFailure)[]> {
  try {
    return await write(inputs)
  } catch (err) {
    if (inputs.length === 1 || !isRowError(err)) throw err
    return Promise.all(
      inputs.map((input) =>
        write([input]).then(
          ([output]) => output as Out,
          (error: unknown) => new ItemFailure(error),
        ),
      ),
    )
  }
}
