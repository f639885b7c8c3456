// Runs in the password worker pool (password-hasher.ts): bcrypt is CPU-bound, so it runs here, off the main
// thread, where a login storm cannot stall the event loop. The synchronous API is the right one in a thread
// of its own: an asynchronous one only adds scheduling gaps here (measured with bcryptjs: 2 workers did 14–16
// compares/s with its async API, 20–28/s with compareSync). Native or bcryptjs: ./bcrypt.ts.
import { bcrypt } from './bcrypt.js'

export type PasswordTask =
  | { op: 'compare'; password: string; hash: string }
  | { op: 'hash'; password: string; cost: number }

export default function run(task: PasswordTask): boolean | string {
  return task.op === 'compare'
    ? bcrypt.compareSync(task.password, task.hash)
    : bcrypt.hashSync(task.password, task.cost)
}
