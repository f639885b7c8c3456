// keys/jws.ts: the ES256 and EdDSA jobs asked for in one turn of the event loop are handed to the thread pool
// together at its end. Each still answers for itself: a job that fails (a key that cannot sign, a signature that
// does not verify) fails alone, and the others of its turn are signed and verified as if it were not there.
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import t from 'tap'
import { compactVerify, decodeProtectedHeader } from 'jose'
import type { SigningAlgorithm } from '../../src/config.ts'
import { compactSigner, signatureVerifies, signCompact } from '../../src/keys/jws.ts'
import type { SigningKeyHandle } from '../../src/keys/keyring.ts'

function keyPair(alg: SigningAlgorithm) {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519')
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
}

function handle(alg: SigningAlgorithm, privateKey: KeyObject, kid = `kid-${alg}`): SigningKeyHandle {
  return { kid, alg, privateKey, signer: compactSigner(alg, privateKey) }
}

for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
  t.test(`${alg}: tokens asked for in one turn are each signed over their own payload`, async (t) => {
    const { privateKey, publicKey } = keyPair(alg)
    const key = handle(alg, privateKey)
    const payloads = Array.from({ length: 25 }, (_, i) => JSON.stringify({ jti: `token-${i}`, n: i }))
    // All asked for synchronously, in one turn.
    const tokens = await Promise.all(payloads.map((payload) => signCompact(key, 'at+jwt', payload)))
    for (const [i, token] of tokens.entries()) {
      const { payload, protectedHeader } = await compactVerify(token, publicKey)
      t.equal(Buffer.from(payload).toString(), payloads[i], `token ${i} carries its own payload`)
      t.same(protectedHeader, { alg, typ: 'at+jwt', kid: `kid-${alg}` })
    }
  })
}

t.test('a key that cannot sign fails its own token only, in a turn of good ones', async (t) => {
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const good = keyPair(alg)
    // A public key where the private one belongs: node:crypto refuses it when the job is handed over.
    const broken = handle(alg, good.publicKey, 'broken')
    const results = await Promise.allSettled([
      signCompact(handle(alg, good.privateKey), 'at+jwt', '{"n":1}'),
      signCompact(broken, 'at+jwt', '{"n":2}'),
      signCompact(handle(alg, good.privateKey), 'at+jwt', '{"n":3}'),
    ])
    t.same(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'fulfilled'],
      `${alg}: the broken key's token is refused, its neighbours are signed`,
    )
    for (const result of [results[0], results[2]]) {
      const token = (result as PromiseFulfilledResult<string>).value
      t.equal(decodeProtectedHeader(token).alg, alg)
      await t.resolves(compactVerify(token, good.publicKey), `${alg}: the neighbour's token verifies`)
    }
    // The next turn's jobs go as usual.
    const later = await signCompact(handle(alg, good.privateKey), 'at+jwt', '{"n":4}')
    await t.resolves(compactVerify(later, good.publicKey), `${alg}: a later token is signed`)
  }
})

t.test('verifications of one turn answer each for itself', async (t) => {
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const { privateKey, publicKey } = keyPair(alg)
    const token = await signCompact(handle(alg, privateKey), 'at+jwt', '{"n":1}')
    const dot = token.lastIndexOf('.')
    const signed = Buffer.from(token.slice(0, dot))
    const signature = Buffer.from(token.slice(dot + 1), 'base64url')
    const digest = alg === 'ES256' ? 'sha256' : null
    const input = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey
    const tampered = Buffer.from(signature)
    tampered[0]! ^= 1
    const other = keyPair(alg).publicKey
    const answers = await Promise.all([
      signatureVerifies(digest, input, signed, signature),
      signatureVerifies(digest, input, signed, tampered),
      signatureVerifies(digest, input, Buffer.from(`${token.slice(0, dot)}x`), signature),
      signatureVerifies(digest, alg === 'ES256' ? { key: other, dsaEncoding: 'ieee-p1363' } : other, signed, signature),
      // A digest node:crypto does not know: refused by the job itself, answered false.
      signatureVerifies('no-such-digest', input, signed, signature),
      signatureVerifies(digest, input, signed, signature),
    ])
    t.same(answers, [true, false, false, false, false, true], `${alg}: each verification answers for itself`)
  }
})
