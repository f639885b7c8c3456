// Preloaded (node --require) into a server process by the crash test: the first SQLite migration script that
// creates a table runs, then the process stops inside that script's transaction (after the engine recorded the
// migration as started, before it commits), says so on stderr and waits there to be killed.
const Database = require('better-sqlite3')

const exec = Database.prototype.exec
let held = false
Database.prototype.exec = function (sql) {
  const result = exec.call(this, sql)
  if (!held && this.inTransaction && /CREATE TABLE/i.test(sql)) {
    held = true
    process.stderr.write('holding inside a migration\n')
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000)
  }
  return result
}
