// One thread of bcryptjs: how many compares per second this machine does at a cost, measured in a
// process of its own while the server is idle. The password grant's target is a multiple of this.
//   node --import tsx bench/bcrypt-baseline.ts --cost 10 --seconds 5   → {"compares":…,"seconds":…,"perSecond":…}
import { parseArgs } from 'node:util'
import bcrypt from 'bcryptjs'

const { values } = parseArgs({ options: { cost: { type: 'string' }, seconds: { type: 'string' } } })
const cost = Number(values.cost ?? 10)
const seconds = Number(values.seconds ?? 5)
const hash = bcrypt.hashSync('correct horse battery staple', cost)
const started = performance.now()
let compares = 0
while (performance.now() - started < seconds * 1000 || compares === 0) {
  if (!bcrypt.compareSync('correct horse battery staple', hash)) throw new Error('bcrypt compare failed')
  compares++
}
const elapsed = (performance.now() - started) / 1000
process.stdout.write(`${JSON.stringify({ compares, seconds: elapsed, perSecond: compares / elapsed })}\n`)
