// RFC 9449 §11.1: a DPoP proof is accepted once, across every instance: the replay cache is shared (the
// database, or Redis), and its insert is atomic, so of two instances receiving the same proof at once one wins.
import t from 'tap'
import { build, providers } from '../support/helper.ts'
import { ath, dpopKey, proof } from '../support/dpop-fixtures.ts'
import { secondInstance } from '../support/signing-keys-fixtures.ts'
import { seed, tokenRequest } from '../support/token-fixtures.ts'

const ISSUER = 'http://portcullis.test'
const REPLAYED = { error: 'invalid_dpop_proof', error_description: 'the DPoP proof has been used before (jti)' }

for (const provider of providers) {
  t.test(`a DPoP proof replayed to another instance on ${provider}`, async (t) => {
    const first = await build(t, { provider })
    const { service } = await seed(first.store)
    const second = await secondInstance(t, first.config, first.databaseUrl, { masterKey: first.masterKey })
    const key = await dpopKey()
    const tokenWith = (app: typeof first.app, dpop: string) =>
      tokenRequest(app, { grant_type: 'client_credentials', scope: 'admin' }, { authorization: service.auth, dpop })

    t.test('at the token endpoint: accepted by one, refused by the other', async (t) => {
      const once = await proof(key, { htu: `${ISSUER}/oauth/token` })
      t.equal((await tokenWith(first.app, once)).statusCode, 200)
      const replay = await tokenWith(second.app, once)
      t.equal(replay.statusCode, 400)
      t.same(replay.json(), REPLAYED)
    })

    t.test('sent to both at once, twenty times: each proof is accepted exactly once', async (t) => {
      for (let i = 0; i < 20; i++) {
        const same = await proof(key, { htu: `${ISSUER}/oauth/token` })
        const answers = await Promise.all([tokenWith(first.app, same), tokenWith(second.app, same)])
        t.same(answers.map((answer) => answer.statusCode).sort(), [200, 400], `proof ${i}`)
        t.same(answers.find((answer) => answer.statusCode === 400)!.json(), REPLAYED)
      }
    })

    t.test('at a protected resource: the proof of one request is refused by the other instance', async (t) => {
      const token = (await tokenWith(first.app, await proof(key, { htu: `${ISSUER}/oauth/token` }))).json()
        .access_token as string
      const headers = {
        authorization: `DPoP ${token}`,
        dpop: await proof(key, { htm: 'GET', htu: `${ISSUER}/admin/v1/clients`, claims: { ath: ath(token) } }),
      }
      t.equal((await first.app.inject({ method: 'GET', url: '/admin/v1/clients', headers })).statusCode, 200)
      const replay = await second.app.inject({ method: 'GET', url: '/admin/v1/clients', headers })
      t.equal(replay.statusCode, 401)
      t.same(replay.json(), REPLAYED)
    })
  })
}
