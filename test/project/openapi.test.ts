// The API contract: openapi.yaml is generated from the route schemas (scripts/write-openapi.ts), so these
// tests check that the committed file is current, that it is a valid OpenAPI 3.1 document, that it and the
// router list the same operations, that what the service answers matches what it documents, and that a
// typed client generated from it compiles and works against a listening server.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { randomBytes } from 'node:crypto'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { compileErrors, validate } from '@readme/openapi-parser'
import openapiTS, { astToString } from 'openapi-typescript'
import { parse as parseYaml } from 'yaml'
import { ensureConsoleBuilt } from '../../scripts/build-console.mjs'
import { OPENAPI_PATH, renderOpenApi } from '../../scripts/write-openapi.ts'
import { generateAccessKey } from '../../src/security/access-keys.ts'
import { hashPassword } from '../../src/security/passwords.ts'
import { registeredRoutes } from '../support/routes.ts'
import { sha256 } from '../../src/security/secrets.ts'
import { build } from '../support/helper.ts'
import { listen } from '../support/listen.ts'
import { authorizeUrl, formFields, pkce, REDIRECT, signInFlow } from '../support/sign-in.ts'
import { basic, FORM, form, seed, SECRET, tokenRequest } from '../support/token-fixtures.ts'
import { DEFAULT_TENANT_ID, ANY_TENANT } from '../../src/store/index.ts'

// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML/JSON document, walked by path without a schema type
type Json = Record<string, any>
interface Operation {
  method: string
  path: string
  spec: Json
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']
const committed = readFileSync(OPENAPI_PATH, 'utf8')
const document: Json = parseYaml(committed)

function operations(doc: Json): Operation[] {
  return Object.entries<Json>(doc.paths).flatMap(([path, item]) =>
    Object.entries<Json>(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, spec]) => ({ method: method.toUpperCase(), path, spec })),
  )
}

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

t.test('the committed openapi.yaml is what the route schemas generate', async (t) => {
  const generated = await renderOpenApi()
  t.ok(
    committed === generated,
    'openapi.yaml is out of date with the route schemas: run `npm run openapi` and commit openapi.yaml',
  )
  if (committed !== generated) t.equal(committed, generated, 'the difference')
})

t.test('openapi.yaml is a valid OpenAPI 3.1 document', async (t) => {
  t.equal(document.openapi, '3.1.0')
  const result = await validate(structuredClone(document) as never)
  t.ok(result.valid, result.valid ? 'valid' : compileErrors(result))
  t.same(Object.keys(document.components.securitySchemes).sort(), ['apiKey', 'bearer', 'clientBasic'])
  t.match(document.components.securitySchemes.apiKey, { type: 'apiKey', in: 'header', name: 'X-API-Key' })
  t.match(document.components.schemas.Error, { type: 'object', required: ['error', 'error_description'] })
  for (const { method, path, spec } of operations(document)) {
    t.ok(spec.summary && spec.tags?.length, `${method} ${path} has a summary and a tag`)
  }
})

t.test('the server serves the committed document, as YAML and as JSON', async (t) => {
  const { app } = await build(t)
  const yaml = await app.inject({ method: 'GET', url: '/openapi.yaml' })
  t.equal(yaml.statusCode, 200)
  t.match(yaml.headers['content-type'], /^application\/yaml/)
  t.ok(yaml.body === committed, 'GET /openapi.yaml is the committed openapi.yaml')
  const json = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.match(json.headers['content-type'], /^application\/json/)
  t.same(json.json(), document)
})

t.test('every route the server registers is documented, and every documented operation is served', async (t) => {
  const { app } = await build(t)
  await app.ready()
  const documented = new Set(operations(document).map(({ method, path }) => `${method} ${path}`))
  const routes = registeredRoutes(app)
  t.ok(routes.length > 20, `${routes.length} routes found in the router`)
  // HEAD is Fastify's automatic twin of GET; /docs is the rendered UI and its assets (test/browser/docs.test.ts);
  // OPTIONS * answers CORS preflights (routes/cors.ts, test/http/cors.test.ts).
  const undocumented = routes
    .filter(
      ({ method, url }) =>
        method !== 'HEAD' && url !== '/docs' && !url.startsWith('/docs/') && !(method === 'OPTIONS' && url === '*'),
    )
    .map(({ method, url }) => `${method} ${toOpenApiPath(url)}`)
    .filter((operation) => !documented.has(operation))
  t.same(undocumented, [], 'routes missing from openapi.yaml')
  const unserved = operations(document).filter(
    ({ method, path }) => !app.hasRoute({ method, url: path.replace(/\{([^}]+)\}/g, ':$1') }),
  )
  t.same(
    unserved.map(({ method, path }) => `${method} ${path}`),
    [],
    'documented operations the server does not have',
  )
  t.equal((await app.inject({ method: 'GET', url: '/docs' })).statusCode, 200)
})

t.test('every response recorded across the API matches its documented status, media type and schema', async (t) => {
  const { app, store } = await build(t)
  const recorded: Array<{ method: string; route: string; status: number; type: string; body: string }> = []
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== undefined) {
      recorded.push({
        method: request.method,
        route: request.routeOptions.url,
        status: reply.statusCode,
        type: String(reply.getHeader('content-type') ?? ''),
        body: typeof payload === 'string' ? payload : payload === null || payload === undefined ? '' : '[stream]',
      })
    }
    return payload
  })

  // Callers of every kind.
  const { service, alice } = await seed(store)
  await store.clients.create({
    clientId: 'console',
    name: 'Console',
    secretHash: sha256(SECRET),
    grantTypes: ['password'],
    scopes: ['read', 'keys:write'],
  })
  await store.users.create({
    username: 'bob',
    passwordHash: await hashPassword('bob-password', 4),
    scopes: ['read', 'keys:write'],
  })
  const adminKey = generateAccessKey()
  await store.accessKeys.create({
    id: adminKey.id,
    prefix: adminKey.prefix,
    secretHash: adminKey.secretHash,
    name: 'admin',
    scopes: ['admin'],
  })
  const bob = (
    await tokenRequest(
      app,
      { grant_type: 'password', username: 'bob', password: 'bob-password', scope: 'read keys:write' },
      { authorization: basic('console', SECRET) },
    )
  ).json().access_token as string
  const asAdmin = { 'x-api-key': adminKey.key }
  const asBob = { authorization: `Bearer ${bob}` }

  // The OAuth flows, with their failures.
  const login = (
    await tokenRequest(
      app,
      { grant_type: 'password', username: alice.username, password: alice.password },
      { authorization: service.auth },
    )
  ).json()
  await tokenRequest(
    app,
    { grant_type: 'refresh_token', refresh_token: login.refresh_token },
    { authorization: service.auth },
  )
  await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic('service', 'wrong') })
  await tokenRequest(app, { grant_type: 'nonsense' }, { authorization: service.auth })
  await app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/json' },
    payload: '{}',
  })
  const oauthForm = (url: string, params: Record<string, string>, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url, headers: { ...FORM, ...headers }, payload: form(params) })
  for (const url of ['/oauth/introspect', '/oauth/revoke']) {
    await oauthForm(url, { token: login.access_token }, { authorization: service.auth })
    await oauthForm(url, { token: 'garbage' }, { authorization: service.auth })
    await oauthForm(url, {}, { authorization: service.auth })
    await oauthForm(url, { token: 'x' }, {})
    await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'text/plain', authorization: service.auth },
      payload: 'token=x',
    })
  }
  await oauthForm('/oauth/introspect', { token: login.access_token }, { authorization: `Bearer ${bob}` })
  // UserInfo: no token, a token without openid, and one with it.
  await store.clients.update(ANY_TENANT, 'console', { scopes: ['read', 'keys:write', 'openid', 'profile', 'email'] })
  const bobRow = await store.users.findByUsername(DEFAULT_TENANT_ID, 'bob')
  await store.users.update(ANY_TENANT, bobRow!.id, {
    scopes: ['read', 'keys:write', 'openid', 'profile', 'email'],
    email: 'bob@example.com',
    name: 'Bob',
  })
  const withOpenid = (
    await tokenRequest(
      app,
      { grant_type: 'password', username: 'bob', password: 'bob-password', scope: 'openid profile email' },
      { authorization: basic('console', SECRET) },
    )
  ).json().access_token as string
  for (const method of ['GET', 'POST'] as const) {
    await app.inject({ method, url: '/oauth/userinfo' })
    await app.inject({ method, url: '/oauth/userinfo', headers: { authorization: `Bearer ${bob}` } })
    await app.inject({ method, url: '/oauth/userinfo', headers: { authorization: `Bearer ${withOpenid}` } })
  }

  // Browser sign-in: every page, with its failures, and the stylesheet the pages link.
  await store.clients.create({
    clientId: 'browser',
    name: 'Browser',
    secretHash: sha256(SECRET),
    grantTypes: ['authorization_code'],
    scopes: ['read'],
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: [REDIRECT],
  })
  const browser = signInFlow(app)
  const { challenge } = pkce()
  const start = await browser.get(
    authorizeUrl({
      response_type: 'code',
      client_id: 'browser',
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  )
  await browser.get(authorizeUrl({ client_id: 'nobody' }))
  await browser.get('/oauth/login?request=unknown')
  const loginPage = await browser.get(start.headers.location!)
  await browser.post('/oauth/login', { ...formFields(loginPage.body), username: alice.username, password: 'wrong' })
  await browser.post('/oauth/consent', { request: 'unknown' })
  const consentAt = (await browser.login(start.headers.location!, alice.username, alice.password)).headers.location!
  await browser.get('/oauth/consent?request=unknown')
  await browser.get('/oauth/authorize/continue?login_verifier=unknown')
  await browser.consent(consentAt)
  const confirm = await browser.get(
    `/oauth/logout?client_id=browser&post_logout_redirect_uri=${encodeURIComponent(REDIRECT)}`,
  )
  await browser.post('/oauth/logout', formFields(confirm.body))
  await browser.get(/href="(\/assets\/[^"]+)"/.exec(loginPage.body)![1]!)

  // Metadata, keys, operations.
  const jwks = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  await app.inject({
    method: 'GET',
    url: '/.well-known/jwks.json',
    headers: { 'if-none-match': String(jwks.headers.etag) },
  })
  for (const url of [
    '/.well-known/oauth-authorization-server',
    '/.well-known/openid-configuration',
    '/healthz',
    '/readyz',
    '/metrics',
    '/openapi.json',
    '/openapi.yaml',
  ]) {
    await app.inject({ method: 'GET', url })
  }

  // The web console: its page at each of its addresses, a script and a stylesheet, what is not one of its files.
  await ensureConsoleBuilt()
  const consolePage = await app.inject({ method: 'GET', url: '/console/' })
  for (const url of [
    '/console',
    '/console/clients',
    '/console/Not-a-page',
    '/console/assets/missing.js',
    ...[...consolePage.body.matchAll(/"(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]!),
  ]) {
    await app.inject({ method: 'GET', url })
  }

  // The admin API and /v1/me: a real life cycle, then every operation unauthenticated, wrongly and rightly authorised.
  const json = (
    method: 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'GET',
    url: string,
    headers: Record<string, string>,
    payload?: Json,
  ) =>
    app.inject({
      method,
      url,
      headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload } : {}),
    })
  const client = (
    await json('POST', '/admin/v1/clients', asAdmin, {
      name: 'Made',
      grant_types: ['client_credentials'],
      scopes: ['read'],
    })
  ).json()
  await json('GET', `/admin/v1/clients/${client.client_id}`, asAdmin)
  await json('PATCH', `/admin/v1/clients/${client.client_id}`, asAdmin, { name: 'Renamed' })
  await json('POST', `/admin/v1/clients/${client.client_id}/rotate-secret`, asAdmin, {})
  await json('DELETE', `/admin/v1/clients/${client.client_id}`, asAdmin)
  const user = (
    await json('POST', '/admin/v1/users', asAdmin, {
      username: 'carol',
      password: 'carol-password-long',
      scopes: ['read'],
    })
  ).json()
  await json('GET', `/admin/v1/users/${user.id}`, asAdmin)
  await json('PATCH', `/admin/v1/users/${user.id}`, asAdmin, { scopes: [] })
  await json('PUT', `/admin/v1/users/${user.id}/password`, asAdmin, { password: 'another-long-password' })
  await json('DELETE', `/admin/v1/users/${user.id}`, asAdmin)
  const key = (await json('POST', '/admin/v1/access-keys', asAdmin, { name: 'made', scopes: ['read'] })).json()
  await json('GET', `/admin/v1/access-keys/${key.id}`, asAdmin)
  await json('POST', `/admin/v1/access-keys/${key.id}/revoke`, asAdmin)
  const signingKeys = (await json('GET', '/admin/v1/signing-keys', asAdmin)).json()
  await json('POST', '/admin/v1/signing-keys/rotate', asAdmin, {})
  await json('POST', `/admin/v1/signing-keys/${signingKeys.items?.[0]?.kid ?? 'unknown'}/revoke`, asAdmin)
  const mine = (await json('POST', '/v1/me/access-keys', asBob, { name: 'mine', scopes: ['read'] })).json()
  await json('POST', `/v1/me/access-keys/${mine.id}/revoke`, asBob)
  for (const { method, path } of operations(document).filter(
    ({ path }) => path.startsWith('/admin/') || path.startsWith('/v1/'),
  )) {
    const url = path.replace(/\{[^}]+\}/g, 'unknown')
    const payload = ['POST', 'PATCH', 'PUT'].includes(method) ? {} : undefined
    const verb = method as 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'GET'
    await json(verb, url, {}, payload)
    await json(verb, url, { authorization: 'Bearer not-a-token' }, payload)
    await json(
      verb,
      url,
      path.startsWith('/admin/') ? asBob : { authorization: `Bearer ${login.access_token}` },
      payload,
    )
    await json(verb, url, path.startsWith('/admin/') ? asAdmin : asBob, payload)
  }
  t.comment(`${recorded.length} responses recorded`)

  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false })
  const covered = new Set<string>()
  for (const response of recorded) {
    const where = `${response.method} ${response.route} → ${response.status}`
    const operation = document.paths[toOpenApiPath(response.route)]?.[response.method.toLowerCase()]
    if (!operation) continue // /docs and HEAD, checked elsewhere
    covered.add(`${response.method} ${toOpenApiPath(response.route)}`)
    const status = String(response.status)
    const documented =
      operation.responses[status] ?? operation.responses[`${status[0]}XX`] ?? operation.responses.default
    if (!documented) {
      t.fail(`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`)
      continue
    }
    if (response.body === '') {
      t.ok(!documented.content || response.status === 304, `${where}: empty body, documented without content`)
      continue
    }
    const mediaType = response.type.split(';')[0]!.trim()
    const media = documented.content?.[mediaType]
    if (!media) {
      t.fail(
        `${where}: ${mediaType} not documented (documented: ${Object.keys(documented.content ?? {}).join(', ') || 'no content'})`,
      )
      continue
    }
    if (!/json/.test(mediaType)) continue
    const check = ajv.compile({ ...media.schema, components: document.components })
    const valid = check(JSON.parse(response.body))
    t.ok(
      valid,
      `${where}: body matches the schema${valid ? '' : ` ${ajv.errorsText(check.errors)} in ${response.body.slice(0, 300)}`}`,
    )
  }
  const untouched = operations(document)
    .map(({ method, path }) => `${method} ${path}`)
    .filter((operation) => !covered.has(operation))
  t.same(untouched, [], 'every documented operation was exercised')
})

t.test('a TypeScript client generated from openapi.yaml compiles and runs a token flow', async (t) => {
  // Inside node_modules/.cache, so the generated code resolves openapi-fetch like an application would.
  const dir = resolve('node_modules/.cache', `portcullis-openapi-client-${randomBytes(4).toString('hex')}`)
  mkdirSync(dir, { recursive: true })
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'schema.d.ts'), astToString(await openapiTS(pathToFileURL(OPENAPI_PATH))))
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      include: ['*.ts'],
    }),
  )
  writeFileSync(
    join(dir, 'client.ts'),
    `import createClient from 'openapi-fetch'
import type { paths } from './schema.js'

const form = {
  bodySerializer: (body: Record<string, string | undefined>) => new URLSearchParams(Object.entries(body).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
}

export async function tokenFlow(baseUrl: string, clientId: string, clientSecret: string) {
  const api = createClient<paths>({ baseUrl })
  const authorization = 'Basic ' + btoa(clientId + ':' + clientSecret)
  const metadata = await api.GET('/.well-known/oauth-authorization-server')
  if (!metadata.data) throw new Error('no metadata')
  const issuer: string = metadata.data.issuer
  const issued = await api.POST('/oauth/token', { ...form, headers: { ...form.headers, authorization }, body: { grant_type: 'client_credentials', scope: 'read' } })
  if (!issued.data) throw new Error('token request failed: ' + JSON.stringify(issued.error))
  const accessToken: string = issued.data.access_token
  const expiresIn: number = issued.data.expires_in
  const introspected = await api.POST('/oauth/introspect', { ...form, headers: { ...form.headers, authorization }, body: { token: accessToken } })
  if (!introspected.data) throw new Error('introspection failed')
  const active: boolean = introspected.data.active
  const revoked = await api.POST('/oauth/revoke', { ...form, headers: { ...form.headers, authorization }, body: { token: accessToken } })
  const afterRevocation = await api.POST('/oauth/introspect', { ...form, headers: { ...form.headers, authorization }, body: { token: accessToken } })
  const refused = await api.POST('/oauth/token', { ...form, headers: { ...form.headers, authorization: 'Basic ' + btoa(clientId + ':wrong') }, body: { grant_type: 'client_credentials' } })
  const errorCode: string | undefined = refused.error?.error
  return { issuer, accessToken, expiresIn, active, revokedStatus: revoked.response.status, activeAfterRevocation: afterRevocation.data?.active, errorCode }
}
`,
  )
  // The types are real: misusing a documented field must be a compile error. One tsc run checks both files.
  writeFileSync(
    join(dir, 'misuse.ts'),
    `import type { paths } from './schema.js'\ntype Token = paths['/oauth/token']['post']['responses'][200]['content']['application/json']\nexport const wrong: number = ({} as Token).access_token\n`,
  )
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' })
  const errors = compiled.stdout.split('\n').filter((line) => /error TS\d+/.test(line))
  t.same(
    errors.filter((line) => !line.startsWith('misuse.ts')),
    [],
    `the generated client type-checks\n${compiled.stdout}${compiled.stderr}`,
  )
  t.match(
    errors,
    [/^misuse\.ts\(3,14\): error TS2322: Type 'string' is not assignable to type 'number'/],
    'a number is not an access_token',
  )

  const { baseUrl, store } = await listen(t)
  await seed(store)
  const { tokenFlow } = (await import(pathToFileURL(join(dir, 'client.ts')).href)) as {
    tokenFlow: (baseUrl: string, id: string, secret: string) => Promise<Json>
  }
  const result = await tokenFlow(baseUrl, 'service', SECRET)
  t.match(result, {
    issuer: baseUrl,
    accessToken: /^ey/,
    expiresIn: Number,
    active: true,
    revokedStatus: 200,
    activeAfterRevocation: false,
    errorCode: 'invalid_client',
  })
})
