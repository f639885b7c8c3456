// Runs in the password worker pool (password-hasher.ts): bcrypt is CPU-bound pure JavaScript, so it runs
// here, off the main thread, where a login storm cannot stall the event loop. The synchronous API is the
// right one in a thread of its own: bcryptjs's async API yields between chunks of rounds, which here only
// adds scheduling gaps (measured: 2 workers did 14–16 compares/s with it, 20–28/s with compareSync).
import bcrypt from 'bcryptjs'

export type PasswordTask =
  | { op: 'compare'; password: string; hash: string }
  | { op: 'hash'; password: string; cost: number }

export default function run(task: PasswordTask): boolean | string {
  return task.op === 'compare'
    ? bcrypt.compareSync(task.password, task.hash)
    : bcrypt.hashSync(task.password, task.cost)
}
