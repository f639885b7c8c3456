// Preloaded (node --require) into a server process by the crash test: once the first refresh-token rotation has
// committed (SQLite: its transaction returned; PostgreSQL: its single statement answered), the process says so on
// stderr and stops before it can answer, waiting there to be killed. What a kill in that instant leaves.
const Database = require('better-sqlite3')
const pg = require('pg')

let held = false
const hold = () => {
  held = true
  process.stderr.write('holding after a rotation committed\n')
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000)
}

// SQLite: the rotation's statements run inside a transaction function; its outermost call returning is the commit.
let rotated = false
const memory = new Database(':memory:')
const Statement = Object.getPrototypeOf(memory.prepare('SELECT 1'))
memory.close()
const run = Statement.run
Statement.run = function (...args) {
  const result = run.apply(this, args)
  if (/INSERT INTO "RefreshToken"[\s\S]*ON CONFLICT \("tokenHash"\) DO NOTHING/.test(this.source)) rotated = true
  return result
}
const transaction = Database.prototype.transaction
Database.prototype.transaction = function (fn) {
  const db = this
  const tx = transaction.call(this, fn)
  const after = (variant) =>
    function (...args) {
      const result = variant.apply(this, args)
      if (!held && rotated && !db.inTransaction) hold()
      return result
    }
  const wrapped = after(tx)
  for (const name of ['deferred', 'immediate', 'exclusive']) wrapped[name] = after(tx[name])
  return wrapped
}

// PostgreSQL: the rotations of one event-loop turn are one statement (CTEs marking the tokens and inserting their
// successors).
const query = pg.Client.prototype.query
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text
  if (held || typeof text !== 'string' || !/marked AS \(\s*UPDATE "RefreshToken"/.test(text))
    return query.call(this, config, ...rest)
  // pg-pool passes a callback; a client called directly returns a promise.
  const callback = rest.at(-1)
  if (typeof callback === 'function')
    return query.call(this, config, ...rest.slice(0, -1), (err, answer) => {
      if (!err) hold()
      callback(err, answer)
    })
  return query.call(this, config, ...rest).then((answer) => {
    hold()
    return answer
  })
}
