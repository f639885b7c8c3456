// Runs in the password worker pool (password-hasher.ts): bcrypt is CPU-bound pure JavaScript, so it runs
// here, off the main thread, where a login storm cannot stall the event loop.
import bcrypt from 'bcryptjs'

export type PasswordTask = { op: 'compare'; password: string; hash: string } | { op: 'hash'; password: string; cost: number }

export default function run(task: PasswordTask): Promise<boolean | string> {
  return task.op === 'compare' ? bcrypt.compare(task.password, task.hash) : bcrypt.hash(task.password, task.cost)
}
