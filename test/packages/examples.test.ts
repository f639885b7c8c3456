// The examples run against a real Portcullis: the Fastify API behind @portcullis/verify, called by the
// access-key script through @portcullis/client (imported by package name, as a user would).
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { main } from '../../examples/access-key-script/main.ts'
import { buildApi } from '../../examples/fastify-api/api.ts'
import { SECRET, startPortcullis } from '../support/sdk-fixtures.ts'

t.test('the access-key script creates and lists objects through the example API', async (t) => {
  const server = await startPortcullis(t)
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
