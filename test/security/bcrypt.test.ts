// The bcrypt implementation (src/security/bcrypt.ts): the native one where its binary is installed, bcryptjs
// where it is not, and the hashes of either verify with the other, so a database moves between platforms.
import t from 'tap'
import { createRequire } from 'node:module'
import bcryptjs from 'bcryptjs'
import { bcrypt, chooseBcrypt } from '../../src/security/bcrypt.ts'
import { createPasswordHasher } from '../../src/security/password-hasher.ts'
import { hashPassword } from '../../src/security/passwords.ts'

const native = chooseBcrypt(() => createRequire(import.meta.url)('@node-rs/bcrypt'))
const fallback = chooseBcrypt(() => {
  throw new Error('Cannot find native binding for linux-arm64-musl\nmore lines')
})

t.test('on this platform the native implementation is installed and chosen', async (t) => {
  t.equal(bcrypt.implementation, 'native')
  t.equal(bcrypt.fallbackReason, undefined)
})

t.test('without its binary, bcryptjs is used and the reason kept (its first line)', async (t) => {
  t.equal(fallback.implementation, 'bcryptjs')
  t.equal(fallback.fallbackReason, 'Cannot find native binding for linux-arm64-musl')
  const hash = fallback.hashSync('correct horse', 4)
  t.match(hash, /^\$2b\$04\$/)
  t.equal(fallback.compareSync('correct horse', hash), true)
  t.equal(fallback.compareSync('wrong horse', hash), false)
  t.match(await fallback.hash('correct horse', 5), /^\$2b\$05\$/)
})

t.test("each implementation verifies the other's hashes, with the same 72-byte cut", async (t) => {
  // 80 bytes of UTF-8: both cut it at 72, so its first 36 characters are the same password.
  const long = 'é'.repeat(40)
  for (const [made, by, check] of [
    ['native', native, fallback],
    ['bcryptjs', fallback, native],
  ] as const) {
    const hash = by.hashSync(long, 4)
    t.equal(check.compareSync(long, hash), true, `a ${made} hash verifies with the other`)
    t.equal(check.compareSync(long.slice(0, 36), hash), true, `the same cut at 72 bytes (${made})`)
    t.equal(check.compareSync(long.slice(0, 35), hash), false, `one character less is another password (${made})`)
  }
  // The versions in stored hashes: $2a$ (older bcryptjs and most libraries) and $2y$ (PHP).
  const b = bcryptjs.hashSync('correct horse', 4)
  for (const version of ['2a', '2b', '2y']) {
    t.equal(native.compareSync('correct horse', `$${version}$${b.slice(4)}`), true, `$${version}$`)
  }
})

t.test('a malformed stored hash is a failed comparison, not an error', async (t) => {
  const malformed = [
    '',
    'x',
    '$2b$04$short',
    `$2b$04$${'a'.repeat(53)}`,
    `$2c$04$${'a'.repeat(53)}`,
    `$2b$99$${'a'.repeat(53)}`,
  ]
  for (const implementation of [native, fallback]) {
    for (const stored of malformed) {
      t.equal(
        implementation.compareSync('correct horse', stored),
        false,
        `${implementation.implementation} ${JSON.stringify(stored)}`,
      )
    }
  }
})

t.test('the pool and the one-off hashing use it: their hashes verify with bcryptjs', async (t) => {
  const hasher = createPasswordHasher({ workers: 1, cost: 4 })
  t.teardown(() => hasher.close())
  const pooled = await hasher.hash('correct horse')
  t.equal(bcryptjs.compareSync('correct horse', pooled), true)
  t.equal(await hasher.verify('correct horse', bcryptjs.hashSync('correct horse', 4)), true)
  t.equal(await hasher.verify('wrong horse', pooled), false)
  const oneOff = await hashPassword('correct horse', 4)
  t.match(oneOff, /^\$2b\$04\$/)
  t.equal(bcryptjs.compareSync('correct horse', oneOff), true)
})
