// The benchmark's verdicts (bench/lib/report.ts): a ratio is the median of the rounds' ratios, a measurement with
// errors fails, and a scenario whose rounds did not measure what it claims (a revoke pool that ran out, so
// already-revoked tokens were presented again and took the cheap path) fails with the reason, whatever its figure.
import t from 'tap'
import { evaluate, measurementTable } from '../../bench/lib/report.ts'
import { referenceCeilingNote } from '../../bench/scenarios/token.ts'
import type { Summary } from '../../bench/lib/rounds.ts'

function summary(name: string, role: Summary['role'], rps: number[], errors = 0): Summary {
  const sorted = [...rps].sort((a, b) => a - b)
  return {
    name,
    role,
    rps: sorted[Math.floor(sorted.length / 2)]!,
    p50: 1,
    p99: 2,
    cpuUsPerRequest: undefined,
    mainCpuUsPerRequest: undefined,
    dbCpuUsPerRequest: undefined,
    errors,
    requests: rps.reduce((sum, value) => sum + value, 0),
    rounds: rps.map((value) => ({ rps: value, p50: 1, p99: 2, errors: 0, requests: value, statusCodes: {} })),
    extra: {},
  }
}

const subject = summary('portcullis', 'subject', [300, 310, 290])
const form = summary('form', 'reference', [1000, 1000, 1000])

t.test('a ratio at or above its target passes; below fails', async (t) => {
  t.same(evaluate('revoke', [subject, form], [{ kind: 'ratio', of: 'form', min: 0.3 }]), [
    { description: 'revoke ≥ 0.3 × form', measured: '0.30 ×', pass: true },
  ])
  t.same(evaluate('revoke', [subject, form], [{ kind: 'ratio', of: 'form', min: 0.31 }]), [
    { description: 'revoke ≥ 0.31 × form', measured: '0.30 ×', pass: false },
  ])
})

t.test('an invalid measurement fails every target, with its reason, even above the target', async (t) => {
  const reason = 'the pool ran out, 12 tokens presented twice'
  t.same(evaluate('revoke', [subject, form], [{ kind: 'ratio', of: 'form', min: 0.1 }], reason), [
    { description: 'revoke ≥ 0.1 × form', measured: `0.30 × (not valid: ${reason})`, pass: false },
  ])
})

t.test('errors above 0.1 % of the requests fail the target and are shown', async (t) => {
  const failing = summary('portcullis', 'subject', [300, 310, 290], 2)
  t.same(evaluate('revoke', [failing, form], [{ kind: 'ratio', of: 'form', min: 0.1 }]), [
    { description: 'revoke ≥ 0.1 × form', measured: '0.30 × (0.22 % errors)', pass: false },
  ])
})

t.test('no target, no verdict (the embedded default has no revoke target)', async (t) => {
  t.same(evaluate('revoke', [subject, form], []), [])
  t.same(evaluate('revoke', [subject, form], [], 'the pool ran out'), [])
})

t.test("PostgreSQL's CPU per request is a column only in a run that measured it", async (t) => {
  const measured = (contenders: Summary[]) =>
    measurementTable([{ name: 'revoke', summary: '', status: 'measured', contenders, verdicts: [], notes: [] }])
  const without = measured([subject, form])
  t.notMatch(without, /db µs\/req/)
  const table = measured([
    { ...subject, dbCpuUsPerRequest: 27.6 },
    { ...form, dbCpuUsPerRequest: 0.4 },
  ])
  const [header, , first, second] = table.split('\n')
  t.match(header, /main µs\/req {2}db µs\/req {2}errors/)
  t.match(first, /portcullis .* 28 +0$/)
  t.match(second, /form .* 0 +0 +portcullis = 0\.30 × this$/)
})

t.test('the ES256 and EdDSA scenarios note how far their own bare reference is from the RS256 one', async (t) => {
  const rsa = summary('sign', 'reference', [4000, 4000, 4000])
  const close = summary('sign-ES256', 'reference', [9200, 9400, 9600])
  t.same(referenceCeilingNote('ES256', [subject, close, rsa]), [
    'sign-ES256 reference = 2.35 × sign (RS256) in this run: under the 2.5 × target, which a bare route signing ES256 does not reach here',
  ])
  const far = summary('sign-EdDSA', 'reference', [12000, 12400, 12800])
  t.same(referenceCeilingNote('EdDSA', [subject, far, rsa]), ['sign-EdDSA reference = 3.10 × sign (RS256) in this run'])
  t.same(referenceCeilingNote('PS256', [subject, summary('sign-PS256', 'reference', [3000]), rsa]), [])
  t.same(referenceCeilingNote('ES256', [subject, rsa]), [], 'no note without the reference')
})
