// The default repeating timer behind the revocation sync and the keyring refresh (src/ops/every.ts): it ticks
// until stopped and never keeps the process alive. The periodic work itself is tested with a hand-driven timer
// (test/support/timers.ts).
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { everyInterval } from '../../src/ops/every.ts'
import { until } from '../support/timers.ts'

t.test('ticks every interval until stopped', async (t) => {
  let ticks = 0
  const stop = everyInterval(10, () => ticks++)
  t.ok(await until(() => ticks >= 3), `ticked ${ticks} times`)
  stop()
  const stoppedAt = ticks
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(ticks, stoppedAt, 'no tick after stop')
})

t.test('does not keep the process alive', async (t) => {
  // A process whose only pending work is the timer exits at once (it would run for ever if the timer held it).
  const script = `import('${new URL('../../src/ops/every.ts', import.meta.url).href}').then(({ everyInterval }) => everyInterval(60_000, () => {}))`
  const run = spawnSync(process.execPath, ['--import=tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  t.equal(run.error, undefined, 'ended before the timeout')
  t.equal(run.status, 0, run.stderr)
})
