// The examples run against a real Portcullis: the Fastify API behind @portcullis/verify, called by the
// access-key script through @portcullis/client (imported by package name, as a user would).
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { main } from '../../examples/access-key-script/main.ts'
import { main as cli } from '../../examples/cli-login/main.ts'
import { buildApi } from '../../examples/fastify-api/api.ts'
import { LOOPBACK, signInFlow } from '../support/sign-in.ts'
import { SECRET, startPortcullis } from '../support/sdk-fixtures.ts'
import { providers, tempDir } from '../support/helper.ts'

// On SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set, like the rest of the suite.
for (const provider of providers) {
  t.test(`on ${provider}`, async (t) => {
    t.test('the access-key script creates and lists objects through the example API', async (t) => {
      const server = await startPortcullis(t, {}, provider)
      const api = await buildApi({
        issuer: server.baseUrl,
        audience: server.baseUrl,
        introspection: { clientId: 'gateway', clientSecret: SECRET },
      })
      await api.listen({ host: '127.0.0.1', port: 0 })
      t.teardown(() => api.close())
      const apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`
      const key = await server.accessKey(['read', 'write'])
      const printed: string[] = []
      await main({ PORTCULLIS_ACCESS_KEY: key.key, API_URL: apiUrl }, (line) => printed.push(line))
      t.match(printed, [/^created: \{"id":1,"owner":"[^"]+","name":"report /, '1 object(s)'])

      const readOnly = await server.accessKey(['read'])
      await t.rejects(
        main({ PORTCULLIS_ACCESS_KEY: readOnly.key, API_URL: apiUrl }, () => {}),
        {
          name: 'ForbiddenError',
          scope: 'write',
        },
      )
      await t.rejects(main({ API_URL: apiUrl }), /PORTCULLIS_URL is not set/)
    })

    t.test(
      'the CLI signs a person in through the browser, calls the API, and later runs on its stored tokens',
      async (t) => {
        const server = await startPortcullis(t, {}, provider)
        await server.store.clients.create({
          clientId: 'cli',
          name: 'Objects CLI',
          secretHash: null,
          grantTypes: ['authorization_code', 'refresh_token'],
          scopes: ['read', 'write'],
          redirectUris: [LOOPBACK],
        })
        const api = await buildApi({ issuer: server.baseUrl, audience: server.baseUrl })
        await api.listen({ host: '127.0.0.1', port: 0 })
        t.teardown(() => api.close())
        const env = {
          PORTCULLIS_URL: server.baseUrl,
          PORTCULLIS_CLIENT_ID: 'cli',
          API_URL: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`,
        }
        const tokenFile = `${tempDir(t)}/tokens.json`
        let signIns = 0
        // The person at the browser: the login and consent pages, then back to the CLI.
        const open = async (url: string) => {
          signIns++
          const browser = signInFlow(server.app)
          let response = await browser.get(url.slice(server.baseUrl.length))
          if (response.headers.location?.startsWith('/oauth/login'))
            response = await browser.login(response.headers.location)
          if (response.headers.location?.startsWith('/oauth/consent'))
            response = await browser.consent(response.headers.location)
          await fetch(response.headers.location!)
        }
        const printed: string[] = []
        await cli({ env, tokenFile, open, print: (line) => printed.push(line) })
        t.same(printed, [`{"caller":"${server.aliceId}","objects":[]}`])
        t.equal(signIns, 1)
        await cli({ env, tokenFile, open, print: (line) => printed.push(line) })
        t.equal(signIns, 1, 'the second run used the stored tokens')
        t.equal(printed.length, 2)
      },
    )
  })
}
