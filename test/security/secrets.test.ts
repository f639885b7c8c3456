// The secret primitives (security/secrets.ts) on their own: the documented lengths and alphabets, a SHA-256 that
// matches the standard test vector, a comparison that is exact whatever the lengths, and a base62 generator with
// no bias (rejection sampling: a byte of 248 or more is drawn again rather than folded onto the first digits).
import t from 'tap'
import { constantTimeEqual, randomBase62, randomSecret, sha256 } from '../../src/security/secrets.ts'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

t.test('randomSecret: 32 random bytes as 43 base64url characters by default, and the bytes asked for', async (t) => {
  const secrets = Array.from({ length: 200 }, () => randomSecret())
  for (const secret of secrets) t.match(secret, /^[A-Za-z0-9_-]{43}$/)
  t.equal(new Set(secrets).size, secrets.length, 'no secret repeats')
  t.equal(Buffer.from(secrets[0]!, 'base64url').length, 32)
  t.match(randomSecret(16), /^[A-Za-z0-9_-]{22}$/)
  t.equal(Buffer.from(randomSecret(48), 'base64url').length, 48)
})

t.test('sha256: the FIPS 180-2 vector, base64url without padding', async (t) => {
  // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
  t.equal(
    sha256('abc'),
    Buffer.from('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'hex').toString('base64url'),
  )
  t.equal(sha256('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
  t.equal(sha256(''), '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU')
  t.not(sha256('abc'), sha256('abd'))
})

t.test('constantTimeEqual: true only for the same string, false for any other of any length', async (t) => {
  const digest = sha256('secret')
  t.equal(constantTimeEqual(digest, digest), true)
  t.equal(constantTimeEqual(digest, sha256('secret')), true, 'equal contents, different strings')
  t.equal(constantTimeEqual('', ''), true)
  t.equal(constantTimeEqual(digest, sha256('secreT')), false, 'same length, different contents')
  const altered = `${digest.slice(0, -1)}${digest.endsWith('A') ? 'B' : 'A'}`
  t.equal(constantTimeEqual(digest, altered), false, 'the last character differs')
  t.equal(constantTimeEqual(digest, digest.slice(0, -1)), false, 'a prefix (shorter)')
  t.equal(constantTimeEqual(digest.slice(0, -1), digest), false, 'a prefix on the left')
  t.equal(constantTimeEqual(digest, `${digest}x`), false, 'longer')
  t.equal(constantTimeEqual('', digest), false, 'empty against a digest')
  // Bytes, not UTF-16 units: 'é' is two bytes, 'ab' two bytes too; they differ.
  t.equal(constantTimeEqual('é', 'ab'), false)
})

t.test('randomBase62: exactly the length asked for, of the 62 characters only', async (t) => {
  for (const length of [1, 2, 8, 43, 100]) {
    const value = randomBase62(length)
    t.equal(value.length, length, `length ${length}`)
    t.match(value, /^[0-9A-Za-z]+$/)
  }
  t.equal(randomBase62(0), '')
  const keys = Array.from({ length: 200 }, () => randomBase62(43))
  t.equal(new Set(keys).size, keys.length, 'no value repeats')
})

t.test('randomBase62: every character equally likely (no modulo bias)', async (t) => {
  // 62 × 4000 characters. Folding bytes 248–255 onto the first eight characters (no rejection) would give each of
  // them 5/256 instead of 4/256 (≈ 4,840 instead of 4,000 expected); accepting 248 alone would give '0' ≈ 4,980.
  // The bound is six standard deviations (σ ≈ 63): a fair generator fails it about once in 10^7 runs.
  const n = 62 * 4000
  const counts = new Map<string, number>()
  for (const char of randomBase62(n)) counts.set(char, (counts.get(char) ?? 0) + 1)
  t.same([...counts.keys()].sort(), [...BASE62].sort(), 'all 62 characters occur, nothing else')
  const expected = n / 62
  const sigma = Math.sqrt(n * (1 / 62) * (61 / 62))
  const off = [...counts].filter(([, count]) => Math.abs(count - expected) > 6 * sigma)
  t.same(off, [], `each count within ${Math.round(6 * sigma)} of ${expected}`)
})
