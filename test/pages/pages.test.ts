// The page layer of browser sign-in: templates escape what they show, every page carries the security headers,
// page POSTs need a CSRF token any instance sharing the master key accepts, and errors never show internals.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { contentSecurityPolicy } from '../../src/pages/index.ts'
import type { Test } from '../support/helper.ts'
import { buildPagesApp } from '../support/pages-app.ts'

const EVIL = '<script>alert(1)</script>'

async function app(t: Test, options: Parameters<typeof buildPagesApp>[0] = {}): Promise<FastifyInstance> {
  const built = await buildPagesApp(options)
  t.teardown(() => built.close())
  return built
}

/** GETs a form page and answers its CSRF cookie (name=value) and the token of its hidden `_csrf` field. */
async function formOf(app: FastifyInstance, url: string): Promise<{ cookie: string; token: string; body: string }> {
  const response = await app.inject(url)
  const setCookie = String(response.headers['set-cookie'])
  const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1]
  if (!token) throw new Error(`no CSRF token in ${url}`)
  return { cookie: setCookie.split(';')[0]!, token, body: response.body }
}

const post = (app: FastifyInstance, url: string, cookie: string | undefined, fields: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    payload: new URLSearchParams(fields).toString(),
  })

t.test('each page renders its model and shows HTML in it as text', async (t) => {
  const server = await app(t, { clientName: EVIL, uiTitle: 'Acme <ID>' })
  for (const url of ['/login', '/login?error=1', '/consent', '/error', '/logout']) {
    const { body, statusCode } = await server.inject(url)
    t.equal(statusCode, url === '/error' ? 400 : url === '/login?error=1' ? 401 : 200, url)
    t.notOk(body.includes('<script>'), `${url}: no script element`)
    t.ok(body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), `${url}: the client name as text`)
    t.ok(body.includes('<p class="brand">Acme &lt;ID&gt;</p>'), `${url}: the product name as text`)
  }
  const login = (await server.inject('/login?error=1')).body
  t.match(login, /<p class="alert" role="alert" id="login-error">Wrong username or password\.<\/p>/)
  t.match(login, /<input type="hidden" name="request_id" value="req-123">/)
  t.match(login, /<button type="submit" class="primary">Sign in<\/button>/)
  t.match(login, /name="username"[^>]*value="alice"/)
  const consent = (await server.inject('/consent')).body
  t.match(consent, /<button type="submit" name="consent" value="allow"/)
  t.match(consent, /<button type="submit" name="consent" value="deny"/)
  t.match(consent, /See your email address<\/span> <code>email<\/code>/, 'a known scope gets its description')
  t.match(consent, /Read your invoices and their payment status<\/span> <code>invoices:read<\/code>/)
  const formPost = (await server.inject('/form-post')).body
  t.match(formPost, /<form method="post" action="https:\/\/app.example.com\/callback" id="form-post">/)
  t.match(formPost, /<input type="hidden" name="state" value="x&quot;y">/)
  t.match(formPost, /<button type="submit" class="primary">Continue<\/button>/, 'works without JavaScript')
  t.match(formPost, /<script src="\/assets\/form-post\.[\w-]+\.js" defer><\/script>/)
})

t.test('every label names an input of the page', async (t) => {
  const server = await app(t)
  const body = (await server.inject('/login')).body
  const labels = [...body.matchAll(/<label for="([^"]+)">/g)].map((match) => match[1])
  t.same(labels, ['username', 'password'])
  for (const id of labels) t.match(body, new RegExp(`<input id="${id}" name="${id}"`))
})

t.test('pages carry the security headers; assets are cached for good', async (t) => {
  const server = await app(t)
  for (const url of ['/login', '/consent', '/error', '/boom', '/logged-out', '/logout', '/form-post']) {
    const { headers } = await server.inject(url)
    t.match(
      headers['content-security-policy'],
      /^default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'/,
      url,
    )
    t.equal(headers['x-frame-options'], 'DENY', url)
    t.equal(headers['referrer-policy'], 'no-referrer', url)
    t.equal(headers['cache-control'], 'no-store', url)
    t.match(headers['content-type'], /^text\/html; charset=utf-8/, url)
  }
  t.equal((await server.inject('/consent')).headers['content-security-policy'], contentSecurityPolicy())
  t.equal(
    (await server.inject('/login')).headers['content-security-policy'],
    contentSecurityPolicy({ formTargets: ['https://app.example.com/callback'] }),
  )
  t.match(
    (await server.inject('/login')).headers['content-security-policy'],
    /form-action 'self' https:\/\/app\.example\.com$/,
  )
  t.match(
    (await server.inject('/form-post')).headers['content-security-policy'],
    /form-action 'self' https:\/\/app\.example\.com; script-src 'self'$/,
  )
  t.notMatch(
    (await server.inject('/login')).headers['content-security-policy'],
    /script-src/,
    'no script on the other pages',
  )

  const stylesheet = /href="(\/assets\/styles\.[\w-]+\.css)"/.exec((await server.inject('/login')).body)![1]!
  const css = await server.inject(stylesheet)
  t.equal(css.statusCode, 200)
  t.equal(css.headers['content-type'], 'text/css; charset=utf-8')
  t.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.match(css.body, /:focus-visible/)
  const missing = await server.inject('/assets/styles.old.css')
  t.equal(missing.statusCode, 404)
  t.match(missing.body, /<h1>Page not found<\/h1>/)
})

t.test('a redirect URI joins form-action as its origin only, so it cannot add a directive', async (t) => {
  const policy = contentSecurityPolicy({ formTargets: ["https://a.example.com/; script-src 'unsafe-inline'"] })
  t.match(policy, /; form-action 'self' https:\/\/a\.example\.com$/)
  t.throws(() => contentSecurityPolicy({ formTargets: ['not a url'] }))
  t.equal(
    contentSecurityPolicy({ formTargets: ['com.example.app:/callback'] }).includes(
      "form-action 'self' com.example.app:",
    ),
    true,
  )
})

t.test('CSRF: a page POST needs the token of a form this site rendered', async (t) => {
  const server = await app(t)
  const { cookie, token } = await formOf(server, '/login')

  const without = await post(server, '/login', cookie, { username: 'alice', password: 'pw' })
  t.equal(without.statusCode, 403, 'no token')
  t.match(without.body, /<h1>This form has expired<\/h1>/)
  t.equal(without.headers['cache-control'], 'no-store')
  t.equal((await post(server, '/login', undefined, { _csrf: token, username: 'alice' })).statusCode, 403, 'no cookie')
  t.equal(
    (await post(server, '/login', cookie, { _csrf: `${token}x`, username: 'alice' })).statusCode,
    403,
    'a wrong token',
  )

  const accepted = await post(server, '/login', cookie, {
    _csrf: token,
    username: 'alice',
    password: 'pw',
    request_id: 'req-123',
  })
  t.equal(accepted.statusCode, 200)
  t.same(accepted.json().accepted, { _csrf: token, username: 'alice', password: 'pw', request_id: 'req-123' })
  const consent = await formOf(server, '/consent')
  t.equal((await post(server, '/consent', consent.cookie, { _csrf: consent.token, consent: 'allow' })).statusCode, 200)
})

t.test("CSRF: instances with the same master key accept each other's forms; another key does not", async (t) => {
  const first = await app(t, { masterKey: Buffer.alloc(32, 9) })
  const second = await app(t, { masterKey: Buffer.alloc(32, 9) })
  const stranger = await app(t, { masterKey: Buffer.alloc(32, 8) })
  const { cookie, token } = await formOf(first, '/login')
  t.equal((await post(second, '/login', cookie, { _csrf: token })).statusCode, 200)
  const refused = await post(stranger, '/login', cookie, { _csrf: token })
  t.equal(refused.statusCode, 403)
  t.match(refused.body, /<h1>This form has expired<\/h1>/)
})

t.test('CSRF cookie: __Host- prefixed and Secure when the issuer is https', async (t) => {
  const server = await app(t, { issuer: 'https://auth.example.com' })
  const setCookie = String((await server.inject('/login')).headers['set-cookie'])
  t.match(setCookie, /^__Host-portcullis-csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
  t.match((await server.inject('/login')).headers['strict-transport-security'], /max-age=31536000/)
})

t.test('an error in a page route is the error page, without its message or stack', async (t) => {
  const server = await app(t)
  const response = await server.inject('/boom')
  t.equal(response.statusCode, 500)
  t.match(response.body, /<h1>Something went wrong<\/h1>/)
  t.notMatch(response.body, /hunter2|Error|at |\.ts/)
  t.equal(response.headers['x-frame-options'], 'DENY')
})

t.test('an error page link may not run script', async (t) => {
  const { safeLink } = await import('../../src/pages/render.ts')
  t.equal(safeLink('javascript:alert(1)'), undefined)
  t.equal(safeLink('//evil.example.com'), undefined)
  t.equal(safeLink('/oauth/authorize?x=1'), '/oauth/authorize?x=1')
  t.equal(safeLink('https://app.example.com/'), 'https://app.example.com/')
})
