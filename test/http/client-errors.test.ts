// What is answered before a route is found (src/http/client-errors.ts): requests Node's parser cannot read,
// headers past its limit, URLs that do not decode, overlong path parameters and CONNECT all get the one
// documented error shape, over a real socket (app.inject never reaches the HTTP parser).
import t from 'tap'
import { createHttpSender, sendRaw, type FuzzResponse } from '../fuzz/client.ts'
import { listen } from '../support/listen.ts'

type Assert = Pick<typeof t, 'equal' | 'same' | 'match'>

t.test('errors before routing, on a listening server', async (t) => {
  const { baseUrl } = await listen(t)
  const port = Number(new URL(baseUrl).port)
  const http = createHttpSender(port)
  t.teardown(() => http.close())
  const raw = (text: string) => sendRaw(port, Buffer.from(text, 'latin1'))
  const expectError = (t: Assert, response: FuzzResponse, status: number, description: string) => {
    t.equal(response.status, status)
    t.match(response.headers['content-type'], /^application\/json/)
    t.same(JSON.parse(response.body.toString()), { error: 'invalid_request', error_description: description })
  }

  t.test('a request line that is not HTTP: 400', async (t) => {
    expectError(t, await raw('G ET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'the request is not valid HTTP')
    expectError(t, await raw('GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n'), 400, 'the request is not valid HTTP')
    expectError(
      t,
      await raw('POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'),
      400,
      'the request is not valid HTTP',
    )
  })

  t.test('headers past the limit: 431', async (t) => {
    expectError(
      t,
      await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      431,
      'the request headers are larger than the server accepts',
    )
  })

  t.test('a path that does not percent-decode: 400', async (t) => {
    expectError(
      t,
      await http.send({ method: 'GET', path: '/admin/v1/clients/%zz', headers: {} }),
      400,
      'the URL has malformed percent-encoding',
    )
  })

  t.test('a path parameter past the maximum length: 414', async (t) => {
    expectError(
      t,
      await http.send({ method: 'GET', path: `/admin/v1/clients/${'x'.repeat(200)}`, headers: {} }),
      414,
      'a path segment of the URL is too long',
    )
  })

  t.test('CONNECT: 400, this is not a proxy', async (t) => {
    expectError(
      t,
      await raw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
      400,
      'CONNECT is not supported: this server is not a proxy',
    )
  })
})
